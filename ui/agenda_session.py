"""Agenda: schedule a session, show one session's time and place, change them (PROTOCOL M1)."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.staffing import (
    SESSION_KINDS,
    default_attending,
    schedule_session,
    update_session,
)
from ui.fields import date_field
from ui.widgets import run_action


def _done(ok: bool) -> None:
    if ok:
        st.rerun()


def schedule_form(
    engine: Engine, user: CurrentUser, settings, orgs: list[str], today: date
) -> None:
    with st.form("schedule"):
        kind = st.selectbox("Kind", list(SESSION_KINDS), format_func=SESSION_KINDS.get)
        on = date_field("Date", today)
        starts_at = st.text_input("Start time (HH:MM)", value="10:00")
        place = st.text_input("Place")
        attending = st.multiselect(
            "Attending organizations",
            orgs,
            default=[o for o in default_attending(engine) if o in orgs],
        )
        st.caption(
            f"Names are due {settings.submission_cutoff_business_days} business days before "
            "(weekends and Washington State holidays skipped). Later sessions of the series "
            f"follow every {settings.workgroup_interval_days} days (workgroup) or "
            f"{settings.staffing_interval_days} days (staffing)."
        )
        if st.form_submit_button("Schedule", type="primary"):
            _done(
                run_action(
                    lambda: schedule_session(
                        engine,
                        user,
                        kind=kind,
                        on=on,
                        starts_at=starts_at,
                        place=place,
                        attending_org_codes=attending,
                        today=today,
                    ),
                    success=f"Scheduled the {SESSION_KINDS[kind].lower()} on {on}.",
                )
            )


def session_header(view: dict) -> None:
    """When, until when, the cut-off for names and whether the agenda is final; place and who."""
    info = view["session"]
    state = (
        f"final, version {info['agenda_version']}" if info["finalized_at"] else "draft (not final)"
    )
    st.markdown(
        f"**{info['kind_label']}**, {info['on']:%A %d %B %Y} from {info['starts_at']} to about "
        f"**{view['ends_at']}** ({view['total_minutes']} minutes) · names due by "
        f"{info['cutoff_on']:%A %d %B} · agenda {state}"
    )
    st.text(f"Place: {info['place'] or 'not set'}\nAttending: {', '.join(info['attending'])}")


def edit_session_form(
    engine: Engine, user: CurrentUser, info: dict, orgs: list[str], version: int
) -> None:
    session_id = info["id"]
    with st.form(f"edit_session_{session_id}"):
        new_start = st.text_input("Start time (HH:MM)", value=info["starts_at"])
        new_place = st.text_input("Place", value=info["place"])
        new_orgs = st.multiselect("Attending organizations", orgs, default=info["attending"])
        if st.form_submit_button("Save session"):
            _done(
                run_action(
                    lambda: update_session(
                        engine,
                        user,
                        session_id=session_id,
                        expected_version=version,
                        starts_at=new_start,
                        place=new_place,
                        attending_org_codes=new_orgs,
                    ),
                    success="Session saved.",
                )
            )
