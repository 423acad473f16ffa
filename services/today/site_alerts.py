"""Alerts beyond the referral clock: no contact, the monthly BHRD report, the agenda cut-off.

NC (a site setting, not a protocol rule): an active participant with no contact for N days.
PROTOCOL M5: the monthly client-level report to BHRD, for the project manager. PROTOCOL M2:
the next staffing session's submission cut-off, for the project manager and case managers.
Pure rules first (`no_contact_due`, `bhrd_due`, `report_alerts`), then their readers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import col, func, select

from models import (
    Contact,
    Participant,
    ParticipantStatus,
    Referral,
    Role,
    SiteSettings,
    StaffingSession,
)
from services.access.auth import CurrentUser
from services.core.alert import Alert, make_alert
from services.core.db import read_session
from services.participants.caseload import caseload_clause
from services.rules.calendar import add_months
from services.today.owners import CLOSING_ACTIONS, CUTOFF_OWNERS, OWNERS


def no_contact_due(last_contact: date, settings: SiteSettings) -> date:
    """The day an active participant is flagged for no contact (site setting, default 14)."""
    return last_contact + timedelta(days=settings.no_contact_alert_days)


def bhrd_due(today: date, due_day: int) -> date:
    """PROTOCOL M5: the next BHRD report due date on or after today (due day of each month)."""
    this_month = date(today.year, today.month, due_day)
    return this_month if today <= this_month else add_months(this_month, 1)


def report_alerts(
    user: CurrentUser,
    today: date,
    settings: SiteSettings,
    prepared: Callable[[date], bool] = lambda first_of_month: False,
) -> list[Alert]:
    """PROTOCOL M5: the monthly client-level report to BHRD, for the project manager only.

    The month's report is due on the site's due day of the next month. A report not prepared
    by then stays on Today, overdue, until it is (`prepared(first day of the month covered)`);
    one prepared early gives way to the next month's.
    """
    if user.role != Role.project_manager:
        return []
    due = bhrd_due(today, settings.bhrd_report_due_day)
    this_due = date(today.year, today.month, settings.bhrd_report_due_day)
    if due != this_due and not prepared(add_months(this_due, -1).replace(day=1)):
        due = this_due  # last month's report: past its due day and not prepared
    elif prepared(add_months(due, -1).replace(day=1)):
        due = add_months(due, 1)
    covered = add_months(due, -1)
    month = covered.strftime("%B %Y")
    return [
        make_alert(
            "M5",
            f"BHRD report for {month}",
            due,
            today,
            OWNERS["M5"],
            CLOSING_ACTIONS["M5"],
            f"The monthly client-level report to BHRD for {month} is due on {due} (day"
            f" {settings.bhrd_report_due_day} of the month, PROTOCOL M5).",
            kind="bhrd",
        )
    ]


def bhrd_prepared(engine: Engine) -> Callable[[date], bool]:
    """Whether a month's BHRD report has been prepared (its export is in the audit trail)."""
    from services.reports.funder import (
        last_export,  # funder reads report_back; keep imports one-way
    )
    from services.reports.report_back import period_containing

    return lambda first_of_month: (
        last_export(engine, period_containing(first_of_month, "month")) is not None
    )


def no_contact_alerts(
    engine: Engine, user: CurrentUser, today: date, settings: SiteSettings
) -> list[Alert]:
    """Active participants with no contact for no_contact_alert_days or more (one query).

    Last contact: the later of the participant's last contact date and their latest Contact row;
    with none, the latest completed intake (the day they became active), else the record's date.
    """
    if user.role not in (Role.project_manager, Role.case_manager, Role.clinical_supervisor):
        return []
    # One index lookup per active participant, not a GROUP BY over every contact ever logged
    # (issue 7: 4.9 s per Today rerun at 10,000 participants and 1,000,000 contacts).
    contact_last = (
        select(func.max(Contact.on))
        .where(col(Contact.participant_id) == col(Participant.id))
        .correlate(Participant)
        .scalar_subquery()
    )
    intake = (
        select(Referral.participant_id, func.max(Referral.intake_completed_date).label("intake"))
        .group_by(Referral.participant_id)
        .subquery()
    )
    query = (
        select(
            Participant.id,
            Participant.lead_id,
            Participant.last_contact_date,
            contact_last.label("last"),
            intake.c.intake,
            Participant.created_at,
        )
        .outerjoin(intake, intake.c.participant_id == col(Participant.id))
        .where(Participant.status == ParticipantStatus.active)
    )
    if user.role == Role.case_manager:
        query = query.where(caseload_clause(user.id, today))  # coverage: alerts follow
    elif user.role == Role.clinical_supervisor:
        query = query.where(Participant.organization_id == user.organization_id)
    with read_session(engine) as session:
        rows = session.exec(query).all()
    alerts = []
    for participant_id, lead_id, last_date, last_row, intake_on, created in rows:
        known = [d for d in (last_date, last_row) if d is not None]
        if known:
            since, basis = max(known), "the last contact"
        else:
            since = intake_on or created.date()
            basis = "becoming active, with no contact logged"
        due = no_contact_due(since, settings)
        if today < due:
            continue
        alerts.append(
            make_alert(
                "NC",
                lead_id,
                due,
                today,
                OWNERS["NC"],
                CLOSING_ACTIONS["NC"],
                f"No contact with {lead_id} for {(today - since).days} days since {basis} on"
                f" {since} (flagged after {settings.no_contact_alert_days} days, a site"
                " setting).",
                kind="no-contact",
                participant_id=participant_id,
            )
        )
    return alerts


def cutoff_alerts(engine: Engine, user: CurrentUser, today: date) -> list[Alert]:
    """PROTOCOL M2: the next staffing session's submission cut-off (PM and case managers)."""
    if user.role not in CUTOFF_OWNERS:
        return []
    with read_session(engine) as session:
        row = session.exec(
            select(StaffingSession.kind, StaffingSession.on, StaffingSession.cutoff_on)
            .where(
                col(StaffingSession.cutoff_on) >= today,
                col(StaffingSession.finalized_at).is_(None),
            )
            .order_by(col(StaffingSession.cutoff_on), col(StaffingSession.on))
            .limit(1)
        ).first()
    if row is None:
        return []
    kind, on, cutoff = row
    owner, action = CUTOFF_OWNERS[user.role]
    label = "Staffing session" if kind == "staffing" else f"{kind.capitalize()} meeting"
    return [
        make_alert(
            "M2",
            f"{label} on {on}",
            cutoff,
            today,
            owner,
            action,
            f"Names to discuss at the {on} {kind} meeting, each with a brief reason, are due to"
            f" the project manager by {cutoff} (PROTOCOL M2).",
            kind="cutoff",
        )
    ]
