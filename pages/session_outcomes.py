"""Session outcomes (project manager or note taker): per item a short non-clinical summary,
decisions and action items; then the minutes as PDF and Word (PROTOCOL M3, M4)."""

import streamlit as st

from services.core.clock import local_today
from services.core.site import get_settings
from services.reports.exports import export_session
from services.staffing import agenda, list_sessions, save_outcome, session_action_items
from services.staffing.text import clinical_flags, who_reads
from ui.free_text import clinical_flags_panel, not_clinical_box, readers_note
from ui.outcomes import action_item_form, mark_done_form
from ui.session import require_page
from ui.sessions import session_picker
from ui.widgets import (
    flash,
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
session_id = session_picker(sessions)
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

action_item_form(ctx.engine, user, item_id=chosen, session_id=session_id, today=today)

st.subheader("Action items of this session")
actions = session_action_items(ctx.engine, user, session_id=session_id)
table(
    [{k: v for k, v in a.items() if k != "id"} for a in actions],
    key="session_actions",
    empty="No action items yet.",
)
mark_done_form(ctx.engine, user, session_id=session_id, today=today)

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
