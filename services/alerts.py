"""Deadline alerts for the Today page: the contract rules applied to every open referral.

`services.deadlines.alerts_for` decides what is owed (PROTOCOL T4, T5, C3/T6, S6); this module
gathers the referrals a user is responsible for, adds severity and who must act, and records
the closing actions (intake completed, prosecutor notified, re-assessment done).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import col, func, select

from models import Participant, Referral, Release, Role
from services import audit
from services.auth import CurrentUser
from services.clock import utcnow
from services.db import read_session, write_session
from services.deadlines import open_obligations
from services.errors import StaleEditError, ValidationError
from services.site import get_settings

REFERRAL_DATE_KEYS = (
    "referral_date",
    "initial_screening_date",
    "intake_completed_date",
    "intake_extended_to",
    "prosecutor_notified_date",
    "social_contact_approved_date",
    "reassessed_date",
    "closed_date",
)
SEVERITIES = ("overdue", "due in 2 days", "due in 7 days", "later")
SEVERITY_ICONS = {
    "overdue": "🔴 Overdue",
    "due in 2 days": "🟠 Due in 2 days",
    "due in 7 days": "🟡 Due in 7 days",
    "later": "⚪ Later",
}
# Who must act and the one action that closes each rule's alert.
OWNERS = {
    "T4": "Case manager",
    "T5": "Provider (notice to the prosecutor)",
    "C3": "Case manager",
    "S6": "Project manager (sergeant re-assesses)",
}
CLOSING_ACTIONS = {
    "T4": "Record the intake",
    "T5": "Record the prosecutor notice",
    "C3": "Record a signed release",
    "S6": "Record the re-assessment",
}


@dataclass(frozen=True)
class Alert:
    """One obligation: which rule, about what (a LEAD id or a report), due when, who acts."""

    rule: str
    subject: str
    due: date
    days_left: int
    severity: str
    owner: str
    action: str
    message: str
    referral_id: int | None = None
    referral_version: int | None = None


def make_alert(
    rule: str, subject: str, due: date, today: date, owner: str, action: str, message: str, **refs
) -> Alert:
    """Build an alert with its days left and severity computed the one way."""
    return Alert(
        rule=rule,
        subject=subject,
        due=due,
        days_left=(due - today).days,
        severity=severity(due, today),
        owner=owner,
        action=action,
        message=message,
        **refs,
    )


def severity(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return "overdue"
    if days <= 2:
        return "due in 2 days"
    if days <= 7:
        return "due in 7 days"
    return "later"


def open_alerts(engine: Engine, user: CurrentUser, today: date) -> list[Alert]:
    """Most urgent first: a case manager's own, a supervisor's team, everything for the PM.

    Reads plain columns (no ORM objects) and applies the contract's rules through
    `open_obligations`, so 10,000 open referrals take well under a second.
    """
    settings = get_settings(engine)
    release = (
        select(
            Release.participant_id,
            func.min(Release.signed_date).label("signed"),
            func.max(Release.rescinded_date).label("rescinded"),
            (func.count() - func.count(Release.rescinded_date)).label("unrescinded"),
        )
        .group_by(Release.participant_id)
        .subquery()
    )
    query = (
        select(
            Referral.id,
            Referral.version,
            Referral.referral_type,
            Participant.lead_id,
            release.c.signed,
            release.c.rescinded,
            release.c.unrescinded,
            *[getattr(Referral, key) for key in REFERRAL_DATE_KEYS],
        )
        .join(Participant, col(Participant.id) == col(Referral.participant_id))
        .outerjoin(release, release.c.participant_id == col(Referral.participant_id))
        .where(col(Referral.closed_date).is_(None))
    )
    if user.role == Role.case_manager:
        query = query.where(Participant.case_manager_id == user.id)
    elif user.role == Role.clinical_supervisor:
        query = query.where(Participant.organization_id == user.organization_id)
    elif user.role != Role.project_manager:
        return []
    with read_session(engine) as session:
        rows = session.exec(query).all()
    alerts = []
    for row in rows:
        referral_id, version, referral_type, lead_id, signed, rescinded, unrescinded = row[:7]
        dates = dict(zip(REFERRAL_DATE_KEYS, row[7:], strict=True))
        # PROTOCOL T6/C3: the first release signed is what the intake needed; consent is lost
        # only when every release the person signed has been rescinded.
        dates["roi_signed_date"] = signed
        dates["roi_rescinded_date"] = rescinded if signed is not None and not unrescinded else None
        for rule, due, message in open_obligations(
            getattr(referral_type, "value", referral_type),
            dates,
            today,
            intake_days=settings.intake_days,
            notice_days=settings.prosecutor_notice_days,
            approval_months=settings.social_contact_approval_months,
        ):
            alerts.append(
                make_alert(
                    rule,
                    lead_id,
                    due,
                    today,
                    OWNERS[rule],
                    CLOSING_ACTIONS[rule],
                    message,
                    referral_id=referral_id,
                    referral_version=version,
                )
            )
    for source in extra_sources():
        alerts.extend(source(engine, user, today))
    alerts.sort(key=lambda a: (a.due, a.rule, a.subject))
    return alerts


def extra_sources() -> list:
    """Alert sources beyond the referral clock: functions (engine, user, today) -> [Alert].

    Each area registers its own here (imported lazily to keep imports one-way).
    """
    return []


def alert_rows(alerts: list[Alert]) -> list[dict]:
    return [
        {
            "Severity": SEVERITY_ICONS[a.severity],
            "Due": a.due.isoformat(),
            "Days left": a.days_left,
            "Rule": a.rule,
            "About": a.subject,
            "Who acts": a.owner,
            "Closing action": a.action,
            "What is owed": a.message,
        }
        for a in alerts
    ]


# --- Closing actions --------------------------------------------------------------------------

RECORDABLE = {
    "T4": ("intake_completed_date", "referral.intake"),
    "T5": ("prosecutor_notified_date", "referral.prosecutor_notice"),
    "S6": ("reassessed_date", "referral.reassessment"),
}


def record_closing_action(
    engine: Engine,
    user: CurrentUser,
    *,
    rule: str,
    referral_id: int,
    expected_version: int,
    on: date,
    today: date,
    now: datetime | None = None,
) -> None:
    """Record the date that closes an alert; validated, version-checked and audited."""
    if rule not in RECORDABLE:
        raise ValidationError(f"{CLOSING_ACTIONS.get(rule, rule)}: record it on the record page.")
    column, action = RECORDABLE[rule]
    if on > today:
        raise ValidationError("Date: it cannot be in the future.")
    now = now or utcnow()
    with write_session(engine) as session:
        referral = session.get(Referral, referral_id)
        if referral is None:
            raise ValidationError("Referral: no such referral.")
        if referral.version != expected_version:
            raise StaleEditError.for_row(referral)
        if on < referral.referral_date:
            raise ValidationError(
                f"Date: it cannot be before the referral date {referral.referral_date}."
            )
        setattr(referral, column, on)
        referral.version += 1
        referral.updated_at = now
        referral.updated_by = user.username
        session.add(referral)
        participant = session.get(Participant, referral.participant_id)
        audit.append(
            session,
            actor=user.actor,
            action=action,
            subject=participant.lead_id if participant else str(referral_id),
            purpose=f"closes {rule} alert",
            now=now,
        )
