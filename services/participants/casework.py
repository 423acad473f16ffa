"""A participant's casework, shared ground: vocabularies and who may change a record.

The vocabularies of the intake (PROTOCOL T4), plan (P1), services (P2, P3) and contacts; the
checks every casework change uses; the intake completions and general releases the consent
gate reads (PROTOCOL C3, T6), and `activate_if_ready`, the one path that makes a person an
active participant. The changes themselves: services.participants.intake, plan, contacts.

Every change is validated (nothing saved on bad input), limited to provider staff of the
agency holding the record, version-checked where the row has a version, and audited in the same
transaction. Audit rows name the LEAD id and the kind of change, never note or goal text.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from models import (
    ContactKind,
    GoalStatus,
    Intake,
    Participant,
    ParticipantStatus,
    Referral,
    Release,
    Role,
    StatusChange,
)
from services.access.auth import CurrentUser
from services.access.policy import CASEWORK_EDITORS
from services.core import audit
from services.core.errors import ValidationError, too_long
from services.core.text import strip_controls
from services.rules import consent as consent_rules

# --- Vocabularies ------------------------------------------------------------------------------

# PROTOCOL T4: the in-depth intake surveys these factors.
INTAKE_FACTORS = {
    "chemical_dependency": "Chemical dependency",
    "mental_health": "Mental health",
    "housing": "Housing",
    "legal_involvement": "Legal involvement",
    "employment": "Employment",
    "education": "Education",
}
FACTOR_ANSWERS = ("need identified", "no need", "declined to answer", "not asked")

# PROTOCOL P1: what an Individual Intervention Plan may cover.
PLAN_DOMAINS = (
    "housing",
    "chemical dependency treatment",
    "mental health treatment",
    "medication-assisted treatment",
    "education (incl. GED)",
    "job training",
    "job placement",
    "licensing assistance",
    "small business counseling",
    "child care",
    "legal assistance",
    "benefits (SSI/GAU)",
    "health",
    "food",
    "other",
)
# 42 CFR Part 2, PROTOCOL C4: a treatment domain reveals substance use or mental-health care, so
# anyone outside the clinical team sees it folded into "health".
TREATMENT_DOMAINS = frozenset(
    {"chemical dependency treatment", "mental health treatment", "medication-assisted treatment"}
)
GOAL_STATUSES = tuple(status.value for status in GoalStatus)
SERVICE_CATEGORIES = PLAN_DOMAINS
# PROTOCOL P2: say whether LEAD money bought new capacity or an existing program had room.
FUNDING = {
    "new_capacity": "LEAD funds bought new capacity",
    "existing_spare": "Existing program with spare capacity",
}
CONTACT_KINDS = tuple(kind.value for kind in ContactKind)

MAX_NOTE = 5000
MAX_GOAL = 1000
MAX_MINUTES = 720
QUICK_MINUTES = (5, 15, 30, 45, 60, 90)  # the quick entry's choices (contact log, Today)
MAX_COST_DOLLARS = 1_000_000
CONTACT_LOOKBACK_DAYS = 366


def public_domain(domain: str) -> str:
    """The plan domain as shown outside the clinical team.

    >>> public_domain("mental health treatment"), public_domain("housing")
    ('health', 'housing')
    """
    return "health" if domain in TREATMENT_DOMAINS else domain


# --- Who may change a record -------------------------------------------------------------------


def load_for_change(
    session: Session,
    user: CurrentUser,
    participant_id: int,
    roles: frozenset[Role] = CASEWORK_EDITORS,
) -> Participant:
    """The participant, if this user may change this part of the record; else ValidationError."""
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise ValidationError("Participant: no such participant.")
    if user.role not in roles:
        raise ValidationError("Participant: your role may not make this change.")
    if user.role != Role.project_manager and participant.organization_id != user.organization_id:
        raise ValidationError("Participant: this record belongs to another agency.")
    return participant


def check_text(label: str, value: str, *, required: bool, limit: int) -> str:
    value = strip_controls(value or "").strip()
    if required and not value:
        raise ValidationError(f"{label}: required.")
    if too_long(label, value, limit):  # SECURITY 33: say so, never cut it
        raise ValidationError(too_long(label, value, limit))
    return value


def check_date(label: str, value: date | None, *, today: date, future_ok: bool = False) -> date:
    if not isinstance(value, date):
        raise ValidationError(f"{label}: required.")
    if not future_ok and value > today:
        raise ValidationError(f"{label}: it cannot be in the future.")
    return value


def check_choice(label: str, value: str, choices) -> str:
    if value not in choices:
        raise ValidationError(f"{label}: choose one of the listed options.")
    return value


def _chunks(ids: list[int] | None) -> list[list[int] | None]:
    # IN lists of a size every database takes; None means every participant.
    return [None] if ids is None else [ids[i : i + 500] for i in range(0, len(ids), 500)]


def intake_completions(session: Session, ids: list[int] | None) -> dict[int, date]:
    """What the consent gate takes as each person's intake completion (PROTOCOL T6, C3).

    The open referral's completion, the one Today's C3 alert reads (the earliest, if several are
    open); without one, the first intake recorded on the participant record.
    """
    found: dict[int, date] = {}
    for model, on, where in (
        (
            Referral,
            Referral.intake_completed_date,
            (col(Referral.closed_date).is_(None), col(Referral.intake_completed_date).is_not(None)),
        ),
        (Intake, Intake.on, ()),
    ):
        for chunk in _chunks(ids):
            query = select(model.participant_id, func.min(on)).where(*where)
            if chunk is not None:
                query = query.where(col(model.participant_id).in_(chunk))
            for pid, first in session.exec(query.group_by(model.participant_id)):
                found.setdefault(pid, first)
    return found


def general_releases(session: Session, ids: list[int] | None) -> dict[int, list[dict]]:
    """General releases (never the C4 treatment ones) by participant; None means all.

    Each carries the person's intake completion ("intake_completed"), so every release state
    computed from them applies the T6 gate (services.rules.consent.release_state).
    """
    grouped: dict[int, list[dict]] = {}
    for chunk in _chunks(ids):
        query = select(
            Release.participant_id,
            Release.signed_date,
            Release.expires_date,
            Release.rescinded_date,
            Release.covered_org_codes,
        ).where(col(Release.treatment_information).is_(False))
        if chunk is not None:
            query = query.where(col(Release.participant_id).in_(chunk))
        for pid, signed, expires, rescinded, codes in session.exec(query):
            grouped.setdefault(pid, []).append(
                {
                    "signed_date": signed,
                    "expires_date": expires,
                    "rescinded_date": rescinded,
                    "covered_org_codes": list(codes),
                }
            )
    intakes = intake_completions(session, list(grouped)) if grouped else {}
    for pid, rows in grouped.items():
        for row in rows:
            row["intake_completed"] = intakes.get(pid)
    return grouped


def gate_inputs(session: Session, participant_id: int) -> tuple[date | None, list[dict]]:
    """What the consent gate reads for one person: the intake's completion and the releases."""
    return (
        intake_completions(session, [participant_id]).get(participant_id),
        general_releases(session, [participant_id]).get(participant_id, []),
    )


def activate_if_ready(
    session: Session,
    user: CurrentUser,
    participant: Participant,
    now: datetime,
    today: date,
    *,
    reactivate: bool = False,
) -> bool:
    """The one path to an active participant (PROTOCOL T6): once the consent gate says so.

    Version-checked: if someone changed the record meanwhile, the status stays for them to set.
    A release signed after the intake's completion does not activate (see services.rules.consent).
    `reactivate`: a new referral's completed intake also re-activates an inactive or exited
    person (the referral lifecycle); elsewhere only a referred person is activated.
    Returns True if the person became active.
    """
    allowed = {ParticipantStatus.referred}
    if reactivate:
        allowed |= {ParticipantStatus.inactive, ParticipantStatus.exited}
    if participant.status not in allowed:
        return False
    session.flush()  # the gate reads the rows this transaction just wrote
    intake_on, releases = gate_inputs(session, participant.id)
    if not consent_rules.is_participant(intake_on, releases, today):
        return False
    on = max(intake_on, min(r["signed_date"] for r in releases))
    result = session.exec(
        update(Participant)
        .where(
            col(Participant.id) == participant.id, col(Participant.version) == participant.version
        )
        .values(
            status=ParticipantStatus.active,
            version=participant.version + 1,
            updated_at=now,
            updated_by=user.username,
        )
    )
    if result.rowcount != 1:
        return False  # someone changed the record meanwhile; the status stays for them to set
    session.add(
        StatusChange(
            participant_id=participant.id,
            on=on,
            status=ParticipantStatus.active.value,
            reason="intake completed and release signed (PROTOCOL T6)",
            username=user.username,
            at=now,
        )
    )
    audit.append(
        session,
        actor=user.actor,
        action="participant.activate",
        subject=participant.lead_id,
        purpose="T6",
        now=now,
    )
    return True
