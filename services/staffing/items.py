"""The agenda's items in order, and the checks every staffing write shares (the project manager's
role, text limits, versions, rows not found).

New participant items go before the trailing standing items (PROTOCOL M3); urgent names go first
(issue 11); after finalizing, every change is a new, audited agenda version.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models import AgendaItem, Role, StaffingSession, Submission
from services.access.auth import CurrentUser
from services.core import audit
from services.core.db import bump_version
from services.core.errors import StaleEditError, ValidationError, too_long
from services.core.text import strip_controls
from services.staffing.vocabulary import ACTION_ITEMS_TITLE


def _require_pm(user: CurrentUser) -> None:
    if user.role != Role.project_manager:
        raise PermissionError("Only the project manager builds agendas and records outcomes.")


def _text(value: str | None, label: str, max_len: int, *, required: bool = False) -> str:
    value = strip_controls(value or "").strip()
    if required and not value:
        raise ValidationError(f"{label}: required.")
    if too_long(label, value, max_len):  # SECURITY 33: say so, never cut it
        raise ValidationError(too_long(label, value, max_len))
    return value


def _items(session: Session, session_id: int) -> list[AgendaItem]:
    return list(
        session.exec(
            select(AgendaItem)
            .where(AgendaItem.session_id == session_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        )
    )


def _renumber(session: Session, items: list[AgendaItem]) -> None:
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            session.add(item)


def _agenda_changed(
    session: Session, row: StaffingSession, user: CurrentUser, what: str, now: datetime
) -> None:
    """Bump the agenda's versions; after finalizing every change is a new, audited version."""
    bump_version(row, now, user.username)
    outcome = "ok"
    if row.finalized_at is not None:
        row.agenda_version += 1
        outcome = f"version {row.agenda_version} after finalizing"  # audit outcome: 32 chars
    session.add(row)
    audit.append(
        session,
        actor=user.actor,
        action="agenda.change",
        subject=f"session {row.on}",
        outcome=outcome,
        purpose=what,
        now=now,
    )


def _check_version(row, expected_version: int) -> None:
    if row.version != expected_version:
        raise StaleEditError.for_row(row)


def _get(session: Session, model, row_id: int | None, label: str):
    row = session.get(model, row_id) if row_id is not None else None
    if row is None:
        raise ValidationError(f"{label}: not found (it may have been removed). Reload the page.")
    return row


def _insert_position(items: list[AgendaItem], urgent_ids: set[int] | None = None) -> int:
    """New participant items go before the trailing standing items (M3 review comes last);
    given `urgent_ids`, an urgent item goes after the leading standing items and the urgent
    items already there (urgent first, issue 11)."""
    position = len(items)
    while position > 0 and items[position - 1].kind == "standing":
        if items[position - 1].title == ACTION_ITEMS_TITLE:
            break
        position -= 1
    if urgent_ids is None:
        return position
    first = 0
    while first < position and (items[first].kind == "standing" or items[first].id in urgent_ids):
        first += 1
    return first


def _urgent_item_ids(session: Session, session_id: int) -> set[int]:
    """Items holding a name sent as urgent."""
    sent = session.exec(
        select(Submission.agenda_item_id, Submission.participant_id).where(
            Submission.session_id == session_id,
            Submission.status == "on_agenda",
            Submission.urgency == "urgent",
        )
    ).all()
    by_participant = {i.participant_id: i.id for i in _items(session, session_id)}
    return {item_id or by_participant.get(pid) for item_id, pid in sent} - {None}


def _urgent_first(session: Session, row: StaffingSession, item: AgendaItem) -> None:
    """Move an item holding an urgent name up to the urgent block (never down)."""
    urgent = _urgent_item_ids(session, row.id)
    if item.id not in urgent:
        return
    items = _items(session, row.id)
    others = [i for i in items if i.id != item.id]
    at = _insert_position(others, urgent - {item.id})
    if items.index(item) > at:
        _renumber(session, others[:at] + [item] + others[at:])


def _add_item(session: Session, row: StaffingSession, item: AgendaItem) -> AgendaItem:
    items = _items(session, row.id)
    at = _insert_position(items)
    item.session_id = row.id
    item.position = at + 1
    session.add(item)
    session.flush()
    _renumber(session, items[:at] + [item] + items[at:])
    return item
