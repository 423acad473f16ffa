"""The session picker the staffing pages share (Agenda, Session outcomes, Presenter), and where
a name sent now goes (Submit names)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from services.staffing import default_session_id


def session_picker(
    sessions: dict[int, dict],
    *,
    preferred: int | None = None,
    format_func: Callable[[int], str] | None = None,
    container=None,
) -> int:
    """A "Session" selectbox over `sessions` (id -> listed session), starting on `preferred`
    when it is listed, else on the session the staffing service suggests (the next one)."""
    ids = list(sessions)
    start = preferred if preferred in sessions else default_session_id(list(sessions.values()))
    where = container if container is not None else st
    return where.selectbox(
        "Session",
        ids,
        index=ids.index(start),
        format_func=format_func or (lambda i: sessions[i]["label"]),
    )


def submission_guide(target: dict | None) -> None:
    """Which session a name sent today goes to, and what the workgroup does with it: the same
    for every name, never whether the person is a participant (SECURITY 5)."""
    if target:
        st.markdown(
            f"Names sent today go to the **{target['kind_label'].lower()}** on "
            f"**{target['on']:%A %d %B %Y}** (names are due by {target['cutoff_on']:%A %d %B}). "
            "A name sent after that goes to the following session unless the project manager "
            "takes it in."
        )
    else:
        st.markdown(
            "No scheduled session is taking names now: a name sent today goes to the next one."
        )
    st.caption(
        "Give a name, an alias or a date of birth if you have one, or pick a participant you may "
        "see. The answer is the same for every name: it does not say whether the person is a "
        "LEAD participant. The workgroup informs; it never decides charges (PROTOCOL M4)."
    )
