"""Session outcomes (project manager or note taker): per item a short non-clinical summary,
decisions and action items; then the minutes as PDF and Word (PROTOCOL M3, M4)."""

import streamlit as st

from services.core.clock import local_today
from services.core.site import get_settings
from services.reports.exports import export_session
from services.staffing import (
    add_action_item,
    agenda,
    default_session_id,
    list_sessions,
    mark_action_done,
    open_action_items,
    owner_choices,
    save_outcome,
    session_action_items,
)
from services.staffing.text import clinical_flags, who_reads
from ui.fields import date_field
from ui.free_text import clinical_flags_panel, not_clinical_box, readers_note
from ui.session import require_page
from ui.widgets import (
    flash,
    form_round,
    next_form_round,
    prepared_download,
    run_action,
    seen_before,
    table,
)

ctx, user = require_page("session_outcomes")

st.title("Session outcomes")
flash()
settings = get_settings(ctx.engine)
today = local_today(settings.time_zone)
sessions = {s["id"]: s for s in list_sessions(ctx.engine, today=today)}
if not sessions:
    st.info("No sessions yet: schedule one on the Agenda page.", icon=":material/info:")
    st.stop()
session_id = st.selectbox(
    "Session",
    list(sessions),
    index=list(sessions).index(default_session_id(list(sessions.values()))),
    format_func=lambda i: sessions[i]["label"],
)
items = {i["id"]: i for i in agenda(ctx.engine, user, session_id=session_id, today=today)["items"]}
if not items:
    st.info("This agenda has no items.", icon=":material/info:")
    st.stop()
chosen = st.selectbox(
    "Agenda item",
    list(items),
    format_func=lambda i: f"{items[i]['position']}. {items[i]['start']} {items[i]['title']}",
    key=f"outcome_item_{session_id}",
)
item = items[chosen]
version = seen_before(f"outcome_version_{chosen}", item["version"])
if item["why"]:
    st.text(item["why"])
st.caption(
    "Keep it short and non-clinical: no treatment, substance use, mental health or criminal "
    "history detail. These minutes go to every attending organization."
)

with st.form(f"outcome_{chosen}"):
    summary = st.text_area("Summary", value=item["summary"])
    decisions = st.text_area("Decisions", value=item["decisions"])
    readers_note(who_reads(ctx.engine, field="outcome", today=today, session_id=session_id))
    outcome_ok = not_clinical_box(f"outcome_not_clinical_{chosen}")
    if st.form_submit_button("Save the outcome", type="primary") and run_action(
        lambda: save_outcome(
            ctx.engine,
            user,
            item_id=chosen,
            expected_version=version,
            summary=summary,
            decisions=decisions,
            not_clinical=outcome_ok,
        ),
        success=f"Outcome of item {item['position']} saved.",
    ):
        next_form_round()  # the not-clinical box comes back unticked
        st.rerun()

owners = owner_choices(ctx.engine)
users = {u["id"]: u["label"] for u in owners["users"]}
# A new form key after each action added: a refused text stays to be rewritten or confirmed.
with st.form(f"action_{chosen}_{form_round()}"):
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
    readers_note(who_reads(ctx.engine, field="action", today=today, session_id=session_id))
    action_ok = not_clinical_box(f"action_not_clinical_{chosen}")
    if st.form_submit_button("Add the action item") and run_action(
        lambda: add_action_item(
            ctx.engine,
            user,
            item_id=chosen,
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

st.subheader("Action items of this session")
actions = session_action_items(ctx.engine, user, session_id=session_id)
table(
    [{k: v for k, v in a.items() if k != "id"} for a in actions],
    key="session_actions",
    empty="No action items yet.",
)
open_actions = {
    a["id"]: a["label"] for a in open_action_items(ctx.engine, user, session_id=session_id)
}
if open_actions:
    with st.form("outcome_action_done"):
        done_id = st.selectbox(
            "Open action item (this session or earlier)",
            list(open_actions),
            format_func=open_actions.get,
        )
        if st.form_submit_button("Mark done") and run_action(
            lambda: mark_action_done(ctx.engine, user, action_id=done_id, on=today, today=today),
            success="Action item marked done.",
        ):
            st.rerun()

clinical_flags_panel(
    clinical_flags(ctx.engine, user, session_id=session_id),
    key="outcome_flags",
    before="sending the minutes",
)
st.subheader("Minutes")
st.caption(
    "Summaries, decisions and action items, with the redisclosure notice; each file is "
    "recorded as a disclosure for every participant named."
)
for fmt, label in (("pdf", "minutes (PDF)"), ("docx", "minutes (Word)")):
    prepared_download(
        label,
        lambda f=fmt: export_session(
            ctx.engine, user, session_id=session_id, kind="minutes", fmt=f, today=today
        ),
        key=f"minutes_export_{session_id}_{fmt}",
    )
