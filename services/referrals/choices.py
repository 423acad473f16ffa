"""What the referral forms offer: case managers, referring agencies, release partners.

Also the prosecutor with jurisdiction named on a referral (PROTOCOL T2, T5) and a release's
default end date (C1).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import col, select

from models import Organization, OrgKind, Referral, Role, User
from services.access.auth import CurrentUser
from services.core.db import read_session
from services.rules.calendar import add_months


def case_managers(engine: Engine, user: CurrentUser) -> list[dict]:
    """Case managers a new referral may be assigned to: [{"id", "name"}]."""
    with read_session(engine) as session:
        query = select(User.id, User.display_name).where(
            User.role == Role.case_manager, col(User.disabled).is_(False)
        )
        if user.role != Role.project_manager:
            query = query.where(User.organization_id == user.organization_id)
        return [{"id": i, "name": n} for i, n in session.exec(query.order_by(User.display_name))]


def referring_agencies(engine: Engine) -> dict[str, str]:
    """Organizations that refer (police, sheriff, corrections): code -> name."""
    kinds = (OrgKind.police, OrgKind.sheriff, OrgKind.corrections)
    with read_session(engine) as session:
        rows = session.exec(
            select(Organization.code, Organization.name)
            .where(col(Organization.kind).in_(kinds))
            .order_by(Organization.code)
        ).all()
    return dict(rows)


def release_organizations(engine: Engine) -> list[str]:
    """Operational partners a release of information may cover (PROTOCOL C1)."""
    kinds = (OrgKind.police, OrgKind.sheriff, OrgKind.corrections, OrgKind.prosecutor)
    with read_session(engine) as session:
        return list(
            session.exec(
                select(Organization.code)
                .where(col(Organization.kind).in_(kinds))
                .order_by(Organization.code)
            )
        )


def prosecutor_office_for(engine: Engine, referral_id: int) -> str:
    """The prosecutor with jurisdiction named on a referral's cover sheet ('' when none)."""
    with read_session(engine) as session:
        office = session.exec(
            select(Referral.prosecutor_office).where(Referral.id == referral_id)
        ).first()
    return office or ""


def default_release_expiry(today: date) -> date:
    """A sensible default end date for a release signed today: one year on."""
    return add_months(today, 12)
