"""The steps the project manager may also take: extend the intake deadline (PROTOCOL T4),
notify the prosecutor of a missed intake (T5), close, re-assess a social contact (S6) and
record the victim's answer (V1).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.core.clock import utcnow
from services.core.db import write_session
from services.core.errors import ValidationError, too_long
from services.core.site import get_settings, one_of, prosecutor_offices
from services.referrals.transitions import (
    check_on,
    finish_step,
    load_for_change,
    require_date,
    require_open,
)
from services.referrals.vocabulary import (
    CLOSE_OUTCOMES,
    CLOSED,
    MAX_NAME,
    MAX_REASON,
    NOTICE_METHODS,
    clean,
    code_of,
)
from services.rules.deadlines import intake_due, prosecutor_notice_owed


def extend_deadline(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    new_date: date,
    extended_by: str,
    on: date,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL T4: the referring officer, sergeant or agency extends the intake deadline."""
    now = now or utcnow()
    settings = get_settings(engine)
    extended_by = clean(extended_by)
    if not extended_by:
        raise ValidationError(
            "Extended by: name the referring officer, sergeant or agency who extended it."
        )
    if too_long("Extended by", extended_by, MAX_NAME):
        raise ValidationError(too_long("Extended by", extended_by, MAX_NAME))
    require_date(new_date, "New deadline")
    if new_date < today:  # the rule the form's date field once enforced (SECURITY 33)
        raise ValidationError("New deadline: it cannot be in the past.")
    with write_session(engine) as session:
        referral, participant = load_for_change(
            session, user, referral_id, expected_version, "extend"
        )
        require_open(referral, participant, "Extension")
        if code_of(referral.referral_type) != "arrest":
            raise ValidationError("Extension: only arrest referrals have an intake deadline.")
        check_on(on, referral, today, "Date of the extension")
        current = intake_due(
            "arrest", referral.referral_date, referral.intake_extended_to, settings.intake_days
        )
        if new_date <= current:
            raise ValidationError(f"New deadline: it must be after the current deadline {current}.")
        if new_date > referral.referral_date + timedelta(days=366):
            raise ValidationError("New deadline: at most a year after the referral.")
        referral.intake_extended_to = new_date
        referral.intake_extended_by = extended_by
        finish_step(
            session,
            referral,
            participant,
            user,
            now,
            event="intake deadline extended",
            detail=f"to {new_date} by {extended_by}, agreed on {on}",
            action="referral.extend",
            purpose=purpose,
        )


def record_prosecutor_notice(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    office: str,
    method: str,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL T5: the provider told the prosecutor with jurisdiction of the missed intake."""
    now = now or utcnow()
    settings = get_settings(engine)
    offices = prosecutor_offices(engine)
    if office not in offices:
        raise ValidationError(f"Office notified: choose {one_of(list(offices.values()))}.")
    if method not in NOTICE_METHODS:
        raise ValidationError("How: phone or email.")
    with write_session(engine) as session:
        referral, participant = load_for_change(
            session, user, referral_id, expected_version, "notice"
        )
        require_open(referral, participant, "Prosecutor notice")
        if code_of(referral.referral_type) != "arrest":
            raise ValidationError("Prosecutor notice: only arrest referrals have one.")
        if referral.prosecutor_notified_date is not None:
            raise ValidationError("Prosecutor notice: already recorded.")
        due = intake_due(
            "arrest", referral.referral_date, referral.intake_extended_to, settings.intake_days
        )
        if not prosecutor_notice_owed(due, today, referral.prosecutor_notified_date):  # T5
            raise ValidationError(
                f"Prosecutor notice: the intake deadline {due} has not passed yet."
            )
        check_on(on, referral, today, "Notice date")
        if on <= due:
            raise ValidationError(
                f"Notice date: a notice of the missed deadline comes after it ({due})."
            )
        referral.prosecutor_notified_date = on
        referral.prosecutor_notice_office = office
        referral.prosecutor_notice_method = method
        finish_step(
            session,
            referral,
            participant,
            user,
            now,
            event="prosecutor notified",
            detail=f"{office} by {method} on {on}",
            action="referral.prosecutor_notice",
            purpose=purpose,
        )


def close_referral(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    outcome: str,
    reason: str,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """Close a referral: declined, lapsed, charges filed, or no longer eligible, with a reason."""
    now = now or utcnow()
    if outcome not in CLOSE_OUTCOMES:
        raise ValidationError(
            "Outcome: choose declined, lapsed, charges filed or no longer eligible."
        )
    reason = clean(reason)
    if not reason:
        raise ValidationError("Reason: say briefly why the referral is closed.")
    if too_long("Reason", reason, MAX_REASON):
        raise ValidationError(too_long("Reason", reason, MAX_REASON))
    with write_session(engine) as session:
        referral, participant = load_for_change(
            session, user, referral_id, expected_version, "close"
        )
        if referral.closed_date is not None:
            raise ValidationError("Close: the referral is already closed.")
        check_on(on, referral, today, "Closing date")
        referral.closed_date = on
        referral.closed_reason = f"{CLOSE_OUTCOMES[outcome]}: {reason}"
        referral.stage = CLOSED
        finish_step(
            session,
            referral,
            participant,
            user,
            now,
            event="closed",
            detail=f"{CLOSE_OUTCOMES[outcome]} on {on}",
            action="referral.close",
            purpose=purpose,
        )


def record_reassessment(
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
    """PROTOCOL S6: the social-contact approval was re-assessed (restarts the 6 months)."""
    now = now or utcnow()
    with write_session(engine) as session:
        referral, participant = load_for_change(
            session, user, referral_id, expected_version, "reassess"
        )
        if referral.closed_date is not None:
            raise ValidationError("Re-assessment: the referral is closed.")
        if referral.social_contact_approved_date is None:
            raise ValidationError("Re-assessment: the referral has no social-contact approval.")
        check_on(on, referral, today, "Date")
        if on < referral.social_contact_approved_date:
            raise ValidationError("Date: it cannot be before the approval.")
        referral.reassessed_date = on
        finish_step(
            session,
            referral,
            participant,
            user,
            now,
            event="re-assessed",
            detail=f"on {on} (S6)",
            action="referral.reassessment",
            purpose=purpose,
        )


def record_victim_objection(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    objected: bool,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL V1: the prosecutor's answer to whether the victim objected (closes the alert)."""
    now = now or utcnow()
    if not isinstance(objected, bool):
        raise ValidationError("Did the victim object: answer yes or no.")
    with write_session(engine) as session:
        referral, participant = load_for_change(
            session, user, referral_id, expected_version, "victim"
        )
        if referral.closed_date is not None:
            raise ValidationError("Victim objection: the referral is closed.")
        if not referral.victim_involved or referral.victim_sheet_date is None:
            raise ValidationError(
                "Victim objection: no victim information sheet was given for this referral."
            )
        if referral.victim_objected is not None:
            raise ValidationError("Victim objection: the prosecutor's answer is already recorded.")
        check_on(on, referral, today, "Answer date")
        if on < referral.victim_sheet_date:
            raise ValidationError(
                f"Answer date: it cannot be before the victim information sheet "
                f"({referral.victim_sheet_date})."
            )
        referral.victim_objection_answered_on = on
        referral.victim_objected = objected
        finish_step(
            session,
            referral,
            participant,
            user,
            now,
            event="victim objection answered",
            detail=f"{'objected' if objected else 'no objection'} on {on} (V1)",
            action="referral.victim_objection",
            purpose=purpose,
        )
