"""A participant's casework: in-depth intake, Individual Intervention Plan, services, contacts.

Every change is validated (nothing saved on bad input), limited to provider staff of the
agency holding the record, version-checked where the row has a version, and audited in the same
transaction. Audit rows name the LEAD id and the kind of change, never note or goal text.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import ValidationInfo, field_validator
from sqlalchemy import Engine, func, or_, update
from sqlmodel import Session, SQLModel, col, select

from models import (
    Contact,
    ContactKind,
    GoalStatus,
    Intake,
    Participant,
    ParticipantStatus,
    PlanGoal,
    PlanGoalChange,
    Referral,
    ReferralEvent,
    Release,
    Role,
    Service,
    StatusChange,
)
from services.access.auth import CurrentUser
from services.access.policy import CASEWORK_EDITORS
from services.core import audit
from services.core.clock import utcnow
from services.core.db import bump_version, write_session
from services.core.errors import StaleEditError, ValidationError, too_long, validated
from services.core.text import strip_controls
from services.rules import consent as consent_rules

# --- Vocabularies ------------------------------------------------------------------------------

# PROTOCOL T4: the in-depth intake surveys these factors.
INTAKE_FACTORS = {
    "chemical_dependency": "Chemical dependency",
    "mental_health": "Mental health",
    "housing": "Housing",
    "legal_involvement": "Legal involvement",
    "employment": "Employment",
    "education": "Education",
}
FACTOR_ANSWERS = ("need identified", "no need", "declined to answer", "not asked")

# PROTOCOL P1: what an Individual Intervention Plan may cover.
PLAN_DOMAINS = (
    "housing",
    "chemical dependency treatment",
    "mental health treatment",
    "medication-assisted treatment",
    "education (incl. GED)",
    "job training",
    "job placement",
    "licensing assistance",
    "small business counseling",
    "child care",
    "legal assistance",
    "benefits (SSI/GAU)",
    "health",
    "food",
    "other",
)
# 42 CFR Part 2, PROTOCOL C4: a treatment domain reveals substance use or mental-health care, so
# anyone outside the clinical team sees it folded into "health".
TREATMENT_DOMAINS = frozenset(
    {"chemical dependency treatment", "mental health treatment", "medication-assisted treatment"}
)
GOAL_STATUSES = tuple(status.value for status in GoalStatus)
SERVICE_CATEGORIES = PLAN_DOMAINS
# PROTOCOL P2: say whether LEAD money bought new capacity or an existing program had room.
FUNDING = {
    "new_capacity": "LEAD funds bought new capacity",
    "existing_spare": "Existing program with spare capacity",
}
CONTACT_KINDS = tuple(kind.value for kind in ContactKind)

MAX_NOTE = 5000
MAX_GOAL = 1000
MAX_MINUTES = 720
QUICK_MINUTES = (5, 15, 30, 45, 60, 90)  # the quick entry's choices (contact log, Today)
MAX_COST_DOLLARS = 1_000_000
CONTACT_LOOKBACK_DAYS = 366


def public_domain(domain: str) -> str:
    """The plan domain as shown outside the clinical team.

    >>> public_domain("mental health treatment"), public_domain("housing")
    ('health', 'housing')
    """
    return "health" if domain in TREATMENT_DOMAINS else domain


# --- Who may change a record -------------------------------------------------------------------


def load_for_change(
    session: Session,
    user: CurrentUser,
    participant_id: int,
    roles: frozenset[Role] = CASEWORK_EDITORS,
) -> Participant:
    """The participant, if this user may change this part of the record; else ValidationError."""
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise ValidationError("Participant: no such participant.")
    if user.role not in roles:
        raise ValidationError("Participant: your role may not make this change.")
    if user.role != Role.project_manager and participant.organization_id != user.organization_id:
        raise ValidationError("Participant: this record belongs to another agency.")
    return participant


def check_text(label: str, value: str, *, required: bool, limit: int) -> str:
    value = strip_controls(value or "").strip()
    if required and not value:
        raise ValidationError(f"{label}: required.")
    if too_long(label, value, limit):  # SECURITY 33: say so, never cut it
        raise ValidationError(too_long(label, value, limit))
    return value


def check_date(label: str, value: date | None, *, today: date, future_ok: bool = False) -> date:
    if not isinstance(value, date):
        raise ValidationError(f"{label}: required.")
    if not future_ok and value > today:
        raise ValidationError(f"{label}: it cannot be in the future.")
    return value


def check_choice(label: str, value: str, choices) -> str:
    if value not in choices:
        raise ValidationError(f"{label}: choose one of the listed options.")
    return value


def _chunks(ids: list[int] | None) -> list[list[int] | None]:
    # IN lists of a size every database takes; None means every participant.
    return [None] if ids is None else [ids[i : i + 500] for i in range(0, len(ids), 500)]


def intake_completions(session: Session, ids: list[int] | None) -> dict[int, date]:
    """What the consent gate takes as each person's intake completion (PROTOCOL T6, C3).

    The open referral's completion, the one Today's C3 alert reads (the earliest, if several are
    open); without one, the first intake recorded on the participant record.
    """
    found: dict[int, date] = {}
    for model, on, where in (
        (
            Referral,
            Referral.intake_completed_date,
            (col(Referral.closed_date).is_(None), col(Referral.intake_completed_date).is_not(None)),
        ),
        (Intake, Intake.on, ()),
    ):
        for chunk in _chunks(ids):
            query = select(model.participant_id, func.min(on)).where(*where)
            if chunk is not None:
                query = query.where(col(model.participant_id).in_(chunk))
            for pid, first in session.exec(query.group_by(model.participant_id)):
                found.setdefault(pid, first)
    return found


def general_releases(session: Session, ids: list[int] | None) -> dict[int, list[dict]]:
    """General releases (never the C4 treatment ones) by participant; None means all.

    Each carries the person's intake completion ("intake_completed"), so every release state
    computed from them applies the T6 gate (services.rules.consent.release_state).
    """
    grouped: dict[int, list[dict]] = {}
    for chunk in _chunks(ids):
        query = select(
            Release.participant_id,
            Release.signed_date,
            Release.expires_date,
            Release.rescinded_date,
            Release.covered_org_codes,
        ).where(col(Release.treatment_information).is_(False))
        if chunk is not None:
            query = query.where(col(Release.participant_id).in_(chunk))
        for pid, signed, expires, rescinded, codes in session.exec(query):
            grouped.setdefault(pid, []).append(
                {
                    "signed_date": signed,
                    "expires_date": expires,
                    "rescinded_date": rescinded,
                    "covered_org_codes": list(codes),
                }
            )
    intakes = intake_completions(session, list(grouped)) if grouped else {}
    for pid, rows in grouped.items():
        for row in rows:
            row["intake_completed"] = intakes.get(pid)
    return grouped


def gate_inputs(session: Session, participant_id: int) -> tuple[date | None, list[dict]]:
    """What the consent gate reads for one person: the intake's completion and the releases."""
    return (
        intake_completions(session, [participant_id]).get(participant_id),
        general_releases(session, [participant_id]).get(participant_id, []),
    )


def activate_if_ready(
    session: Session,
    user: CurrentUser,
    participant: Participant,
    now: datetime,
    today: date,
    *,
    reactivate: bool = False,
) -> bool:
    """The one path to an active participant (PROTOCOL T6): once the consent gate says so.

    Version-checked: if someone changed the record meanwhile, the status stays for them to set.
    A release signed after the intake's completion does not activate (see services.rules.consent).
    `reactivate`: a new referral's completed intake also re-activates an inactive or exited
    person (the referral lifecycle); elsewhere only a referred person is activated.
    Returns True if the person became active.
    """
    allowed = {ParticipantStatus.referred}
    if reactivate:
        allowed |= {ParticipantStatus.inactive, ParticipantStatus.exited}
    if participant.status not in allowed:
        return False
    session.flush()  # the gate reads the rows this transaction just wrote
    intake_on, releases = gate_inputs(session, participant.id)
    if not consent_rules.is_participant(intake_on, releases, today):
        return False
    on = max(intake_on, min(r["signed_date"] for r in releases))
    result = session.exec(
        update(Participant)
        .where(
            col(Participant.id) == participant.id, col(Participant.version) == participant.version
        )
        .values(
            status=ParticipantStatus.active,
            version=participant.version + 1,
            updated_at=now,
            updated_by=user.username,
        )
    )
    if result.rowcount != 1:
        return False  # someone changed the record meanwhile; the status stays for them to set
    session.add(
        StatusChange(
            participant_id=participant.id,
            on=on,
            status=ParticipantStatus.active.value,
            reason="intake completed and release signed (PROTOCOL T6)",
            username=user.username,
            at=now,
        )
    )
    audit.append(
        session,
        actor=user.actor,
        action="participant.activate",
        subject=participant.lead_id,
        purpose="T6",
        now=now,
    )
    return True


# --- In-depth intake (PROTOCOL T4) -------------------------------------------------------------


def record_intake(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    on: date,
    factors: dict[str, str],
    immediate_needs_met: str,
    today: date,
    now: datetime | None = None,
) -> int:
    """Record the in-depth intake; it also completes the open referral's intake (closes T4).

    `factors` maps each key of INTAKE_FACTORS to one of FACTOR_ANSWERS.
    """
    on = check_date("Intake date", on, today=today)
    clean = {}
    for key, label in INTAKE_FACTORS.items():
        clean[key] = check_choice(label, factors.get(key, ""), FACTOR_ANSWERS)
    if all(answer == "not asked" for answer in clean.values()):
        raise ValidationError("Factors surveyed: record the answer to at least one factor.")
    needs = check_text("Immediate needs met", immediate_needs_met, required=False, limit=MAX_NOTE)
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id)
        referral = session.exec(
            select(Referral)
            .where(Referral.participant_id == participant_id, col(Referral.closed_date).is_(None))
            .order_by(col(Referral.referral_date).desc())
        ).first()
        if referral is not None and on < referral.referral_date:
            raise ValidationError(
                f"Intake date: it cannot be before the referral date {referral.referral_date}."
            )
        intake = Intake(
            participant_id=participant_id,
            on=on,
            factors=clean,
            immediate_needs_met=needs,
            username=user.username,
            at=now,
        )
        session.add(intake)
        completed = referral.intake_completed_date if referral is not None else None
        _, releases = gate_inputs(session, participant_id)
        if referral is not None and completed != (
            moved := consent_rules.completion_after_redo(completed, releases, on, today)
        ):
            # The referral's own clock (PROTOCOL T4) stops with the intake recorded here; an
            # intake redone on or after a late release closes the T6/C3 gap (rules.consent).
            referral.intake_completed_date = moved
            bump_version(referral, now, user.username)
            session.add(referral)
            session.add(
                ReferralEvent(
                    referral_id=referral.id,
                    at=now,
                    username=user.username,
                    event="intake completed" if completed is None else "intake completed again",
                    detail=f"in-depth intake on {on.isoformat()} (participant record)",
                )
            )
        session.flush()
        audit.append(
            session,
            actor=user.actor,
            action="intake.record",
            subject=participant.lead_id,
            purpose="in-depth intake",
            now=now,
        )
        activate_if_ready(session, user, participant, now, today)
        return intake.id


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


# --- Contacts ------------------------------------------------------------------------------------


class ContactCreate(SQLModel):
    """A contact as logged (contact log, Today's quick entry), checked the one way."""

    on: date
    kind: ContactKind
    minutes: int
    note: str

    @field_validator("on", mode="before")
    @classmethod
    def _recent(cls, value, info: ValidationInfo):
        today = info.context["today"]
        value = check_date("Date", value, today=today)
        if value < today - timedelta(days=CONTACT_LOOKBACK_DAYS):
            raise ValueError("Date: log contacts of the last 12 months only.")
        return value

    @field_validator("kind", mode="before")
    @classmethod
    def _listed(cls, value):
        return check_choice("Kind", value, CONTACT_KINDS)

    @field_validator("minutes", mode="before")
    @classmethod
    def _minutes(cls, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("Minutes: enter a whole number.")
        if not 0 <= value <= MAX_MINUTES:
            raise ValueError(f"Minutes: enter 0 to {MAX_MINUTES}.")
        return value

    @field_validator("note", mode="before")
    @classmethod
    def _note(cls, value):
        return check_text("Case note", value, required=False, limit=MAX_NOTE)


def log_contact(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    on: date,
    kind: str,
    minutes: int,
    note: str,
    today: date,
    now: datetime | None = None,
) -> int:
    """Log one contact and move the participant's last contact date forward.

    The last contact date changes without bumping the record's version: a contact logged in the
    field must not turn someone's open identity edit into a conflict.
    """
    data = validated(
        ContactCreate, {"on": on, "kind": kind, "minutes": minutes, "note": note}, today=today
    )
    on, kind, minutes, note = data.on, data.kind.value, data.minutes, data.note
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id)
        row = Contact(
            participant_id=participant_id,
            on=on,
            kind=kind,
            staff_id=user.id,
            minutes=minutes,
            note=note,
            at=now,
        )
        session.add(row)
        session.exec(
            update(Participant)
            .where(
                col(Participant.id) == participant_id,
                or_(
                    col(Participant.last_contact_date).is_(None),
                    col(Participant.last_contact_date) < on,
                ),
            )
            .values(last_contact_date=on)
        )
        session.flush()
        audit.append(
            session,
            actor=user.actor,
            action="contact.log",
            subject=participant.lead_id,
            purpose=f"{kind} contact",
            now=now,
        )
        return row.id
