"""The in-depth intake (PROTOCOL T4): its factors and immediate needs, recorded once the
person is met; recording it completes the open referral's intake and may make the person an
active participant (PROTOCOL T6: with a release signed no later than the intake).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from models import (
    Intake,
    Referral,
    ReferralEvent,
)
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import utcnow
from services.core.db import bump_version, write_session
from services.core.errors import ValidationError
from services.participants.casework import (
    FACTOR_ANSWERS,
    INTAKE_FACTORS,
    MAX_NOTE,
    activate_if_ready,
    check_choice,
    check_date,
    check_text,
    gate_inputs,
    load_for_change,
)
from services.rules import consent as consent_rules

# --- In-depth intake (PROTOCOL T4) -------------------------------------------------------------


def record_intake(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    on: date,
    factors: dict[str, str],
    immediate_needs_met: str,
    today: date,
    now: datetime | None = None,
) -> int:
    """Record the in-depth intake; it also completes the open referral's intake (closes T4).

    `factors` maps each key of INTAKE_FACTORS to one of FACTOR_ANSWERS.
    """
    on = check_date("Intake date", on, today=today)
    clean = {}
    for key, label in INTAKE_FACTORS.items():
        clean[key] = check_choice(label, factors.get(key, ""), FACTOR_ANSWERS)
    if all(answer == "not asked" for answer in clean.values()):
        raise ValidationError("Factors surveyed: record the answer to at least one factor.")
    needs = check_text("Immediate needs met", immediate_needs_met, required=False, limit=MAX_NOTE)
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id)
        referral = session.exec(
            select(Referral)
            .where(Referral.participant_id == participant_id, col(Referral.closed_date).is_(None))
            .order_by(col(Referral.referral_date).desc())
        ).first()
        if referral is not None and on < referral.referral_date:
            raise ValidationError(
                f"Intake date: it cannot be before the referral date {referral.referral_date}."
            )
        intake = Intake(
            participant_id=participant_id,
            on=on,
            factors=clean,
            immediate_needs_met=needs,
            username=user.username,
            at=now,
        )
        session.add(intake)
        completed = referral.intake_completed_date if referral is not None else None
        _, releases = gate_inputs(session, participant_id)
        if referral is not None and completed != (
            moved := consent_rules.completion_after_redo(completed, releases, on, today)
        ):
            # The referral's own clock (PROTOCOL T4) stops with the intake recorded here; an
            # intake redone on or after a late release closes the T6/C3 gap (rules.consent).
            referral.intake_completed_date = moved
            bump_version(referral, now, user.username)
            session.add(referral)
            session.add(
                ReferralEvent(
                    referral_id=referral.id,
                    at=now,
                    username=user.username,
                    event="intake completed" if completed is None else "intake completed again",
                    detail=f"in-depth intake on {on.isoformat()} (participant record)",
                )
            )
        session.flush()
        audit.append(
            session,
            actor=user.actor,
            action="intake.record",
            subject=participant.lead_id,
            purpose="in-depth intake",
            now=now,
        )
        activate_if_ready(session, user, participant, now, today)
        return intake.id
