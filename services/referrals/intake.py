"""The casework steps from referral to intake: the initial screening (PROTOCOL T1, T3), left
before screening (T2), the intake appointment and the completed intake with its release (T4,
T6), and the person's capacity to consent (C2).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine

from models import Release
from services.access.auth import CurrentUser
from services.core.clock import utcnow
from services.core.db import write_session
from services.core.errors import ValidationError
from services.core.site import get_settings, prosecutor_offices_in
from services.participants.casework import activate_if_ready
from services.participants.consent import record_release
from services.referrals.actions import t2_notifications
from services.referrals.transitions import (
    check_on,
    finish_step,
    load_for_change,
    require_date,
    require_open,
)
from services.referrals.vocabulary import (
    INTAKE_DONE,
    LEFT,
    PARTICIPANT,
    REFERRED,
    SCHEDULED,
    SCREENED,
    code_of,
)
from services.rules.deadlines import intake_due


def record_screening(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL T1, T3: the initial screening happened (also after 'left before screening')."""
    now = now or utcnow()
    with write_session(engine) as session:
        referral, participant = load_for_change(
            session, user, referral_id, expected_version, "screen"
        )
        stage = require_open(referral, participant, "Initial screening")
        if stage not in (REFERRED, LEFT):
            raise ValidationError("Initial screening: it is already recorded.")
        check_on(on, referral, today, "Screening date")
        referral.initial_screening_date = on
        referral.stage = SCREENED
        finish_step(
            session,
            referral,
            participant,
            user,
            now,
            event="screened",
            detail=f"on {on}",
            action="referral.screen",
            purpose=purpose,
        )


def record_left_before_screening(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> list[str]:
    """PROTOCOL T2: the person left before screening; returns the notifications staff make."""
    now = now or utcnow()
    with write_session(engine) as session:
        referral, participant = load_for_change(
            session, user, referral_id, expected_version, "left"
        )
        stage = require_open(referral, participant, "Left before screening")
        if stage != REFERRED:
            raise ValidationError("Left before screening: the screening is already recorded.")
        referral.stage = LEFT
        notices = t2_notifications(referral, prosecutor_offices_in(session))
        finish_step(
            session,
            referral,
            participant,
            user,
            now,
            event="left before screening",
            detail="T2 notices due: supervising sergeant and prosecutor",
            action="referral.left_before_screening",
            purpose=purpose,
        )
    return notices


def schedule_intake(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL T4: the intake appointment (today or later, never past the deadline)."""
    now = now or utcnow()
    settings = get_settings(engine)
    with write_session(engine) as session:
        referral, participant = load_for_change(
            session, user, referral_id, expected_version, "schedule"
        )
        stage = require_open(referral, participant, "Intake date")
        if stage not in (SCREENED, SCHEDULED):
            raise ValidationError("Intake date: record the initial screening first.")
        require_date(on, "Intake date")
        if on < referral.initial_screening_date:
            raise ValidationError(
                f"Intake date: it cannot be before the screening on "
                f"{referral.initial_screening_date}."
            )
        due = intake_due(
            code_of(referral.referral_type),
            referral.referral_date,
            referral.intake_extended_to,
            settings.intake_days,
        )
        if due is not None and on > due:
            raise ValidationError(
                f"Intake date: it is after the intake deadline {due}; record an extension by "
                "the referring officer, sergeant or agency first (T4)."
            )
        if on < today:
            raise ValidationError(
                "Intake date: an appointment cannot be in the past; record the completed "
                "intake instead."
            )
        referral.intake_scheduled_date = on
        referral.stage = SCHEDULED
        finish_step(
            session,
            referral,
            participant,
            user,
            now,
            event="intake scheduled",
            detail=f"for {on}",
            action="referral.intake_scheduled",
            purpose=purpose,
        )


def complete_intake(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    today: date,
    release_signed_on: date | None = None,
    release_kind: str = "written",
    release_orgs: list[str] | None = None,
    release_expires_on: date | None = None,
    release_purpose: str = Release.model_fields["purpose"].default,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> bool:
    """PROTOCOL T4, T6: the in-depth intake is complete; with a release the person is active.

    A release is refused while the person is marked unable to consent (C2), and must be signed
    no later than the intake (T6). Returns True when the person became an active participant.
    """
    now = now or utcnow()
    with write_session(engine) as session:
        referral, participant = load_for_change(
            session, user, referral_id, expected_version, "intake"
        )
        require_open(referral, participant, "Intake")
        check_on(on, referral, today, "Intake date")
        if referral.initial_screening_date and on < referral.initial_screening_date:
            raise ValidationError(
                f"Intake date: it cannot be before the screening on "
                f"{referral.initial_screening_date}."
            )
        if release_signed_on is not None:
            check_on(release_signed_on, referral, today, "Release signed")
            if release_signed_on > on:
                # PROTOCOL T6: a release signed after the intake does not make a participant.
                raise ValidationError(
                    "Release signed: it must be signed no later than the intake (T6)."
                )
            # The one path that records a release: the same checks and labels as the
            # participant record's form (C1, C2, 42 CFR 2.31).
            record_release(
                session,
                user,
                participant,
                kind=release_kind,
                signed_date=release_signed_on,
                covered=release_orgs or [],
                purpose=release_purpose,
                expires_date=release_expires_on,
                today=today,
                now=now,
            )
        referral.intake_completed_date = on
        referral.stage = PARTICIPANT if release_signed_on is not None else INTAKE_DONE
        detail = f"on {on}" + (
            f"; release signed {release_signed_on}" if release_signed_on else "; no release yet"
        )
        finish_step(
            session,
            referral,
            participant,
            user,
            now,
            event="intake completed",
            detail=detail,
            action="referral.intake",
            purpose=purpose,
        )
        # The one path to an active participant (PROTOCOL T6), version-checked.
        activated = activate_if_ready(session, user, participant, now, today, reactivate=True)
    return activated


def set_incapacitated(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    incapacitated: bool,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL C2: mark (or clear) that the person cannot consent now; staff keep checking in."""
    now = now or utcnow()
    with write_session(engine) as session:
        referral, participant = load_for_change(
            session, user, referral_id, expected_version, "incapacitated"
        )
        require_open(referral, participant, "Able to consent")
        if referral.incapacitated == incapacitated:
            raise ValidationError("Able to consent: nothing to change.")
        referral.incapacitated = incapacitated
        finish_step(
            session,
            referral,
            participant,
            user,
            now,
            event="marked unable to consent" if incapacitated else "able to consent",
            detail="C2",
            action="referral.consent_capacity",
            purpose=purpose,
        )
