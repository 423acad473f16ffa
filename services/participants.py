"""Participant search and the read-only record, filtered field by field (SECURITY 1-3, 8, 20).

Provider staff (project manager, case managers, clinical supervisor) see their agency's records.
Police, sheriff, corrections and prosecutors see a participant only under an active release of
information covering their organization (PROTOCOL C3), and then only partner-safe fields.
Community representatives never see a person's record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import Organization, Participant, Release, Role, User
from services import audit
from services.auth import CurrentUser
from services.db import read_session
from services.errors import ValidationError
from services.policy import PARTNER_ROLES, PROVIDER_ROLES, release_state, visible_fields

MAX_QUERY_LENGTH = 80

FIELD_LABELS = {
    "lead_id": "LEAD id",
    "preferred_name": "Preferred name",
    "legal_name": "Legal name",
    "aliases": "Aliases",
    "date_of_birth": "Date of birth",
    "status": "Status",
    "case_manager": "Case manager",
    "case_manager_contact": "How to reach the case manager",
    "last_contact_date": "Last contact",
    "case_notes": "Case notes",
    "substance_use": "Substance use",
    "mental_health": "Mental health",
    "criminal_history": "Criminal history",
}


@dataclass(frozen=True)
class RecordView:
    """What one user may see of one participant; `allowed` False means show nothing."""

    allowed: bool
    consent: str
    fields: dict[str, str] = field(default_factory=dict)


def _releases_by_participant(session: Session, ids: list[int]) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    if not ids:
        return grouped
    for release in session.exec(select(Release).where(col(Release.participant_id).in_(ids))):
        grouped.setdefault(release.participant_id, []).append(
            {
                "signed_date": release.signed_date,
                "expires_date": release.expires_date,
                "rescinded_date": release.rescinded_date,
                "covered_org_codes": list(release.covered_org_codes),
            }
        )
    return grouped


def _provider_may_see(user: CurrentUser, participant: Participant) -> bool:
    # The project manager administers the site; case management staff see their agency's records.
    return user.role == Role.project_manager or participant.organization_id == user.organization_id


def _consent(user: CurrentUser, releases: list[dict], today: date) -> str:
    return release_state(releases, user.organization_code, today)


def _fields_for(
    user: CurrentUser, participant: Participant, consent: str, staff: dict[int, User]
) -> dict[str, str]:
    if user.role in PROVIDER_ROLES and not _provider_may_see(user, participant):
        return {}
    allowed = visible_fields(user.role, consent)
    manager = staff.get(participant.case_manager_id)
    values = {
        "lead_id": participant.lead_id,
        "preferred_name": participant.preferred_name,
        "legal_name": participant.legal_name,
        "aliases": ", ".join(participant.aliases),
        "date_of_birth": participant.date_of_birth.isoformat() if participant.date_of_birth else "",
        "status": participant.status.value,
        "case_manager": manager.display_name if manager else "unassigned",
        "case_manager_contact": f"{manager.display_name} via the LEAD case management office"
        if manager
        else "",
        "last_contact_date": participant.last_contact_date.isoformat()
        if participant.last_contact_date
        else "none recorded",
        "case_notes": participant.case_notes,
        "substance_use": participant.substance_use,
        "mental_health": participant.mental_health,
        "criminal_history": participant.criminal_history,
    }
    return {FIELD_LABELS[name]: values[name] for name in FIELD_LABELS if name in allowed}


def _staff(session: Session) -> dict[int, User]:
    return {u.id: u for u in session.exec(select(User).where(User.role == Role.case_manager))}


def validate_query(query: str) -> str:
    query = (query or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationError(f"Search: use at most {MAX_QUERY_LENGTH} characters.")
    return query.casefold()


def _matches(participant: Participant, needle: str) -> bool:
    if not needle:
        return True
    if participant.lead_id.casefold() == needle:
        return True
    names = [participant.preferred_name, participant.legal_name, *participant.aliases]
    return any(needle in name.casefold() for name in names)


def search(engine: Engine, user: CurrentUser, query: str, today: date) -> list[dict]:
    """Participants this user may see whose LEAD id equals, or a name or alias contains, query.

    Matching is done in Python on plain strings: `%`, `_` and quotes are ordinary characters.
    """
    needle = validate_query(query)
    if user.role not in PROVIDER_ROLES | PARTNER_ROLES:
        return []
    with read_session(engine) as session:
        rows = list(session.exec(select(Participant).order_by(Participant.lead_id)))
        releases = _releases_by_participant(session, [p.id for p in rows])
        staff = _staff(session)
    results = []
    for participant in rows:
        consent = _consent(user, releases.get(participant.id, []), today)
        fields = _fields_for(user, participant, consent, staff)
        if not fields or not _matches(participant, needle):
            continue
        results.append(
            {
                "id": participant.id,
                "LEAD id": fields.get("LEAD id", ""),
                "Name": fields.get("Preferred name", ""),
                "Status": fields.get("Status", ""),
                "Case manager": fields.get("Case manager", ""),
                "Last contact": fields.get("Last contact", ""),
            }
        )
    return results


def view_record(
    engine: Engine, user: CurrentUser, participant_id: int, today: date, purpose: str
) -> RecordView:
    """The record as this user may see it, audited; raises AuditWriteError if the audit fails."""
    with read_session(engine) as session:
        participant = session.get(Participant, participant_id)
        releases = _releases_by_participant(session, [participant_id]) if participant else {}
        staff = _staff(session)
    if participant is None:
        audit.record(engine, actor=user.actor, action="participant.view", outcome="not found")
        return RecordView(allowed=False, consent="none")
    consent = _consent(user, releases.get(participant_id, []), today)
    fields = _fields_for(user, participant, consent, staff)
    subject = participant.lead_id
    if not fields:
        audit.record(
            engine,
            actor=user.actor,
            action="participant.view",
            subject=subject,
            outcome=f"denied ({consent} release)",
            purpose=purpose,
        )
        return RecordView(allowed=False, consent=consent)
    audit.record(
        engine, actor=user.actor, action="participant.view", subject=subject, purpose=purpose
    )
    return RecordView(allowed=True, consent=consent, fields=fields)


def organization_codes(engine: Engine) -> list[str]:
    with read_session(engine) as session:
        return list(session.exec(select(Organization.code).order_by(Organization.code)))
