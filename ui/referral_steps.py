"""Referrals: the inputs of each lifecycle step of one referral, and the referral's details.

Each step returns the service call that records it; the page runs it in a form. Values typed by
people (names, reasons) are shown as plain text only.
"""

from __future__ import annotations

from datetime import date
from functools import partial

import streamlit as st
from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.referrals import (
    CANDIDATES_SHOWN,
    CLOSE_OUTCOMES,
    RELEASE_KINDS,
    close_referral,
    complete_intake,
    default_release_expiry,
    extend_deadline,
    record_left_before_screening,
    record_prosecutor_notice,
    record_screening,
    record_victim_objection,
    release_organizations,
    schedule_intake,
    set_incapacitated,
    social_contact_candidate_count,
    social_contact_candidates,
)
from ui.fields import date_field
from ui.referral_form import prosecutor_notice_fields
from ui.text import plain
from ui.widgets import table


def action_form(engine: Engine, user: CurrentUser, action: str, detail: dict, today: date):
    """The inputs of one lifecycle step; returns the service call that records it."""
    step = {"referral_id": detail["id"], "expected_version": detail["version"], "today": today}
    if action == "screen":
        on = date_field("Screening date", today)
        return partial(record_screening, engine, user, on=on, **step)
    if action == "left":
        st.markdown("The person left before the initial screening was complete (T2).")
        return partial(record_left_before_screening, engine, user, **step)
    if action == "schedule":
        on = date_field("Intake appointment", today)
        return partial(schedule_intake, engine, user, on=on, **step)
    if action == "intake":
        return _intake(engine, user, step, today)
    if action == "extend":
        new_date = date_field("New intake deadline")
        by = st.text_input("Extended by (officer, sergeant or agency)")
        return partial(
            extend_deadline, engine, user, new_date=new_date, extended_by=by, on=today, **step
        )
    if action == "notice":
        on = date_field("Notified on", today)
        office, method = prosecutor_notice_fields(engine, detail["prosecutor_office"])
        return partial(
            record_prosecutor_notice, engine, user, on=on, office=office, method=method, **step
        )
    if action == "victim":  # the prosecutor's answer closes Today's victim alert (V1)
        on = date_field("Prosecutor answered on", today)
        objected = st.radio("Did the victim object?", ["no", "yes"], horizontal=True) == "yes"
        return partial(record_victim_objection, engine, user, on=on, objected=objected, **step)
    if action == "incapacitated":
        marked = detail["incapacitated"]
        st.markdown(
            "Marked **unable to consent** now: consent is not taken until cleared (C2)."
            if marked
            else "Mark the person unable to consent for now; keep checking in (C2)."
        )
        step.pop("today")
        return partial(set_incapacitated, engine, user, incapacitated=not marked, **step)
    on = date_field("Closed on", today)
    outcome = st.selectbox("Outcome", list(CLOSE_OUTCOMES), format_func=CLOSE_OUTCOMES.get)
    reason = st.text_input("Reason")
    return partial(close_referral, engine, user, on=on, outcome=outcome, reason=reason, **step)


def _intake(engine: Engine, user: CurrentUser, step: dict, today: date):
    on = date_field("Intake completed on", today)
    signed = st.checkbox("A release of information (ROI) was signed", value=True)
    signed_on = date_field("Release signed on", today)
    kind = st.selectbox("Release kind", list(RELEASE_KINDS), format_func=RELEASE_KINDS.get)
    orgs = release_organizations(engine)
    covered = st.multiselect("Release covers", orgs, default=orgs)
    expires = date_field("Release expires on", default_release_expiry(today))
    return partial(
        complete_intake,
        engine,
        user,
        on=on,
        release_signed_on=signed_on if signed else None,
        release_kind=kind,
        release_orgs=covered,
        release_expires_on=expires,
        **step,
    )


def referral_details(detail: dict) -> None:
    """The referral's fields, who to notify when the person left (PROTOCOL T2), its history."""
    st.subheader(f"Referral of {plain(detail['lead_id'])}")
    for label, value in detail["fields"].items():
        left, right = st.columns([1, 3])
        left.markdown(f"**{label}**")
        right.text(value)
    if detail["t2_notifications"]:
        st.warning(
            "The person left before screening. Notify by phone or email (PROTOCOL T2):",
            icon=":material/campaign:",
        )
        st.text("\n".join(detail["t2_notifications"]))
    with st.expander("Who did what, when", icon=":material/history:"):
        table(detail["events"], key="referral_events")


def candidates_section(engine: Engine, user: CurrentUser, today: date) -> None:
    """Social-contact candidates (PROTOCOL S5) and how each was resolved, newest first."""
    total = social_contact_candidate_count(engine, user)
    if not total:
        return
    st.subheader("Social-contact candidates (S5)")
    every = total > CANDIDATES_SHOWN and st.toggle(
        f"Show all {total:,} candidates", key="referrals_all_candidates"
    )
    candidates = social_contact_candidates(
        engine, user, today, limit=None if every else CANDIDATES_SHOWN
    )
    st.caption(
        f"The {len(candidates):,} newest of {total:,} social-contact candidates and how each "
        "was resolved, for the project manager."
    )
    table(candidates, key="referrals_candidates")
