"""Synthetic casework for the demo: intakes, plan goals, services, contacts, housing, history.

Called once from demo.seed.seed_demo after the demo participants exist. Deterministic (a
generator derived from the demo's), quick (a few rows per person), and fake throughout: notes
say "Demo note", providers are "Demo ..." programs. Adds no people and no users.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from models import (
    Contact,
    Coverage,
    HousingChange,
    Intake,
    Participant,
    ParticipantStatus,
    PlanGoal,
    PlanGoalChange,
    Referral,
    Release,
    Role,
    Service,
    StatusChange,
    User,
)
from services.participants import GENDER_IDENTITIES, HOUSING_SITUATIONS, RACE_ETHNICITY
from services.participants.casework import CONTACT_KINDS, FACTOR_ANSWERS, INTAKE_FACTORS

GOALS = {
    "housing": "I want my own place with a door that locks.",
    "benefits (SSI/GAU)": "Get my benefits back so I can pay for food.",
    "job training": "Finish the forklift course.",
    "education (incl. GED)": "Pass the GED math test.",
    "health": "See a doctor about my foot.",
    "chemical dependency treatment": "Start the outpatient program on Mondays.",
    "legal assistance": "Clear my old warrants with help from the defender.",
    "food": "Know where to eat every day of the week.",
}
SERVICES = (
    ("housing", "Demo Motel Voucher Program", "new_capacity", 1850_00),
    ("food", "Demo Community Kitchen", "existing_spare", 0),
    ("job training", "Demo Skills Center", "new_capacity", 600_00),
    ("chemical dependency treatment", "Demo Outpatient Clinic", "existing_spare", 0),
)
NOTES = (
    "Demo note: checked in at the usual spot, doing okay.",
    "Demo note: went together to the benefits office.",
    "Demo note: phone call to set up next week's appointment.",
    "Demo note: visited in jail, talked about release plans.",
    "Demo note: texted a reminder about court tomorrow.",
)
LANGUAGES = ("English", "Spanish", "Somali", "Vietnamese", "declined")


def seed_casework(session: Session, rng: random.Random, today: date, now: datetime) -> None:
    """Give each demo participant a plausible LEAD story up to today."""
    local = random.Random(rng.getrandbits(32))
    staff = {u.username: u for u in session.exec(select(User))}
    managers = [u for u in staff.values() if u.role == Role.case_manager]
    people = list(session.exec(select(Participant).order_by(col(Participant.id))))
    referrals = {r.participant_id: r for r in session.exec(select(Referral))}
    for person in people:
        referral = referrals.get(person.id)
        _demographics(person, local)
        start = referral.referral_date if referral else today - timedelta(days=30)
        session.add(
            StatusChange(
                participant_id=person.id,
                on=start,
                status="referred",
                reason="referred to LEAD",
                username="system",
                at=now,
            )
        )
        if person.status != ParticipantStatus.active or referral is None:
            continue
        intake_on = referral.intake_completed_date or start
        by = next((m.username for m in managers if m.id == person.case_manager_id), "system")
        session.add(
            StatusChange(
                participant_id=person.id,
                on=intake_on,
                status="active",
                reason="intake completed and release signed (PROTOCOL T6)",
                username=by,
                at=now,
            )
        )
        session.add(
            Intake(
                participant_id=person.id,
                on=intake_on,
                factors={k: local.choice(FACTOR_ANSWERS[:3]) for k in INTAKE_FACTORS},
                immediate_needs_met="Demo: food, a phone and a shelter bed on the first day.",
                username=by,
                at=now,
            )
        )
        _housing(session, person, local, intake_on, by, now)
        _goals(session, person, local, intake_on, today, by, now)
        _services(session, person, local, intake_on, today, by, now)
        _contacts(session, person, local, intake_on, today, now)
        if person.id % 9 == 4:
            session.add(
                Release(
                    participant_id=person.id,
                    kind="written",
                    signed_date=intake_on,
                    expires_date=intake_on + timedelta(days=365),
                    covered_org_codes=["Demo Outpatient Clinic"],
                    purpose="consultation with the treating clinic (PROTOCOL C4)",
                    treatment_information=True,
                    created_at=now,
                    created_by=by,
                )
            )
        session.add(person)
    if len(managers) >= 2:
        # An upcoming handover, so the Caseload page shows how coverage looks.
        session.add(
            Coverage(
                absent_id=managers[1].id,
                covering_id=managers[0].id,
                start_on=today + timedelta(days=14),
                end_on=today + timedelta(days=27),
                username="supervisor" if "supervisor" in staff else "system",
                at=now,
            )
        )
    session.flush()


def _demographics(person: Participant, rng: random.Random) -> None:
    person.race_ethnicity = rng.choice(RACE_ETHNICITY[1:])
    person.primary_language = rng.choice(LANGUAGES)
    person.interpreter_needed = person.primary_language not in ("English", "declined")
    person.gender_identity = rng.choice(GENDER_IDENTITIES[1:])


def _housing(session, person, rng, since: date, by: str, now) -> None:
    first = rng.choice(HOUSING_SITUATIONS[:3])
    session.add(
        HousingChange(participant_id=person.id, on=since, situation=first, username=by, at=now)
    )
    person.housing_situation = first
    if rng.random() < 0.5:
        later = rng.choice(("transitional housing", "permanent housing", "staying with others"))
        on = since + timedelta(days=rng.randint(5, 20))
        session.add(
            HousingChange(participant_id=person.id, on=on, situation=later, username=by, at=now)
        )
        person.housing_situation = later


def _goals(session, person, rng, since: date, today: date, by: str, now) -> None:
    for domain in rng.sample(sorted(GOALS), k=rng.randint(1, 3)):
        goal = PlanGoal(
            participant_id=person.id,
            domain=domain,
            goal=GOALS[domain],
            status="not started",
            started_on=since,
            status_on=since,
            updated_at=now,
            updated_by=by,
        )
        session.add(goal)
        session.flush()
        history = [("not started", since)]
        moved = min(today, since + timedelta(days=rng.randint(2, 10)))
        if rng.random() < 0.8:
            history.append(("in progress", moved))
            if rng.random() < 0.35:
                history.append(
                    (rng.choice(("achieved", "set aside")), min(today, moved + timedelta(days=7)))
                )
        for status, on in history:
            session.add(PlanGoalChange(goal_id=goal.id, status=status, on=on, username=by, at=now))
        goal.status, goal.status_on = history[-1]
        goal.version = len(history)
        session.add(goal)


def _services(session, person, rng, since: date, today: date, by: str, now) -> None:
    for category, provider, funding, cents in rng.sample(SERVICES, k=rng.randint(0, 2)):
        start = min(today, since + timedelta(days=rng.randint(0, 10)))
        service = Service(
            participant_id=person.id,
            category=category,
            provider=provider,
            start_on=start,
            end_on=start + timedelta(days=90),
            cost_cents=cents,
            funding=funding,
            username=by,
            at=now,
        )
        if rng.random() < 0.15 and start < today:
            service.withdrawn_on = min(today, start + timedelta(days=14))
            service.end_on = service.withdrawn_on
            service.withdrawal_reason = "Demo: did not use the voucher for three weeks (P3)."
        session.add(service)


def _contacts(session, person, rng, since: date, today: date, now) -> None:
    if person.case_manager_id is None:
        return
    last = person.last_contact_date or today
    days = sorted({rng.randint(0, max(0, (last - since).days)) for _ in range(rng.randint(2, 6))})
    dates = sorted({since + timedelta(days=d) for d in days} | {last})
    for on in dates:
        session.add(
            Contact(
                participant_id=person.id,
                on=on,
                kind=rng.choice(CONTACT_KINDS),
                staff_id=person.case_manager_id,
                minutes=rng.choice((5, 10, 15, 30, 45, 60)),
                note=rng.choice(NOTES),
                at=now,
            )
        )
    person.last_contact_date = last
