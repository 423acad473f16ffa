"""Caseload: each case manager against the 25-per-FTE ratio, no-contact flags, coverage, and the
team's referral funnel, intake delays, referrals per month and capacity forecast (PROTOCOL M7)."""

import streamlit as st

from services.core.clock import local_today
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.participants import (
    default_period,
    funnel,
    intake_delays,
    no_contact_flags,
    referrals_per_month,
)
from ui.caseload import coverage_section, forecast_panel, manager_charts, team_charts
from ui.fields import date_field
from ui.session import require_page
from ui.text import plain
from ui.widgets import flash, table

ctx, user = require_page("caseload")

st.title("Caseload")
flash()
today = local_today(get_settings(ctx.engine).time_zone)

# --- Per case manager ---------------------------------------------------------------------------
load = manager_charts(ctx.engine, user, today)

st.subheader(f"No contact in {load['no_contact_days']} days or more")
st.caption("Active participants whose last contact is older than the site's setting, oldest first.")
table(
    no_contact_flags(ctx.engine, user, today),
    key="cl_flags",
    empty="Everyone active has had a contact recently.",
)

# --- Coverage -----------------------------------------------------------------------------------
st.subheader("Coverage")
st.caption("A caseload handed to another case manager for a period; alerts follow the coverage.")
coverage_section(ctx.engine, user, today)

# --- Team ---------------------------------------------------------------------------------------
st.header("Team")
first, last = default_period(today)
left, right = st.columns(2)
start = date_field("Period from", first, key="cl_from", container=left)
end = date_field("Period to", last, key="cl_to", container=right)
try:
    stages = funnel(ctx.engine, user, start, end)
    delays = intake_delays(ctx.engine, user, start, end)
    monthly = referrals_per_month(ctx.engine, user, start, end)
except ValidationError as exc:
    st.error(plain(str(exc)), icon=":material/error:")
    st.stop()

team_charts(stages, delays, monthly, start, end)

st.subheader("Capacity forecast")
forecast_panel(ctx.engine, user, today, load["capacity"])
