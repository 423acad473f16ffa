"""The record's summary: the partner-safe view, identity and demographics, the case manager."""

from __future__ import annotations

import streamlit as st

from services.participants import (
    GENDER_IDENTITIES,
    INTERPRETER,
    RACE_ETHNICITY,
    assign_case_manager,
    case_managers,
    update_identity,
)
from ui.fields import date_field
from ui.participant.common import RecordPage
from ui.text import plain


def partner_view(p: RecordPage) -> None:
    """What a partner sees under an active release: no clinical detail (42 CFR Part 2)."""
    consent = plain(p.record.consent)
    st.caption(f"Release of information (ROI) for your organization today: {consent}.")
    st.info(
        "Partner-safe view: no case notes, substance use, mental health, treatment or "
        "criminal-history detail is ever shown here (42 CFR Part 2).",
        icon=":material/shield:",
    )
    p.show_fields()
    p.section("plan_domains", "No Individual Intervention Plan goals yet.")
    p.section("open_deadlines", "No open deadline concerns your organization.")


def summary_tab(p: RecordPage) -> None:
    p.show_fields()
    p.section("open_deadlines", "No open deadlines.")
    if "identity" in p.record.edits:
        with st.expander("Edit identity and demographics", icon=":material/edit:"):
            identity_form(p)
    if "assign" in p.record.edits:
        assign_form(p)


def timeline_tab(p: RecordPage) -> None:
    st.caption("Everything above that you may see, newest first.")
    p.section("timeline", "Nothing recorded yet.")


def _index(options: list, value) -> int:
    return options.index(value) if value in options else 0


def identity_form(p: RecordPage) -> None:
    v, key = p.record.values, p.key
    with st.form(key("rec_identity")):
        legal = st.text_input("Legal name", v["legal_name"], key=key("rec_legal"))
        preferred = st.text_input("Preferred name", v["preferred_name"], key=key("rec_pref"))
        aliases = st.text_input(
            "Aliases (separate with ;)", "; ".join(v["aliases"]), key=key("rec_alias")
        )
        dob = date_field("Date of birth", v["date_of_birth"], key=key("rec_dob"))
        race = st.selectbox(
            "Race and ethnicity (optional)",
            RACE_ETHNICITY,
            index=_index(RACE_ETHNICITY, v["race_ethnicity"]),
            key=key("rec_race"),
        )
        language = st.text_input(
            "Primary language (optional, or declined)",
            v["primary_language"],
            key=key("rec_lang"),
        )
        interp = [k for k, val in INTERPRETER.items() if val == v["interpreter_needed"]]
        interpreter = st.selectbox(
            "Interpreter needed",
            list(INTERPRETER),
            index=list(INTERPRETER).index(interp[0]),
            format_func=lambda k: k or "not recorded",
            key=key("rec_interp"),
        )
        gender = st.selectbox(
            "Gender identity (optional)",
            GENDER_IDENTITIES,
            index=_index(GENDER_IDENTITIES, v["gender_identity"]),
            key=key("rec_gender"),
        )
        if st.form_submit_button("Save identity", type="primary"):
            p.save(
                lambda: update_identity(
                    p.engine,
                    p.user,
                    participant_id=p.participant_id,
                    expected_version=p.version,
                    today=p.today,
                    values={
                        "legal_name": legal,
                        "preferred_name": preferred,
                        "aliases": aliases,
                        "date_of_birth": dob,
                        "race_ethnicity": race,
                        "primary_language": language,
                        "interpreter_needed": INTERPRETER[interpreter],
                        "gender_identity": gender,
                    },
                ),
                "Identity and demographics saved.",
            )


def assign_form(p: RecordPage) -> None:
    managers = {m["id"]: m["name"] for m in case_managers(p.engine, p.user.organization_id)}
    current = p.record.values["case_manager_id"]
    if current not in managers and current is not None:
        managers[current] = p.record.fields.get("Case manager", "current")
    with st.form(p.key("rec_assign")):
        choice = st.selectbox(
            "Case manager",
            [None, *managers],
            format_func=lambda i: managers.get(i, "unassigned"),
            index=[None, *managers].index(current),
            key=p.key("rec_cm"),
        )
        if st.form_submit_button("Assign case manager"):
            p.save(
                lambda: assign_case_manager(
                    p.engine,
                    p.user,
                    participant_id=p.participant_id,
                    expected_version=p.version,
                    case_manager_id=choice,
                ),
                "Case manager assigned.",
            )
