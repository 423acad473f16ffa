"""The referral clock: what every open referral a user answers for owes today.

`services.rules.deadlines.open_obligations` decides what is owed (PROTOCOL T4, T5, C3/T6, S6);
this module reads the open referrals a user is responsible for (a case manager's caseload with
coverage, a supervisor's agency, everything for the project manager) in one query and turns
each obligation into an alert with its owner and closing action. It also raises the two soft
referral reminders: the optimal intake 24-48 hours after screening (T4) and the victim
objection window (V1).
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import Engine
from sqlmodel import col, func, select

from models import Participant, Referral, Release, Role, SiteSettings
from services import referrals
from services.access.auth import CurrentUser
from services.core.alert import REFERRAL_DATE_KEYS, Alert, make_alert
from services.core.db import read_session
from services.participants.caseload import caseload_clause
from services.rules import consent as consent_rules
from services.rules.deadlines import open_obligations
from services.today.owners import (
    CLOSING_ACTIONS,
    OPTIMAL_ACTION,
    OPTIMAL_OWNER,
    OWNERS,
    c3_action,
)

# Who answers for referrals on Today; partners and community members are owed nothing here.
CLOCK_ROLES = frozenset({Role.project_manager, Role.case_manager, Role.clinical_supervisor})


def referral_alerts(
    engine: Engine, user: CurrentUser, today: date, settings: SimpleNamespace
) -> list[Alert]:
    """The alerts of every open referral this user answers for (one query, plain rows).

    `settings` holds plain attributes: a table model's attribute read goes through SQLAlchemy's
    instrumentation, and the rules read settings for each of 10,000 rows.
    """
    if user.role not in CLOCK_ROLES:
        return []
    with read_session(engine) as session:
        # Core execution: plain tuples, no ORM row processing (10,000 rows well under a second).
        rows = session.connection().execute(_open_referrals(user, today)).all()
    # Plain ints: a settings attribute read goes through SQLAlchemy's instrumentation.
    windows = {
        "intake_days": settings.intake_days,
        "notice_days": settings.prosecutor_notice_days,
        "approval_months": settings.social_contact_approval_months,
    }
    alerts = []
    for row in rows:
        alerts += _row_alerts(row, today, settings, windows)
    return alerts


def _open_referrals(user: CurrentUser, today: date):
    """The open referrals this user answers for, with their dates and first release (one row
    each; `_row_alerts` reads the columns in this order)."""
    release = (
        select(
            Release.participant_id,
            func.min(Release.signed_date).label("signed"),
            func.max(Release.rescinded_date).label("rescinded"),
            (func.count() - func.count(Release.rescinded_date)).label("unrescinded"),
        )
        .where(col(Release.treatment_information).is_(False))  # T6/C3: the general release (C4)
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
            Referral.intake_scheduled_date,
            Referral.victim_involved,
            Referral.victim_sheet_date,
            Referral.victim_objection_answered_on,
            Referral.participant_id,
        )
        .join(Participant, col(Participant.id) == col(Referral.participant_id))
        .outerjoin(release, release.c.participant_id == col(Referral.participant_id))
        .where(col(Referral.closed_date).is_(None))
    )
    if user.role == Role.case_manager:
        return query.where(caseload_clause(user.id, today))  # coverage: alerts follow
    if user.role == Role.clinical_supervisor:
        return query.where(Participant.organization_id == user.organization_id)
    return query


def _row_alerts(row, today: date, settings: SimpleNamespace, windows: dict) -> list[Alert]:
    """One open referral's alerts: the contract's obligations, then the two soft reminders."""
    referral_id, version, referral_type, lead_id, signed, rescinded, unrescinded = row[:7]
    dates = dict(zip(REFERRAL_DATE_KEYS, row[7:-5], strict=True))
    scheduled, victim_involved, victim_sheet, victim_answered, participant_id = row[-5:]
    refs = {
        "referral_id": referral_id,
        "referral_version": version,
        "participant_id": participant_id,
    }
    # PROTOCOL T6/C3: the first release signed is what the intake needed; consent is lost
    # only when every release the person signed has been rescinded.
    dates["roi_signed_date"], dates["roi_rescinded_date"] = consent_rules.c3_inputs(
        signed, rescinded, unrescinded
    )
    alerts = [
        make_alert(
            rule,
            lead_id,
            due,
            today,
            OWNERS[rule],
            c3_action(dates) if rule == "C3" else CLOSING_ACTIONS[rule],
            message,
            **refs,
        )
        for rule, due, message in open_obligations(
            getattr(referral_type, "value", referral_type), dates, today, **windows
        )
    ]
    # Cheap tests first: most referrals owe neither of these (keeps 10,000 rows fast).
    if dates["initial_screening_date"] is not None and scheduled is None:
        optimal = optimal_intake_alert(lead_id, dates, scheduled, today, settings, **refs)
        if optimal:
            alerts.append(optimal)
    if victim_involved and victim_sheet is not None and victim_answered is None:
        victim = victim_window_alert(
            lead_id,
            victim_involved,
            victim_sheet,
            today,
            settings,
            answered_on=victim_answered,
            **refs,
        )
        if victim:
            alerts.append(victim)
    return alerts


def optimal_intake_alert(
    lead_id: str,
    dates: dict,
    scheduled: date | None,
    today: date,
    settings: SiteSettings,
    **refs,
) -> Alert | None:
    """PROTOCOL T4 (soft): screened, intake neither scheduled nor done: optimally within 48 h.

    Due the screening date + ceil(intake_optimal_hours_max / 24) days; closed by scheduling the
    intake. Once the optimal window has passed it lapses: the hard T4 deadline stays listed.
    """
    screened = dates["initial_screening_date"]
    if screened is None or scheduled is not None or dates["intake_completed_date"] is not None:
        return None
    due = referrals.optimal_intake_by(screened, settings)
    if today > due:
        return None
    hours = f"{settings.intake_optimal_hours_min}-{settings.intake_optimal_hours_max}"
    return make_alert(
        "T4",
        lead_id,
        due,
        today,
        OPTIMAL_OWNER,
        OPTIMAL_ACTION,
        f"Optimal: the in-depth intake {hours} hours after the {screened} screening, by {due}"
        " (PROTOCOL T4, a soft reminder; the hard deadline is separate).",
        kind="optimal",
        **refs,
    )


def victim_window_alert(
    lead_id: str,
    victim_involved: bool,
    sheet_date: date | None,
    today: date,
    settings: SiteSettings,
    answered_on: date | None = None,
    **refs,
) -> Alert | None:
    """PROTOCOL V1: the victim may object to the prosecutor within the window after the sheet.

    Shown from the sheet date until the window closes (inclusive), or until the prosecutor's
    answer (did the victim object?) is recorded on the referral; nothing is owed after it.
    """
    if not victim_involved or sheet_date is None or answered_on is not None:
        return None
    due = sheet_date + timedelta(days=settings.victim_objection_days)
    if today > due:
        return None
    return make_alert(
        "V1",
        lead_id,
        due,
        today,
        OWNERS["V1"],
        CLOSING_ACTIONS["V1"],
        f"The victim information sheet was given on {sheet_date}: the victim may object to the"
        f" prosecutor until {due} ({settings.victim_objection_days} days, PROTOCOL V1).",
        kind="victim",
        **refs,
    )
