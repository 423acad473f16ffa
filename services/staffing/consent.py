"""Whether a person may be discussed at a session (PROTOCOL C3).

A general release must cover every attending organization outside the LEAD team, today and on the
session day; a treatment-information release (C4) is not consent to discuss the person. The
reason is for the project manager only (SECURITY 5).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from models import Organization, StaffingSession
from services.participants import general_releases
from services.staffing.rules import consent_gaps
from services.staffing.vocabulary import CONSENT_HELD, LEAD_TEAM_KINDS


def _releases(session: Session, ids: list[int]) -> dict[int, list[dict]]:
    """General releases by participant (C3): a treatment-information release (C4) is not
    consent to discuss the person at a session."""
    return {pid: [] for pid in ids} | general_releases(session, list(ids))


def _orgs_needing_release(session: Session, row: StaffingSession) -> list[str]:
    """Attending organizations outside the LEAD team (the provider and PDA hold the record)."""
    team = set(
        session.exec(select(Organization.code).where(col(Organization.kind).in_(LEAD_TEAM_KINDS)))
    )
    return [code for code in row.attending_org_codes if code not in team]


def consent_problem(session: Session, row: StaffingSession, participant_id: int, today: date):
    """None when the person may be discussed at this session, else the reason (PM only)."""
    return consent_problems(session, row, [participant_id], today)[participant_id]


def consent_problems(
    session: Session, row: StaffingSession, participant_ids: list[int], today: date
) -> dict[int, str | None]:
    """`consent_problem` for many people with one read of their releases."""
    releases = _releases(session, sorted(set(participant_ids)))
    orgs = _orgs_needing_release(session, row)
    days = sorted({today, max(today, row.on)})
    problems = {}
    for pid in participant_ids:
        gaps = consent_gaps(releases[pid], orgs, days)
        problems[pid] = (
            CONSENT_HELD.format(orgs=", ".join(gaps), day=days[-1].isoformat()) if gaps else None
        )
    return problems
