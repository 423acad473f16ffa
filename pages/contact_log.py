"""Log a contact: the quick entry for case managers in the field, in a few taps on a phone."""

import streamlit as st

from services.core.clock import local_today
from services.core.site import get_settings
from services.participants import log_contact
from services.participants.caseload import my_caseload, recent_contacts
from ui.session import require_page
from ui.widgets import contact_fields, flash, form_round, next_form_round, run_action, table

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
    kind, minutes, note, on = contact_fields(today, round_=R)
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
