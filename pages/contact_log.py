"""Log a contact: the quick entry for case managers in the field, in a few taps on a phone."""

import streamlit as st

from services.caseload import my_caseload, recent_contacts
from services.casework import CONTACT_KINDS, log_contact
from services.clock import local_today
from services.site import get_settings
from ui.session import require_page
from ui.widgets import flash, run_action, table

ctx, user = require_page("contact_log")

st.title("Log a contact")
flash()
today = local_today(get_settings(ctx.engine).time_zone)
people = my_caseload(ctx.engine, user, today)
if not people:
    st.info("No one is on your caseload yet.", icon=":material/info:")
    st.stop()
labels = {p["id"]: p["label"] for p in people}
lead_ids = {p["id"]: p["lead_id"] for p in people}
MINUTES = (5, 15, 30, 45, 60, 90)
FORM_KEYS = ("log_person", "log_kind", "log_minutes", "log_note", "log_on")

with st.form("contact_log", border=False):
    person = st.selectbox(
        "Participant",
        list(labels),
        format_func=labels.get,
        index=None,
        placeholder="Type a LEAD id or name",
        key="log_person",
    )
    kind = st.segmented_control(
        "Kind", CONTACT_KINDS, default="field", required=True, key="log_kind"
    )
    minutes = st.segmented_control(
        "Minutes",
        MINUTES,
        default=15,
        required=True,
        format_func=lambda m: f"{m} min",
        key="log_minutes",
    )
    note = st.text_area("Case note (optional)", max_chars=5000, height=100, key="log_note")
    on = st.date_input("Date", value=today, max_value=today, key="log_on")
    submitted = st.form_submit_button(
        "Log contact", type="primary", icon=":material/add_call:", width="stretch"
    )

if submitted:
    if person is None:
        st.error("Participant: choose who the contact was with.", icon=":material/error:")
    elif run_action(
        lambda: log_contact(
            ctx.engine,
            user,
            participant_id=person,
            on=on,
            kind=kind,
            minutes=minutes,
            note=note,
            today=today,
        ),
        success=f"Logged a {kind} contact with {lead_ids[person]} on {on.isoformat()}.",
    ):
        for key in FORM_KEYS:
            st.session_state.pop(key, None)
        st.rerun()

st.subheader("My latest contacts")
table(recent_contacts(ctx.engine, user), key="log_recent", empty="No contacts logged yet.")
