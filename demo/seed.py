"""The synthetic demo: clearly fake people, deterministic (same seed, same data).

Names are built from placeholder words ("Sample", "Example", ...) so that nobody mistakes a demo
person for a real one. Dates are relative to the day the demo is seeded, so alerts show up.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from demo.participants import seed_casework
from demo.referrals import seed_demo_details
from demo.reports import seed_reports_demo
from demo.staffing import seed_staffing_demo
from models import (
    Organization,
    Participant,
    ParticipantStatus,
    Referral,
    ReferralType,
    Release,
    Role,
    User,
)
from services.access.auth import hash_password
from services.core import audit
from services.core.audit import SYSTEM
from services.core.clock import local_today, utcnow
from services.core.db import write_session
from services.core.site import ensure_defaults

DEMO_PASSWORD = "lead-demo-pass"
DEMO_USERS = (
    # username, display name, role, organization
    ("pm", "Pat Demo-Manager", Role.project_manager, "PDA"),
    ("cm1", "Casey Demo-Casework", Role.case_manager, "CMP"),
    ("cm2", "Morgan Demo-Casework", Role.case_manager, "CMP"),
    ("supervisor", "Sam Demo-Supervisor", Role.clinical_supervisor, "CMP"),
    ("bpd", "Officer Demo-Patrol", Role.law_enforcement, "BPD"),
    ("kcso", "Deputy Demo-Sheriff", Role.law_enforcement, "KCSO"),
    ("doc", "Agent Demo-Corrections", Role.corrections, "DOC"),
    ("kcpao", "Deputy Prosecutor Demo", Role.prosecutor, "KCPAO"),
    ("cityatty", "City Attorney Demo", Role.prosecutor, "BCA"),
    ("community", "Community Rep Demo", Role.community, "COMM"),
)
FIRST_NAMES = (
    "Avery Alex Blake Casey Devon Emery Finley Harper Jamie Jordan Kendall Logan Morgan Parker "
    "Quinn Reese Riley Rowan Sage Skyler Taylor Teagan"
).split()
LAST_NAMES = (
    "Sample Example Placeholder Fictional Synthetic Testcase Mockup Specimen Dummy Prototype "
    "Madeup Pretend"
).split()
OFFENSES = ("vucsa_possession", "theft_misdemeanor", "criminal_trespass", "prostitution")
DEMO_NOTES = (
    "Demo note: met at the library, talked about housing options.",
    "Demo note: missed appointment, follow up by phone.",
    "Demo note: attended benefits appointment together.",
)


def is_seeded(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(User)).one() > 0


def seed_demo(engine: Engine, *, participants: int = 30, seed: int = 2026) -> bool:
    """Seed an empty database; returns False (and writes nothing) when it has users already."""
    now = utcnow()
    today = local_today("America/Los_Angeles", now)
    rng = random.Random(seed)
    password_hash = hash_password(DEMO_PASSWORD)
    with write_session(engine) as session:
        ensure_defaults(session)
        if is_seeded(session):
            return False
        orgs = {o.code: o for o in session.exec(select(Organization))}
        users = {}
        for username, name, role, org in DEMO_USERS:
            user = User(
                username=username,
                display_name=name,
                role=role,
                organization_id=orgs[org].id,
                password_hash=password_hash,
                created_at=now,
            )
            session.add(user)
            users[username] = user
        session.flush()
        managers = [users["cm1"], users["cm2"]]
        for i in range(1, participants + 1):
            _seed_participant(session, rng, i, today, now, orgs, managers)
        seed_casework(session, rng, today, now)  # issue 4: intakes, plans, services, contacts
        seed_reports_demo(session, rng, today, now)  # issue 6: community log, a report
        seed_demo_details(session, rng, today, now)  # issue 3: cover sheets and stages
        seed_staffing_demo(session, rng, today, now)  # issue 5: sessions, names, outcomes
        audit.append(session, actor=SYSTEM, action="demo.seed", purpose="synthetic demo", now=now)
    return True


def _seed_participant(session, rng, i, today: date, now: datetime, orgs, managers) -> None:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    referred_days_ago = rng.choice([2, 5, 12, 25, 29, 31, 36, 40, 60, 120, 200, 400])
    referral_date = today - timedelta(days=referred_days_ago)
    intake_done = referred_days_ago > 20 and rng.random() < 0.7
    status = ParticipantStatus.active if intake_done else ParticipantStatus.referred
    participant = Participant(
        lead_id=f"BUR-{i:04d}",
        legal_name=f"{first} Q. {last}",
        preferred_name=first,
        aliases=[f"{first[0]}. {last}"] if rng.random() < 0.4 else [],
        date_of_birth=date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)),
        status=status,
        case_manager_id=managers[i % 2].id,
        organization_id=orgs["CMP"].id,
        case_notes=rng.choice(DEMO_NOTES),
        substance_use="Demo: substance use detail (restricted)",
        mental_health="Demo: mental health detail (restricted)",
        criminal_history="Demo: criminal history detail (restricted)",
        last_contact_date=today - timedelta(days=rng.randint(0, 30)) if intake_done else None,
        created_at=now,
    )
    session.add(participant)
    session.flush()
    referral_type = ReferralType.arrest if rng.random() < 0.75 else ReferralType.social_contact
    session.add(
        Referral(
            participant_id=participant.id,
            referral_type=referral_type,
            referral_date=referral_date,
            referring_organization_id=orgs[rng.choice(["BPD", "KCSO"])].id,
            referring_officer="Officer Demo-Patrol",
            offense=rng.choice(OFFENSES) if referral_type == ReferralType.arrest else "",
            initial_screening_date=referral_date,
            intake_completed_date=referral_date + timedelta(days=rng.randint(1, 20))
            if intake_done
            else None,
            social_contact_approved_date=referral_date
            if referral_type == ReferralType.social_contact
            else None,
            created_at=now,
        )
    )
    if intake_done:
        signed = referral_date + timedelta(days=1)
        kind = i % 10
        session.add(
            Release(
                participant_id=participant.id,
                signed_date=signed,
                # most releases cover BPD and KCPAO; a few are expired, rescinded or cover DOC
                expires_date=today - timedelta(days=3)
                if kind == 7
                else signed + timedelta(days=365 * 2),
                rescinded_date=today - timedelta(days=5) if kind == 8 else None,
                covered_org_codes=["BPD", "KCPAO", "DOC"] if kind == 3 else ["BPD", "KCPAO"],
                created_at=now,
            )
        )
