"""The participant record: the audited view, filtered field by field.

`view_record` reads only the fields services/access/policy.py allows this user (SECURITY 1-3,
8, 20; partners under an active release, PROTOCOL C3) and audits every view, denied ones too.
The sections (intakes T4, plan P1, releases C3/C4, services P2/P3, contacts, status, housing,
open deadlines) are filled by services.participants.record_sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from models import Organization, Participant
from services.access.auth import CurrentUser
from services.access.policy import (
    ASSIGNERS,
    CASEWORK_EDITORS,
    IDENTITY_EDITORS,
    PROVIDER_ROLES,
    release_state,
)
from services.core import audit
from services.core.db import read_session
from services.participants.casework import general_releases
from services.participants.lookup import fields_for
from services.participants.record_sections import SECTIONS, Parts, Reading, staff_names

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
    "race_ethnicity": "Race and ethnicity",
    "primary_language": "Primary language",
    "interpreter_needed": "Interpreter needed",
    "gender_identity": "Gender identity",
    "housing_situation": "Housing situation",
    "intake_date": "In-depth intake",
    "case_notes": "Case notes",
    "substance_use": "Substance use",
    "mental_health": "Mental health",
    "criminal_history": "Criminal history",
}
SECTION_LABELS = {
    "plan_domains": "Individual Intervention Plan (IIP): domains and status",
    "open_deadlines": "Open deadlines",
    "releases": "Releases of information (ROI)",
    "treatment_releases": "Treatment-information releases (PROTOCOL C4)",
    "intakes": "In-depth intakes",
    "plan_goals": "Individual Intervention Plan (IIP) goals",
    "plan_history": "Goal history",
    "services": "Services",
    "treatment_services": "Treatment services",
    "contacts": "Contacts",
    "status_history": "Status history",
    "housing_history": "Housing over time",
    "timeline": "Timeline",
}


@dataclass(frozen=True)
class RecordView:
    """What one user may see of one participant; `allowed` False means show nothing.

    `fields` holds single values by label; `sections` holds tables by section key (rows are plain
    dicts; keys starting with "_" carry ids and versions for edit forms, not for display).
    `edits` names the changes this user may make: identity, casework, assign.
    """

    allowed: bool
    consent: str
    fields: dict[str, str] = field(default_factory=dict)
    sections: dict[str, list[dict]] = field(default_factory=dict)
    participant_id: int | None = None
    version: int | None = None
    values: dict = field(default_factory=dict)
    edits: frozenset[str] = frozenset()

    def who(self) -> str:
        """Whose record this is, as this viewer may see it: the preferred name (else the legal
        name, when visible) and the LEAD id; e.g. "Avery · BUR-0007". Empty when denied."""
        name = self.fields.get("Preferred name") or self.fields.get("Legal name") or ""
        return " · ".join(part for part in (name, self.fields.get("LEAD id", "")) if part)

    def shown_text(self) -> str:
        """Everything this view would put on screen, as one string (for leak checks)."""
        parts = [f"{k}: {v}" for k, v in self.fields.items()]
        for name, rows in self.sections.items():
            parts.append(name)
            for row in rows:
                parts += [f"{k}: {v}" for k, v in row.items() if not k.startswith("_")]
        return "\n".join(parts)


def view_record(
    engine: Engine, user: CurrentUser, participant_id: int, today: date, purpose: str
) -> RecordView:
    """The record as this user may see it, audited; raises AuditWriteError if the audit fails.

    A denied view carries no identifier and writes one audit row saying why.
    """
    with read_session(engine) as session:
        participant = session.get(Participant, participant_id)
        releases = general_releases(session, [participant_id]) if participant else {}
        consent = release_state(releases.get(participant_id, []), user.organization_code, today)
        allowed = fields_for(user, participant.organization_id, consent) if participant else None
        view = (
            _build(session, engine, user, participant, allowed, consent, today) if allowed else None
        )
    if participant is None:
        audit.record(engine, actor=user.actor, action="participant.view", outcome="not found")
        return RecordView(allowed=False, consent="none")
    if view is None:
        audit.record(
            engine,
            actor=user.actor,
            action="participant.view",
            subject=participant.lead_id,
            outcome=f"denied ({consent} release)",
            purpose=purpose,
        )
        return RecordView(allowed=False, consent=consent)
    audit.record(
        engine,
        actor=user.actor,
        action="participant.view",
        subject=participant.lead_id,
        purpose=purpose,
    )
    return view


def _build(
    session: Session,
    engine: Engine,
    user: CurrentUser,
    p: Participant,
    allowed: frozenset[str],
    consent: str,
    today: date,
) -> RecordView:
    names, by_username = staff_names(session)
    reading = Reading(session, engine, user, p, allowed, today, names, by_username)
    parts = Parts()
    for add in SECTIONS:
        add(reading, parts)
    values = _values(p, names.get(p.case_manager_id), session.get(Organization, p.organization_id))
    if parts.intake_date is not None:
        values["intake_date"] = parts.intake_date
    if user.role in PROVIDER_ROLES:
        parts.timeline.sort(key=lambda e: (e["_on"], e["_at"]), reverse=True)
        parts.sections["timeline"] = parts.timeline
    edits = _edits(user)
    return RecordView(
        allowed=True,
        consent=consent,
        fields={FIELD_LABELS[name]: values[name] for name in FIELD_LABELS if name in allowed},
        sections=parts.sections,
        participant_id=p.id,
        version=p.version if edits else None,
        values=_editable_values(p) if edits else {},
        edits=edits,
    )


def _values(p: Participant, manager: str | None, org: Organization | None) -> dict[str, str]:
    """The record's single values as shown, by field name (the policy picks which)."""
    return {
        "lead_id": p.lead_id,
        "preferred_name": p.preferred_name,
        "legal_name": p.legal_name,
        "aliases": ", ".join(p.aliases),
        "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else "",
        "status": p.status.value,
        "case_manager": manager or "unassigned",
        "case_manager_contact": f"{manager}, {org.name if org else 'case management provider'}"
        " (through the LEAD case management office)"
        if manager
        else "",
        "last_contact_date": p.last_contact_date.isoformat()
        if p.last_contact_date
        else "none recorded",
        "race_ethnicity": p.race_ethnicity,
        "primary_language": p.primary_language,
        "interpreter_needed": {True: "yes", False: "no", None: ""}[p.interpreter_needed],
        "gender_identity": p.gender_identity,
        "housing_situation": p.housing_situation,
        "case_notes": p.case_notes,
        "substance_use": p.substance_use,
        "mental_health": p.mental_health,
        "criminal_history": p.criminal_history,
    }


def _edits(user: CurrentUser) -> frozenset[str]:
    """The changes this user may make to a record they may see."""
    edits = set()
    if user.role in IDENTITY_EDITORS:
        edits.add("identity")
    if user.role in CASEWORK_EDITORS:
        edits.add("casework")
    if user.role in ASSIGNERS:
        edits.add("assign")
    return frozenset(edits)


def _editable_values(p: Participant) -> dict:
    """The current values the edit forms start from."""
    return {
        "legal_name": p.legal_name,
        "preferred_name": p.preferred_name,
        "aliases": list(p.aliases),
        "date_of_birth": p.date_of_birth,
        "race_ethnicity": p.race_ethnicity,
        "primary_language": p.primary_language,
        "interpreter_needed": p.interpreter_needed,
        "gender_identity": p.gender_identity,
        "housing_situation": p.housing_situation,
        "status": p.status.value,
        "case_manager_id": p.case_manager_id,
    }
