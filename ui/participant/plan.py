"""The record's in-depth intake and Individual Intervention Plan (goals and their status)."""

from __future__ import annotations

import streamlit as st

from services.participants import (
    add_goal,
    change_goal_status,
    record_intake,
)
from services.participants.casework import (
    FACTOR_ANSWERS,
    GOAL_STATUSES,
    INTAKE_FACTORS,
    PLAN_DOMAINS,
)
from ui.participant.common import RecordPage

GOAL = "Goal (participant's words)"


def intake_tab(p: RecordPage) -> None:
    p.section("intakes", "No in-depth intake recorded yet.")
    if p.casework:
        intake_form(p)


def intake_form(p: RecordPage) -> None:
    with st.form(p.key("rec_intake")):
        st.markdown("**Record the in-depth intake**")
        on = p.date_box("Intake date", "rec_int_on")
        cols = st.columns(2)
        factors = {
            key: cols[i % 2].selectbox(
                label,
                FACTOR_ANSWERS,
                index=len(FACTOR_ANSWERS) - 1,
                key=p.key(f"rec_int_{key}"),
            )
            for i, (key, label) in enumerate(INTAKE_FACTORS.items())
        }
        needs = st.text_area("Immediate needs met", key=p.key("rec_int_needs"))
        if st.form_submit_button("Record intake", type="primary"):
            p.save(
                lambda: record_intake(
                    p.engine,
                    p.user,
                    participant_id=p.participant_id,
                    on=on,
                    factors=factors,
                    immediate_needs_met=needs,
                    today=p.today,
                ),
                "In-depth intake recorded.",
            )


def plan_tab(p: RecordPage) -> None:
    st.caption(
        "The Individual Intervention Plan (IIP) holds goals in the participant's own words, each "
        "in a PROTOCOL P1 domain."
    )
    if "plan_goals" in p.record.sections:
        p.section("plan_goals", "No goals yet.")
        p.section("plan_history", "No history yet.")
    else:
        p.section("plan_domains", "No goals yet.")
    if p.casework:
        goal_form(p)
        goal_status_form(p)


def goal_form(p: RecordPage) -> None:
    with st.form(p.key("rec_goal")):
        st.markdown("**Add a goal**")
        domain = st.selectbox("Domain (PROTOCOL P1)", PLAN_DOMAINS, key=p.key("rec_goal_domain"))
        text = st.text_area("Goal, in the participant's own words", key=p.key("rec_goal_text"))
        status = st.selectbox("Status", GOAL_STATUSES, key=p.key("rec_goal_status"))
        on = p.date_box("Date", "rec_goal_on")
        if st.form_submit_button("Add goal", type="primary"):
            p.save(
                lambda: add_goal(
                    p.engine,
                    p.user,
                    participant_id=p.participant_id,
                    domain=domain,
                    goal=text,
                    status=status,
                    on=on,
                    today=p.today,
                ),
                "Goal added to the Individual Intervention Plan.",
            )


def goal_status_form(p: RecordPage) -> None:
    goals = p.record.sections.get("plan_goals", [])
    if not goals:
        return
    with st.form(p.key("rec_goal_move")):
        st.markdown("**Change a goal's status**")
        labels = {g["_id"]: f"{g['Domain']}: {g[GOAL][:60]} ({g['Status']})" for g in goals}
        goal_id = st.selectbox("Goal", list(labels), format_func=labels.get, key=p.key("rec_gm_id"))
        status = st.selectbox("New status", GOAL_STATUSES, key=p.key("rec_gm_status"))
        on = p.date_box("Date", "rec_gm_on")
        if st.form_submit_button("Save goal status"):
            p.save(
                lambda: change_goal_status(
                    p.engine,
                    p.user,
                    goal_id=goal_id,
                    expected_version=p.goal_versions.get(goal_id, 0),
                    status=status,
                    on=on,
                    today=p.today,
                ),
                "Goal status saved; the history keeps the change.",
            )
