"""Today's closing forms: a deadline closed in place, or a link to the page that records it.

PROTOCOL T4-T6 and S6 close with a referral step, a no-contact alert with a contact logged, a
staffing action item marked done; anything else links to its page. Alert subjects and actions
are stored or typed text: plain text only.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.access.policy import PAGE_BY_KEY
from services.participants import (
    log_contact,
)
from services.referrals import prosecutor_office_for
from services.staffing import mark_action_done
from services.today import Alert, extend_from_alert, record_closing_action
from ui.cards import open_participant_button
from ui.fields import date_field
from ui.referral_form import prosecutor_notice_fields
from ui.text import plain
from ui.widgets import contact_fields, run_action

NOTICE_RULE = "T5"  # PROTOCOL T5: the prosecutor's notice names an office and a method
EXTENDABLE_RULES = ("T4", "T5")  # PROTOCOL T4: the intake deadline may be extended


def _rerun_if(ok: bool) -> None:
    if ok:
        st.rerun()


def close_deadline(
    engine: Engine, user: CurrentUser, chosen: Alert, route: str, page_key: str, today: date, where
) -> None:
    """The forms that close `chosen`, drawn in two columns of `where` (the page or a card)."""
    left, right = where.columns(2)
    if route == "referral":
        with left:
            referral_step_form(engine, user, chosen, today)
        if chosen.rule in EXTENDABLE_RULES and chosen.kind != "optimal":
            with right:
                extension_form(engine, user, chosen, today)
    elif route == "contact":  # the no-contact alert closes with a contact logged here
        with left:
            contact_form(engine, user, chosen, today)
    elif route == "action":
        with left:
            action_item_form(engine, user, chosen, today)
    else:  # recorded on another page
        elsewhere(chosen, page_key, left)


def referral_step_form(engine: Engine, user: CurrentUser, chosen: Alert, today: date) -> None:
    with st.form("close_alert"):
        st.markdown(f"**{plain(chosen.action)}**")
        label = "Date it happened" if chosen.kind != "optimal" else "Intake appointment"
        on = date_field(label, today)
        office = method = ""
        if chosen.rule == NOTICE_RULE:
            office, method = prosecutor_notice_fields(
                engine, prosecutor_office_for(engine, chosen.referral_id)
            )
        action = plain(chosen.action)
        if st.form_submit_button(action, type="primary", icon=":material/task_alt:"):
            _rerun_if(
                run_action(
                    lambda: record_closing_action(
                        engine,
                        user,
                        rule=chosen.rule,
                        kind=chosen.kind,
                        referral_id=chosen.referral_id,
                        expected_version=chosen.referral_version,
                        on=on,
                        office=office,
                        method=method,
                        today=today,
                    ),
                    success=f"Recorded: {chosen.action.lower()} for {chosen.subject}.",
                )
            )


def extension_form(engine: Engine, user: CurrentUser, chosen: Alert, today: date) -> None:
    with st.form("extend_alert"):
        st.markdown("**Or: the deadline was extended (T4)**")
        new_date = date_field("New intake deadline")
        by = st.text_input("Extended by (officer, sergeant or agency)")
        if st.form_submit_button("Record the extension", icon=":material/event_repeat:"):
            _rerun_if(
                run_action(
                    lambda: extend_from_alert(
                        engine, user, alert=chosen, new_date=new_date, extended_by=by, today=today
                    ),
                    success=f"Recorded: intake deadline extended for {chosen.subject}.",
                )
            )


def contact_form(engine: Engine, user: CurrentUser, chosen: Alert, today: date) -> None:
    with st.form("close_contact"):
        st.markdown(f"**Log a contact with {plain(chosen.subject)}**")
        kind, minutes, note, on = contact_fields(today)
        if st.form_submit_button("Log contact", type="primary", icon=":material/add_call:"):
            _rerun_if(
                run_action(
                    lambda: log_contact(
                        engine,
                        user,
                        participant_id=chosen.participant_id,
                        on=on,
                        kind=kind,
                        minutes=minutes,
                        note=note,
                        today=today,
                    ),
                    success=f"Logged a {kind} contact with {chosen.subject} on {on.isoformat()}.",
                )
            )


def action_item_form(engine: Engine, user: CurrentUser, chosen: Alert, today: date) -> None:
    with st.form("close_action_item"):
        st.markdown("**Mark the action item done**")
        st.text(chosen.message)  # typed at a session: plain text
        on = date_field("Done on", today)
        if st.form_submit_button("Mark it done", type="primary", icon=":material/task_alt:"):
            _rerun_if(
                run_action(
                    lambda: mark_action_done(
                        engine, user, action_id=chosen.action_id, on=on, today=today
                    ),
                    success=f"Recorded: action item for {chosen.subject} done.",
                )
            )


def elsewhere(chosen: Alert, page_key: str, where) -> None:
    page = PAGE_BY_KEY[page_key]
    where.markdown(f"**{plain(chosen.action)}**: recorded on the {page.title} page.")
    if page_key == "participant":
        open_participant_button(
            chosen.participant_id,
            f"Open the record of {plain(chosen.subject)}",
            icon=page.icon,
            container=where,
        )
    elif page_key == "referrals" and chosen.referral_id is not None:

        def open_referral(referral_id=chosen.referral_id):
            st.session_state["referral_id"] = referral_id
            st.session_state["referrals_show"] = "all"  # a participant's referral too

        if where.button(
            f"Open the referral of {plain(chosen.subject)}",
            icon=page.icon,
            on_click=open_referral,
        ):
            st.switch_page(page.path)
    else:
        where.page_link(page.path, label=f"Go to {page.title}", icon=page.icon)
