"""The record's services: add one, end or withdraw one (PROTOCOL P2, P3)."""

from __future__ import annotations

import streamlit as st

from services.participants import (
    add_service,
    end_service,
    withdraw_service,
)
from services.participants.casework import (
    FUNDING,
    SERVICE_CATEGORIES,
)
from ui.fields import date_field
from ui.participant.common import RecordPage

ENDED = "ended as planned"
WITHDRAWN = "withdrawn for not making good use of it (PROTOCOL P3)"


def services_tab(p: RecordPage) -> None:
    p.section("services", "No services recorded.")
    p.section("treatment_services", "No treatment services recorded.")
    if p.casework:
        service_form(p)
        service_stop_form(p)


def service_form(p: RecordPage) -> None:
    with st.form(p.key("rec_service")):
        st.markdown("**Add a service**")
        category = st.selectbox("Service type", SERVICE_CATEGORIES, key=p.key("rec_svc_cat"))
        provider = st.text_input("Provider", key=p.key("rec_svc_provider"))
        start = date_field("Start", p.today, key=p.key("rec_svc_start"))
        end = date_field("End (optional)", None, key=p.key("rec_svc_end"))
        cost = st.number_input(
            "Cost in dollars", min_value=0.0, step=50.0, format="%.2f", key=p.key("rec_svc_cost")
        )
        funding = st.radio(
            "Funding (PROTOCOL P2)",
            list(FUNDING),
            format_func=FUNDING.get,
            index=None,
            key=p.key("rec_svc_funding"),
        )
        if st.form_submit_button("Add service", type="primary"):
            p.save(
                lambda: add_service(
                    p.engine,
                    p.user,
                    participant_id=p.participant_id,
                    category=category,
                    provider=provider,
                    start_on=start,
                    end_on=end,
                    cost_dollars=cost,
                    funding=funding or "",
                    today=p.today,
                ),
                "Service added.",
            )


def service_stop_form(p: RecordPage) -> None:
    open_services = [
        s
        for key in ("services", "treatment_services")
        for s in p.record.sections.get(key, [])
        if s["_open"]
    ]
    if not open_services:
        return
    with st.form(p.key("rec_service_stop")):
        st.markdown("**End or withdraw a service**")
        labels = {
            s["_id"]: f"{s['Type']} at {s['Provider']} from {s['Start']}" for s in open_services
        }
        service_id = st.selectbox(
            "Service", list(labels), format_func=labels.get, key=p.key("rec_ss_id")
        )
        how = st.radio("What happened", [ENDED, WITHDRAWN], key=p.key("rec_ss_how"))
        on = p.date_box("Date", "rec_ss_on")
        reason = st.text_input("Reason (for a withdrawal)", key=p.key("rec_ss_reason"))
        st.caption("A withdrawal ends one service; it is not an exit from LEAD.")
        if st.form_submit_button("Save service change"):
            if how == ENDED:
                action = lambda: end_service(  # noqa: E731
                    p.engine, p.user, service_id=service_id, on=on, today=p.today
                )
            else:
                action = lambda: withdraw_service(  # noqa: E731
                    p.engine, p.user, service_id=service_id, on=on, reason=reason, today=p.today
                )
            p.save(action, "Service change saved.")
