"""Log a contact: the quick entry for case managers in the field, in a few taps on a phone."""

import streamlit as st

from services.caseload import my_caseload, recent_contacts
from services.casework import CONTACT_KINDS, QUICK_MINUTES, log_contact
from services.clock import local_today
from services.site import get_settings
from ui.session import require_page
from ui.widgets import flash, form_round, next_form_round, run_action, table

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
R = form_round()  # a logged contact brings back an empty form

with st.form(f"contact_log_{R}", border=False):
    person = st.selectbox(
        "Participant",
        list(labels),
        format_func=labels.get,
        index=None,
        placeholder="Type a LEAD id or name",
        key=f"log_person_{R}",
    )
    kind = st.segmented_control(
        "Kind", CONTACT_KINDS, default="field", required=True, key=f"log_kind_{R}"
    )
    minutes = st.segmented_control(
        "Minutes",
        QUICK_MINUTES,
        default=15,
        required=True,
        format_func=lambda m: f"{m} min",
        key=f"log_minutes_{R}",
    )
    note = st.text_area("Case note (optional)", max_chars=5000, height=100, key=f"log_note_{R}")
    on = st.date_input("Date", value=today, max_value=today, key=f"log_on_{R}")
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
        next_form_round()
        st.rerun()

st.subheader("My latest contacts (last 30 days)")
table(recent_contacts(ctx.engine, user, today), key="log_recent", empty="No contacts logged yet.")
