"""Funder reports (project manager): the monthly client-level report to BHRD, and the one-page
monthly performance summary for the policy coordinating group (PROTOCOL M5)."""

import streamlit as st

from services.core.clock import local_time_text, local_today
from services.core.site import get_settings
from services.reports.funder import (
    TREND_FIGURES,
    export_bhrd,
    last_export,
    performance_summary,
    served_count,
    summary_table,
    trend_description,
    trend_spec,
)
from services.reports.handout import performance_pdf
from services.reports.report_back import recent_periods
from ui.session import require_page
from ui.text import plain
from ui.widgets import flash, full_table, run_action

ctx, user = require_page("funder_reports")

settings = get_settings(ctx.engine)
today = local_today(settings.time_zone)
st.title("Funder reports")
flash()
month = st.selectbox("Month", recent_periods(today, "month", 12), format_func=lambda p: p.label)

st.subheader(f"Client-level report to BHRD: {month.label}")
st.markdown(
    f"One row per participant served in the month: LEAD id, demographics, status and its dates, "
    f"referral type, intake date, services and spend, contacts and housing. "
    f"**{served_count(ctx.engine, month)} participants** were served. Preparing the file records "
    "a disclosure to BHRD for each of them and carries the redisclosure notice below."
)
st.text(settings.redisclosure_notice)
sent = last_export(ctx.engine, month)
if sent:
    st.caption(
        f"Last prepared {local_time_text(sent['at'], settings.time_zone)} by {plain(sent['by'])} "
        f"({plain(sent['what'])})."
    )
else:
    st.caption(f"Not prepared yet; due on day {settings.bhrd_report_due_day} of the next month.")
ready_key = f"bhrd_ready_{month.slug}"
left, right = st.columns(2)
for column, fmt in ((left, "csv"), (right, "xlsx")):
    if column.button(f"Prepare the {fmt.upper()} file", icon=":material/description:"):

        def prepare(fmt=fmt):
            st.session_state[ready_key] = export_bhrd(ctx.engine, user, month, fmt=fmt)

        run_action(prepare, success=f"BHRD {fmt.upper()} file prepared; disclosures recorded.")
ready = st.session_state.get(ready_key)
if ready:
    st.download_button(
        f"Download {ready.file_name} ({ready.participants} participants)",
        data=ready.data,
        file_name=ready.file_name,
        mime=ready.mime,
        type="primary",
        icon=":material/download:",
        on_click="ignore",
    )

st.divider()
st.subheader(f"Performance summary for the policy coordinating group: {month.label}")
summary = performance_summary(ctx.engine, month)
st.caption(
    "Aggregate only: the key figures for the 12 months to this one. 'not shown' marks a number "
    f"from 1 to {summary['threshold'] - 1}, or one hidden so that such a number cannot be "
    "worked out from its neighbours."
)
full_table(summary_table(summary), key="performance_table")
st.download_button(
    "Download the one-page summary (PDF)",
    data=lambda: performance_pdf(summary, site_name=settings.name),
    file_name=f"lead-performance-{month.slug}.pdf",
    mime="application/pdf",
    icon=":material/download:",
    on_click="ignore",
)
columns = st.columns(2)
for index, key in enumerate(TREND_FIGURES):
    with columns[index % 2]:
        # The Vega-Lite spec as it is: an Altair chart would be schema-validated on every rerun.
        st.vega_lite_chart(trend_spec(summary, key, width=460, height=220), key=f"trend_{key}")
        st.caption(trend_description(summary, key))
