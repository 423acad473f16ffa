"""New referral's cover sheet, group by group, and the screen's verdict beside each group.

Every widget keeps its `rn_` key (the page clears them all after a save). The verdict of a group
of rules is drawn into a slot under its fields, since on a phone the screen panel is far below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import streamlit as st
from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.referrals import (
    DRUG_LABELS,
    OFFENSE_LABELS,
    REFERRAL_TYPE_LABELS,
    VERIFICATION_LABELS,
    CoverSheet,
    Person,
    case_managers,
    prosecutor_offices,
    referring_agencies,
)
from ui.fields import date_field
from ui.referral_form import (
    PersonChoice,
    conviction_choice,
    conviction_list,
    determination_fields,
    person_choice,
    section_verdict,
)
from ui.text import plain

# The rules each group of fields decides (PROTOCOL B1-B9, S1-S4).
OFFENSE_RULES = ("B1", "B2")
ARREST_DETERMINATION_RULES = ("B3", "B4", "B5", "B6", "B7", "B8")
SOCIAL_DETERMINATION_RULES = ("S4",)
CONVICTION_RULES = ("B9",)
SOCIAL_RULES = ("S1", "S2", "S3")


@dataclass
class Sheet:
    """What the cover sheet holds, whom it is for, and the slots for each group's verdict."""

    sheet: CoverSheet
    person: Person
    choice: PersonChoice
    slots: dict = field(default_factory=dict)

    @property
    def arrest(self) -> bool:
        return self.sheet.referral_type == "arrest"


def cover_sheet(engine: Engine, user: CurrentUser, settings, today: date) -> Sheet:
    slots: dict = {}
    kind = st.radio(
        "Referral type",
        list(REFERRAL_TYPE_LABELS),
        format_func=REFERRAL_TYPE_LABELS.get,
        horizontal=True,
        key="rn_type",
    )
    arrest = kind == "arrest"
    values = when_and_who(engine, settings, today)
    values |= offense_fields(slots) if arrest else {"offense": "", "drug": "", "drug_grams": None}
    values["victim_involved"] = st.checkbox("A victim is involved (V1)", key="rn_victim")
    values["victim_sheet_date"] = None
    if values["victim_involved"]:
        values["victim_sheet_date"] = date_field(
            "Date the victim information sheet was given", key="rn_victim_sheet"
        )

    st.subheader("Determinations" + (" (B3-B10)" if arrest else " (S4)"))
    values["determinations"] = determination_fields(kind)
    slots["determinations"] = st.empty()

    st.subheader("Prior convictions (B9)")
    left, middle, right = st.columns([3, 2, 1], vertical_alignment="bottom")
    conviction = conviction_choice(left)
    convicted_on = date_field("Conviction date", key="rn_conv_date", container=middle)
    values["convictions"] = conviction_list(right, conviction, convicted_on)
    slots["convictions"] = st.empty()
    values["warrant_doc_notes"] = st.text_area(
        "Warrant or DOC notes (B11, B12)", key="rn_notes", height=80
    )
    if not arrest:
        values |= social_contact_fields(slots)
    values |= recommendation_fields()
    person, choice, manager = person_fields(engine, user)
    sheet = CoverSheet(referral_type=kind, case_manager_id=manager, **values)
    return Sheet(sheet=sheet, person=person, choice=choice, slots=slots)


def when_and_who(engine: Engine, settings, today: date) -> dict:
    st.subheader("When and who")
    left, right = st.columns(2)
    referred_on = date_field("Referral date", today, key="rn_date", container=left)
    referred_time = right.time_input("Time", value=None, key="rn_time")
    agencies = referring_agencies(engine)
    agency = left.selectbox(
        "Referring agency", list(agencies), format_func=agencies.get, key="rn_agency"
    )
    officer = right.text_input("Referring officer", key="rn_officer")
    sergeant = left.text_input("Supervising sergeant", key="rn_sergeant")
    offices = prosecutor_offices(engine)  # PROTOCOL T2, T5: the site's prosecutor offices
    prosecutor = right.selectbox(
        "Prosecutor with jurisdiction",
        list(offices),
        format_func=offices.get,
        index=None,
        placeholder=" or ".join(offices),
        key="rn_prosecutor",
    )
    place = left.text_input("Place", key="rn_place")
    catchment = right.selectbox(
        f"Inside the catchment area ({plain(settings.catchment_area)})?",
        ["unknown", "yes", "no"],
        key="rn_catchment",
    )
    return {
        "referral_date": referred_on,
        "referral_time": referred_time,
        "referring_org_code": agency or "",
        "referring_officer": officer,
        "supervising_sergeant": sergeant,
        "prosecutor_office": prosecutor or "",
        "place": place,
        "in_catchment": {"yes": True, "no": False}.get(catchment),
    }


def offense_fields(slots: dict) -> dict:
    st.subheader("Offense (B1, B2)")
    offense = st.selectbox(
        "Offense",
        list(OFFENSE_LABELS),
        format_func=OFFENSE_LABELS.get,
        index=None,
        placeholder="Choose the offense",
        key="rn_offense",
    )
    left, right = st.columns(2)
    drug = left.selectbox("Drug", list(DRUG_LABELS), format_func=DRUG_LABELS.get, key="rn_drug")
    grams = right.number_input(
        "Drug grams", min_value=0.0, max_value=10000.0, value=None, step=0.5, key="rn_grams"
    )
    slots["offense"] = st.empty()
    return {"offense": offense or "", "drug": drug, "drug_grams": grams}


def social_contact_fields(slots: dict) -> dict:
    st.subheader("Social contact (S1-S5)")
    basis = st.selectbox(
        "Verification basis (S1)",
        list(VERIFICATION_LABELS),
        format_func=VERIFICATION_LABELS.get,
        key="rn_basis",
    )
    left, right = st.columns(2)
    last_violation = date_field(
        "Last known violation (S3)", key="rn_last_violation", container=left
    )
    approved_on = date_field("Approval date (S5)", key="rn_approved_on", container=right)
    approver = left.text_input("Approving sergeant or designated officer (S5)", key="rn_approver")
    slots["social"] = st.empty()
    return {
        "verification_basis": basis,
        "last_violation_date": last_violation,
        "approving_sergeant": approver,
        "approved_date": approved_on,
    }


def recommendation_fields() -> dict:
    st.subheader("Recommendation and consent")
    override = st.checkbox(
        "The officer recommends diversion even if the criteria are not met (B13)",
        key="rn_override",
    )
    override_reason = ""
    if override:
        override_reason = st.text_area("Override reason", key="rn_override_reason")
    incapacitated = st.checkbox(
        "Unable to consent right now: intoxicated, incapacitated or unable for mental-health "
        "reasons (C2)",
        key="rn_incapacitated",
    )
    return {
        "override_recommended": override,
        "override_reason": override_reason,
        "incapacitated": incapacitated,
    }


def person_fields(engine: Engine, user: CurrentUser) -> tuple[Person, PersonChoice, int | None]:
    st.subheader("Person")
    left, right = st.columns(2)
    legal = left.text_input("Legal name", key="rn_legal")
    preferred = right.text_input("Preferred name", key="rn_preferred")
    aliases = left.text_input("Aliases (separate with commas)", key="rn_aliases")
    dob = date_field("Date of birth", key="rn_dob", container=right)
    person = Person(legal, preferred, [a for a in aliases.split(",") if a.strip()], dob)
    choice = person_choice(engine, user, person, aliases)
    managers = {m["id"]: m["name"] for m in case_managers(engine, user)}
    manager = None
    if choice.participant_id is None:
        options = [None, *managers]
        manager = st.selectbox(
            "Case manager",
            options,
            index=options.index(user.id) if user.id in managers else 0,
            format_func=lambda i: "Unassigned" if i is None else managers[i],
            key="rn_manager",
        )
    return person, choice, manager


def group_verdicts(s: Sheet, verdict: dict) -> None:
    """Each group's verdict in its slot, next to the fields that decide it."""
    if s.arrest and s.sheet.offense:
        section_verdict(s.slots["offense"], verdict, OFFENSE_RULES)
    section_verdict(
        s.slots["determinations"],
        verdict,
        ARREST_DETERMINATION_RULES if s.arrest else SOCIAL_DETERMINATION_RULES,
        unanswered=True,
    )
    if s.arrest:
        section_verdict(s.slots["convictions"], verdict, CONVICTION_RULES)
    else:
        section_verdict(s.slots["social"], verdict, SOCIAL_RULES)


def social_contact_button() -> None:
    """PROTOCOL B13: an arrest referral that fails the criteria may go as a social contact."""
    st.button(
        "Refer as a social contact instead (B13)",
        icon=":material/swap_horiz:",
        on_click=lambda: st.session_state.update(rn_type="social_contact"),
    )
