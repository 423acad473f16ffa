"""The rows of a participant's record: timeline events, intakes (PROTOCOL T4), releases (C3,
C4), services (P2, P3), and the open deadlines (T4, T5, C3/T6, S6 from the rules; staffing's
action items), those of a partner only when they concern the partner's organization.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import (
    ActionItem,
    Intake,
    Organization,
    OrgKind,
    Participant,
    Referral,
    Release,
    Service,
)
from services.access.auth import CurrentUser
from services.access.policy import PARTNER_ROLES
from services.core.site import get_settings
from services.participants.casework import (
    FACTOR_ANSWERS,
    FUNDING,
    INTAKE_FACTORS,
)
from services.rules import consent as consent_rules
from services.rules.consent import release_status
from services.rules.deadlines import open_obligations

# Which open deadlines concern which partner (PROTOCOL T4, T5, S6; M4 the prosecutor decides).
DEADLINE_AUDIENCE = {
    "T4": frozenset({OrgKind.police, OrgKind.sheriff, OrgKind.corrections, OrgKind.prosecutor}),
    "T5": frozenset({OrgKind.prosecutor}),
    "S6": frozenset({OrgKind.police, OrgKind.sheriff}),
    "C3": frozenset(),
}


def event(on: date, at: datetime | None, what: str, detail: str, by: str) -> dict:
    return {
        "_on": on,
        "_at": (at.replace(tzinfo=None) if at else datetime.min),
        "Date": on.isoformat(),
        "What": what,
        "Detail": detail,
        "By": by,
    }


def intake_row(intake: Intake, needs: bool) -> dict:
    row = {"Date": intake.on.isoformat()}
    for key, label in INTAKE_FACTORS.items():
        row[label] = intake.factors.get(key, "not asked")
    if needs:
        row["Immediate needs met"] = intake.immediate_needs_met
    row["By"] = intake.username
    return row


def intake_summary(intake: Intake) -> str:
    identified = [
        label
        for key, label in INTAKE_FACTORS.items()
        if intake.factors.get(key) == FACTOR_ANSWERS[0]
    ]
    return "needs identified: " + (", ".join(identified) if identified else "none")


def release_row(release: Release, today: date) -> dict:
    state = release_status(
        {
            "signed_date": release.signed_date,
            "expires_date": release.expires_date,
            "rescinded_date": release.rescinded_date,
        },
        today,
    )
    return {
        "_id": release.id,
        "State today": state,
        "Kind": release.kind,
        "Signed": release.signed_date.isoformat(),
        "Expires": release.expires_date.isoformat() if release.expires_date else "",
        "Rescinded": release.rescinded_date.isoformat() if release.rescinded_date else "",
        "Covers": ", ".join(release.covered_org_codes),
        "Purpose": release.purpose,
        "Memorialised by": release.memorialised_by,
        "Recorded by": release.created_by,
    }


def service_row(service: Service) -> dict:
    return {
        "_id": service.id,
        "_open": service.withdrawn_on is None,
        "Type": service.category,
        "Provider": service.provider,
        "Start": service.start_on.isoformat(),
        "End": service.end_on.isoformat() if service.end_on else "",
        "Cost": f"${service.cost_cents / 100:,.2f}",
        "Funding (PROTOCOL P2)": FUNDING.get(service.funding, service.funding),
        "Withdrawn (PROTOCOL P3)": service.withdrawn_on.isoformat() if service.withdrawn_on else "",
        "Withdrawal reason": service.withdrawal_reason,
    }


def deadline_rows(
    session: Session, engine: Engine, user: CurrentUser, p: Participant, today: date
) -> list[dict]:
    """Open deadlines of this person: all for provider staff, those concerning a partner's org."""
    settings = get_settings(engine)
    org_kind = session.exec(
        select(Organization.kind).where(Organization.id == user.organization_id)
    ).first()
    partner = user.role in PARTNER_ROLES
    general = [
        r
        for r in session.exec(select(Release).where(Release.participant_id == p.id))
        if not r.treatment_information
    ]
    signed, rescinded = consent_rules.c3_inputs(
        min((r.signed_date for r in general), default=None),
        max((r.rescinded_date for r in general if r.rescinded_date), default=None),
        sum(1 for r in general if not r.rescinded_date),
    )
    rows = []
    for referral in session.exec(select(Referral).where(Referral.participant_id == p.id)):
        dates = {
            "referral_date": referral.referral_date,
            "initial_screening_date": referral.initial_screening_date,
            "intake_completed_date": referral.intake_completed_date,
            "intake_extended_to": referral.intake_extended_to,
            "roi_signed_date": signed,
            "roi_rescinded_date": rescinded,
            "prosecutor_notified_date": referral.prosecutor_notified_date,
            "social_contact_approved_date": referral.social_contact_approved_date,
            "reassessed_date": referral.reassessed_date,
            "closed_date": referral.closed_date,
        }
        kind = getattr(referral.referral_type, "value", referral.referral_type)
        for rule, due, message in open_obligations(
            kind,
            dates,
            today,
            intake_days=settings.intake_days,
            notice_days=settings.prosecutor_notice_days,
            approval_months=settings.social_contact_approval_months,
        ):
            if partner:
                if org_kind not in DEADLINE_AUDIENCE[rule]:
                    continue
                office = referral.prosecutor_office
                if rule == "T5" and office and office != user.organization_code:
                    continue
            rows.append({"Due": due.isoformat(), "Rule": rule, "What is owed": message})
    items = select(ActionItem).where(
        ActionItem.participant_id == p.id, col(ActionItem.done_on).is_(None)
    )
    if partner:
        items = items.where(ActionItem.owner_org_code == user.organization_code)
    for item in session.exec(items):
        rows.append(
            {
                "Due": item.due_on.isoformat(),
                "Rule": "action item",
                "What is owed": f"{item.owner_org_code or 'Team'}: {item.text}",
            }
        )
    rows.sort(key=lambda r: r["Due"])
    return rows
