"""The record's contacts, status and housing."""

from __future__ import annotations

import streamlit as st

from models import ParticipantStatus
from services.participants import (
    HOUSING_SITUATIONS,
    log_contact,
    record_housing,
    set_status,
)
from services.participants.casework import (
    CONTACT_KINDS,
)
from ui.participant.common import RecordPage


def contacts_tab(p: RecordPage) -> None:
    if p.casework:
        contact_form(p)
    p.section("contacts", "No contacts logged yet.")


def contact_form(p: RecordPage) -> None:
    with st.form(p.key("rec_contact")):
        st.markdown("**Log a contact**")
        kind = st.segmented_control(
            "Kind", CONTACT_KINDS, default="field", required=True, key=p.key("rec_c_kind")
        )
        minutes = st.number_input("Minutes", 0, 720, 15, step=5, key=p.key("rec_c_min"))
        note = st.text_area("Case note", key=p.key("rec_c_note"))
        on = p.date_box("Date", "rec_c_on")
        if st.form_submit_button("Log contact", type="primary"):
            p.save(
                lambda: log_contact(
                    p.engine,
                    p.user,
                    participant_id=p.participant_id,
                    on=on,
                    kind=kind,
                    minutes=int(minutes),
                    note=note,
                    today=p.today,
                ),
                "Contact logged.",
            )


def status_tab(p: RecordPage) -> None:
    p.section("status_history", "No status changes recorded.")
    if p.casework:
        status_form(p)
    p.section("housing_history", "No housing recorded.")
    if p.casework:
        housing_form(p)


def status_form(p: RecordPage) -> None:
    statuses = [s.value for s in ParticipantStatus]
    with st.form(p.key("rec_status")):
        st.markdown("**Change status**")
        new = st.selectbox("New status", statuses, key=p.key("rec_st_status"))
        on = p.date_box("Date", "rec_st_on")
        reason = st.text_input(
            "Reason (required for inactive or exited)", key=p.key("rec_st_reason")
        )
        if st.form_submit_button("Save status"):
            p.save(
                lambda: set_status(
                    p.engine,
                    p.user,
                    participant_id=p.participant_id,
                    expected_version=p.version,
                    status=new,
                    on=on,
                    reason=reason,
                    today=p.today,
                ),
                f"Status set to {new}.",
            )


def housing_form(p: RecordPage) -> None:
    with st.form(p.key("rec_housing")):
        st.markdown("**Record housing**")
        situation = st.selectbox("Housing situation", HOUSING_SITUATIONS, key=p.key("rec_h_sit"))
        on = p.date_box("From", "rec_h_on")
        if st.form_submit_button("Save housing"):
            p.save(
                lambda: record_housing(
                    p.engine,
                    p.user,
                    participant_id=p.participant_id,
                    expected_version=p.version,
                    situation=situation,
                    on=on,
                    today=p.today,
                ),
                "Housing recorded.",
            )
