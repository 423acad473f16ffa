"""A participant's record, read-only, showing only the fields this role may see (SECURITY 1-2)."""

import streamlit as st

from services.audit import AuditWriteError
from services.clock import local_today
from services.participants import view_record
from services.site import get_settings
from ui.session import require_page

ctx, user = require_page("participant")

st.title("Participant record")
participant_id = st.session_state.get("participant_id")
if participant_id is None:
    st.info("Choose a participant on the Participants page first.", icon=":material/info:")
    st.page_link("pages/participants.py", label="Go to Participants", icon=":material/group:")
    st.stop()

today = local_today(get_settings(ctx.engine).time_zone)
try:
    record = view_record(ctx.engine, user, participant_id, today, purpose="case coordination")
except AuditWriteError:
    st.error("The record cannot be shown right now because the audit trail could not be written.")
    st.stop()

if not record.allowed:
    st.error(
        "You do not have access to this record. Partners see a participant only under an active "
        "release of information covering their organization.",
        icon=":material/block:",
    )
    st.stop()

st.caption(f"Release of information for your organization: {record.consent}.")
for label, value in record.fields.items():
    left, right = st.columns([1, 3])
    left.markdown(f"**{label}**")
    right.text(value or "—")
