"""Widgets for free text that partners read (SECURITY 29): who reads it, the not-clinical
confirmation, the project manager's list of flags and the agenda item's curtain text."""

from __future__ import annotations

import streamlit as st

from services.core.free_text import CONFIRM_LABEL
from services.staffing.text import set_curtain_text
from ui.widgets import form_round, next_form_round, run_action, table


def readers_note(text: str) -> None:
    """Beside a field: which organizations will read it (plain text: names come from data)."""
    st.text(text)


def not_clinical_box(key: str) -> bool:
    """The explicit confirmation flagged text needs before it is saved: unticked, and unticked
    again after every save (the form round is in its key; callers call `next_form_round`)."""
    return st.checkbox(
        CONFIRM_LABEL,
        key=f"{key}_{form_round()}",
        help="Tick only after rereading: words such as detox, meds or AA are flagged; "
        "the confirmation is recorded with your name.",
    )


def clinical_flags_panel(rows: list[dict], *, key: str, before: str) -> None:
    """The flagged texts of a session, for the project manager to review `before` a step."""
    st.subheader(f"Likely clinical wording partners will read ({len(rows)})")
    st.caption(
        f"Review these before {before}: each was confirmed as not clinical by the person named "
        "(or written before the check). Rewrite any that are clinical."
    )
    table(rows, key=key, empty="No flagged wording in this session's texts.")


def curtain_text_form(engine, user, item: dict, version: int) -> None:
    """The PM's version of an item's free text for the privacy curtain (issue 11)."""
    with st.form(f"curtain_form_{item['id']}"):
        text = st.text_area(
            "Curtain text (shown instead of the reasons when the privacy curtain is on)",
            value=item.get("curtain_text", ""),
        )
        st.caption(
            "Without it the curtain shows only who sent each reason and how urgent it is. "
            "Write no names: the room sees it."
        )
        confirmed = not_clinical_box(f"curtain_not_clinical_{item['id']}")
        if st.form_submit_button("Save the curtain text") and run_action(
            lambda: set_curtain_text(
                engine,
                user,
                item_id=item["id"],
                expected_version=version,
                text=text,
                not_clinical=confirmed,
            ),
            success="Curtain text saved.",
        ):
            next_form_round()
            st.rerun()
