"""Sessions: scheduling and editing one, each series extended on its grid, where a name sent today
goes, and sessions as plain dicts for the pages.

PROTOCOL M1 (the workgroup every `workgroup_interval_days`, staffing sessions every
`staffing_interval_days`) and M2 (a session takes names until its cut-off).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from models import AgendaItem, Organization, StaffingSession, Submission
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.staffing.items import _agenda_changed, _check_version, _get, _require_pm, _text
from services.staffing.rules import next_occurrence, submission_cutoff
from services.staffing.vocabulary import (
    ACTION_ITEMS_TITLE,
    DEFAULT_ATTENDING_KINDS,
    INBOX_STATUSES,
    MAX_PLACE,
    SESSION_KINDS,
    STANDING_MINUTES,
    STANDING_TITLES,
    session_label,
)


def default_attending_in(session: Session) -> list[str]:
    """The codes of the site's organizations that attend a session by default (every partner
    but the community representatives), by code."""
    return list(
        session.exec(
            select(Organization.code)
            .where(col(Organization.kind).in_(DEFAULT_ATTENDING_KINDS))
            .order_by(Organization.code)
        )
    )


def default_attending(engine: Engine) -> list[str]:
    with read_session(engine) as session:
        return default_attending_in(session)


def _validate_session(kind: str, starts_at: str, place: str, orgs: list[str], known: set[str]):
    if kind not in SESSION_KINDS:
        raise ValidationError(f"Kind: choose one of {', '.join(SESSION_KINDS.values())}.")
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", starts_at or ""):
        raise ValidationError("Start time: use HH:MM, e.g. 10:00.")
    place = _text(place, "Place", MAX_PLACE)
    orgs = list(dict.fromkeys(orgs or []))
    if not orgs:
        raise ValidationError("Attending organizations: choose at least one.")
    unknown = [o for o in orgs if o not in known]
    if unknown:
        raise ValidationError(f"Attending organizations: unknown {', '.join(unknown)}.")
    return place, orgs


def _new_session(
    session: Session,
    *,
    kind: str,
    on: date,
    starts_at: str,
    place: str,
    orgs: list[str],
    cutoff_days: int,
    now: datetime,
    username: str,
) -> StaffingSession:
    row = StaffingSession(
        kind=kind,
        on=on,
        starts_at=starts_at,
        place=place,
        attending_org_codes=orgs,
        cutoff_on=submission_cutoff(on, cutoff_days),
        updated_at=now,
        updated_by=username,
    )
    session.add(row)
    session.flush()
    # Every agenda starts with the open action items and ends with the M3 standing items.
    for position, title in enumerate((ACTION_ITEMS_TITLE, *STANDING_TITLES), start=1):
        session.add(
            AgendaItem(
                session_id=row.id,
                position=position,
                kind="standing",
                title=title,
                minutes=STANDING_MINUTES[title],
            )
        )
    session.flush()
    return row


def schedule_session(
    engine: Engine,
    user: CurrentUser,
    *,
    kind: str,
    on: date,
    starts_at: str,
    place: str,
    attending_org_codes: list[str],
    today: date,
    now: datetime | None = None,
) -> int:
    """Schedule one session (its cut-off computed, standing items in place); returns its id."""
    _require_pm(user)
    now = now or utcnow()
    settings = get_settings(engine)
    if on < today:
        raise ValidationError("Date: it cannot be in the past.")
    with write_session(engine) as session:
        known = set(session.exec(select(Organization.code)))
        place, orgs = _validate_session(kind, starts_at, place, attending_org_codes, known)
        clash = session.exec(
            select(StaffingSession).where(StaffingSession.kind == kind, StaffingSession.on == on)
        ).first()
        if clash:
            raise ValidationError(f"Date: a {SESSION_KINDS[kind].lower()} is already on {on}.")
        row = _new_session(
            session,
            kind=kind,
            on=on,
            starts_at=starts_at,
            place=place,
            orgs=orgs,
            cutoff_days=settings.submission_cutoff_business_days,
            now=now,
            username=user.username,
        )
        audit.append(
            session,
            actor=user.actor,
            action="session.schedule",
            subject=f"session {on}",
            purpose=SESSION_KINDS[kind],
            now=now,
        )
        return row.id


def update_session(
    engine: Engine,
    user: CurrentUser,
    *,
    session_id: int,
    expected_version: int,
    starts_at: str,
    place: str,
    attending_org_codes: list[str],
    now: datetime | None = None,
) -> None:
    """Change a session's time, place or attending organizations (version-checked, audited)."""
    _require_pm(user)
    now = now or utcnow()
    with write_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        _check_version(row, expected_version)
        known = set(session.exec(select(Organization.code)))
        place, orgs = _validate_session(row.kind, starts_at, place, attending_org_codes, known)
        row.starts_at, row.place, row.attending_org_codes = starts_at, place, orgs
        _agenda_changed(session, row, user, "session details", now)


def _series_next(
    session: Session, kind: str, settings, today: date, now: datetime
) -> StaffingSession | None:
    """Create the next meeting of a series, on its grid, after its latest one and not in the
    past (PROTOCOL M1); None when the series has no session yet."""
    rows = list(
        session.exec(
            select(StaffingSession)
            .where(StaffingSession.kind == kind)
            .order_by(col(StaffingSession.on))
        )
    )
    if not rows:
        return None
    interval = (
        settings.workgroup_interval_days if kind == "workgroup" else settings.staffing_interval_days
    )
    latest = rows[-1]
    return _new_session(
        session,
        kind=kind,
        on=next_occurrence(rows[0].on, max(latest.on, today - timedelta(days=1)), interval),
        starts_at=latest.starts_at,
        place=latest.place,
        orgs=list(latest.attending_org_codes),
        cutoff_days=settings.submission_cutoff_business_days,
        now=now,
        username="system",
    )


def _extend_series(session: Session, settings, today: date, now: datetime) -> bool:
    kinds = list(session.exec(select(StaffingSession.kind).distinct()))
    for kind in sorted(kinds):
        _series_next(session, kind, settings, today, now)
    return bool(kinds)


def _accepting(session: Session, today: date):
    return session.exec(
        select(StaffingSession)
        .where(StaffingSession.on >= today, col(StaffingSession.finalized_at).is_(None))
        .where(StaffingSession.cutoff_on >= today)
        .order_by(col(StaffingSession.on), col(StaffingSession.id))
    ).first()


NO_SESSION = (
    "Session: no staffing session is scheduled yet. Ask the project manager to schedule one."
)


def _session_taking_names(
    session: Session, today: date, settings, now: datetime
) -> StaffingSession:
    """The next session still taking names (PROTOCOL M2): its cut-off not passed, not finalized.

    A name sent after a session's cut-off goes to the following one; each series is extended
    on its grid when no scheduled session is taking names.
    """
    for _ in range(6):
        row = _accepting(session, today)
        if row is not None:
            return row
        if not _extend_series(session, settings, today, now):
            break
    raise ValidationError(NO_SESSION)


def _following_session(
    session: Session, row: StaffingSession, settings, today: date, now: datetime
) -> StaffingSession:
    """The next session after this one that is not final (where carried-over names go)."""
    for _ in range(6):
        following = session.exec(
            select(StaffingSession)
            .where(StaffingSession.on > row.on, col(StaffingSession.finalized_at).is_(None))
            .order_by(col(StaffingSession.on), col(StaffingSession.id))
        ).first()
        if following is not None:
            return following
        if not _extend_series(session, settings, max(today, row.on), now):
            break
    raise ValidationError(NO_SESSION)


def list_sessions(engine: Engine, *, today: date, past: int = 6) -> list[dict]:
    """Upcoming sessions (soonest first) and the last few past ones (newest first)."""
    with read_session(engine) as session:
        rows = list(session.exec(select(StaffingSession).order_by(col(StaffingSession.on))))
        counts = dict(
            session.exec(
                select(Submission.session_id, func.count())
                .where(col(Submission.status).in_(INBOX_STATUSES))
                .group_by(Submission.session_id)
            ).all()
        )
    upcoming = [r for r in rows if r.on >= today]
    earlier = [r for r in rows if r.on < today][::-1][:past]
    return [_session_dict(r, today, counts.get(r.id, 0)) for r in upcoming + earlier]


def _session_dict(row: StaffingSession, today: date, inbox: int = 0) -> dict:
    return {
        "id": row.id,
        "kind": row.kind,
        "kind_label": SESSION_KINDS.get(row.kind, row.kind),
        "on": row.on,
        "starts_at": row.starts_at,
        "place": row.place,
        "attending": list(row.attending_org_codes),
        "cutoff_on": row.cutoff_on,
        "taking_names": row.finalized_at is None and today <= row.cutoff_on,
        "finalized_at": row.finalized_at,
        "agenda_version": row.agenda_version,
        "version": row.version,
        "label": session_label(row),
        "inbox": inbox,
        "past": row.on < today,
    }


def get_session(engine: Engine, session_id: int, today: date) -> dict:
    with read_session(engine) as session:
        return _session_dict(_get(session, StaffingSession, session_id, "Session"), today)


def default_session_id(sessions: list[dict]) -> int | None:
    """The session to open first: the next upcoming one, else the latest past one."""
    upcoming = [s for s in sessions if not s["past"]]
    if upcoming:
        return upcoming[0]["id"]
    return sessions[0]["id"] if sessions else None


def next_session_taking_names(engine: Engine, *, today: date) -> dict | None:
    """Where a name sent today goes (read-only; None when nothing is scheduled ahead)."""
    with read_session(engine) as session:
        row = _accepting(session, today)
        return _session_dict(row, today) if row else None
