"""Builders for referral tests: a valid cover sheet, a person, a team, a saved referral."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

from models import Role
from services.referrals import DETERMINATIONS_ASKED, CoverSheet, Person, create_referral
from tests.factories import make_user, sign_in

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # noon at the site (America/Los_Angeles)


# The officer's answers on an eligible sheet: amenable and interested, no other determination.
ANSWERS = {
    "amenable": True,
    "dealing_for_profit": False,
    "exploits_others": False,
    "promoting_prostitution": False,
    "protective_order_with_participant": False,
    "safety_concern": False,
    "needs_medical_care": False,
    "unable_to_consent": False,
    "interested": True,
}


def _answered(kind: str, changes: dict) -> dict:
    """Every determination the kind asks answered as ANSWERS, overridden by `determinations`."""
    asked = {k: ANSWERS[k] for k in DETERMINATIONS_ASKED.get(kind, ())}
    return {**asked, **changes.get("determinations", {})}


def arrest_sheet(**changes) -> CoverSheet:
    """An eligible arrest diversion cover sheet (VUCSA possession, 2 grams), referred TODAY, every
    determination answered (a `determinations` change overrides single answers)."""
    sheet = CoverSheet(
        referral_type="arrest",
        referral_date=TODAY,
        referral_time=time(9, 30),
        referring_org_code="BPD",
        referring_officer="Officer Demo-Patrol",
        supervising_sergeant="Sgt. Demo-Sergeant",
        prosecutor_office="KCPAO",
        offense="vucsa_possession",
        drug="other",
        drug_grams=2.0,
        place="Demo block A",
        in_catchment=True,
    )
    changes["determinations"] = _answered(changes.get("referral_type", "arrest"), changes)
    return replace(sheet, **changes)


def social_sheet(**changes) -> CoverSheet:
    """An eligible social contact referral: verified, in the catchment area, recent violation."""
    sheet = CoverSheet(
        referral_type="social_contact",
        referral_date=TODAY,
        referring_org_code="KCSO",
        referring_officer="Deputy Demo-Sheriff",
        in_catchment=True,
        verification_basis="observation",
        last_violation_date=date(2026, 10, 1),
        approving_sergeant="Sgt. Demo-Approver",
        approved_date=TODAY,
    )
    changes["determinations"] = _answered(changes.get("referral_type", "social_contact"), changes)
    return replace(sheet, **changes)


def person(name: str = "Jordan Testcase", dob: date | None = date(1988, 4, 5), **kw) -> Person:
    return Person(legal_name=name, preferred_name=name.split()[0], date_of_birth=dob, **kw)


TEAM_ROLES = {
    "pm1": Role.project_manager,
    "cma": Role.case_manager,
    "cmb": Role.case_manager,
    "sup": Role.clinical_supervisor,
    "bpd1": Role.law_enforcement,
}


class Team(dict):
    """Signed-in users by name, each created on first use (fewer writes per test)."""

    def __init__(self, engine) -> None:
        super().__init__()
        self.engine = engine

    def __missing__(self, name: str):
        make_user(self.engine, name, TEAM_ROLES[name])
        self[name] = sign_in(self.engine, name)
        return self[name]


def team(engine) -> Team:
    return Team(engine)


def referral(engine, user, sheet: CoverSheet | None = None, who: Person | None = None, **kw):
    """Save a referral of a new person (or of participant_id=...), as of TODAY."""
    if "participant_id" not in kw:
        kw["person"] = who or person()
    kw.setdefault("today", TODAY)
    kw.setdefault("now", NOW)
    return create_referral(engine, user, sheet or arrest_sheet(), **kw)
