"""One referral as a user may see it: its cover sheet in plain words, its clock, its events
and the steps that make sense now; the view is audited. The project manager never sees
criminal history or the screen's reasons (42 CFR Part 2, RESTRICTED_REFERRAL_FIELDS).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date

from sqlalchemy import Engine
from sqlmodel import col, select

from models import Organization, Participant, ParticipantStatus, Referral, ReferralEvent, Role
from services.access.auth import CurrentUser
from services.core import audit
from services.core.db import read_session
from services.core.site import get_settings, prosecutor_offices
from services.referrals.actions import available_actions, t2_notifications
from services.referrals.cover_sheet import reason_sentences
from services.referrals.scope import may_touch, require_provider
from services.referrals.stage import Clock, clock
from services.referrals.vocabulary import (
    CONVICTION_LABELS,
    DETERMINATION_LABELS,
    DRUG_LABELS,
    LEFT,
    NOTICE_METHODS,
    OFFENSE_LABELS,
    REFERRAL_TYPE_LABELS,
    STAGE_LABELS,
    VERIFICATION_LABELS,
    code_of,
    iso,
)

# Fields of the cover sheet the project manager never sees (42 CFR Part 2; criminal history).
RESTRICTED_REFERRAL_FIELDS = (
    "Drug",
    "Drug grams",
    "Prior convictions",
    "Determinations",
    "Warrant or DOC notes",
    "Verification basis",
    "Screen reasons",
    "Override reason",
    "Marked unable to consent (C2)",
)


def referral_detail(
    engine: Engine, user: CurrentUser, referral_id: int, today: date, *, purpose: str
) -> dict | None:
    """One referral as this user may see it, with its events; the view is audited.

    None when it is not in the user's agency (audited as denied). Raises AuditWriteError when
    the audit row cannot be written (the page then shows nothing).
    """
    require_provider(user)
    settings = get_settings(engine)
    found = _load(engine, user, referral_id)
    if found is None:
        audit.record(
            engine, actor=user.actor, action="referral.view", outcome="denied", purpose=purpose
        )
        return None
    referral, participant, org, events = found
    audit.record(
        engine,
        actor=user.actor,
        action="referral.view",
        subject=participant.lead_id,
        purpose=purpose,
    )
    row = referral.model_dump() | {
        "participant_active": participant.status == ParticipantStatus.active
    }
    state = clock(row, today, settings)
    kind = code_of(referral.referral_type)
    offices = prosecutor_offices(engine)
    fields = _sheet_fields(referral, participant, org, kind, offices) | _progress_fields(
        referral, state
    )
    if user.role == Role.project_manager:
        fields = {k: v for k, v in fields.items() if k not in RESTRICTED_REFERRAL_FIELDS}
    return {
        "id": referral.id,
        "version": referral.version,
        "lead_id": participant.lead_id,
        "referral_type": kind,
        "stage": state.stage,
        "intake_due": state.due,
        "prosecutor_office": referral.prosecutor_office,
        "incapacitated": referral.incapacitated,
        "referral_date": referral.referral_date,
        "initial_screening_date": referral.initial_screening_date,
        "prosecutor_notified": referral.prosecutor_notified_date is not None,
        "fields": {k: v for k, v in fields.items() if v not in ("", None)},
        "events": [
            {
                "When (UTC)": e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
                "Who": e.username,
                "What": e.event,
                "Detail": e.detail,
            }
            for e in events
        ],
        "actions": available_actions(kind, state.stage, state.due, today, referral, user.role),
        "t2_notifications": t2_notifications(referral, offices) if state.stage == LEFT else [],
    }


def _load(
    engine: Engine, user: CurrentUser, referral_id: int
) -> tuple[Referral, Participant, Organization | None, list[ReferralEvent]] | None:
    """The referral, its participant, referring agency and events; None outside the agency."""
    with read_session(engine) as session:
        referral = session.get(Referral, referral_id)
        participant = session.get(Participant, referral.participant_id) if referral else None
        if referral is None or participant is None or not may_touch(user, participant):
            return None
        org = (
            session.get(Organization, referral.referring_organization_id)
            if referral.referring_organization_id
            else None
        )
        events = session.exec(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id == referral_id)
            .order_by(col(ReferralEvent.at), col(ReferralEvent.id))
        ).all()
    return referral, participant, org, list(events)


def _sheet_fields(
    referral: Referral,
    participant: Participant,
    org: Organization | None,
    kind: str,
    offices: Mapping[str, str],
) -> dict[str, str]:
    """The cover sheet in plain words, in the order the form asks it."""
    return {
        "LEAD id": participant.lead_id,
        "Name": participant.preferred_name,
        "Type": REFERRAL_TYPE_LABELS[kind],
        "Referral date": referral.referral_date.isoformat(),
        "Referring agency": org.name if org else "",
        "Referring officer": referral.referring_officer,
        "Supervising sergeant": referral.supervising_sergeant,
        "Prosecutor with jurisdiction": offices.get(referral.prosecutor_office, ""),
        "Offense": OFFENSE_LABELS.get(referral.offense, referral.offense),
        "Place": referral.place,
        "Inside the catchment area": _yes_no(referral.in_catchment),
        "Victim involved": _yes_no(referral.victim_involved),
        "Victim information sheet given": iso(referral.victim_sheet_date) or "",
        "Victim objected (prosecutor's answer, V1)": ""
        if referral.victim_objected is None
        else f"{_yes_no(referral.victim_objected)} ({iso(referral.victim_objection_answered_on)})",
        "Drug": DRUG_LABELS.get(referral.drug, referral.drug),
        "Drug grams": "" if referral.drug_grams is None else f"{referral.drug_grams:g}",
        "Prior convictions": "; ".join(
            f"{CONVICTION_LABELS.get(c['offense'], c['offense'])} {c['date']}"
            + (" (attempt)" if c.get("attempt") else "")
            for c in referral.convictions
        ),
        "Determinations": "; ".join(
            f"{DETERMINATION_LABELS[k]}: {_yes_no(v)}"
            for k, v in referral.determinations.items()
            if k in DETERMINATION_LABELS
        ),
        "Warrant or DOC notes": referral.warrant_doc_notes,
        "Verification basis": ""
        if kind == "arrest"
        else VERIFICATION_LABELS.get(referral.verification_basis, ""),
        "Last known violation": iso(referral.last_violation_date) or "",
        "Approving sergeant": referral.approving_sergeant,
        "Approved on": iso(referral.social_contact_approved_date) or "",
        "Screen": "not screened"
        if referral.screen_eligible is None
        else ("Eligible" if referral.screen_eligible else "Excluded"),
        "Screen reasons": "\n".join(
            reason_sentences(referral.screen_reasons, referral.convictions, referral.referral_date)
        ),
        "Override recommended (B13)": _yes_no(referral.override_recommended),
        "Override reason": referral.override_reason,
        "Marked unable to consent (C2)": _yes_no(referral.incapacitated),
    }


def _progress_fields(referral: Referral, state: Clock) -> dict[str, str]:
    """Where the referral stands: stage, clock, the lifecycle dates and the next action."""
    return {
        "Stage": STAGE_LABELS[state.stage],
        "Clock": state.text,
        "Intake due": iso(state.due) or "",
        "Intake deadline extended by": referral.intake_extended_by,
        "Initial screening": iso(referral.initial_screening_date) or "",
        "Intake scheduled": iso(referral.intake_scheduled_date) or "",
        "Intake completed": iso(referral.intake_completed_date) or "",
        "Prosecutor notified": " ".join(
            x
            for x in (
                iso(referral.prosecutor_notified_date) or "",
                referral.prosecutor_notice_office,
                NOTICE_METHODS.get(referral.prosecutor_notice_method, ""),
            )
            if x
        ),
        "Closed": " ".join(
            x for x in (iso(referral.closed_date) or "", referral.closed_reason) if x
        ),
        "Next action": state.next_action,
    }


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")
