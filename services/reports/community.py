"""The community engagement log (PROTOCOL M3, M6): meetings with residents, businesses and
community leaders, and the areas of concern they raise, each with a status.

Concerns are about places and behaviours, never about a person: the form says so, and nothing
here links a concern to a participant. Open concerns (open or in progress) are the staffing
agenda's community-concerns standing item (`open_concerns`). Feedback and concern text is
user-entered: pages show it as plain text only, and audit rows never carry it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from models import CommunityConcern, CommunityMeeting, ConcernStatus
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import utcnow
from services.core.db import bump_version, read_session, write_session
from services.core.errors import StaleEditError, ValidationError, too_long
from services.core.text import strip_controls

AUDIENCES = ("residents", "businesses", "community leaders", "mixed")
STATUSES = tuple(status.value for status in ConcernStatus)
OPEN_STATUSES = (ConcernStatus.open.value, ConcernStatus.in_progress.value)
MAX_ATTENDANCE = 10_000
MAX_FEEDBACK = 5_000


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    value = strip_controls(value or "").strip()
    if required and not value:
        raise ValidationError(f"{field}: enter it.")
    if too_long(field, value, limit):  # SECURITY 33: say so, never cut it
        raise ValidationError(too_long(field, value, limit))
    return value


def _past_date(on: date | None, field: str, today: date) -> date:
    if on is None:
        raise ValidationError(f"{field}: choose a date.")
    if on > today:
        raise ValidationError(f"{field}: it cannot be in the future.")
    return on


def record_meeting(
    engine: Engine,
    user: CurrentUser,
    *,
    on: date | None,
    audience: str,
    place: str,
    attendance: int,
    feedback: str,
    today: date,
    now: datetime | None = None,
) -> int:
    """Save one meeting; returns its id. Validated first: nothing is saved on bad input."""
    on = _past_date(on, "Meeting date", today)
    if audience not in AUDIENCES:
        raise ValidationError(f"Audience: choose one of {', '.join(AUDIENCES)}.")
    place = _text(place, "Place", 200, required=True)
    if isinstance(attendance, bool) or not isinstance(attendance, int):
        raise ValidationError("Attendance: enter a whole number.")
    if not 0 <= attendance <= MAX_ATTENDANCE:
        raise ValidationError(f"Attendance: enter a number from 0 to {MAX_ATTENDANCE:,}.")
    feedback = _text(feedback, "Feedback", MAX_FEEDBACK)
    now = now or utcnow()
    with write_session(engine) as session:
        meeting = CommunityMeeting(
            on=on,
            audience=audience,
            place=place,
            attendance=attendance,
            feedback=feedback,
            username=user.username,
            at=now,
        )
        session.add(meeting)
        session.flush()
        audit.append(
            session,
            actor=user.actor,
            action="community.meeting_add",
            subject=f"community meeting {meeting.id}",
            purpose="community engagement log (PROTOCOL M6)",
            now=now,
        )
        return meeting.id


def add_concern(
    engine: Engine,
    user: CurrentUser,
    *,
    area: str,
    behaviour: str,
    raised_on: date | None,
    today: date,
    meeting_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Record an area of concern (a hot spot and the behaviour seen there), status open."""
    area = _text(area, "Area", 200, required=True)
    behaviour = _text(behaviour, "Behaviour", 300, required=True)
    raised_on = _past_date(raised_on, "Raised on", today)
    now = now or utcnow()
    with write_session(engine) as session:
        if meeting_id is not None and session.get(CommunityMeeting, meeting_id) is None:
            raise ValidationError("Meeting: no such meeting.")
        concern = CommunityConcern(
            meeting_id=meeting_id,
            area=area,
            behaviour=behaviour,
            status=ConcernStatus.open.value,
            raised_on=raised_on,
            updated_at=now,
            updated_by=user.username,
        )
        session.add(concern)
        session.flush()
        audit.append(
            session,
            actor=user.actor,
            action="community.concern_add",
            subject=f"community concern {concern.id}",
            purpose="community engagement log (PROTOCOL M3)",
            now=now,
        )
        return concern.id


def set_concern_status(
    engine: Engine,
    user: CurrentUser,
    *,
    concern_id: int,
    expected_version: int,
    status: str,
    now: datetime | None = None,
) -> None:
    """Move a concern to open, in progress or resolved; a stale form is refused (SECURITY 25)."""
    if status not in STATUSES:
        raise ValidationError(f"Status: choose one of {', '.join(STATUSES)}.")
    now = now or utcnow()
    with write_session(engine) as session:
        concern = session.get(CommunityConcern, concern_id)
        if concern is None:
            raise ValidationError("Concern: no such concern.")
        if concern.version != expected_version:
            raise StaleEditError.for_row(concern)
        previous = concern.status
        concern.status = status
        bump_version(concern, now, user.username)
        session.add(concern)
        audit.append(
            session,
            actor=user.actor,
            action="community.concern_status",
            subject=f"community concern {concern_id}",
            purpose=f"{previous} -> {status}",
            now=now,
        )


def meetings(engine: Engine) -> list[dict]:
    """Every meeting, newest first, as plain rows for a table."""
    with read_session(engine) as session:
        found = session.exec(
            select(CommunityMeeting).order_by(
                col(CommunityMeeting.on).desc(), col(CommunityMeeting.id).desc()
            )
        )
        return [
            {
                "id": m.id,
                "Date": m.on.isoformat(),
                "Audience": m.audience,
                "Place": m.place,
                "Attendance": m.attendance,
                "Feedback": m.feedback,
            }
            for m in found
        ]


def _concerns(
    engine: Engine, statuses: tuple[str, ...]
) -> list[tuple[CommunityConcern, date | None]]:
    """Concerns with the given statuses and their meeting's date: open first, then in
    progress, then resolved; oldest raised first within each."""
    with read_session(engine) as session:
        found = session.exec(
            select(CommunityConcern, CommunityMeeting.on)
            .outerjoin(
                CommunityMeeting, col(CommunityMeeting.id) == col(CommunityConcern.meeting_id)
            )
            .where(col(CommunityConcern.status).in_(statuses))
        ).all()
    return sorted(
        found, key=lambda row: (STATUSES.index(row[0].status), row[0].raised_on, row[0].id)
    )


def concerns(engine: Engine, *, statuses: tuple[str, ...] = STATUSES) -> list[dict]:
    """Concerns as plain rows for a table (with id and version for the status form)."""
    return [
        {
            "id": c.id,
            "version": c.version,
            "Area": c.area,
            "Behaviour": c.behaviour,
            "Status": c.status,
            "Raised on": c.raised_on.isoformat(),
            "Meeting": meeting_on.isoformat() if meeting_on else "",
        }
        for c, meeting_on in _concerns(engine, statuses)
    ]


def open_concerns(engine: Engine) -> list[dict]:
    """Concerns still open or in progress, oldest first: the staffing agenda's standing item.

    Each: {"id", "area", "behaviour", "status", "raised_on" (date), "meeting_on" (date|None)}.
    """
    return [
        {
            "id": c.id,
            "area": c.area,
            "behaviour": c.behaviour,
            "status": c.status,
            "raised_on": c.raised_on,
            "meeting_on": meeting_on,
        }
        for c, meeting_on in _concerns(engine, OPEN_STATUSES)
    ]
