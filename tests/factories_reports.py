"""A synthetic LEAD year for report tests: people, referrals, plans, housing, services, contacts.

Deterministic (a fixed seed and fixed dates), so figures computed from it can be checked
against committed expected output (tests/snapshots/). Only synthetic people: names are built
from placeholder words, LEAD ids start at BUR-1001 so they never meet the demo's BUR-0001...
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import select

from models import (
    Contact,
    HousingChange,
    Organization,
    Participant,
    ParticipantStatus,
    PlanGoal,
    PlanGoalChange,
    Referral,
    ReferralType,
    Role,
    Service,
    StatusChange,
    User,
)
from services.core.clock import utcnow
from services.core.db import write_session

FIRST = date(2025, 10, 1)
LAST = date(2026, 9, 30)
FIRST_WORDS = "Avery Blake Casey Devon Emery Finley Harper Jamie Kendall Rowan Sage Teagan".split()
LAST_WORDS = "Sample Example Placeholder Fictional Synthetic Testcase Mockup Specimen".split()
RACE = (
    ("White", 45),
    ("Black or African American", 25),
    ("Hispanic or Latino", 12),
    ("Asian", 6),
    ("American Indian or Alaska Native", 4),
    ("Black; White", 4),
    ("declined", 4),
)
GENDER = (("man", 60), ("woman", 35), ("non-binary", 3), ("", 2))
LANGUAGE = (("English", 85), ("Spanish", 10), ("Vietnamese", 3), ("", 2))
HOUSING = (("unsheltered", 40), ("shelter", 25), ("couch surfing", 15), ("transitional", 20))
DOMAINS = (
    ("housing", 30),
    ("treatment", 20),
    ("benefits", 15),
    ("health", 10),
    ("job placement", 8),
    ("education", 7),
    ("legal assistance", 5),
    ("food", 5),
)
TYPES = ((ReferralType.arrest, 70), (ReferralType.social_contact, 25), (ReferralType.doc, 5))


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _day(rng: random.Random, low: date, high: date) -> date:
    return low + timedelta(days=rng.randint(0, max((high - low).days, 0)))


def seed_report_world(
    engine, *, people: int = 150, seed: int = 6, first: date = FIRST, last: date = LAST
) -> dict:
    """Seed `people` synthetic participants referred between `first` and `last`.

    Returns a few raw facts for cross-checks, e.g. {"participants": 150, ...}.
    """
    rng = random.Random(seed)
    now = utcnow()
    counts = {"participants": people, "contacts": 0, "services": 0, "goals": 0}
    with write_session(engine) as session:
        orgs = {o.code: o.id for o in session.exec(select(Organization))}
        staff = User(
            username=f"rpt.cm{seed}",
            display_name="Report Demo-Casework",
            role=Role.case_manager,
            organization_id=orgs["CMP"],
            password_hash="!",  # never signs in
            created_at=now,
        )
        session.add(staff)
        session.flush()
        for i in range(people):
            first_word, last_word = rng.choice(FIRST_WORDS), rng.choice(LAST_WORDS)
            referred = _day(rng, first, last)
            intake = referred + timedelta(days=rng.randint(1, 25)) if rng.random() < 0.8 else None
            exited = None
            if intake and rng.random() < 0.15:
                exited = intake + timedelta(days=rng.randint(30, 200))
            status = ParticipantStatus.referred
            if intake:
                status = ParticipantStatus.exited if exited else ParticipantStatus.active
            person = Participant(
                lead_id=f"BUR-{1001 + i:04d}",
                legal_name=f"{first_word} R. {last_word}",
                preferred_name=first_word,
                aliases=[f"{first_word[0]}. {last_word}-{i}"] if i % 7 == 0 else [],
                date_of_birth=date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                status=status,
                organization_id=orgs["CMP"],
                race_ethnicity=_pick(rng, RACE),
                primary_language=_pick(rng, LANGUAGE),
                gender_identity=_pick(rng, GENDER),
                housing_situation=_pick(rng, HOUSING),
                created_at=now,
            )
            session.add(person)
            session.flush()
            pid = person.id
            session.add(
                Referral(
                    participant_id=pid,
                    referral_type=_pick(rng, TYPES),
                    referral_date=referred,
                    initial_screening_date=referred,
                    intake_completed_date=intake,
                    place=f"Synthetic block {i % 9}",
                    created_at=now,
                )
            )
            if not intake:
                continue
            session.add(
                StatusChange(participant_id=pid, on=intake, status="active", username="rpt", at=now)
            )
            if exited:
                session.add(
                    StatusChange(
                        participant_id=pid, on=exited, status="exited", username="rpt", at=now
                    )
                )
            active_until = min(exited or last, last)
            session.add(
                HousingChange(
                    participant_id=pid,
                    on=intake,
                    situation=person.housing_situation,
                    username="rpt",
                    at=now,
                )
            )
            if rng.random() < 0.25:
                session.add(
                    HousingChange(
                        participant_id=pid,
                        on=intake + timedelta(days=rng.randint(20, 200)),
                        situation="housed",
                        username="rpt",
                        at=now,
                    )
                )
            if rng.random() < 0.75:
                for _ in range(rng.randint(1, 3)):
                    started = intake + timedelta(days=rng.randint(3, 30))
                    achieved = rng.random() < 0.45
                    status_on = (
                        started + timedelta(days=rng.randint(10, 120)) if achieved else started
                    )
                    goal = PlanGoal(
                        participant_id=pid,
                        domain=_pick(rng, DOMAINS),
                        goal="Synthetic goal in the participant's words",
                        status="achieved" if achieved else "in progress",
                        started_on=started,
                        status_on=status_on,
                    )
                    session.add(goal)
                    session.flush()
                    counts["goals"] += 1
                    if achieved:
                        session.add(
                            PlanGoalChange(
                                goal_id=goal.id,
                                status="achieved",
                                on=status_on,
                                username="rpt",
                                at=now,
                            )
                        )
            for _ in range(rng.randint(0, 4)):
                spare = rng.random() < 0.3
                start_on = intake + timedelta(days=rng.randint(0, 180))
                if start_on > active_until:
                    continue
                session.add(
                    Service(
                        participant_id=pid,
                        category=_pick(rng, DOMAINS),
                        provider="Synthetic provider",
                        start_on=start_on,
                        cost_cents=0 if spare else rng.randint(50, 2000) * 100,
                        funding="existing_spare" if spare else "new_capacity",
                        username="rpt",
                        at=now,
                    )
                )
                counts["services"] += 1
            day = intake
            while day <= active_until:
                session.add(
                    Contact(
                        participant_id=pid,
                        on=day,
                        kind="field",
                        staff_id=staff.id,
                        minutes=30,
                        note="Synthetic contact note",
                        at=now,
                    )
                )
                counts["contacts"] += 1
                day += timedelta(days=rng.randint(5, 14))
    return counts


def add_people(
    engine,
    count: int,
    *,
    referred: date,
    intake: date | None = None,
    referral_type: ReferralType = ReferralType.arrest,
    first_number: int = 2001,
    **demographics,
) -> list[int]:
    """`count` synthetic people referred on one day (and active from `intake`, when given)."""
    now = utcnow()
    ids = []
    with write_session(engine) as session:
        provider = session.exec(select(Organization.id).where(Organization.code == "CMP")).one()
        for number in range(first_number, first_number + count):
            person = Participant(
                lead_id=f"BUR-{number:04d}",
                legal_name=f"Rowan Q. Placeholder-{number}",
                preferred_name="Rowan",
                date_of_birth=date(1980, 5, 17),
                status=ParticipantStatus.active if intake else ParticipantStatus.referred,
                organization_id=provider,
                created_at=now,
                **demographics,
            )
            session.add(person)
            session.flush()
            session.add(
                Referral(
                    participant_id=person.id,
                    referral_type=referral_type,
                    referral_date=referred,
                    intake_completed_date=intake,
                    created_at=now,
                )
            )
            if intake:
                session.add(
                    StatusChange(
                        participant_id=person.id, on=intake, status="active", username="t", at=now
                    )
                )
            ids.append(person.id)
    return ids


# The red team's case (issue 12, SECURITY 30): a quarter whose service categories are all small
# while their total is not: 11 services costing $5,500 in all, one split fitting the prices.
SMALL_SERVICES_QUARTER = (date(2025, 7, 1), date(2025, 9, 30))
SMALL_SERVICES = (("housing", 4, 90_000), ("food", 4, 10_000), ("benefits", 3, 50_000))


def plant_small_service_quarter(engine, *, first_number: int = 3001) -> dict:
    """Eleven people, one service each, in July to September 2025: every category small.

    Returns {"services": 11, "spend_dollars": 5500}.
    """
    start, _end = SMALL_SERVICES_QUARTER
    count = sum(n for _category, n, _cents in SMALL_SERVICES)
    ids = iter(
        add_people(
            engine,
            count,
            referred=start + timedelta(days=1),
            intake=start + timedelta(days=8),
            first_number=first_number,
        )
    )
    now = utcnow()
    cents_total = 0
    with write_session(engine) as session:
        for category, number, cents in SMALL_SERVICES:
            for _ in range(number):
                session.add(
                    Service(
                        participant_id=next(ids),
                        category=category,
                        provider="Synthetic provider",
                        start_on=start + timedelta(days=20),
                        cost_cents=cents,
                        funding="new_capacity",
                        username="rpt",
                        at=now,
                    )
                )
                cents_total += cents
    return {"services": count, "spend_dollars": round(cents_total / 100)}
