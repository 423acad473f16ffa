"""Coverage: a case manager's caseload handed over to another for a period (PROTOCOL M7).

While it lasts, the covering case manager's caseload, contact log and Today alerts include the
covered participants (services.participants.caseload.caseload_clause). Supervisors hand over
within their agency, the project manager anywhere; every change is audited.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlmodel import col, select

from models import (
    Coverage,
    Role,
    User,
)
from services.access.auth import CurrentUser
from services.access.policy import ASSIGNERS
from services.core import audit
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import ValidationError

MAX_COVERAGE_DAYS = 366


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
