"""Compact lists for a phone in the field that still read well on a wide screen (issue 11).

Streamlit cannot tell the server how wide the screen is, so nothing here branches on it: cards sit
in a wrapping row of fixed-width boxes that the browser lays out one per line on a phone and
several per line on a wide screen, with the same content and the same one action at every width
(what the screen shows is what is there). Wide tables stay one toggle away. Stored text reaches
markdown only through `ui.text.plain`.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from services.core.alert import SEVERITIES, SEVERITY_ICONS, Alert
from services.participants import RecordView
from ui.text import plain

CARD_WIDTH = 420  # px; Streamlit narrows a box wider than its parent, so one per line on a phone
SHORT_SEVERITY = {  # the counts line fits one line of a 390 px phone
    "overdue": "overdue",
    "due in 2 days": "in 2 days",
    "due in 7 days": "in 7 days",
    "later": "later",
}
CARDS_SHOWN = 40  # the most urgent; the table lists every one Today lists
ROWS_AS_BUTTONS = 30  # search results opened in one tap; more: type to narrow, or the table


def severity_counts(alerts: Sequence[Alert]) -> None:
    """One line of counts, e.g. "▲ 3 overdue · ◆ 5 in 2 days · ● 12 in 7 days · ○ 40 later"."""
    counts = {s: 0 for s in SEVERITIES}
    for a in alerts:
        counts[a.severity] += 1
    parts = [f"{SEVERITY_ICONS[s][0]} **{counts[s]:,}** {SHORT_SEVERITY[s]}" for s in SEVERITIES]
    with st.container(key="today_counts"):
        st.markdown(" · ".join(parts))


def due_text(alert: Alert) -> str:
    """'due 2026-12-05, in 2 days', 'due 2026-12-01, 3 days late', 'due today (2026-12-03)'."""
    days = alert.days_left
    if days == 0:
        return f"due today ({alert.due.isoformat()})"
    when = (
        f"in {days} day{'s' * (days != 1)}" if days > 0 else f"{-days} day{'s' * (days != -1)} late"
    )
    return f"due {alert.due.isoformat()}, {when}"


def alert_cards(
    alerts: Sequence[Alert], labels: dict[int, str], *, choice_key: str, key: str
) -> st.delta_generator.DeltaGenerator | None:
    """Today's deadlines as cards: who and what, the due date, then the one action.

    `labels` maps id(alert) to its option in the "Deadline" box (`choice_key`) for the alerts
    that can be closed from Today. Tapping a card's action chooses it there and opens the card
    full width; the returned container (inside that card) is where its forms go, so on a phone
    they appear under the tap, not a long scroll away. None when no card is open.
    """
    opened = st.session_state.get(f"{key}_open")
    if opened is not None and opened != st.session_state.get(choice_key):
        opened = None  # another deadline was chosen in the box below: its forms go there
    slot = None
    with st.container(horizontal=True, key=key):
        for i, alert in enumerate(alerts):
            label = labels.get(id(alert))
            is_open = label is not None and label == opened
            width = "stretch" if is_open else CARD_WIDTH
            with st.container(border=True, width=width, key=f"{key}_{i}"):
                st.markdown(f"**{plain(alert.subject)}** · {plain(alert.action)}")
                st.caption(f"{SEVERITY_ICONS[alert.severity]} · {due_text(alert)} · {alert.rule}")
                if alert.action_id is not None:  # "Mark it done": the typed item says what
                    st.caption(plain(alert.message))
                if label is not None:
                    st.button(
                        "Hide the form" if is_open else "Do it now",
                        key=f"{key}_do_{i}",
                        icon=":material/expand_less:" if is_open else ":material/task_alt:",
                        on_click=_toggle,
                        args=(key, choice_key, None if is_open else label),
                    )
                if is_open:
                    slot = st.container()
    return slot


def _toggle(key: str, choice_key: str, label: str | None) -> None:
    st.session_state[f"{key}_open"] = label
    if label is not None:
        st.session_state[choice_key] = label


def heading_slot(title: str):
    """A page title that `record_heading` can replace once the page knows more."""
    slot = st.empty()
    slot.title(title)
    return slot


def record_heading(slot, record: RecordView) -> None:
    """The record's heading says whose it is, as this viewer may see it (plain text)."""
    who = record.who()
    if who:
        with slot.container():
            st.caption("Participant record")
            st.title(plain(who))


def open_buttons(rows: list[dict], *, key: str) -> int | None:
    """One button per search result ("BUR-0007 · Avery · active"): the id of the one tapped."""
    if len(rows) > ROWS_AS_BUTTONS:
        st.caption(f"The first {ROWS_AS_BUTTONS} by LEAD id; type a name or id to narrow.")
    for row in rows[:ROWS_AS_BUTTONS]:
        label = " · ".join(plain(row[k]) for k in ("LEAD id", "Name", "Status"))
        if st.button(label, key=f"{key}_{row['id']}", icon=":material/person:"):
            return row["id"]
    return None


PARTICIPANT_PAGE = "pages/participant.py"


def remember_participant(participant_id: int) -> None:
    st.session_state["participant_id"] = participant_id


def open_participant(participant_id: int) -> None:
    """Open a participant's record: the record page reads whom from the session."""
    remember_participant(participant_id)
    st.switch_page(PARTICIPANT_PAGE)


def open_participant_button(
    participant_id: int, label: str, *, icon: str = ":material/person:", container=None
) -> None:
    """A button that opens this participant's record in one tap (`label` is plain text)."""
    where = container if container is not None else st
    if where.button(label, icon=icon, on_click=remember_participant, args=(participant_id,)):
        st.switch_page(PARTICIPANT_PAGE)
