"""Caseload figures, the referral funnel, capacity forecast and coverage (PROTOCOL M7).

Everything is computed with aggregate SQL (GROUP BY, SUM(CASE ...)) over plain columns: the page
must stay quick at 10,000 participants and 1,000,000 contacts, so no figure reads the contact
table (the participant's last contact date is kept on the participant row) and nothing runs a
query per row. Thresholds come from the site settings (caseload_per_fte, referrals_per_year,
no_contact_alert_days).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, Integer, and_, case, cast, func, literal, or_, update
from sqlmodel import col, select

from models import (
    Contact,
    Coverage,
    Participant,
    ParticipantStatus,
    Referral,
    Role,
    StatusChange,
    User,
)
from services.access.auth import CurrentUser
from services.access.policy import ASSIGNERS, CASEWORK_EDITORS
from services.core import audit
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.rules.calendar import add_months

MAX_FLAGGED_ROWS = 200
MAX_COVERAGE_DAYS = 366
DAYS_PER_MONTH = 365.25 / 12
INTAKE_DELAY_BINS = ((0, 2), (3, 7), (8, 14), (15, 21), (22, 30), (31, None))
FUNNEL_STAGES = ("referred", "screened", "intake", "active", "exited")
BECAME_PARTICIPANT = (
    ParticipantStatus.active,
    ParticipantStatus.inactive,
    ParticipantStatus.exited,
)


# --- Whose caseload ----------------------------------------------------------------------------


def covered_ids(user_id: int, today: date):
    """SQL: the case managers whose caseload `user_id` covers today (a subquery)."""
    return select(Coverage.absent_id).where(
        Coverage.covering_id == user_id, Coverage.start_on <= today, Coverage.end_on >= today
    )


def caseload_clause(user_id: int, today: date):
    """SQL condition on Participant: on this case manager's caseload today, covered ones included.

    Used by services.today.open_alerts so alerts follow a caseload handed over for a period.
    """
    return or_(
        col(Participant.case_manager_id) == user_id,
        col(Participant.case_manager_id).in_(covered_ids(user_id, today)),
    )


def _scope(user: CurrentUser, today: date):
    """The participants a user's caseload views count: own (+covered), agency, or all (PM)."""
    if user.role == Role.case_manager:
        return caseload_clause(user.id, today)
    if user.role == Role.clinical_supervisor:
        return col(Participant.organization_id) == user.organization_id
    if user.role == Role.project_manager:
        return literal(True)
    return literal(False)


def _team_scope(user: CurrentUser):
    """Team figures: the agency for case management staff, everything for the PM."""
    if user.role == Role.project_manager:
        return literal(True)
    if user.role in (Role.case_manager, Role.clinical_supervisor):
        return col(Participant.organization_id) == user.organization_id
    return literal(False)


def my_caseload(engine: Engine, user: CurrentUser, today: date) -> list[dict]:
    """People this user logs contacts for: own and covered caseload (case manager), the agency
    (supervisor); exited participants left out. [{"id", "lead_id", "label"}] by LEAD id."""
    if user.role not in CASEWORK_EDITORS:
        return []
    with read_session(engine) as session:
        rows = session.exec(
            select(Participant.id, Participant.lead_id, Participant.preferred_name)
            .where(_scope(user, today), Participant.status != ParticipantStatus.exited)
            .order_by(Participant.lead_id)
        ).all()
    return [{"id": pid, "lead_id": lead, "label": f"{lead} · {name}"} for pid, lead, name in rows]


def recent_contacts(
    engine: Engine, user: CurrentUser, today: date, *, limit: int = 10, days: int = 30
) -> list[dict]:
    """The user's own latest contacts of the last `days` (no note text), newest first.

    Bounded by date so the contact table's date index does the work at a million contacts.
    """
    with read_session(engine) as session:
        rows = session.exec(
            select(Contact.on, Participant.lead_id, Contact.kind, Contact.minutes)
            .join(Participant, col(Participant.id) == col(Contact.participant_id))
            # "+ 0" keeps SQLite off the staff index (half a million rows for one person at
            # scale) and on the date index, which the date bound makes small.
            .where(col(Contact.staff_id) + 0 == user.id, Contact.on >= today - timedelta(days=days))
            .order_by(col(Contact.on).desc(), col(Contact.id).desc())
            .limit(limit)
        ).all()
    return [
        {"Date": on.isoformat(), "LEAD id": lead, "Kind": kind, "Minutes": minutes}
        for on, lead, kind, minutes in rows
    ]


# --- Per case manager --------------------------------------------------------------------------


@dataclass(frozen=True)
class ManagerLoad:
    manager: str
    active: int
    referred: int
    no_contact: int
    covered_by: str


def by_manager(engine: Engine, user: CurrentUser, today: date) -> dict:
    """Active and referred-not-enrolled counts per case manager, with the capacity line.

    Returns {"rows": [ManagerLoad...], "capacity": per FTE, "no_contact_days": N}. One GROUP BY
    over participants; case managers without anyone assigned are listed with zeros.
    """
    settings = get_settings(engine)
    cutoff = today - timedelta(days=settings.no_contact_alert_days)
    active = Participant.status == ParticipantStatus.active
    stale = and_(
        active,
        or_(col(Participant.last_contact_date).is_(None), Participant.last_contact_date < cutoff),
    )
    query = (
        select(
            Participant.case_manager_id,
            func.sum(case((active, 1), else_=0)),
            func.sum(case((Participant.status == ParticipantStatus.referred, 1), else_=0)),
            func.sum(case((stale, 1), else_=0)),
        )
        .where(_team_scope(user))
        .group_by(Participant.case_manager_id)
    )
    staff = select(User.id, User.display_name, User.disabled).where(User.role == Role.case_manager)
    if user.role != Role.project_manager:
        staff = staff.where(User.organization_id == user.organization_id)
    with read_session(engine) as session:
        counts = {cm: (a or 0, r or 0, n or 0) for cm, a, r, n in session.exec(query).all()}
        managers = session.exec(staff.order_by(User.display_name)).all()
        covers = dict(
            session.exec(
                select(Coverage.absent_id, User.display_name)
                .join(User, col(User.id) == col(Coverage.covering_id))
                .where(Coverage.start_on <= today, Coverage.end_on >= today)
            ).all()
        )
    rows = []
    for uid, name, disabled in managers:
        a, r, n = counts.pop(uid, (0, 0, 0))
        if disabled and not (a or r):
            continue
        rows.append(ManagerLoad(name, a, r, n, covers.get(uid, "")))
    if None in counts:
        a, r, n = counts.pop(None)
        rows.append(ManagerLoad("Unassigned", a, r, n, ""))
    for a, r, n in counts.values():  # managers of another agency or role: keep totals honest
        rows.append(ManagerLoad("Other staff", a, r, n, ""))
    return {
        "rows": rows,
        "capacity": settings.caseload_per_fte,
        "no_contact_days": settings.no_contact_alert_days,
    }


def no_contact_flags(engine: Engine, user: CurrentUser, today: date) -> list[dict]:
    """Active participants without a contact in no_contact_alert_days, longest first."""
    settings = get_settings(engine)
    cutoff = today - timedelta(days=settings.no_contact_alert_days)
    query = (
        select(
            Participant.lead_id,
            Participant.preferred_name,
            User.display_name,
            Participant.last_contact_date,
        )
        .outerjoin(User, col(User.id) == col(Participant.case_manager_id))
        .where(
            _scope(user, today),
            Participant.status == ParticipantStatus.active,
            or_(
                col(Participant.last_contact_date).is_(None),
                Participant.last_contact_date < cutoff,
            ),
        )
        .order_by(col(Participant.last_contact_date).is_not(None), Participant.last_contact_date)
        .limit(MAX_FLAGGED_ROWS)
    )
    with read_session(engine) as session:
        rows = session.exec(query).all()
    return [
        {
            "Flag": f"⚠ No contact in {settings.no_contact_alert_days}+ days",
            "LEAD id": lead,
            "Name": name,
            "Case manager": manager or "unassigned",
            "Last contact": last.isoformat() if last else "never",
            "Days since": (today - last).days if last else None,
        }
        for lead, name, manager, last in rows
    ]


# --- Team: funnel, intake delay, referrals per month, forecast ----------------------------------


def _days_between(later, earlier, dialect: str):
    if dialect == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return later - earlier  # PostgreSQL: date - date is a whole number of days


def _month(column, dialect: str):
    if dialect == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def funnel(engine: Engine, user: CurrentUser, start: date, end: date) -> list[dict]:
    """Referrals made in [start, end] and how far each got: referred -> screened -> intake ->
    active (became a participant) -> exited. One aggregate query."""
    _check_period(start, end)
    has_intake = col(Referral.intake_completed_date).is_not(None)
    became = and_(has_intake, col(Participant.status).in_(BECAME_PARTICIPANT))
    exited = and_(has_intake, Participant.status == ParticipantStatus.exited)
    query = (
        select(
            func.count(),
            func.sum(case((col(Referral.initial_screening_date).is_not(None), 1), else_=0)),
            func.sum(case((has_intake, 1), else_=0)),
            func.sum(case((became, 1), else_=0)),
            func.sum(case((exited, 1), else_=0)),
        )
        .join(Participant, col(Participant.id) == col(Referral.participant_id))
        .where(_team_scope(user), Referral.referral_date >= start, Referral.referral_date <= end)
    )
    with read_session(engine) as session:
        counts = [value or 0 for value in session.exec(query).one()]
    first = counts[0]
    return [
        {
            "Stage": stage,
            "People": count,
            "Share of referred": f"{(100 * count / first):.0f}%" if first else "—",
        }
        for stage, count in zip(FUNNEL_STAGES, counts, strict=True)
    ]


def median_from_counts(counts: dict[int, int]) -> float | None:
    """Median of a distribution given as {value: how many}.

    >>> median_from_counts({1: 1, 3: 1}), median_from_counts({2: 3, 9: 1}), median_from_counts({})
    (2.0, 2.0, None)
    """
    total = sum(counts.values())
    if total == 0:
        return None
    ordered = sorted(counts.items())

    def nth(n: int) -> int:  # 0-based
        seen = 0
        for value, many in ordered:
            seen += many
            if n < seen:
                return value
        raise IndexError(n)

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def bin_label(low: int, high: int | None) -> str:
    return f"{low}-{high} days" if high is not None else f"over {low - 1} days"


def intake_delays(engine: Engine, user: CurrentUser, start: date, end: date) -> dict:
    """Days from referral to in-depth intake for referrals made in [start, end] (PROTOCOL T4).

    {"median": float|None, "count": n, "bins": [{"Days", "People"}]}; one GROUP BY on the delay.
    """
    _check_period(start, end)
    dialect = engine.dialect.name
    delay = _days_between(Referral.intake_completed_date, Referral.referral_date, dialect)
    query = (
        select(delay, func.count())
        .join(Participant, col(Participant.id) == col(Referral.participant_id))
        .where(
            _team_scope(user),
            col(Referral.intake_completed_date).is_not(None),
            Referral.referral_date >= start,
            Referral.referral_date <= end,
        )
        .group_by(delay)
    )
    with read_session(engine) as session:
        counts = {int(days): int(n) for days, n in session.exec(query).all() if days is not None}
    bins = []
    for low, high in INTAKE_DELAY_BINS:
        people = sum(n for d, n in counts.items() if d >= low and (high is None or d <= high))
        bins.append({"Days": bin_label(low, high), "People": people})
    return {"median": median_from_counts(counts), "count": sum(counts.values()), "bins": bins}


def months_between(start: date, end: date) -> list[str]:
    """Every month from start to end as YYYY-MM.

    >>> months_between(date(2025, 11, 30), date(2026, 2, 1))
    ['2025-11', '2025-12', '2026-01', '2026-02']
    """
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def referrals_per_month(engine: Engine, user: CurrentUser, start: date, end: date) -> dict:
    """Referrals in each month of [start, end] against referrals_per_year / 12 (PROTOCOL M7)."""
    _check_period(start, end)
    settings = get_settings(engine)
    month = _month(Referral.referral_date, engine.dialect.name)
    query = (
        select(month, func.count())
        .join(Participant, col(Participant.id) == col(Referral.participant_id))
        .where(_team_scope(user), Referral.referral_date >= start, Referral.referral_date <= end)
        .group_by(month)
    )
    with read_session(engine) as session:
        counts = dict(session.exec(query).all())
    expected = round(settings.referrals_per_year / 12, 1)
    return {
        "expected": expected,
        "rows": [
            {"Month": m, "Referrals": int(counts.get(m, 0)), "Expected": expected}
            for m in months_between(start, end)
        ],
    }


def forecast_capacity(
    *,
    active: int,
    referred: int,
    managers: int,
    per_fte: int,
    net_per_month: float,
    today: date,
) -> dict:
    """When the team reaches capacity at the current net growth, and the case managers needed.

    Capacity is managers x per_fte (PROTOCOL M7: 1 FTE per 25 active clients).

    >>> f = forecast_capacity(active=40, referred=5, managers=2, per_fte=25, net_per_month=2.5,
    ...                       today=date(2026, 1, 1))
    >>> f["capacity"], f["months_to_capacity"], f["managers_needed"], f["reached_on"]
    (50, 4.0, 2, datetime.date(2026, 5, 2))
    """
    capacity = managers * per_fte
    needed = math.ceil(active / per_fte) if active else 0
    needed_with_referred = math.ceil((active + referred) / per_fte) if active + referred else 0
    if active >= capacity:
        state, months, reached = "at or over capacity", 0.0, today
    elif net_per_month <= 0:
        state, months, reached = "not at the current rate", None, None
    else:
        months = round((capacity - active) / net_per_month, 1)
        reached = today + timedelta(days=round(months * DAYS_PER_MONTH))
        state = "forecast"
    return {
        "active": active,
        "referred": referred,
        "managers": managers,
        "capacity": capacity,
        "net_per_month": round(net_per_month, 2),
        "state": state,
        "months_to_capacity": months,
        "reached_on": reached,
        "managers_needed": needed,
        "managers_needed_with_referred": needed_with_referred,
    }


def capacity_forecast(engine: Engine, user: CurrentUser, today: date, *, months: int = 6) -> dict:
    """The team's forecast from the last `months`: new participants (intakes) minus exits."""
    settings = get_settings(engine)
    since = today - timedelta(days=round(months * DAYS_PER_MONTH))
    team = _team_scope(user)
    with read_session(engine) as session:
        active, referred = session.exec(
            select(
                func.sum(case((Participant.status == ParticipantStatus.active, 1), else_=0)),
                func.sum(case((Participant.status == ParticipantStatus.referred, 1), else_=0)),
            ).where(team)
        ).one()
        intakes = session.exec(
            select(func.count())
            .select_from(Referral)
            .join(Participant, col(Participant.id) == col(Referral.participant_id))
            .where(
                team,
                Referral.intake_completed_date > since,
                Referral.intake_completed_date <= today,
            )
        ).one()
        exits = session.exec(
            select(func.count())
            .select_from(StatusChange)
            .join(Participant, col(Participant.id) == col(StatusChange.participant_id))
            .where(
                team,
                col(StatusChange.status).in_(("exited", "inactive")),
                StatusChange.on > since,
                StatusChange.on <= today,
            )
        ).one()
        staff = (
            select(func.count())
            .select_from(User)
            .where(User.role == Role.case_manager, col(User.disabled).is_(False))
        )
        if user.role != Role.project_manager:
            staff = staff.where(User.organization_id == user.organization_id)
        managers = session.exec(staff).one()
    result = forecast_capacity(
        active=active or 0,
        referred=referred or 0,
        managers=managers,
        per_fte=settings.caseload_per_fte,
        net_per_month=(intakes - exits) / months,
        today=today,
    )
    return result | {"intakes": intakes, "exits": exits, "window_months": months}


def _check_period(start: date, end: date) -> None:
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValidationError("Period: choose a start and an end date.")
    if end < start:
        raise ValidationError("Period: the end comes before the start.")
    if (end - start).days > 3660:
        raise ValidationError("Period: choose at most ten years.")


# --- Coverage: a caseload handed over for a period ---------------------------------------------


def coverages(engine: Engine, user: CurrentUser, today: date) -> list[dict]:
    """Current and upcoming coverage periods (and those ended in the last 30 days)."""
    absent, covering = User.__table__.alias("absent"), User.__table__.alias("covering")
    query = (
        select(
            Coverage.id,
            absent.c.display_name,
            covering.c.display_name,
            Coverage.start_on,
            Coverage.end_on,
            Coverage.username,
        )
        .join(absent, absent.c.id == Coverage.absent_id)
        .join(covering, covering.c.id == Coverage.covering_id)
        .where(Coverage.end_on >= today - timedelta(days=30))
        .order_by(Coverage.start_on)
    )
    if user.role != Role.project_manager:
        query = query.where(absent.c.organization_id == user.organization_id)
    with read_session(engine) as session:
        rows = session.exec(query).all()
    out = []
    for cid, away, cover, start, end, by in rows:
        state = "current" if start <= today <= end else ("upcoming" if start > today else "ended")
        out.append(
            {
                "_id": cid,
                "Case manager away": away,
                "Covered by": cover,
                "From": start.isoformat(),
                "Until": end.isoformat(),
                "Now": state,
                "Set by": by,
            }
        )
    return out


def _enabled_manager(session, user_id: int, organization_id: int | None, label: str) -> User:
    manager = session.get(User, user_id) if user_id is not None else None
    if manager is None or manager.role != Role.case_manager:
        raise ValidationError(f"{label}: choose a case manager.")
    if organization_id is not None and manager.organization_id != organization_id:
        raise ValidationError(f"{label}: choose a case manager of your agency.")
    return manager


def add_coverage(
    engine: Engine,
    user: CurrentUser,
    *,
    absent_id: int,
    covering_id: int,
    start_on: date,
    end_on: date,
    today: date,
    now: datetime | None = None,
) -> int:
    """Hand one case manager's caseload to another from start_on to end_on (inclusive)."""
    if user.role not in ASSIGNERS:
        raise ValidationError("Coverage: only a clinical supervisor or the project manager.")
    if not isinstance(start_on, date) or not isinstance(end_on, date):
        raise ValidationError("Period: choose a start and an end date.")
    if end_on < start_on:
        raise ValidationError("Until: it cannot be before the start.")
    if end_on < today:
        raise ValidationError("Until: the period has already ended.")
    if (end_on - start_on).days > MAX_COVERAGE_DAYS:
        raise ValidationError(f"Until: a coverage lasts at most {MAX_COVERAGE_DAYS} days.")
    if absent_id == covering_id:
        raise ValidationError("Covered by: choose a different case manager.")
    org = None if user.role == Role.project_manager else user.organization_id
    now = now or utcnow()
    with write_session(engine) as session:
        away = _enabled_manager(session, absent_id, org, "Case manager away")
        cover = _enabled_manager(session, covering_id, away.organization_id, "Covered by")
        if cover.disabled:
            raise ValidationError("Covered by: this case manager's account is disabled.")
        overlap = session.exec(
            select(Coverage).where(
                or_(
                    col(Coverage.absent_id).in_((absent_id, covering_id)),
                    Coverage.covering_id == absent_id,
                ),
                Coverage.start_on <= end_on,
                Coverage.end_on >= start_on,
            )
        ).first()
        if overlap is not None:
            raise ValidationError(
                f"Period: it overlaps a coverage from {overlap.start_on} to {overlap.end_on} "
                "involving these case managers; end that one first."
            )
        row = Coverage(
            absent_id=absent_id,
            covering_id=covering_id,
            start_on=start_on,
            end_on=end_on,
            username=user.username,
            at=now,
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            actor=user.actor,
            action="coverage.add",
            subject=f"caseload of {away.username}",
            purpose=f"covered by {cover.username} {start_on} to {end_on}",
            now=now,
        )
        return row.id


def end_coverage(
    engine: Engine,
    user: CurrentUser,
    *,
    coverage_id: int,
    on: date,
    today: date,
    now: datetime | None = None,
) -> None:
    """End a coverage early: `on` becomes its last day (the day before its start cancels it)."""
    if user.role not in ASSIGNERS:
        raise ValidationError("Coverage: only a clinical supervisor or the project manager.")
    now = now or utcnow()
    with write_session(engine) as session:
        row = session.get(Coverage, coverage_id)
        if row is None:
            raise ValidationError("Coverage: no such coverage.")
        away = session.get(User, row.absent_id)
        if user.role != Role.project_manager and away.organization_id != user.organization_id:
            raise ValidationError("Coverage: it belongs to another agency.")
        if on >= row.end_on:
            raise ValidationError(f"Last covered day: choose a day before {row.end_on}.")
        if on < row.start_on - timedelta(days=1):
            raise ValidationError("Last covered day: it cannot be before the start.")
        result = session.exec(
            update(Coverage)
            .where(col(Coverage.id) == coverage_id, col(Coverage.end_on) == row.end_on)
            .values(end_on=on)
        )
        if result.rowcount != 1:
            raise ValidationError("Coverage: it changed meanwhile; reload and try again.")
        audit.append(
            session,
            actor=user.actor,
            action="coverage.end",
            subject=f"caseload of {away.username}",
            purpose=f"coverage ends {on}",
            now=now,
        )


def case_manager_choices(engine: Engine, user: CurrentUser) -> list[dict]:
    """Case managers a supervisor (own agency) or the PM (all) may hand caseloads between."""
    query = select(User.id, User.display_name, User.disabled).where(User.role == Role.case_manager)
    if user.role != Role.project_manager:
        query = query.where(User.organization_id == user.organization_id)
    with read_session(engine) as session:
        rows = session.exec(query.order_by(User.display_name)).all()
    return [
        {"id": uid, "name": name + (" (disabled)" if disabled else ""), "disabled": disabled}
        for uid, name, disabled in rows
    ]


def default_period(today: date, *, months: int = 12) -> tuple[date, date]:
    """The team views' default period: the first day of the month `months - 1` back, to today.

    >>> default_period(date(2026, 11, 27))
    (datetime.date(2025, 12, 1), datetime.date(2026, 11, 27))
    """
    return add_months(today.replace(day=1), -(months - 1)), today
