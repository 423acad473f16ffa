"""Today: the deadlines I owe, most urgent first, each closed in place (PROTOCOL T4-T6, S6, a
no-contact alert, a staffing action item) or linked to the page where it is recorded."""

import streamlit as st

from services.access.policy import PAGE_BY_KEY
from services.core.clock import local_today, utcnow
from services.core.site import get_settings
from services.participants import log_contact
from services.referrals import (
    CANDIDATES_SHOWN,
    NOTICE_METHODS,
    PROSECUTOR_OFFICES,
    prosecutor_office_for,
    social_contact_candidate_count,
    social_contact_candidates,
)
from services.staffing import mark_action_done
from services.today import (
    ALERTS_SHOWN,
    SEVERITIES,
    alert_rows,
    calendar_ics,
    closing_route,
    extend_from_alert,
    open_alerts,
    record_calendar_download,
    record_closing_action,
)
from ui.cards import CARDS_SHOWN, alert_cards, severity_counts
from ui.fields import date_field
from ui.session import require_page
from ui.text import plain
from ui.widgets import contact_fields, flash, run_action, table

ctx, user = require_page("today")

st.title("Today")
flash()
settings = get_settings(ctx.engine)
today = local_today(settings.time_zone)
alerts = open_alerts(ctx.engine, user, today)

severity_counts(alerts)
left, right = st.columns([3, 1], vertical_alignment="bottom")
# Folded: on a phone the two filters stacked above the first deadline and pushed it off screen.
filters = left.expander("Filter by severity and rule", icon=":material/filter_list:")
shown = filters.multiselect("Show", SEVERITIES, default=list(SEVERITIES), key="today_severity")
rules = sorted({a.rule for a in alerts})
rule_filter = filters.multiselect("Rules", rules, default=rules, key="today_rules")
about = right.text_input("About", placeholder="e.g. BUR-0007", key="today_about")
needle = about.strip().casefold()
visible = [
    a
    for a in alerts
    if a.severity in shown and a.rule in rule_filter and needle in a.subject.casefold()
]
listed = visible[:ALERTS_SHOWN]  # most urgent first
more = f"; the {len(listed):,} most urgent are listed" if len(listed) < len(visible) else ""
st.caption(f"{len(visible):,} open deadline(s) as of {today.isoformat()}{more}.")
routes = {id(a): closing_route(a, user.role) for a in listed}
offered = [a for a in listed if routes[id(a)][0] != "none"]
labels: dict[str, object] = {}
for a in offered:
    label = f"{a.subject} · {a.rule} · {a.action} (due {a.due})"
    while label in labels:  # two action items alike
        label += " ·"
    labels[label] = a
# Cards for everyone (the server cannot know the screen's width; they wrap to fit a phone or a
# wall), the wide table one toggle away. A card's action opens its forms in the card (`slot`).
slot = None
if st.toggle("Show as a table", key="today_as_table"):
    table(alert_rows(listed), key="today_alerts", empty="Nothing due. Well done.")
elif not listed:
    st.info("Nothing due. Well done.", icon=":material/info:")
else:
    if len(listed) > CARDS_SHOWN:
        st.caption(f"The {CARDS_SHOWN} most urgent as cards; all {len(listed):,} in the table.")
    card_labels = {id(a): label for label, a in labels.items()}
    slot = alert_cards(
        listed[:CARDS_SHOWN], card_labels, choice_key="today_close_choice", key="today_cards"
    )
st.download_button(
    "Download my open deadlines as a calendar (.ics)",
    data=lambda: calendar_ics(  # built when downloaded, not on every rerun
        alerts, site_name=settings.name, notice=settings.redisclosure_notice, now=utcnow()
    ),
    file_name="lead-deadlines.ics",
    mime="text/calendar",
    icon=":material/calendar_month:",
    on_click=lambda: record_calendar_download(ctx.engine, user, len(alerts)),
    disabled=not alerts,
)

if offered:
    st.subheader("Close a deadline")
    chosen = labels[st.selectbox("Deadline", list(labels), key="today_close_choice")]
    if slot is not None:
        st.caption("Its forms are open in its card above.")
    route, page_key = routes[id(chosen)]
    done = f"Recorded: {chosen.action.lower()} for {chosen.subject}."
    left, right = (st if slot is None else slot).columns(2)
    if route == "referral":
        with left.form("close_alert"):
            st.markdown(f"**{plain(chosen.action)}**")
            label = "Date it happened" if chosen.kind != "optimal" else "Intake appointment"
            on = date_field(label, today)
            office = method = ""
            if chosen.rule == "T5":
                offices = list(PROSECUTOR_OFFICES)
                named = prosecutor_office_for(ctx.engine, chosen.referral_id)
                office = st.selectbox(
                    "Office notified",
                    offices,
                    index=offices.index(named) if named in offices else 0,
                    format_func=PROSECUTOR_OFFICES.get,
                )
                method = st.radio("How", list(NOTICE_METHODS), format_func=NOTICE_METHODS.get)
            action = plain(chosen.action)
            if st.form_submit_button(action, type="primary", icon=":material/task_alt:"):
                if run_action(
                    lambda: record_closing_action(
                        ctx.engine,
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
                    success=done,
                ):
                    st.rerun()
        if chosen.rule in ("T4", "T5") and chosen.kind != "optimal":
            with right.form("extend_alert"):
                st.markdown("**Or: the deadline was extended (T4)**")
                new_date = date_field("New intake deadline")
                by = st.text_input("Extended by (officer, sergeant or agency)")
                if st.form_submit_button("Record the extension", icon=":material/event_repeat:"):
                    if run_action(
                        lambda: extend_from_alert(
                            ctx.engine,
                            user,
                            alert=chosen,
                            new_date=new_date,
                            extended_by=by,
                            today=today,
                        ),
                        success=f"Recorded: intake deadline extended for {chosen.subject}.",
                    ):
                        st.rerun()
    elif route == "contact":  # the no-contact alert closes with a contact logged here
        with left.form("close_contact"):
            st.markdown(f"**Log a contact with {plain(chosen.subject)}**")
            kind, minutes, note, on = contact_fields(today)
            if st.form_submit_button("Log contact", type="primary", icon=":material/add_call:"):
                if run_action(
                    lambda: log_contact(
                        ctx.engine,
                        user,
                        participant_id=chosen.participant_id,
                        on=on,
                        kind=kind,
                        minutes=minutes,
                        note=note,
                        today=today,
                    ),
                    success=f"Logged a {kind} contact with {chosen.subject} on {on.isoformat()}.",
                ):
                    st.rerun()
    elif route == "action":
        with left.form("close_action_item"):
            st.markdown("**Mark the action item done**")
            st.text(chosen.message)  # typed at a session: plain text
            on = date_field("Done on", today)
            if st.form_submit_button("Mark it done", type="primary", icon=":material/task_alt:"):
                if run_action(
                    lambda: mark_action_done(
                        ctx.engine, user, action_id=chosen.action_id, on=on, today=today
                    ),
                    success=f"Recorded: action item for {chosen.subject} done.",
                ):
                    st.rerun()
    else:  # recorded on another page
        page = PAGE_BY_KEY[page_key]
        left.markdown(f"**{plain(chosen.action)}**: recorded on the {page.title} page.")
        if page_key == "participant":

            def open_record(participant_id=chosen.participant_id):
                st.session_state["participant_id"] = participant_id

            if left.button(
                f"Open the record of {plain(chosen.subject)}",
                icon=page.icon,
                on_click=open_record,
            ):
                st.switch_page(page.path)
        elif page_key == "referrals" and chosen.referral_id is not None:

            def open_referral(referral_id=chosen.referral_id):
                st.session_state["referral_id"] = referral_id
                st.session_state["referrals_show"] = "all"  # a participant's referral too

            if left.button(
                f"Open the referral of {plain(chosen.subject)}",
                icon=page.icon,
                on_click=open_referral,
            ):
                st.switch_page(page.path)
        else:
            left.page_link(page.path, label=f"Go to {page.title}", icon=page.icon)

candidates = social_contact_candidates(ctx.engine, user, today, limit=CANDIDATES_SHOWN)
if candidates:
    total = social_contact_candidate_count(ctx.engine, user)
    st.subheader("Social-contact candidates (S5)")
    st.caption(
        f"The {len(candidates):,} newest of {total:,} social-contact candidates and their "
        "resolutions; every one, with details, on Referrals."
    )
    table(candidates, key="today_candidates")
