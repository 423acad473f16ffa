"""Today: the deadlines I owe, most urgent first, each closed in place (PROTOCOL T4-T6, S6, a
no-contact alert, a staffing action item) or linked to the page where it is recorded."""

import streamlit as st

from services.core.clock import local_today, utcnow
from services.core.site import get_settings
from services.referrals import (
    CANDIDATES_SHOWN,
    social_contact_candidate_count,
    social_contact_candidates,
)
from services.today import (
    ALERTS_SHOWN,
    SEVERITIES,
    alert_rows,
    calendar_ics,
    closing_route,
    open_alerts,
    record_calendar_download,
)
from ui.cards import CARDS_SHOWN, alert_cards, severity_counts
from ui.session import require_page
from ui.today_close import close_deadline
from ui.widgets import flash, table

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
    close_deadline(ctx.engine, user, chosen, route, page_key, today, st if slot is None else slot)

candidates = social_contact_candidates(ctx.engine, user, today, limit=CANDIDATES_SHOWN)
if candidates:
    total = social_contact_candidate_count(ctx.engine, user)
    st.subheader("Social-contact candidates (S5)")
    st.caption(
        f"The {len(candidates):,} newest of {total:,} social-contact candidates and their "
        "resolutions; every one, with details, on Referrals."
    )
    table(candidates, key="today_candidates")
