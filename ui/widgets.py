"""Small keyed widgets shared by pages. User-entered text is shown only as plain text."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from services.errors import StaleEditError, ValidationError


def table(rows: list[dict], *, key: str, empty: str = "Nothing to show.") -> None:
    """A read-only table (st.dataframe renders cell text as plain text)."""
    if not rows:
        st.info(empty, icon=":material/info:")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=key)


def run_action(action: Callable[[], object], *, success: str) -> bool:
    """Run a save; show a confirmation, or the clear reason it was refused. Nothing is lost."""
    try:
        action()
    except (ValidationError, StaleEditError) as exc:
        st.error(str(exc), icon=":material/error:")
        return False
    st.toast(success, icon=":material/check_circle:")
    st.session_state["lead_flash"] = success
    return True


def flash() -> None:
    """Show the confirmation of the last save once, after the rerun that followed it."""
    message = st.session_state.pop("lead_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")
