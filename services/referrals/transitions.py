"""What every lifecycle step shares: load the referral locked and version-checked, check the
dates, write the event and the audit row (PROTOCOL T1-T6; a stale edit is refused).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from models import Participant, ParticipantStatus, Referral
from services.access.auth import CurrentUser
from services.core import audit
from services.core.db import bump_version
from services.core.errors import StaleEditError, ValidationError
from services.referrals.actions import ACTION_LABELS, TRANSITION_ROLES
from services.referrals.events import add_event
from services.referrals.scope import may_touch, require_provider
from services.referrals.stage import derive_stage
from services.referrals.vocabulary import CLOSED, INTAKE_DONE, PARTICIPANT


def load_for_change(
    session: Session, user: CurrentUser, referral_id: int, expected_version: int, step: str
) -> tuple[Referral, Participant]:
    """The referral (locked) and its participant, when this role takes `step` on this version."""
    require_provider(user)
    if user.role not in TRANSITION_ROLES[step]:
        raise ValidationError(f"{ACTION_LABELS[step]}: case management staff record this step.")
    referral = session.get(Referral, referral_id, with_for_update=True)
    participant = session.get(Participant, referral.participant_id) if referral else None
    if referral is None or participant is None or not may_touch(user, participant):
        raise ValidationError("Referral: not found in your agency's records.")
    if referral.version != expected_version:
        raise StaleEditError.for_row(referral)
    return referral, participant


def _touch(session: Session, referral: Referral, user: CurrentUser, now: datetime) -> None:
    bump_version(referral, now, user.username)
    session.add(referral)


def require_date(value: date | None, label: str) -> None:
    """A date was given."""
    if not isinstance(value, date):
        raise ValidationError(f"{label}: required.")


def check_on(on: date, referral: Referral, today: date, label: str = "Date") -> None:
    """A step's date: given, not in the future, not before the referral."""
    require_date(on, label)
    if on > today:
        raise ValidationError(f"{label}: it cannot be in the future.")
    if on < referral.referral_date:
        raise ValidationError(
            f"{label}: it cannot be before the referral date {referral.referral_date}."
        )


def _stage_of(referral: Referral, participant: Participant) -> str:
    return derive_stage(
        referral.stage,
        referral.closed_date,
        referral.intake_completed_date,
        referral.initial_screening_date,
        referral.intake_scheduled_date,
        participant.status == ParticipantStatus.active,
    )


def require_open(referral: Referral, participant: Participant, what: str) -> str:
    """The stage, when the referral is neither closed nor past the intake."""
    stage = _stage_of(referral, participant)
    if stage == CLOSED:
        raise ValidationError(f"{what}: the referral is closed.")
    if stage in (PARTICIPANT, INTAKE_DONE):
        raise ValidationError(f"{what}: the intake is already complete.")
    return stage


def finish_step(
    session: Session,
    referral: Referral,
    participant: Participant,
    user: CurrentUser,
    now: datetime,
    *,
    event: str,
    detail: str,
    action: str,
    purpose: str,
) -> None:
    """Bump the version, write the event and the audit row of one step."""
    _touch(session, referral, user, now)
    add_event(session, referral, user, now, event, detail)
    audit.append(
        session,
        actor=user.actor,
        action=action,
        subject=participant.lead_id,
        purpose=purpose,
        now=now,
    )
