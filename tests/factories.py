"""Small builders for tests: users, participants, releases, referrals, signed-in sessions."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from models import Organization, Participant, Referral, ReferralType, Release, Role, User
from services.access import auth
from services.access.auth import CurrentUser
from services.access.users import create_user
from services.core.audit import SYSTEM
from services.core.clock import utcnow
from services.core.db import write_session

PASSWORD = "correct horse battery"
ROLE_ORG = {
    Role.project_manager: "PDA",
    Role.case_manager: "CMP",
    Role.clinical_supervisor: "CMP",
    Role.law_enforcement: "BPD",
    Role.corrections: "DOC",
    Role.prosecutor: "KCPAO",
    Role.community: "COMM",
}


def make_user(engine, username: str, role: Role, org: str | None = None) -> User:
    return create_user(
        engine,
        actor=SYSTEM,
        username=username,
        display_name=f"Test {username}",
        role=role,
        org_code=org or ROLE_ORG[role],
        password=PASSWORD,
    )


def sign_in(engine, username: str) -> CurrentUser:
    session_id = auth.start_session(engine, username, token_exp=utcnow().timestamp() + 3600)
    user = auth.resume(engine, session_id)
    assert user is not None
    return user


def org_id(engine, code: str) -> int:
    with write_session(engine) as session:
        return session.exec(select(Organization.id).where(Organization.code == code)).one()


def make_participant(
    engine,
    lead_id: str,
    *,
    name: str = "Avery Sample",
    case_manager: User | None = None,
    aliases: list[str] | None = None,
) -> Participant:
    provider = org_id(engine, "CMP")
    with write_session(engine) as session:
        participant = Participant(
            lead_id=lead_id,
            legal_name=f"{name} Legal",
            preferred_name=name,
            aliases=aliases or [],
            date_of_birth=date(1990, 1, 2),
            case_manager_id=case_manager.id if case_manager else None,
            organization_id=provider,
            case_notes=f"NOTE-{lead_id}",
            substance_use=f"SUD-{lead_id}",
            mental_health=f"MH-{lead_id}",
            criminal_history=f"CH-{lead_id}",
            created_at=utcnow(),
        )
        session.add(participant)
        session.flush()
        return participant


def make_release(
    engine,
    participant: Participant,
    orgs: list[str],
    *,
    signed: date,
    expires: date | None = None,
    rescinded: date | None = None,
    treatment_information: bool = False,
) -> None:
    with write_session(engine) as session:
        session.add(
            Release(
                participant_id=participant.id,
                signed_date=signed,
                expires_date=expires,
                rescinded_date=rescinded,
                covered_org_codes=orgs,
                treatment_information=treatment_information,
                created_at=utcnow(),
            )
        )


def make_referral(engine, participant: Participant, *, referred: date, **fields) -> Referral:
    with write_session(engine) as session:
        referral = Referral(
            participant_id=participant.id,
            referral_type=fields.pop("referral_type", ReferralType.arrest),
            referral_date=referred,
            created_at=utcnow(),
            **fields,
        )
        session.add(referral)
        session.flush()
        return referral


def days(n: int) -> timedelta:
    return timedelta(days=n)
