"""Submit names: a person to discuss at the next session with a brief reason (PROTOCOL M2).

The answer is the same for every name (SECURITY 5). Also the user's own submissions with their
status, and the open action items the user or their organization owns.
"""

import streamlit as st

from services.core.clock import local_today
from services.core.site import get_settings
from services.staffing import (
    URGENCIES,
    mark_action_done,
    my_action_items,
    my_submissions,
    next_session_taking_names,
    pickable_participants,
    submit_name,
)
from services.staffing.text import who_reads
from ui.fields import date_field
from ui.free_text import not_clinical_box, readers_note
from ui.session import require_page
from ui.sessions import submission_guide
from ui.widgets import flash, form_round, next_form_round, run_action, table

ctx, user = require_page("submit_names")

st.title("Submit names")
flash()
today = local_today(get_settings(ctx.engine).time_zone)
target = next_session_taking_names(ctx.engine, today=today)
submission_guide(target)

picks = {p["id"]: p["label"] for p in pickable_participants(ctx.engine, user, today)}
# Not clear_on_submit: a refused form keeps what was typed (a reason to rewrite or confirm); a
# sent one comes back empty under a new form key.
with st.form(f"submit_name_{form_round()}"):
    picked = st.selectbox(
        "A participant you may see (optional)",
        [None, *picks],
        format_func=lambda pid: "None: I will type a name" if pid is None else picks[pid],
    )
    name = st.text_input("Person's name")
    left, right = st.columns(2)
    alias = left.text_input("Alias (optional)")
    dob = date_field("Date of birth (optional)", container=right)
    reason = st.text_area("Why discuss this person (required, brief)")
    readers_note(who_reads(ctx.engine, field="reason", today=today))
    not_clinical = not_clinical_box("submit_not_clinical")
    urgency = st.radio("Urgency", URGENCIES, horizontal=True)
    if st.form_submit_button("Send the name", type="primary", icon=":material/send:"):
        if run_action(
            lambda: submit_name(
                ctx.engine,
                user,
                person_name=name,
                person_alias=alias,
                person_dob=dob,
                participant_id=picked,
                reason=reason,
                urgency=urgency,
                today=today,
                not_clinical=not_clinical,
            ),
            success=lambda answer: answer,
        ):
            next_form_round()
            st.rerun()

st.subheader("My submissions")
table(
    my_submissions(ctx.engine, user, today=today),
    key="my_submissions",
    empty="You have sent no names yet.",
)

st.subheader("My action items")
actions = my_action_items(ctx.engine, user, today=today)
table(
    [{k: v for k, v in a.items() if k != "id"} for a in actions],
    key="my_actions",
    empty="No open action items for you or your organization.",
)
if actions:
    labels = {a["id"]: f"Due {a['Due']} · {a['About']} · {a['Action']}" for a in actions}
    with st.form("action_done"):
        chosen = st.selectbox("Action item", list(labels), format_func=labels.get)
        if st.form_submit_button("Mark done", icon=":material/task_alt:") and run_action(
            lambda: mark_action_done(ctx.engine, user, action_id=chosen, on=today, today=today),
            success="Action item marked done.",
        ):
            st.rerun()
