"""Caseload: each case manager against the 25-per-FTE ratio, no-contact flags, coverage, and the
team's referral funnel, intake delays, referrals per month and capacity forecast (PROTOCOL M7)."""

import altair as alt
import pandas as pd
import streamlit as st

from services.access.policy import ASSIGNERS
from services.core.clock import local_today
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.participants import (
    add_coverage,
    by_manager,
    capacity_forecast,
    case_manager_choices,
    coverages,
    default_period,
    end_coverage,
    funnel,
    intake_delays,
    no_contact_flags,
    referrals_per_month,
)
from ui.fields import date_field
from ui.session import require_page
from ui.text import plain
from ui.widgets import chart_with_table, flash, run_action, table

ctx, user = require_page("caseload")

st.title("Caseload")
flash()
today = local_today(get_settings(ctx.engine).time_zone)

# --- Per case manager ---------------------------------------------------------------------------
load = by_manager(ctx.engine, user, today)
cap = load["capacity"]
nc = f"No contact {load['no_contact_days']}+ days"
rows = [
    {
        "Case manager": r.manager,
        "Active": r.active,
        "Over capacity": "yes, over" if r.active > cap else "no",
        "Referred": r.referred,
        nc: r.no_contact,
        "Covered by": r.covered_by or "—",
    }
    for r in load["rows"]
]
frame = pd.DataFrame(rows or [{"Case manager": "none", "Active": 0, "Referred": 0}])
BAND = alt.Step(44)  # one band per bar: a fixed small height collapses in Streamlit
manager_axis = alt.Y(
    "Case manager:N", title="Case manager", sort=None, axis=alt.Axis(labelLimit=240)
)
bars = (
    alt.Chart(frame)
    .mark_bar()
    .encode(
        y=manager_axis,
        x=alt.X("Active:Q", title="Active clients"),
        tooltip=["Case manager", "Active"],
    )
)
capacity_line = (
    alt.Chart(pd.DataFrame({"Capacity": [cap]}))
    .mark_rule(strokeDash=[6, 4], size=2, color="#b00020")
    .encode(x="Capacity:Q")
)
chart_with_table(
    (bars + capacity_line).properties(
        title=f"Active clients (dashed line: capacity {cap})", height=BAND
    ),
    [
        {k: r[k] for k in ("Case manager", "Active", "Over capacity", nc, "Covered by")}
        for r in rows
    ],
    title="Active clients per case manager",
    description=f"Each bar is one case manager's active clients; the dashed line is the capacity "
    f"of {cap} active clients per FTE (PROTOCOL M7, a site setting).",
    key="cl_managers",
)
referred = (
    alt.Chart(frame)
    .mark_bar()
    .encode(y=manager_axis, x=alt.X("Referred:Q", title="Referred, not yet enrolled"))
    .properties(title="Referred, not yet enrolled", height=BAND)
)
chart_with_table(
    referred,
    [{k: r[k] for k in ("Case manager", "Referred")} for r in rows],
    title="Referred, not yet enrolled",
    description="People referred to each case manager who have not yet become participants "
    "(intake and release of information still to come); they do not count against capacity.",
    key="cl_referred",
)

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
covering = coverages(ctx.engine, user, today)
table(
    [{k: v for k, v in c.items() if k != "_id"} for c in covering],
    key="cl_coverage",
    empty="No coverage set.",
)
if user.role in ASSIGNERS:
    managers = case_manager_choices(ctx.engine, user)
    names = {m["id"]: m["name"] for m in managers}
    with st.expander("Hand a caseload over", icon=":material/swap_horiz:"):
        with st.form("cl_add_coverage"):
            away = st.selectbox("Case manager away", list(names), format_func=names.get)
            cover = st.selectbox(
                "Covered by",
                [m["id"] for m in managers if not m["disabled"]],
                format_func=names.get,
            )
            start = date_field("From", today)
            end = date_field("Until (last covered day)", today)
            if st.form_submit_button("Hand over caseload", type="primary") and run_action(
                lambda: add_coverage(
                    ctx.engine,
                    user,
                    absent_id=away,
                    covering_id=cover,
                    start_on=start,
                    end_on=end,
                    today=today,
                ),
                success="Coverage set: alerts follow the caseload for that period.",
            ):
                st.rerun()
    ongoing = {c["_id"]: c for c in covering if c["Now"] != "ended"}
    if ongoing:
        with st.form("cl_end_coverage"):
            chosen = st.selectbox(
                "Coverage to end early",
                list(ongoing),
                format_func=lambda i: (
                    f"{ongoing[i]['Case manager away']} covered by "
                    f"{ongoing[i]['Covered by']} until {ongoing[i]['Until']}"
                ),
            )
            last_day = date_field("Last covered day", today)
            if st.form_submit_button("End coverage") and run_action(
                lambda: end_coverage(
                    ctx.engine, user, coverage_id=chosen, on=last_day, today=today
                ),
                success="Coverage ended.",
            ):
                st.rerun()

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

chart_with_table(
    alt.Chart(pd.DataFrame(stages))
    .mark_bar()
    .encode(
        y=alt.Y("Stage:N", title="Stage", sort=[s["Stage"] for s in stages]),
        x=alt.X("People:Q", title="People referred in the period"),
    )
    .properties(title="Referral funnel", height=BAND),
    stages,
    title="Referral funnel",
    description=f"Of the people referred from {start} to {end}, how many were screened, had an "
    "in-depth intake, became active participants and later exited.",
    key="cl_funnel",
)

median = "no intakes yet" if delays["median"] is None else f"{delays['median']:g} days"
chart_with_table(
    alt.Chart(pd.DataFrame(delays["bins"]))
    .mark_bar()
    .encode(
        x=alt.X(
            "Days:N", title="Days from referral to intake", sort=None, axis=alt.Axis(labelAngle=0)
        ),
        y=alt.Y("People:Q", title="People"),
    )
    .properties(title=f"Median {median}"),
    delays["bins"],
    title="Days from referral to intake",
    description=f"How long the {delays['count']} intakes of people referred in the period took "
    f"after the referral; the median is {median} (PROTOCOL T4 allows 30 days).",
    key="cl_delays",
)

expected = monthly["expected"]
chart_with_table(
    alt.Chart(pd.DataFrame(monthly["rows"]))
    .mark_bar()
    .encode(
        x=alt.X("Month:N", title="Month"),
        y=alt.Y("Referrals:Q", title="Referrals"),
    )
    + alt.Chart(pd.DataFrame({"Expected": [expected]}))
    .mark_rule(strokeDash=[6, 4], size=2, color="#b00020")
    .encode(y="Expected:Q"),
    monthly["rows"],
    title="Referrals per month",
    description=f"Referrals made each month, against the expected {expected} a month (the "
    "site's expected referrals a year divided by 12, PROTOCOL M7), drawn as a dashed line.",
    key="cl_monthly",
)

st.subheader("Capacity forecast")
f = capacity_forecast(ctx.engine, user, today)
cols = st.columns(4)
cols[0].metric("Active clients", f["active"])
cols[1].metric("Capacity", f["capacity"], help=f"{f['managers']} case manager(s) x {cap}")
cols[2].metric("Net new per month", f["net_per_month"])
cols[3].metric("Case managers needed now", f["managers_needed"])
if f["state"] == "forecast":
    st.info(
        f"At the current rate (+{f['net_per_month']} a month over the last {f['window_months']} "
        f"months: {f['intakes']} intakes, {f['exits']} exits or inactive), the team reaches "
        f"capacity in about {f['months_to_capacity']} months, around {f['reached_on']}.",
        icon=":material/trending_up:",
    )
elif f["state"] == "at or over capacity":
    st.warning(
        f"The team is at or over capacity: {f['active']} active clients for {f['capacity']} "
        f"places; the current caseload needs {f['managers_needed']} case manager(s).",
        icon=":material/warning:",
    )
else:
    st.info(
        "At the current rate the caseload is not growing, so no date is forecast.",
        icon=":material/trending_flat:",
    )
st.caption(
    f"Counting referred people too, {f['managers_needed_with_referred']} case manager(s) would "
    "be needed."
)
