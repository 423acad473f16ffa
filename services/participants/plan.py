"""The Individual Intervention Plan (PROTOCOL P1) and the services bought for it (P2, P3).

Goals in the participant's own words, with their status history; services with their cost and
funding (P2: bought on the private market, or an existing program's unused capacity), ended or
withdrawn (P3: withdrawing one service is not leaving LEAD). Every change is validated,
limited to the agency's provider staff, version-checked and audited without goal text.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from models import (
    GoalStatus,
    PlanGoal,
    PlanGoalChange,
    Service,
)
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import utcnow
from services.core.db import write_session
from services.core.errors import StaleEditError, ValidationError
from services.participants.casework import (
    FUNDING,
    GOAL_STATUSES,
    MAX_COST_DOLLARS,
    MAX_GOAL,
    PLAN_DOMAINS,
    SERVICE_CATEGORIES,
    check_choice,
    check_date,
    check_text,
    load_for_change,
    public_domain,
)

# --- Individual Intervention Plan (PROTOCOL P1) -------------------------------------------------


def add_goal(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    domain: str,
    goal: str,
    status: str = GoalStatus.not_started.value,
    on: date,
    today: date,
    now: datetime | None = None,
) -> int:
    """A goal in the participant's own words, in a P1 domain; its first status is history too."""
    domain = check_choice("Domain", domain, PLAN_DOMAINS)
    goal = check_text("Goal (in the participant's words)", goal, required=True, limit=MAX_GOAL)
    status = check_choice("Status", status, GOAL_STATUSES)
    on = check_date("Date", on, today=today)
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id)
        row = PlanGoal(
            participant_id=participant_id,
            domain=domain,
            goal=goal,
            status=status,
            started_on=on,
            status_on=on,
            updated_at=now,
            updated_by=user.username,
        )
        session.add(row)
        session.flush()
        session.add(
            PlanGoalChange(goal_id=row.id, status=status, on=on, username=user.username, at=now)
        )
        audit.append(
            session,
            actor=user.actor,
            action="plan.goal_add",
            subject=participant.lead_id,
            purpose=f"Individual Intervention Plan goal ({public_domain(domain)})",
            now=now,
        )
        return row.id


def change_goal_status(
    engine: Engine,
    user: CurrentUser,
    *,
    goal_id: int,
    expected_version: int,
    status: str,
    on: date,
    today: date,
    now: datetime | None = None,
) -> None:
    """Move a goal to a new status on a date; the change is kept in its history."""
    status = check_choice("Status", status, GOAL_STATUSES)
    on = check_date("Date", on, today=today)
    now = now or utcnow()
    with write_session(engine) as session:
        goal = session.get(PlanGoal, goal_id)
        if goal is None:
            raise ValidationError("Goal: no such goal.")
        participant = load_for_change(session, user, goal.participant_id)
        if on < goal.started_on:
            raise ValidationError(f"Date: it cannot be before the goal began on {goal.started_on}.")
        result = session.exec(
            update(PlanGoal)
            .where(col(PlanGoal.id) == goal_id, col(PlanGoal.version) == expected_version)
            .values(
                status=status,
                status_on=on,
                version=expected_version + 1,
                updated_at=now,
                updated_by=user.username,
            )
        )
        if result.rowcount != 1:
            session.refresh(goal)
            raise StaleEditError.for_row(goal)
        session.add(
            PlanGoalChange(goal_id=goal_id, status=status, on=on, username=user.username, at=now)
        )
        audit.append(
            session,
            actor=user.actor,
            action="plan.goal_status",
            subject=participant.lead_id,
            purpose=f"goal set to {status}",
            now=now,
        )


# --- Services (PROTOCOL P2, P3) -----------------------------------------------------------------


def dollars_to_cents(value) -> int:
    """A cost typed in dollars, as whole cents.

    >>> dollars_to_cents("1,250.50")
    125050
    """
    text = str(value if value is not None else "0").replace(",", "").replace("$", "").strip()
    try:
        amount = round(float(text or "0") * 100)
    except ValueError:
        raise ValidationError("Cost: enter an amount in dollars, e.g. 1250.00.") from None
    if amount < 0 or amount > MAX_COST_DOLLARS * 100:
        raise ValidationError(f"Cost: enter an amount from 0 to {MAX_COST_DOLLARS:,} dollars.")
    return amount


def add_service(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    category: str,
    provider: str,
    start_on: date,
    end_on: date | None,
    cost_dollars,
    funding: str,
    today: date,
    now: datetime | None = None,
) -> int:
    """A service bought or used, and whether LEAD funds bought new capacity (PROTOCOL P2)."""
    category = check_choice("Service type", category, SERVICE_CATEGORIES)
    provider = check_text("Provider", provider, required=True, limit=120)
    start_on = check_date("Start", start_on, today=today, future_ok=True)
    if end_on is not None and end_on < start_on:
        raise ValidationError("End: it cannot be before the start.")
    cents = dollars_to_cents(cost_dollars)
    if funding not in FUNDING:
        raise ValidationError(
            "Funding: say whether LEAD funds bought new capacity or an existing program with "
            "spare capacity was used (PROTOCOL P2)."
        )
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id)
        row = Service(
            participant_id=participant_id,
            category=category,
            provider=provider,
            start_on=start_on,
            end_on=end_on,
            cost_cents=cents,
            funding=funding,
            username=user.username,
            at=now,
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            actor=user.actor,
            action="service.add",
            subject=participant.lead_id,
            purpose=f"service ({public_domain(category)}, {funding})",
            now=now,
        )
        return row.id


def _open_service(session: Session, user: CurrentUser, service_id: int) -> tuple:
    service = session.get(Service, service_id)
    if service is None:
        raise ValidationError("Service: no such service.")
    participant = load_for_change(session, user, service.participant_id)
    if service.withdrawn_on is not None:
        raise ValidationError(f"Service: it was already withdrawn on {service.withdrawn_on}.")
    return service, participant


def end_service(
    engine: Engine,
    user: CurrentUser,
    *,
    service_id: int,
    on: date,
    today: date,
    now: datetime | None = None,
) -> None:
    """The service ended as planned (not a withdrawal)."""
    on = check_date("End", on, today=today)
    now = now or utcnow()
    with write_session(engine) as session:
        service, participant = _open_service(session, user, service_id)
        if on < service.start_on:
            raise ValidationError("End: it cannot be before the start.")
        result = session.exec(
            update(Service)
            .where(col(Service.id) == service_id, col(Service.withdrawn_on).is_(None))
            .values(end_on=on)
        )
        if result.rowcount != 1:
            raise ValidationError("Service: it changed meanwhile; reload and try again.")
        audit.append(
            session,
            actor=user.actor,
            action="service.end",
            subject=participant.lead_id,
            purpose="service ended",
            now=now,
        )


def withdraw_service(
    engine: Engine,
    user: CurrentUser,
    *,
    service_id: int,
    on: date,
    reason: str,
    today: date,
    now: datetime | None = None,
) -> None:
    """Withdraw one service for not making good use of it (PROTOCOL P3).

    This is not an exit from LEAD: the participant's status does not change.
    """
    on = check_date("Withdrawal date", on, today=today)
    reason = check_text("Reason for withdrawal", reason, required=True, limit=300)
    now = now or utcnow()
    with write_session(engine) as session:
        service, participant = _open_service(session, user, service_id)
        if on < service.start_on:
            raise ValidationError("Withdrawal date: it cannot be before the service started.")
        end_on = on if service.end_on is None or service.end_on > on else service.end_on
        # Conditional on "not yet withdrawn", so two people withdrawing at once cannot both win.
        result = session.exec(
            update(Service)
            .where(col(Service.id) == service_id, col(Service.withdrawn_on).is_(None))
            .values(withdrawn_on=on, withdrawal_reason=reason, end_on=end_on)
        )
        if result.rowcount != 1:
            raise ValidationError("Service: it was withdrawn meanwhile; reload to see it.")
        audit.append(
            session,
            actor=user.actor,
            action="service.withdraw",
            subject=participant.lead_id,
            purpose="service withdrawn (PROTOCOL P3)",
            now=now,
        )
