"""Audit a list of identifiers once per session and content, not on every rerun (SECURITY 8)."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st
from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.access.list_views import lead_ids_in, record_list_view
from services.core.audit import AuditWriteError


def audited_list(
    engine: Engine, user: CurrentUser, *, key: str, what: str, shown: int, texts: Iterable[str]
) -> bool:
    """Write one `list.view` audit row for a list about to be shown, with the LEAD ids in
    `texts`; a rerun showing the same list again writes nothing. False (and a message) when the
    audit cannot be written: the caller must not show the list."""
    if not shown:
        return True
    lead_ids = lead_ids_in(texts)
    seen = (what, shown, tuple(lead_ids))
    state_key = f"lead_list_audited_{key}"
    if st.session_state.get(state_key) == seen:
        return True
    try:
        record_list_view(engine, user, what=what, shown=shown, lead_ids=lead_ids)
    except AuditWriteError:
        st.error("This list cannot be shown right now: the audit trail could not be written.")
        return False
    st.session_state[state_key] = seen
    return True
