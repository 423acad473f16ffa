"""Report-back step 1: load what the figures need from the database as plain tuples.

PROTOCOL M6 (aggregate only): ids stay inside `Activity`, nothing here is ever published.
Also read by the funder reports (PROTOCOL M5, `services.reports.funder`). Who counts as an
active participant when follows PROTOCOL T6.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import extract, func
from sqlmodel import Session, col, select

from models import (
    Contact,
    HousingChange,
    Participant,
    PlanGoal,
    PlanGoalChange,
    Referral,
    Service,
    StatusChange,
)
from services.reports.report_back.vocabulary import (
    gender_group,
    housing_group,
    language_group,
    race_group,
)


@dataclass
class Activity:
    """Plain rows for counting; ids stay inside, nothing here is ever published."""

    people: dict[int, dict] = field(default_factory=dict)
    referrals: list[tuple] = field(default_factory=list)  # pid, type, referral_date, intake
    status: dict[int, list[tuple]] = field(default_factory=dict)  # pid -> [(on, status)]
    housing: dict[int, list[tuple]] = field(default_factory=dict)  # pid -> [(on, situation)]
    goals: list[tuple] = field(default_factory=list)  # id, pid, domain, status, start, status_on
    goal_changes: list[tuple] = field(default_factory=list)  # goal id, status, on
    services: list[tuple] = field(default_factory=list)  # pid, category, start, cents, funding
    contacts_by_month: dict[date, int] = field(default_factory=dict)  # first of month -> count
    contacts: list[tuple] = field(default_factory=list)  # pid, on (only when asked for)


def load_activity(
    session: Session,
    start: date,
    end: date,
    *,
    contact_rows: bool = False,
    served_only: bool = False,
) -> Activity:
    """Everything the counts for [start, end] need; contacts and services only in the window.

    Contacts are counted by month in the database (an index-only scan of their dates: at 10,000
    participants a year holds about 285,000 contacts); `contact_rows` also reads each contact's
    participant and day, for the client-level report of one month. `served_only` reads just
    what `funder.served` needs (people, referrals, status history, services; no housing, goals or
    contact counts).
    """
    act = Activity()

    def rows(query) -> list:  # plain rows: no ORM bookkeeping for 100,000s of tuples
        return session.connection().execute(query).all()

    act.people = _people(rows)
    act.referrals = _referrals(rows)
    act.status = _status_history(rows)
    if not served_only:
        act.housing = _housing_history(rows)
        act.goals = _goals(rows)
        act.goal_changes = _goal_changes(rows, start, end)
    act.services = _services(rows, start, end)
    if not served_only:
        act.contacts_by_month = _contacts_by_month(rows, start, end)
    if contact_rows:
        act.contacts = _contacts(rows, start, end)
    return act


def _people(rows) -> dict[int, dict]:
    """Each participant's status now and their groups (mapped, never the recorded text)."""
    people = {}
    for pid, status, race, language, gender, housing in rows(
        select(
            Participant.id,
            Participant.status,
            Participant.race_ethnicity,
            Participant.primary_language,
            Participant.gender_identity,
            Participant.housing_situation,
        )
    ):
        people[pid] = {
            "status": getattr(status, "value", status),
            "race": race_group(race),
            "gender": gender_group(gender),
            "language": language_group(language),
            "housing_now": housing_group(housing),
        }
    return people


def _referrals(rows) -> list[tuple]:
    return [
        (pid, getattr(kind, "value", kind), referred, intake)
        for pid, kind, referred, intake in rows(
            select(
                Referral.participant_id,
                Referral.referral_type,
                Referral.referral_date,
                Referral.intake_completed_date,
            ).order_by(Referral.referral_date, Referral.id)
        )
    ]


def _status_history(rows) -> dict[int, list[tuple]]:
    status: dict[int, list[tuple]] = {}
    for pid, on, value in rows(
        select(StatusChange.participant_id, StatusChange.on, StatusChange.status).order_by(
            StatusChange.on, StatusChange.at, StatusChange.id
        )
    ):
        status.setdefault(pid, []).append((on, value))
    return status


def _housing_history(rows) -> dict[int, list[tuple]]:
    housing: dict[int, list[tuple]] = {}
    for pid, on, situation in rows(
        select(HousingChange.participant_id, HousingChange.on, HousingChange.situation).order_by(
            HousingChange.on, HousingChange.at, HousingChange.id
        )
    ):
        housing.setdefault(pid, []).append((on, housing_group(situation)))
    return housing


def _goals(rows) -> list[tuple]:
    return [
        tuple(row)
        for row in rows(
            select(
                PlanGoal.id,
                PlanGoal.participant_id,
                PlanGoal.domain,
                PlanGoal.status,
                PlanGoal.started_on,
                PlanGoal.status_on,
            )
        )
    ]


def _goal_changes(rows, start: date, end: date) -> list[tuple]:
    return [
        tuple(row)
        for row in rows(
            select(PlanGoalChange.goal_id, PlanGoalChange.status, PlanGoalChange.on).where(
                col(PlanGoalChange.on).between(start, end)
            )
        )
    ]


def _services(rows, start: date, end: date) -> list[tuple]:
    return [
        tuple(row)
        for row in rows(
            select(
                Service.participant_id,
                Service.category,
                Service.start_on,
                Service.cost_cents,
                Service.funding,
            ).where(col(Service.start_on).between(start, end))
        )
    ]


def _contacts_by_month(rows, start: date, end: date) -> dict[date, int]:
    """Contacts counted by month in the database (an index-only scan of their dates)."""
    year, month = extract("year", Contact.on), extract("month", Contact.on)
    return {
        date(int(y), int(m), 1): count
        for y, m, count in rows(
            select(year, month, func.count())
            .where(col(Contact.on).between(start, end))
            .group_by(year, month)
        )
    }


def _contacts(rows, start: date, end: date) -> list[tuple]:
    return [
        tuple(row)
        for row in rows(
            select(Contact.participant_id, Contact.on).where(col(Contact.on).between(start, end))
        )
    ]


def active_spans(act: Activity) -> dict[int, list[tuple[date, date | None]]]:
    """When each person was an active participant: [(from, until or None)].

    From the status history when there is one; otherwise a person whose status is active counts
    from their first completed intake (PROTOCOL T6: a participant once the intake is complete).
    """
    first_intake: dict[int, date] = {}
    for pid, _kind, _referred, intake in act.referrals:
        if intake and (pid not in first_intake or intake < first_intake[pid]):
            first_intake[pid] = intake
    spans: dict[int, list[tuple[date, date | None]]] = {}
    for pid, person in act.people.items():
        history = act.status.get(pid)
        if history:
            found = []
            for index, (on, status) in enumerate(history):
                if status != "active":
                    continue
                following = history[index + 1][0] if index + 1 < len(history) else None
                found.append((on, following - timedelta(days=1) if following else None))
            spans[pid] = found
        elif person["status"] == "active" and pid in first_intake:
            spans[pid] = [(first_intake[pid], None)]
    return spans


def active_between(spans, start: date, end: date) -> set[int]:
    return {
        pid
        for pid, found in spans.items()
        if any(begin <= end and (until is None or until >= start) for begin, until in found)
    }
