"""Small keyed widgets shared by pages. User-entered text is shown only as plain text.

Messages (confirmations, refusals, conflicts) are plain sentences that may quote stored or
typed values, so they go through `ui.text.plain` here, once (SECURITY 32)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from services.core.audit import AuditWriteError
from services.core.errors import StaleEditError, ValidationError
from services.participants.casework import CONTACT_KINDS, QUICK_MINUTES
from ui.fields import date_field
from ui.text import plain


def table(rows: list[dict], *, key: str, empty: str = "Nothing to show.") -> None:
    """A read-only table (st.dataframe renders cell text as plain text)."""
    if not rows:
        st.info(empty, icon=":material/info:")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=key)


NOT_ALLOWED = "You are not allowed to do this with your role. Nothing was saved."
NOT_AUDITED = (
    "Nothing was saved: the audit trail could not be written. Try again in a moment, or tell "
    "the administrator if it keeps happening."
)
# What a service raises at a user: each becomes a plain sentence, never a traceback.
USER_ERRORS = (ValidationError, StaleEditError, PermissionError, AuditWriteError)


def refusal(exc: BaseException) -> str:
    """The sentence shown for a refused action: the service's own words for a refused input or
    a conflict, a fixed sentence for a refused permission or a failed audit write (no exception
    class, no stack, no internal detail)."""
    if isinstance(exc, PermissionError):
        words = str(exc).strip()
        # A staffing service's reason is one plain sentence; anything else (an OS error with a
        # file name) stays out of sight.
        if words and type(exc) is PermissionError and not getattr(exc, "filename", None):
            return f"{words} Nothing was saved."
        return NOT_ALLOWED
    if isinstance(exc, AuditWriteError):
        return NOT_AUDITED
    return str(exc)


def show_refusal(exc: BaseException) -> None:
    icon = ":material/block:" if isinstance(exc, PermissionError) else ":material/error:"
    st.error(plain(refusal(exc)), icon=icon)


def run_action(
    action: Callable[[], object],
    *,
    success: str | Callable[[object], str],
    refused: Callable[[object], bool] | None = None,
) -> bool:
    """Run a save; show a confirmation, or the clear reason it was refused. Nothing is lost.

    `success` may be built from the action's result. When `refused(result)` is true the action
    ran but what was asked did not happen (e.g. a name held, not placed): its message shows as a
    warning, never with a success mark. Returns True when the action ran (rerun to show it).
    """
    try:
        result = action()
    except USER_ERRORS as exc:
        show_refusal(exc)
        return False
    message = success(result) if callable(success) else success
    kind = "warning" if refused is not None and refused(result) else "success"
    st.toast(plain(message), icon=FLASH_ICONS[kind])
    set_flash(message, kind=kind)
    return True


FLASH_ICONS = {"success": ":material/check_circle:", "warning": ":material/warning:"}


def set_flash(message: str, *, kind: str = "success") -> None:
    """The result to show after the rerun: "success", or "warning" for a refusal."""
    st.session_state["lead_flash"] = {"message": message, "kind": kind}


FLASH_SECONDS = 6.0


def flash() -> None:
    """Show the confirmation of the last save after the rerun that followed it.

    It stays for a few seconds rather than exactly one run: a component (the sign-in cookie)
    can trigger a second rerun right after a save, which would otherwise wipe the confirmation
    before anyone read it.
    """
    entry = st.session_state.get("lead_flash")
    if not entry:
        return
    now = time.monotonic()
    if isinstance(entry, str):
        entry = {"message": entry}
    if "first_shown" not in entry:
        entry = {"kind": "success", **entry, "first_shown": now}
        st.session_state["lead_flash"] = entry
    if now - entry["first_shown"] > FLASH_SECONDS:
        st.session_state.pop("lead_flash", None)
        return
    show = st.warning if entry["kind"] == "warning" else st.success
    show(plain(entry["message"]), icon=FLASH_ICONS[entry["kind"]])


def chart_with_table(chart, rows: list[dict], *, title: str, description: str, key: str) -> None:
    """An Altair chart under a heading and a one-sentence description, its numbers beside it.

    WCAG 2.1 AA: the chart is never the only way to read the figures; the table carries them and
    the description doubles as the chart's text alternative.
    """
    st.subheader(title)
    st.caption(description)
    left, right = st.columns([1, 1], gap="medium")
    with left:
        st.altair_chart(chart, width="stretch", alt=description, key=f"{key}_chart")
    with right:
        table(rows, key=f"{key}_table")


def seen_before(key: str, current):
    """The value stored under `key` by the previous run (else `current`); stores `current`.

    An edit form submitted in this run was drawn by the previous one, so its save must be checked
    against the version the user saw then, not the one read again now (SECURITY 25).
    """
    previous = st.session_state.get(key, current)
    st.session_state[key] = current
    return previous


def run_edit(action: Callable[[], object], *, success: str, reset_keys: list[str]) -> None:
    """Like run_action for version-checked edits: on success, or on a conflict (shown after the
    rerun by `conflict()`), forget the form's widgets and remembered versions (keys starting with
    `reset_keys`) and rerun, so the page shows the record as it now is. A refused input stays."""
    try:
        action()
    except (ValidationError, PermissionError, AuditWriteError) as exc:
        show_refusal(exc)
        return
    except StaleEditError as exc:
        st.session_state["lead_conflict"] = str(exc)
    else:
        st.toast(plain(success), icon=FLASH_ICONS["success"])
        set_flash(success)
    next_form_round()
    for key in list(st.session_state):
        if any(str(key).startswith(prefix) for prefix in reset_keys):
            del st.session_state[key]
    st.rerun()


def conflict() -> None:
    """Show, once, the conflict a version-checked save ran into in the previous run."""
    message = st.session_state.pop("lead_conflict", None)
    if message:
        st.error(plain(message), icon=":material/sync_problem:")


def full_table(rows: list[dict], *, key: str, empty: str = "Nothing to show.") -> None:
    """A read-only table tall enough to show every row without scrolling (short tables only)."""
    if not rows:
        st.info(empty, icon=":material/info:")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height="content", key=key)


def prepared_download(label: str, prepare: Callable[[], object], *, key: str) -> None:
    """Prepare a file only when asked (an export is audited and accounted for), then offer it.

    `prepare` returns an object with `filename`, `data` and `mime`
    (e.g. services.reports.exports.Export).
    """
    if st.button(f"Prepare {label}", key=f"{key}_prepare", icon=":material/description:"):
        try:
            st.session_state[key] = prepare()
        except USER_ERRORS as exc:
            show_refusal(exc)
    ready = st.session_state.get(key)
    if ready is not None:
        st.download_button(
            f"Download {label}",
            data=ready.data,
            file_name=ready.filename,
            mime=ready.mime,
            key=f"{key}_download",
            icon=":material/download:",
        )


def form_round() -> int:
    """A number for form and widget keys that grows after each save (`next_form_round`).

    Deleting a form widget's key does not empty what the browser still shows; new keys do, so a
    saved form comes back empty and cannot be sent twice by accident.
    """
    return st.session_state.setdefault("lead_form_round", 0)


def next_form_round() -> None:
    st.session_state["lead_form_round"] = form_round() + 1


def contact_fields(today: date, *, round_: int | None = None) -> tuple[str, int, str, date]:
    """The quick contact entry, in a few taps (Log a contact; Today for a no-contact alert):
    kind, minutes, case note and date. `round_` keys the widgets so a saved form comes back
    empty."""

    def key(name: str) -> str | None:
        return None if round_ is None else f"log_{name}_{round_}"

    kind = st.segmented_control(
        "Kind", CONTACT_KINDS, default="field", required=True, key=key("kind")
    )
    minutes = st.segmented_control(
        "Minutes",
        QUICK_MINUTES,
        default=15,
        required=True,
        format_func=lambda m: f"{m} min",
        key=key("minutes"),
    )
    note = st.text_area("Case note (optional)", height=100, key=key("note"))
    on = date_field("Date", today, key=key("on"))
    return kind, minutes, note, on
