"""Identity, assignment, status and housing: the edits to a participant's own row.

Every save is one conditional UPDATE on the record's version (SECURITY 25). Active needs the
in-depth intake and a signed release (PROTOCOL T6); inactive and exited need a reason, exit
being the case manager's judgment that no clinical benefit is derived (PROTOCOL P3).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from models import (
    HousingChange,
    Intake,
    Organization,
    Participant,
    ParticipantStatus,
    Referral,
    Release,
    Role,
    StatusChange,
    User,
)
from services.access.auth import CurrentUser
from services.access.policy import ASSIGNERS, IDENTITY_EDITORS
from services.core import audit
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import StaleEditError, ValidationError, site_zone
from services.core.text import strip_controls
from services.participants.casework import check_date, check_text, load_for_change

# Vocabularies for identity and status (all demographics optional, "declined" allowed).
STATUS_REASON_REQUIRED = frozenset({ParticipantStatus.inactive, ParticipantStatus.exited})
HOUSING_SITUATIONS = (
    "unsheltered",
    "vehicle",
    "emergency shelter",
    "transitional housing",
    "staying with others",
    "permanent housing",
    "institution (jail, hospital, treatment)",
    "unknown",
    "declined",
)
RACE_ETHNICITY = (
    "",
    "American Indian or Alaska Native",
    "Asian",
    "Black or African American",
    "Hispanic or Latino/a/e",
    "Middle Eastern or North African",
    "Native Hawaiian or Pacific Islander",
    "White",
    "Multiracial",
    "Another race or ethnicity",
    "declined",
)
GENDER_IDENTITIES = (
    "",
    "woman",
    "man",
    "non-binary",
    "transgender woman",
    "transgender man",
    "two-spirit",
    "another identity",
    "declined",
)
INTERPRETER = {"": None, "yes": True, "no": False}


def _save(
    session: Session,
    user: CurrentUser,
    participant_id: int,
    expected_version: int,
    now: datetime,
    **values,
) -> None:
    """One conditional UPDATE: a save based on a stale read changes nothing (SECURITY 25)."""
    result = session.exec(
        update(Participant)
        .where(col(Participant.id) == participant_id, col(Participant.version) == expected_version)
        .values(**values, version=expected_version + 1, updated_at=now, updated_by=user.username)
    )
    if result.rowcount != 1:
        by, at = session.exec(
            select(Participant.updated_by, Participant.updated_at).where(
                Participant.id == participant_id
            )
        ).one()
        raise StaleEditError(by, at, site_zone(session))


def _clean_identity(values: dict, today: date) -> dict:
    clean = {
        "legal_name": check_text(
            "Legal name", values.get("legal_name", ""), required=True, limit=120
        ),
        "preferred_name": check_text(
            "Preferred name", values.get("preferred_name", ""), required=True, limit=120
        ),
        "primary_language": check_text(
            "Primary language", values.get("primary_language", ""), required=False, limit=60
        ),
    }
    aliases = values.get("aliases") or []
    if isinstance(aliases, str):
        aliases = aliases.split(";")
    aliases = [strip_controls(a).strip() for a in aliases if a and a.strip()]
    if len(aliases) > 20 or any(len(a) > 120 for a in aliases):
        raise ValidationError("Aliases: at most 20, each under 120 characters.")
    clean["aliases"] = list(dict.fromkeys(aliases))
    dob = values.get("date_of_birth")
    if dob is not None:
        if not isinstance(dob, date) or dob > today:
            raise ValidationError("Date of birth: it cannot be in the future.")
        if dob.year < 1900:
            raise ValidationError("Date of birth: check the year.")
    clean["date_of_birth"] = dob
    for key, label, options in (
        ("race_ethnicity", "Race and ethnicity", RACE_ETHNICITY),
        ("gender_identity", "Gender identity", GENDER_IDENTITIES),
    ):
        value = values.get(key) or ""
        if value not in options:
            raise ValidationError(f"{label}: choose one of the listed options (or declined).")
        clean[key] = value
    interpreter = values.get("interpreter_needed")
    if interpreter not in (True, False, None):
        raise ValidationError("Interpreter needed: yes, no, or not recorded.")
    clean["interpreter_needed"] = interpreter
    return clean


def update_identity(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    expected_version: int,
    values: dict,
    today: date,
    now: datetime | None = None,
) -> None:
    """Save identity and demographics; a stale form raises StaleEditError, nothing saved."""
    clean = _clean_identity(values, today)
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id, IDENTITY_EDITORS)
        before = {k: getattr(participant, k) for k in clean}
        _save(session, user, participant_id, expected_version, now, **clean)
        changed = sorted(k for k in clean if clean[k] != before[k])
        audit.append(
            session,
            actor=user.actor,
            action="participant.edit",
            subject=participant.lead_id,
            purpose="changed: " + (", ".join(changed) or "nothing"),
            now=now,
        )


def case_managers(engine: Engine, organization_id: int) -> list[dict]:
    """Enabled case managers of an agency, for pickers."""
    with read_session(engine) as session:
        rows = session.exec(
            select(User.id, User.display_name)
            .where(
                User.role == Role.case_manager,
                User.organization_id == organization_id,
                col(User.disabled).is_(False),
            )
            .order_by(User.display_name)
        ).all()
    return [{"id": uid, "name": name} for uid, name in rows]


def assign_case_manager(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    expected_version: int,
    case_manager_id: int | None,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id, ASSIGNERS)
        if case_manager_id is not None:
            manager = session.get(User, case_manager_id)
            if (
                manager is None
                or manager.role != Role.case_manager
                or manager.disabled
                or manager.organization_id != participant.organization_id
            ):
                raise ValidationError(
                    "Case manager: choose an enabled case manager of the agency holding the record."
                )
        _save(session, user, participant_id, expected_version, now, case_manager_id=case_manager_id)
        audit.append(
            session,
            actor=user.actor,
            action="participant.assign",
            subject=participant.lead_id,
            purpose="case manager assigned" if case_manager_id else "case manager removed",
            now=now,
        )


def _has_intake(session: Session, participant_id: int) -> bool:
    if session.exec(select(Intake.id).where(Intake.participant_id == participant_id)).first():
        return True
    return (
        session.exec(
            select(Referral.id).where(
                Referral.participant_id == participant_id,
                col(Referral.intake_completed_date).is_not(None),
            )
        ).first()
        is not None
    )


def set_status(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    expected_version: int,
    status: str,
    on: date,
    reason: str,
    today: date,
    now: datetime | None = None,
) -> None:
    """Change the status with its date and reason; history is kept in StatusChange.

    Active needs the in-depth intake and a signed release (PROTOCOL T6). Inactive and exited need
    a reason; exit is the case manager's judgment that no clinical benefit is derived (P3).
    """
    try:
        new = ParticipantStatus(status)
    except ValueError:
        raise ValidationError("Status: choose referred, active, inactive or exited.") from None
    on = check_date("Status date", on, today=today)
    reason = check_text("Reason", reason, required=new in STATUS_REASON_REQUIRED, limit=300)
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id)
        if participant.status == new:
            raise ValidationError(f"Status: the participant is already {new.value}.")
        if new == ParticipantStatus.active:
            release = session.exec(
                select(Release.id).where(
                    Release.participant_id == participant_id,
                    col(Release.treatment_information).is_(False),
                    col(Release.rescinded_date).is_(None),
                    col(Release.signed_date) <= on,
                )
            ).first()
            if release is None or not _has_intake(session, participant_id):
                raise ValidationError(
                    "Status: a person becomes an active participant only once the in-depth "
                    "intake is recorded and a release of information is signed (PROTOCOL T6)."
                )
        _save(session, user, participant_id, expected_version, now, status=new)
        session.add(
            StatusChange(
                participant_id=participant_id,
                on=on,
                status=new.value,
                reason=reason,
                username=user.username,
                at=now,
            )
        )
        audit.append(
            session,
            actor=user.actor,
            action="participant.status",
            subject=participant.lead_id,
            purpose=f"status {participant.status.value} -> {new.value}",
            now=now,
        )


def record_housing(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    expected_version: int,
    situation: str,
    on: date,
    today: date,
    now: datetime | None = None,
) -> None:
    """A housing situation from a date; the record shows the latest one."""
    if situation not in HOUSING_SITUATIONS:
        raise ValidationError("Housing situation: choose one of the listed options.")
    on = check_date("Housing date", on, today=today)
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id)
        latest = session.exec(
            select(HousingChange.on)
            .where(HousingChange.participant_id == participant_id)
            .order_by(col(HousingChange.on).desc())
        ).first()
        session.add(
            HousingChange(
                participant_id=participant_id,
                on=on,
                situation=situation,
                username=user.username,
                at=now,
            )
        )
        # An older entry fills in history; only the newest sets the current situation.
        current = situation if latest is None or on >= latest else participant.housing_situation
        _save(session, user, participant_id, expected_version, now, housing_situation=current)
        audit.append(
            session,
            actor=user.actor,
            action="participant.housing",
            subject=participant.lead_id,
            purpose="housing situation recorded",
            now=now,
        )


def organization_codes(engine: Engine) -> list[str]:
    with read_session(engine) as session:
        return list(session.exec(select(Organization.code).order_by(Organization.code)))
