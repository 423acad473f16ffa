"""The lifecycle steps: who may take each, its label, and which make sense at each stage.

Casework (screening, intake, consent, PROTOCOL T1-T4, C2) is case management's; the project
manager also extends (T4), notifies (T5), closes, re-assesses (S6) and records the victim's
answer (V1). Also the T2 notices owed when a person leaves before screening. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from models import Referral, Role
from services.access.policy import PROVIDER_ROLES
from services.core.site import one_of
from services.referrals.vocabulary import (
    CLOSED,
    INTAKE_DONE,
    LEFT,
    PARTICIPANT,
    REFERRED,
    SCHEDULED,
    SCREENED,
)
from services.rules import catalog
from services.rules.deadlines import prosecutor_notice_owed

# Who may take each lifecycle step: casework (screening, intake, consent) is case management's;
# the project manager also extends, notifies, closes and re-assesses (T4, T5, S5, S6).
CASEWORK = frozenset({Role.case_manager, Role.clinical_supervisor})
TRANSITION_ROLES = {
    "screen": CASEWORK,
    "left": CASEWORK,
    "schedule": CASEWORK,
    "intake": CASEWORK,
    "incapacitated": CASEWORK,
    "extend": PROVIDER_ROLES,
    "notice": PROVIDER_ROLES,
    "close": PROVIDER_ROLES,
    "reassess": PROVIDER_ROLES,
    "victim": PROVIDER_ROLES,
}


def available_actions(
    kind: str, stage: str, due: date | None, today: date, referral, role: Role
) -> list[str]:
    """The lifecycle actions that make sense now for this role, in the order they come."""
    return [
        a
        for a in _actions_for_stage(kind, stage, due, today, referral)
        if role in TRANSITION_ROLES[a]
    ]


def _actions_for_stage(kind: str, stage: str, due: date | None, today: date, referral) -> list[str]:
    if stage == CLOSED:
        return []
    # PROTOCOL V1: the prosecutor's answer is recorded whatever the stage, until it is.
    victim = ["victim"] if _victim_answer_owed(referral) else []
    if stage in (PARTICIPANT, INTAKE_DONE):
        return [*victim, "close"]
    actions = []
    if stage in (REFERRED, LEFT):
        actions.append("screen")
    if stage == REFERRED:
        actions.append("left")
    if stage in (SCREENED, SCHEDULED):
        actions.append("schedule")
    actions.append("intake")
    if kind == "arrest":
        actions.append("extend")
        if prosecutor_notice_owed(due, today, referral.prosecutor_notified_date):  # PROTOCOL T5
            actions.append("notice")
    actions += [*victim, "incapacitated", "close"]
    return actions


def _victim_answer_owed(referral) -> bool:
    return bool(
        referral.victim_involved
        and referral.victim_sheet_date is not None
        and referral.victim_objected is None
    )


ACTION_LABELS = {
    "screen": "Record the initial screening",
    "left": "Left before screening",
    "schedule": "Schedule the intake",
    "intake": "Record the completed intake",
    "extend": "Extend the intake deadline",
    "notice": catalog.action("T5"),
    "incapacitated": "Able to consent? (C2)",
    "close": "Close the referral",
    "reassess": f"{catalog.action('S6')} (S6)",
    "victim": catalog.action("V1"),
}


def t2_notifications(referral: Referral, offices: Mapping[str, str]) -> list[str]:
    """PROTOCOL T2: who staff notify, by phone or email, when the person left before screening.
    `offices` are the site's prosecutor offices, code -> name (`site.prosecutor_offices`)."""
    sergeant = referral.supervising_sergeant or "(not recorded on the cover sheet)"
    office = offices.get(
        referral.prosecutor_office, f"(not recorded: {one_of(list(offices.values()))})"
    )
    return [
        f"Supervising sergeant: {sergeant}, by phone or email.",
        f"Prosecutor with jurisdiction: {office}, by phone or email.",
    ]
