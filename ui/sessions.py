"""The session picker the staffing pages share (Agenda, Session outcomes, Presenter)."""

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
