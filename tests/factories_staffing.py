"""Builders for staffing tests: a team, sessions on set dates, people with or without releases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache

from sqlmodel import select

from models import (
    Contact,
    Organization,
    PlanGoal,
    PlanGoalChange,
    Role,
    Service,
    StatusChange,
    User,
)
from services.access.auth import CurrentUser, hash_password
from services.core.clock import utcnow
from services.core.db import write_session
from services.core.site import get_settings
from services.staffing import _new_session
from tests.factories import PASSWORD, days, make_participant, make_release

# A Thursday session with a Tuesday cut-off and no holiday near it.
SESSION_DAY = date(2026, 12, 3)
CUTOFF_DAY = date(2026, 12, 1)
TODAY = date(2026, 11, 30)
ATTENDING = ["BPD", "KCPAO", "PDA", "CMP"]


@dataclass
class Team:
    pm: CurrentUser
    cm: CurrentUser
    bpd: CurrentUser
    kcpao: CurrentUser
    kcso: CurrentUser
    community: CurrentUser


TEAM = (
    ("pm1", Role.project_manager, "PDA"),
    ("cm1", Role.case_manager, "CMP"),
    ("bpd1", Role.law_enforcement, "BPD"),
    ("kcpao1", Role.prosecutor, "KCPAO"),
    ("kcso1", Role.law_enforcement, "KCSO"),
    ("comm1", Role.community, "COMM"),
)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)


def make_team(engine) -> Team:
    """The users in one transaction (service tests need no sign-in; AppTest signs in itself)."""
    with write_session(engine) as session:
        orgs = dict(session.exec(select(Organization.code, Organization.id)).all())
        users = [
            User(
                username=username,
                display_name=f"Test {username}",
                role=role,
                organization_id=orgs[org],
                password_hash=_password_hash(),
                created_at=utcnow(),
            )
            for username, role, org in TEAM
        ]
        session.add_all(users)
        session.flush()
        current = [
            CurrentUser(u.id, u.username, u.display_name, u.role, u.organization_id, org, 0)
            for u, (_, _, org) in zip(users, TEAM, strict=True)
        ]
    return Team(*current)


def at_noon(day: date) -> datetime:
    """Noon in Burien (20:00 UTC in winter) on a given day: a `now` that matches `today`."""
    return datetime.combine(day, time(20, 0), UTC)


def make_session(
    engine,
    on: date = SESSION_DAY,
    *,
    kind: str = "workgroup",
    orgs: list[str] | None = None,
    starts_at: str = "10:00",
    place: str = "Burien City Hall, room 2",
) -> int:
    cutoff_days = get_settings(engine).submission_cutoff_business_days
    with write_session(engine) as session:
        row = _new_session(
            session,
            kind=kind,
            on=on,
            starts_at=starts_at,
            place=place,
            orgs=list(orgs or ATTENDING),
            cutoff_days=cutoff_days,
            now=utcnow(),
            username="tester",
        )
        return row.id


def covered(engine, lead_id: str, name: str, *, orgs=("BPD", "KCPAO"), cm=None, **kwargs):
    """A participant whose active release covers `orgs` (signed 60 days before TODAY)."""
    person = make_participant(engine, lead_id, name=name, case_manager=cm, **kwargs)
    make_release(engine, person, list(orgs), signed=TODAY - days(60))
    return person


def add_story(engine, participant_id: int, staff_id: int, *, on: date, marker: str = "") -> None:
    """Contacts, a status change, goals and services, with restricted text set to `marker`."""
    now = utcnow()
    with write_session(engine) as session:
        for n in range(3):
            session.add(
                Contact(
                    participant_id=participant_id,
                    on=on - days(n),
                    kind="field",
                    staff_id=staff_id,
                    minutes=20,
                    note=f"{marker} contact note {n}",
                    at=now,
                )
            )
        session.add(
            StatusChange(
                participant_id=participant_id,
                on=on,
                status="active",
                reason=f"{marker} status reason",
                username="cm1",
                at=now,
            )
        )
        housing = PlanGoal(
            participant_id=participant_id,
            domain="housing",
            goal=f"{marker} goal wording",
            status="achieved",
            started_on=on - days(40),
            status_on=on,
        )
        treatment = PlanGoal(
            participant_id=participant_id,
            domain="treatment (chemical dependency)",
            goal=f"{marker} treatment goal",
            status="in progress",
            started_on=on - days(40),
            status_on=on,
        )
        session.add_all([housing, treatment])
        session.flush()
        session.add(
            PlanGoalChange(goal_id=housing.id, status="achieved", on=on, username="cm1", at=now)
        )
        session.add_all(
            [
                Service(
                    participant_id=participant_id,
                    category="employment",
                    provider="Demo Jobs Example",
                    start_on=on,
                    funding="new_capacity",
                    username="cm1",
                    at=now,
                ),
                Service(
                    participant_id=participant_id,
                    category="mental health counseling",
                    provider=f"{marker} clinic",
                    start_on=on,
                    funding="existing_spare",
                    username="cm1",
                    at=now,
                ),
                Service(
                    participant_id=participant_id,
                    category="education",
                    provider="Demo GED Example",
                    start_on=on - days(60),
                    withdrawn_on=on,
                    withdrawal_reason=f"{marker} withdrawal reason",
                    funding="existing_spare",
                    username="cm1",
                    at=now,
                ),
            ]
        )
