"""Session outcomes' action items: add one to an agenda item, mark an open one done (PROTOCOL M3).

Action text is typed at a session: it is checked for clinical detail (`not_clinical_box`) and
shown as plain text only.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.staffing import add_action_item, mark_action_done, open_action_items, owner_choices
from services.staffing.text import who_reads
from ui.fields import date_field
from ui.free_text import not_clinical_box, readers_note
from ui.widgets import form_round, next_form_round, run_action


def action_item_form(
    engine: Engine, user: CurrentUser, *, item_id: int, session_id: int, today: date
) -> None:
    owners = owner_choices(engine)
    users = {u["id"]: u["label"] for u in owners["users"]}
    # A new form key after each action added: a refused text stays to be rewritten or confirmed.
    with st.form(f"action_{item_id}_{form_round()}"):
        st.markdown("**Add an action item**")
        text = st.text_input("Action")
        org_col, user_col, due_col = st.columns(3)
        owner_org = org_col.selectbox(
            "Owner organization", ["", *owners["orgs"]], format_func=lambda o: o or "—"
        )
        owner_user = user_col.selectbox(
            "Or a person", [None, *users], format_func=lambda u: "—" if u is None else users[u]
        )
        due = date_field("Due", today, container=due_col)
        readers_note(who_reads(engine, field="action", today=today, session_id=session_id))
        action_ok = not_clinical_box(f"action_not_clinical_{item_id}")
        if st.form_submit_button("Add the action item") and run_action(
            lambda: add_action_item(
                engine,
                user,
                item_id=item_id,
                text=text,
                owner_org_code=owner_org,
                owner_user_id=owner_user,
                due_on=due,
                today=today,
                not_clinical=action_ok,
            ),
            success="Action item added: it shows on its owner's page until done.",
        ):
            next_form_round()
            st.rerun()


def mark_done_form(engine: Engine, user: CurrentUser, *, session_id: int, today: date) -> None:
    """Open action items of this session or earlier ones, one marked done at a time."""
    open_actions = {
        a["id"]: a["label"] for a in open_action_items(engine, user, session_id=session_id)
    }
    if not open_actions:
        return
    with st.form("outcome_action_done"):
        done_id = st.selectbox(
            "Open action item (this session or earlier)",
            list(open_actions),
            format_func=open_actions.get,
        )
        if st.form_submit_button("Mark done") and run_action(
            lambda: mark_action_done(engine, user, action_id=done_id, on=today, today=today),
            success="Action item marked done.",
        ):
            st.rerun()
