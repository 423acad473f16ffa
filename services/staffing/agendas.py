"""The agenda as the project manager sees and edits it: running times, consent per participant
item, order, time boxes, removal and finalizing.

PROTOCOL C3 (consent checked per participant item), M3 (standing items); once final, every change
is a new, audited agenda version.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from models import ActionItem, AgendaItem, Participant, StaffingSession, Submission
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import utcnow
from services.core.db import bump_version, read_session, write_session
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.staffing.consent import consent_problem
from services.staffing.items import (
    _agenda_changed,
    _check_version,
    _get,
    _items,
    _renumber,
    _require_pm,
    _text,
    _urgent_item_ids,
)
from services.staffing.rules import display_name, running_times
from services.staffing.sessions import _following_session, _session_dict
from services.staffing.vocabulary import (
    CANDIDATE_KIND,
    CANDIDATE_LABEL,
    INBOX_STATUSES,
    MAX_ITEM_MINUTES,
    MAX_NOTES,
    URGENT_MARK,
)


def agenda(engine: Engine, user: CurrentUser, *, session_id: int, today: date) -> dict:
    """The agenda with running times and, per participant item, whether consent still holds."""
    _require_pm(user)
    with read_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        items = _items(session, session_id)
        pids = [i.participant_id for i in items if i.participant_id]
        people = {
            p.id: p for p in session.exec(select(Participant).where(col(Participant.id).in_(pids)))
        }
        problems = {pid: consent_problem(session, row, pid, today) for pid in pids}
        urgent = _urgent_item_ids(session, session_id)
    times = running_times(row.starts_at, [i.minutes for i in items])
    rows = []
    for item, (start, end) in zip(items, times, strict=True):
        person = people.get(item.participant_id)
        rows.append(
            {
                "id": item.id,
                "position": item.position,
                "kind": item.kind,
                "title": _title(item, person),
                "why": item.why,
                "minutes": item.minutes,
                "start": start,
                "end": end,
                "prep_notes": item.prep_notes,
                "summary": item.summary,
                "decisions": item.decisions,
                "curtain_text": item.curtain_text,
                "version": item.version,
                "participant_id": item.participant_id,
                "consent": problems.get(item.participant_id) if item.participant_id else None,
                "urgent": item.id in urgent,
            }
        )
    return {
        "session": _session_dict(row, today),
        "items": rows,
        "ends_at": times[-1][1] if times else row.starts_at,
        "total_minutes": sum(i.minutes for i in items),
    }


def _title(item: AgendaItem, person: Participant | None) -> str:
    if item.kind == CANDIDATE_KIND:
        return f"{CANDIDATE_LABEL}: {item.title}"
    if person is None:
        return item.title
    return f"{person.lead_id} · {display_name(person.preferred_name, person.legal_name)}"


def agenda_rows(view: dict) -> list[dict]:
    """The agenda as table rows for the PM (prep notes shown as present or not, never exported)."""
    return [
        {
            "#": i["position"],
            "Urgent": URGENT_MARK if i["urgent"] else "",
            "Time": f"{i['start']}-{i['end']}",
            "Minutes": i["minutes"],
            "Kind": i["kind"],
            "Item": i["title"],
            "Consent": "—"
            if not i["participant_id"]
            else ("✓ ok" if i["consent"] is None else "✕ withheld (C3)"),
            "Why": i["why"],
            "Prep notes": "✎ yes" if i["prep_notes"] else "",
        }
        for i in view["items"]
    ]


def move_item(
    engine: Engine,
    user: CurrentUser,
    *,
    item_id: int,
    direction: int,
    expected_version: int,
    now: datetime | None = None,
) -> None:
    """Move an item up (-1) or down (+1); `expected_version` is the session's."""
    _require_pm(user)
    if direction not in (-1, 1):
        raise ValidationError("Direction: up or down.")
    now = now or utcnow()
    with write_session(engine) as session:
        item = _get(session, AgendaItem, item_id, "Agenda item")
        row = _get(session, StaffingSession, item.session_id, "Session")
        _check_version(row, expected_version)
        items = _items(session, row.id)
        index = [i.id for i in items].index(item.id)
        other = index + direction
        if not 0 <= other < len(items):
            raise ValidationError("Order: the item is already at that end of the agenda.")
        items[index], items[other] = items[other], items[index]
        _renumber(session, items)
        _agenda_changed(session, row, user, "order", now)


def update_item(
    engine: Engine,
    user: CurrentUser,
    *,
    item_id: int,
    expected_version: int,
    minutes: int,
    prep_notes: str,
    now: datetime | None = None,
) -> None:
    """Time box and private preparation notes (never presented or exported)."""
    _require_pm(user)
    now = now or utcnow()
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_ITEM_MINUTES:
        raise ValidationError(f"Minutes: from 1 to {MAX_ITEM_MINUTES}.")
    prep_notes = _text(prep_notes, "Preparation notes", MAX_NOTES)
    with write_session(engine) as session:
        item = _get(session, AgendaItem, item_id, "Agenda item")
        _check_version(item, expected_version)
        row = _get(session, StaffingSession, item.session_id, "Session")
        changed_minutes = item.minutes != minutes
        item.minutes, item.prep_notes = minutes, prep_notes
        bump_version(item, now, user.username)
        session.add(item)
        _agenda_changed(session, row, user, "time box" if changed_minutes else "notes", now)


def remove_item(
    engine: Engine,
    user: CurrentUser,
    *,
    item_id: int,
    expected_version: int,
    now: datetime | None = None,
) -> None:
    """Take an item off the agenda; its names go back to the inbox. Outcomes keep it."""
    _require_pm(user)
    now = now or utcnow()
    with write_session(engine) as session:
        item = _get(session, AgendaItem, item_id, "Agenda item")
        row = _get(session, StaffingSession, item.session_id, "Session")
        _check_version(row, expected_version)
        has_actions = session.exec(
            select(ActionItem.id).where(ActionItem.agenda_item_id == item.id)
        ).first()
        if has_actions or item.summary or item.decisions:
            raise ValidationError("Item: it has recorded outcomes, so it stays on the agenda.")
        placed = Submission.agenda_item_id == item.id
        if item.participant_id:
            placed = placed | (Submission.participant_id == item.participant_id)
        for sub in session.exec(
            select(Submission).where(
                Submission.session_id == row.id, placed, Submission.status == "on_agenda"
            )
        ):
            sub.status, sub.agenda_item_id = "submitted", None
            session.add(sub)
        session.flush()
        session.delete(item)
        session.flush()
        _renumber(session, _items(session, row.id))
        _agenda_changed(session, row, user, "item removed", now)


def finalize(
    engine: Engine,
    user: CurrentUser,
    *,
    session_id: int,
    expected_version: int,
    today: date,
    now: datetime | None = None,
) -> int:
    """Lock the agenda (version 1); names still in the inbox are carried to the next session."""
    _require_pm(user)
    now = now or utcnow()
    settings = get_settings(engine)
    with write_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        _check_version(row, expected_version)
        if row.finalized_at is not None:
            raise ValidationError("Agenda: it is already final.")
        leftovers = list(
            session.exec(
                select(Submission).where(
                    Submission.session_id == row.id,
                    col(Submission.status).in_(INBOX_STATUSES),
                )
            )
        )
        if leftovers:
            target = _following_session(session, row, settings, today, now)
            for sub in leftovers:
                sub.session_id, sub.status = target.id, "carried"
                session.add(sub)
        row.finalized_at = now
        row.agenda_version = 1
        bump_version(row, now, user.username)
        session.add(row)
        audit.append(
            session,
            actor=user.actor,
            action="agenda.finalize",
            subject=f"session {row.on}",
            outcome="version 1",
            purpose=f"{len(leftovers)} name(s) carried over to the next session",
            now=now,
        )
        return len(leftovers)
