"""Team figures over a period: the referral funnel, intake delay, referrals per month and the
capacity forecast (PROTOCOL M7: one case manager for a set number of active clients, a yearly
number of referrals expected; T4 for the intake delay).

Aggregate SQL over plain columns (GROUP BY, SUM(CASE ...)), never a query per row, so the page
stays quick at 10,000 participants; thresholds come from the site settings.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from sqlalchemy import Engine, Integer, and_, case, cast, func
from sqlmodel import col, select

from models import (
    Participant,
    ParticipantStatus,
    Referral,
    Role,
    StatusChange,
    User,
)
from services.access.auth import CurrentUser
from services.core.db import read_session
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.participants.caseload import team_scope
from services.rules.calendar import add_months

DAYS_PER_MONTH = 365.25 / 12
INTAKE_DELAY_BINS = ((0, 2), (3, 7), (8, 14), (15, 21), (22, 30), (31, None))
FUNNEL_STAGES = ("referred", "screened", "intake", "active", "exited")
BECAME_PARTICIPANT = (
    ParticipantStatus.active,
    ParticipantStatus.inactive,
    ParticipantStatus.exited,
)


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
        .where(team_scope(user), Referral.referral_date >= start, Referral.referral_date <= end)
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
            team_scope(user),
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
        .where(team_scope(user), Referral.referral_date >= start, Referral.referral_date <= end)
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
    (50, 4.0, 2, datetime.date(2026, 5, 3))
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
    team = team_scope(user)
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


def default_period(today: date, *, months: int = 12) -> tuple[date, date]:
    """The team views' default period: the first day of the month `months - 1` back, to today.

    >>> default_period(date(2026, 11, 27))
    (datetime.date(2025, 12, 1), datetime.date(2026, 11, 27))
    """
    return add_months(today.replace(day=1), -(months - 1)), today
