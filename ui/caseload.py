"""Caseload's charts and forms: active clients per case manager against the capacity, coverage
of a caseload, the team's funnel, intake delays, referrals per month and the capacity forecast
(PROTOCOL M7). Every chart has its numbers in a table beside it (WCAG 2.1 AA)."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.access.policy import ASSIGNERS
from services.participants import (
    add_coverage,
    capacity_forecast,
    case_manager_choices,
    coverages,
    end_coverage,
)
from services.participants.caseload import (
    by_manager,
)
from ui.fields import date_field
from ui.widgets import chart_with_table, run_action, table

BAND = alt.Step(44)  # one band per bar: a fixed small height collapses in Streamlit


def manager_charts(engine: Engine, user: CurrentUser, today: date) -> dict:
    """Active and referred clients per case manager; returns the load (its capacity, window)."""
    load = by_manager(engine, user, today)
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
        description="Each bar is one case manager's active clients; the dashed line is the "
        f"capacity of {cap} active clients per FTE (PROTOCOL M7, a site setting).",
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

    return load


def coverage_section(engine: Engine, user: CurrentUser, today: date) -> None:
    """Caseloads handed over for a period; an assigner hands one over or ends one early."""
    covering = coverages(engine, user, today)
    table(
        [{k: v for k, v in c.items() if k != "_id"} for c in covering],
        key="cl_coverage",
        empty="No coverage set.",
    )
    if user.role in ASSIGNERS:
        managers = case_manager_choices(engine, user)
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
                        engine,
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
                        engine, user, coverage_id=chosen, on=last_day, today=today
                    ),
                    success="Coverage ended.",
                ):
                    st.rerun()


def team_charts(stages: list[dict], delays: dict, monthly: dict, start: date, end: date) -> None:
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
                "Days:N",
                title="Days from referral to intake",
                sort=None,
                axis=alt.Axis(labelAngle=0),
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


def forecast_panel(engine: Engine, user: CurrentUser, today: date, cap: int) -> None:
    f = capacity_forecast(engine, user, today)
    cols = st.columns(4)
    cols[0].metric("Active clients", f["active"])
    cols[1].metric("Capacity", f["capacity"], help=f"{f['managers']} case manager(s) x {cap}")
    cols[2].metric("Net new per month", f["net_per_month"])
    cols[3].metric("Case managers needed now", f["managers_needed"])
    if f["state"] == "forecast":
        st.info(
            f"At the current rate (+{f['net_per_month']} a month over the last "
            f"{f['window_months']} months: {f['intakes']} intakes, {f['exits']} exits or "
            "inactive), the team reaches "
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
