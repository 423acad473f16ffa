"""Referrals: open referrals with stage, clock and next action; each lifecycle step in place."""

from functools import partial

import streamlit as st

from services.core.audit import AuditWriteError
from services.core.clock import local_today
from services.core.site import get_settings
from services.referrals import (
    ACTION_LABELS,
    CANDIDATES_SHOWN,
    CLOSE_OUTCOMES,
    NOTICE_METHODS,
    PROSECUTOR_OFFICES,
    RELEASE_KINDS,
    close_referral,
    complete_intake,
    default_release_expiry,
    extend_deadline,
    list_referrals,
    record_left_before_screening,
    record_prosecutor_notice,
    record_screening,
    record_victim_objection,
    referral_detail,
    release_organizations,
    schedule_intake,
    set_incapacitated,
    social_contact_candidate_count,
    social_contact_candidates,
)
from ui.fields import date_field
from ui.session import require_page
from ui.text import plain
from ui.widgets import flash, run_action, table

ctx, user = require_page("referrals")

st.title("Referrals")
flash()
today = local_today(get_settings(ctx.engine).time_zone)
show = st.radio(
    "Show",
    ["open", "closed", "all"],
    format_func={"open": "Open", "closed": "Closed or participant", "all": "All"}.get,
    horizontal=True,
    key="referrals_show",
)
rows = list_referrals(ctx.engine, user, today, show=show)
st.caption(f"{len(rows)} referral(s). Open = not closed and not yet a participant.")
table(
    [{k: v for k, v in r.items() if k not in ("id", "version")} for r in rows],
    key="referrals_table",
    empty="No referrals here. Enter one on New referral.",
)


def action_form(action: str, detail: dict):
    """The inputs of one lifecycle step; returns the service call that records it."""
    step = {"referral_id": detail["id"], "expected_version": detail["version"], "today": today}
    if action == "screen":
        on = date_field("Screening date", today)
        return partial(record_screening, ctx.engine, user, on=on, **step)
    if action == "left":
        st.markdown("The person left before the initial screening was complete (T2).")
        return partial(record_left_before_screening, ctx.engine, user, **step)
    if action == "schedule":
        on = date_field("Intake appointment", today)
        return partial(schedule_intake, ctx.engine, user, on=on, **step)
    if action == "intake":
        on = date_field("Intake completed on", today)
        signed = st.checkbox("A release of information (ROI) was signed", value=True)
        signed_on = date_field("Release signed on", today)
        kind = st.selectbox("Release kind", list(RELEASE_KINDS), format_func=RELEASE_KINDS.get)
        orgs = release_organizations(ctx.engine)
        covered = st.multiselect("Release covers", orgs, default=orgs)
        expires = date_field("Release expires on", default_release_expiry(today))
        return partial(
            complete_intake,
            ctx.engine,
            user,
            on=on,
            release_signed_on=signed_on if signed else None,
            release_kind=kind,
            release_orgs=covered,
            release_expires_on=expires,
            **step,
        )
    if action == "extend":
        new_date = date_field("New intake deadline")
        by = st.text_input("Extended by (officer, sergeant or agency)")
        return partial(
            extend_deadline, ctx.engine, user, new_date=new_date, extended_by=by, on=today, **step
        )
    if action == "notice":
        on = date_field("Notified on", today)
        offices = list(PROSECUTOR_OFFICES)
        known = detail["prosecutor_office"]
        office = st.selectbox(
            "Office notified",
            offices,
            index=offices.index(known) if known in offices else 0,
            format_func=PROSECUTOR_OFFICES.get,
        )
        method = st.radio("How", list(NOTICE_METHODS), format_func=NOTICE_METHODS.get)
        return partial(
            record_prosecutor_notice, ctx.engine, user, on=on, office=office, method=method, **step
        )
    if action == "victim":  # the prosecutor's answer closes Today's victim alert
        on = date_field("Prosecutor answered on", today)
        objected = st.radio("Did the victim object?", ["no", "yes"], horizontal=True) == "yes"
        return partial(record_victim_objection, ctx.engine, user, on=on, objected=objected, **step)
    if action == "incapacitated":
        marked = detail["incapacitated"]
        st.markdown(
            "Marked **unable to consent** now: consent is not taken until cleared (C2)."
            if marked
            else "Mark the person unable to consent for now; keep checking in (C2)."
        )
        step.pop("today")
        return partial(set_incapacitated, ctx.engine, user, incapacitated=not marked, **step)
    on = date_field("Closed on", today)
    outcome = st.selectbox("Outcome", list(CLOSE_OUTCOMES), format_func=CLOSE_OUTCOMES.get)
    reason = st.text_input("Reason")
    return partial(close_referral, ctx.engine, user, on=on, outcome=outcome, reason=reason, **step)


by_id = {r["id"]: r for r in rows}
options = list(by_id)
remembered = st.session_state.get("referral_id")
chosen = st.selectbox(
    "Open a referral",
    options,
    index=options.index(remembered) if remembered in by_id else None,
    format_func=lambda i: f"{by_id[i]['LEAD id']} · {by_id[i]['Type']} · {by_id[i]['Referred']}",
    placeholder="Choose a referral…",
)
if chosen is not None:
    st.session_state["referral_id"] = chosen
    try:
        detail = referral_detail(ctx.engine, user, chosen, today, purpose="referral follow-up")
    except AuditWriteError:
        st.error("The referral cannot be shown now: the audit trail could not be written.")
        st.stop()
    if detail is None:
        st.error("This referral is not in your agency's records.", icon=":material/block:")
        st.stop()
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
    for action in detail["actions"]:
        label = ACTION_LABELS[action]
        with st.expander(
            label, icon=":material/task_alt:", expanded=action == detail["actions"][0]
        ):
            with st.form(f"referral_{action}"):
                call = action_form(action, detail)
                if st.form_submit_button(label, type="primary") and run_action(
                    call, success=f"{label}: saved for {detail['lead_id']}."
                ):
                    st.rerun()

total = social_contact_candidate_count(ctx.engine, user)
if total:
    st.subheader("Social-contact candidates (S5)")
    every = total > CANDIDATES_SHOWN and st.toggle(
        f"Show all {total:,} candidates", key="referrals_all_candidates"
    )
    candidates = social_contact_candidates(
        ctx.engine, user, today, limit=None if every else CANDIDATES_SHOWN
    )
    st.caption(
        f"The {len(candidates):,} newest of {total:,} social-contact candidates and how each "
        "was resolved, for the project manager."
    )
    table(candidates, key="referrals_candidates")
