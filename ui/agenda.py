"""Agenda panels (project manager): one name to review, with its likely duplicates (issue 11).

Names, aliases and reasons are what partners typed: shown with st.text only (SECURITY 19, 32).
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.staffing import (
    URGENT_MARK,
    carry_submission,
    confirm_match,
    hold_submission,
    place_candidate,
)
from ui.widgets import run_action

NOT_A_PARTICIPANT = 0  # participant ids start at 1


def _sent(sub: dict) -> str:
    return (
        f"{sub['organization']} · {sub['submitted_by']} · {sub['urgency']} · sent "
        f"{sub['sent']}\nName: {sub['name'] or '—'} · alias: {sub['alias'] or '—'} · "
        f"born: {sub['dob'] or '—'}\nReason: {sub['reason']}"
    )


def _done(ok: bool) -> None:
    if ok:
        st.rerun()


def _placed(action) -> None:
    """Run a placing action; its own message (the item's number) is the confirmation, and a
    name held instead of placed ("Held: no active release...") shows as a warning."""
    if run_action(
        action,
        success=lambda result: result["message"],
        refused=lambda result: not result.get("placed", True),
    ):
        st.rerun()


def review_name(
    engine: Engine, user: CurrentUser, sub: dict, others: dict[int, dict], today: date
) -> None:
    """One name (and the names likely about the same person): who sent it and why, the likely
    participants, and the decisions: place, place as a referral candidate, hold, carry over."""
    if sub["urgency"] == "urgent":
        st.markdown(f"**{URGENT_MARK}**")  # a constant: a mark and a word, not colour alone
    st.text(_sent(sub))
    together = [i for i in sub["together"] if i in others]
    if together:
        st.warning(
            f"Likely the same person as {len(together)} more name(s) sent: handled together "
            "unless you untick the box below.",
            icon=":material/group:",
        )
        for other in together:
            st.text(_sent(others[other]))
    options = {o["participant_id"]: o["label"] for o in sub["suggestions"]}
    options[NOT_A_PARTICIPANT] = "Not a LEAD participant (hold the name)"
    with st.form(f"match_{sub['id']}"):
        choice = st.selectbox(
            "Who is it? (best matches first)",
            list(options),
            index=0 if sub["confident"] else None,
            placeholder="No close match: choose a participant, or not a participant",
            format_func=options.get,
            key=f"match_choice_{sub['id']}",
        )
        other = st.text_input("Or another participant's LEAD id")
        hold_reason = st.text_input("Reason to hold (only you see it)")
        joined = bool(together) and st.checkbox(
            "Handle the likely duplicates together", value=True, key=f"together_{sub['id']}"
        )
        place_col, candidate_col, hold_col, carry_col = st.columns(4)
        placing = place_col.form_submit_button("Confirm and place", type="primary")
        candidate = candidate_col.form_submit_button("Place as a referral candidate")
        holding = hold_col.form_submit_button("Hold")
        carrying = carry_col.form_submit_button("Carry over to the next session")
    group = together if joined else []
    if placing and choice is None and not other.strip():
        st.error("Who is it: choose a participant, type a LEAD id, or 'Not a LEAD participant'.")
    elif placing:
        _placed(
            lambda: confirm_match(
                engine,
                user,
                submission_id=sub["id"],
                participant_id=None if choice == NOT_A_PARTICIPANT else choice,
                lead_id=other,
                together=group,
                today=today,
            )
        )
    if candidate:
        _placed(lambda: place_candidate(engine, user, submission_id=sub["id"], together=group))
    if holding:
        _done(
            run_action(
                lambda: hold_submission(
                    engine, user, submission_id=sub["id"], reason=hold_reason, together=group
                ),
                success="Held.",
            )
        )
    if carrying:
        _done(
            run_action(
                lambda: [
                    carry_submission(engine, user, submission_id=i, today=today)
                    for i in [sub["id"], *group]
                ],
                success="Carried over to the next session.",
            )
        )


def review_names(engine: Engine, user: CurrentUser, names: list[dict], today: date) -> None:
    """Every name waiting, urgent first; a likely duplicate shows inside its group's box."""
    by_id = {n["id"]: n for n in names}
    for sub in names:
        if sub["same_as"] in by_id:
            continue
        with st.container(border=True):
            review_name(engine, user, sub, by_id, today)
