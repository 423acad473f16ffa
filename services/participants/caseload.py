"""Whose caseload, and the figures per case manager (PROTOCOL M7).

Everything is computed with aggregate SQL (GROUP BY, SUM(CASE ...)) over plain columns: the page
must stay quick at 10,000 participants and 1,000,000 contacts, so no figure reads the contact
table (the participant's last contact date is kept on the participant row) and nothing runs a
query per row. Thresholds come from the site settings (caseload_per_fte, referrals_per_year,
no_contact_alert_days). The team figures over a period are services.participants.team's, the
caseloads handed over for a period services.participants.coverage's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, and_, case, func, literal, or_
from sqlmodel import col, select

from models import (
    Contact,
    Coverage,
    Participant,
    ParticipantStatus,
    Role,
    User,
)
from services.access.auth import CurrentUser
from services.access.policy import CASEWORK_EDITORS
from services.core.db import read_session
from services.core.site import get_settings

MAX_FLAGGED_ROWS = 200


# --- Whose caseload ----------------------------------------------------------------------------


def covered_ids(user_id: int, today: date):
    """SQL: the case managers whose caseload `user_id` covers today (a subquery)."""
    return select(Coverage.absent_id).where(
        Coverage.covering_id == user_id, Coverage.start_on <= today, Coverage.end_on >= today
    )


def caseload_clause(user_id: int, today: date):
    """SQL condition on Participant: on this case manager's caseload today, covered ones included.

    Used by services.today's alerts so they follow a caseload handed over for a period.
    """
    return or_(
        col(Participant.case_manager_id) == user_id,
        col(Participant.case_manager_id).in_(covered_ids(user_id, today)),
    )


def _scope(user: CurrentUser, today: date):
    """The participants a user's caseload views count: own (+covered), agency, or all (PM)."""
    if user.role == Role.case_manager:
        return caseload_clause(user.id, today)
    if user.role == Role.clinical_supervisor:
        return col(Participant.organization_id) == user.organization_id
    if user.role == Role.project_manager:
        return literal(True)
    return literal(False)


def team_scope(user: CurrentUser):
    """Team figures: the agency for case management staff, everything for the PM."""
    if user.role == Role.project_manager:
        return literal(True)
    if user.role in (Role.case_manager, Role.clinical_supervisor):
        return col(Participant.organization_id) == user.organization_id
    return literal(False)


def my_caseload(engine: Engine, user: CurrentUser, today: date) -> list[dict]:
    """People this user logs contacts for: own and covered caseload (case manager), the agency
    (supervisor); exited participants left out. [{"id", "lead_id", "label"}] by LEAD id."""
    if user.role not in CASEWORK_EDITORS:
        return []
    with read_session(engine) as session:
        rows = session.exec(
            select(Participant.id, Participant.lead_id, Participant.preferred_name)
            .where(_scope(user, today), Participant.status != ParticipantStatus.exited)
            .order_by(Participant.lead_id)
        ).all()
    return [{"id": pid, "lead_id": lead, "label": f"{lead} · {name}"} for pid, lead, name in rows]


def recent_contacts(
    engine: Engine, user: CurrentUser, today: date, *, limit: int = 10, days: int = 30
) -> list[dict]:
    """The user's own latest contacts of the last `days` (no note text), newest first.

    Bounded by date so the contact table's date index does the work at a million contacts.
    """
    with read_session(engine) as session:
        rows = session.exec(
            select(Contact.on, Participant.lead_id, Contact.kind, Contact.minutes)
            .join(Participant, col(Participant.id) == col(Contact.participant_id))
            # "+ 0" keeps SQLite off the staff index (half a million rows for one person at
            # scale) and on the date index, which the date bound makes small.
            .where(col(Contact.staff_id) + 0 == user.id, Contact.on >= today - timedelta(days=days))
            .order_by(col(Contact.on).desc(), col(Contact.id).desc())
            .limit(limit)
        ).all()
    return [
        {"Date": on.isoformat(), "LEAD id": lead, "Kind": kind, "Minutes": minutes}
        for on, lead, kind, minutes in rows
    ]


# --- Per case manager --------------------------------------------------------------------------


@dataclass(frozen=True)
class ManagerLoad:
    manager: str
    active: int
    referred: int
    no_contact: int
    covered_by: str


def by_manager(engine: Engine, user: CurrentUser, today: date) -> dict:
    """Active and referred-not-enrolled counts per case manager, with the capacity line.

    Returns {"rows": [ManagerLoad...], "capacity": per FTE, "no_contact_days": N}. One GROUP BY
    over participants; case managers without anyone assigned are listed with zeros.
    """
    settings = get_settings(engine)
    cutoff = today - timedelta(days=settings.no_contact_alert_days)
    active = Participant.status == ParticipantStatus.active
    stale = and_(
        active,
        or_(col(Participant.last_contact_date).is_(None), Participant.last_contact_date < cutoff),
    )
    query = (
        select(
            Participant.case_manager_id,
            func.sum(case((active, 1), else_=0)),
            func.sum(case((Participant.status == ParticipantStatus.referred, 1), else_=0)),
            func.sum(case((stale, 1), else_=0)),
        )
        .where(team_scope(user))
        .group_by(Participant.case_manager_id)
    )
    staff = select(User.id, User.display_name, User.disabled).where(User.role == Role.case_manager)
    if user.role != Role.project_manager:
        staff = staff.where(User.organization_id == user.organization_id)
    with read_session(engine) as session:
        counts = {cm: (a or 0, r or 0, n or 0) for cm, a, r, n in session.exec(query).all()}
        managers = session.exec(staff.order_by(User.display_name)).all()
        covers = dict(
            session.exec(
                select(Coverage.absent_id, User.display_name)
                .join(User, col(User.id) == col(Coverage.covering_id))
                .where(Coverage.start_on <= today, Coverage.end_on >= today)
            ).all()
        )
    rows = []
    for uid, name, disabled in managers:
        a, r, n = counts.pop(uid, (0, 0, 0))
        if disabled and not (a or r):
            continue
        rows.append(ManagerLoad(name, a, r, n, covers.get(uid, "")))
    if None in counts:
        a, r, n = counts.pop(None)
        rows.append(ManagerLoad("Unassigned", a, r, n, ""))
    for a, r, n in counts.values():  # managers of another agency or role: keep totals honest
        rows.append(ManagerLoad("Other staff", a, r, n, ""))
    return {
        "rows": rows,
        "capacity": settings.caseload_per_fte,
        "no_contact_days": settings.no_contact_alert_days,
    }


def no_contact_flags(engine: Engine, user: CurrentUser, today: date) -> list[dict]:
    """Active participants without a contact in no_contact_alert_days, longest first."""
    settings = get_settings(engine)
    cutoff = today - timedelta(days=settings.no_contact_alert_days)
    query = (
        select(
            Participant.lead_id,
            Participant.preferred_name,
            User.display_name,
            Participant.last_contact_date,
        )
        .outerjoin(User, col(User.id) == col(Participant.case_manager_id))
        .where(
            _scope(user, today),
            Participant.status == ParticipantStatus.active,
            or_(
                col(Participant.last_contact_date).is_(None),
                Participant.last_contact_date < cutoff,
            ),
        )
        .order_by(col(Participant.last_contact_date).is_not(None), Participant.last_contact_date)
        .limit(MAX_FLAGGED_ROWS)
    )
    with read_session(engine) as session:
        rows = session.exec(query).all()
    return [
        {
            "Flag": f"⚠ No contact in {settings.no_contact_alert_days}+ days",
            "LEAD id": lead,
            "Name": name,
            "Case manager": manager or "unassigned",
            "Last contact": last.isoformat() if last else "never",
            "Days since": (today - last).days if last else None,
        }
        for lead, name, manager, last in rows
    ]
