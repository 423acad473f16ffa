"""New referral's widget groups: determinations, prior convictions, the person, the screen.

Nothing here is pre-answered (issue 11, SECURITY 33): a determination starts unanswered, the
conviction list starts empty, and a strong match of the person starts with no choice. The
screen's verdict is shown next to the fields that decide it (on a phone the screen panel is far
below them) as well as in the panel. Every text shown is plain text or a constant of the
services (rule sentences, labels, ISO dates): never anything typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st
from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.core.audit import AuditWriteError
from services.core.errors import ValidationError
from services.referrals import (
    CONVICTION_LABELS,
    DETERMINATION_LABELS,
    DETERMINATIONS_ASKED,
    NEW_PERSON_REASONS,
    NOTICE_METHODS,
    Person,
    find_matches,
    prosecutor_offices,
)
from ui.text import plain
from ui.widgets import table

YES_NO = {True: "Yes", False: "No"}
NEW_PERSON = "new"


def determination_fields(kind: str) -> dict[str, bool | None]:
    """Yes or no for each determination this kind of referral asks; None until answered."""
    return {
        key: st.radio(
            DETERMINATION_LABELS[key],
            [True, False],
            index=None,
            format_func=YES_NO.get,
            horizontal=True,
            key=f"rn_det_{key}",
        )
        for key in DETERMINATIONS_ASKED[kind]
    }


def conviction_choice(column) -> str | None:
    """The conviction to add (B9): none is chosen until the person picks one."""
    return column.selectbox(
        "Conviction",
        list(CONVICTION_LABELS),
        index=None,
        placeholder="Choose the conviction",
        format_func=CONVICTION_LABELS.get,
        key="rn_conv",
    )


def conviction_list(column, conviction: str | None, convicted_on: date | None) -> list[dict]:
    """The attempt box, the add and remove buttons and the convictions added so far."""
    state = st.session_state
    attempt = column.checkbox("Attempt", key="rn_conv_attempt")
    ready = conviction is not None and convicted_on is not None
    if st.button("Add conviction", icon=":material/add:", disabled=not ready):
        state.rn_convictions.append(
            {"offense": conviction, "date": convicted_on, "attempt": attempt}
        )
    if state.rn_convictions:
        table(
            [
                {
                    "Conviction": CONVICTION_LABELS[c["offense"]],
                    "Date": c["date"].isoformat(),
                    "Attempt": "yes" if c["attempt"] else "no",
                }
                for c in state.rn_convictions
            ],
            key="rn_conv_table",
        )
        if st.button("Remove the last conviction", icon=":material/remove:"):
            state.rn_convictions.pop()
            st.rerun()
    return list(state.rn_convictions)


@dataclass
class PersonChoice:
    """Whom the referral is for: an earlier participant, a new person, or not chosen yet."""

    participant_id: int | None = None
    new: bool = False
    reason: str = ""
    note: str = ""


def _lookup(engine: Engine, user: CurrentUser, person: Person, aliases: str) -> list[dict]:
    # Look people up once per change of name or date of birth (each lookup is audited).
    state = st.session_state
    lookup = (person.legal_name, person.preferred_name, aliases, person.date_of_birth)
    if state.get("rn_lookup") != lookup:
        try:
            state.rn_matches = find_matches(engine, user, person)
        except (ValidationError, AuditWriteError) as exc:
            st.error(plain(str(exc)) or "The lookup could not be audited.", icon=":material/error:")
            state.rn_matches = []
        state.rn_lookup = lookup
    return state.get("rn_matches", [])


def person_choice(engine: Engine, user: CurrentUser, person: Person, aliases: str) -> PersonChoice:
    """Earlier records of the person (B14) and the explicit choice a strong match requires.

    With a strong match there is no default, and a new person needs a reason from the list.
    """
    matches = _lookup(engine, user, person, aliases)
    if not matches:
        return PersonChoice(new=True)
    by_id = {m["participant_id"]: m for m in matches}
    strong = any(m["Match"] == "strong" for m in matches)
    st.warning(
        "Possible earlier records of this person (B14: a prior referral does not preclude a "
        "new one). Check before creating a new person.",
        icon=":material/person_search:",
    )
    table(
        [{k: v for k, v in m.items() if k != "participant_id"} for m in matches],
        key="rn_matches_table",
    )
    options = [*by_id, NEW_PERSON]
    chosen = st.selectbox(
        "This referral is for",
        options,
        index=None if strong else options.index(NEW_PERSON),
        placeholder="Choose: an earlier participant, or a new person",
        format_func=lambda pid: "A new person" if pid == NEW_PERSON else _candidate(by_id[pid]),
        key="rn_person_choice",
    )
    if chosen is None:
        st.caption("A strong match: choose the earlier participant or a new person to save.")
        return PersonChoice()
    if chosen != NEW_PERSON:
        return PersonChoice(participant_id=chosen)
    if not strong:
        return PersonChoice(new=True)
    reason = st.selectbox(
        "Why is this a new person?",
        list(NEW_PERSON_REASONS),
        index=None,
        placeholder="Choose a reason",
        format_func=NEW_PERSON_REASONS.get,
        key="rn_new_reason",
    )
    note = ""
    if reason == "other":
        note = st.text_input("Say why (stored with the referral)", key="rn_new_note")
    return PersonChoice(new=True, reason=reason or "", note=note)


def _candidate(match: dict) -> str:
    """'BUR-0001: Avery Sample, born 1990-01-02 (name 100% similar)' (a widget value: plain)."""
    born = match["Date of birth"] or "unknown"
    return f"{match['LEAD id']}: {match['Legal name']}, born {born} ({match['Why']})"


def section_verdict(where, verdict: dict, rules: tuple[str, ...], *, unanswered: bool = False):
    """The screen's word on the rules decided by one group of fields, drawn into `where` (an
    st.empty placed right after the group) so it sits next to the field that changed it."""
    # Captions in the theme's own colour: coloured text on white fails WCAG contrast (issue 8).
    hits = [r for r in verdict["reasons"] if r["rule"] in rules]
    with where.container():
        for reason in hits:
            st.caption(f":material/cancel: **{reason['rule']} excludes**: {reason['text']}")
        if unanswered and verdict["unanswered"]:
            st.caption(
                f":material/pending: **Not answered yet**: {len(verdict['unanswered'])} "
                "determination(s); the screen waits for them."
            )
        elif not hits:
            st.caption(f":material/check_circle: {', '.join(rules)}: no exclusion.")


def screen_panel(verdict: dict, *, offense_missing: bool) -> None:
    """The screen beside the sheet: the verdict, every reason, what is not answered yet."""
    st.subheader("Screen")
    if offense_missing:
        st.info("Choose the offense to see the screen.", icon=":material/pending:")
    elif verdict["reasons"]:
        st.error(f"**Excluded** by {len(verdict['reasons'])} rule(s):", icon=":material/cancel:")
        for reason in verdict["reasons"]:
            st.markdown(f"- **{reason['rule']}**: {reason['text']}")
    elif verdict["unanswered"]:
        st.warning(
            "**Not answered yet**: no verdict until every determination is answered.",
            icon=":material/pending:",
        )
    else:
        st.success("**Eligible**: no exclusion applies.", icon=":material/check_circle:")
    if verdict["unanswered"] and not offense_missing:
        st.caption("Not answered yet: " + "; ".join(verdict["unanswered"]) + ".")
    st.info(verdict["decision_support"], icon=":material/balance:")


def prosecutor_notice_fields(engine: Engine, known: str) -> tuple[str, str]:
    """PROTOCOL T5: which of the site's prosecutor offices was notified (starting on the one the
    referral names) and how. Used by Referrals and by Today's closing form."""
    names = prosecutor_offices(engine)
    offices = list(names)
    office = st.selectbox(
        "Office notified",
        offices,
        index=offices.index(known) if known in offices else 0,
        format_func=names.get,
    )
    method = st.radio("How", list(NOTICE_METHODS), format_func=NOTICE_METHODS.get)
    return office, method
