"""Staffing free text that partners read: who reads each field, the curtain text, the flags.

SECURITY 29: every field a partner reads says where it is typed which organizations will read
it (`who_reads`); the project manager sees every flagged text of a session, with who confirmed
it as not clinical, before finalizing its agenda or minutes (`clinical_flags`). Issue 11: under
the privacy curtain an item's free text is replaced by the project manager's curtain text
(`set_curtain_text`), never by the text with names swapped out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from models import ActionItem, AgendaItem, Organization, StaffingSession, Submission, User
from services.access.auth import CurrentUser
from services.core.clock import local_time_text, utcnow
from services.core.db import bump_version, read_session, write_session
from services.core.free_text import (
    KIND_LABELS,
    clinical_phrases,
    confirmations,
    readers_text,
    record_confirmation,
    require_confirmation,
)
from services.core.site import get_settings
from services.staffing.items import (
    _agenda_changed,
    _check_version,
    _get,
    _items,
    _require_pm,
    _text,
)
from services.staffing.sessions import _accepting, default_attending_in
from services.staffing.suggested import _open_actions_before

MAX_CURTAIN = 300
# What each field adds to the session's attending organizations as readers.
EXTRA_READERS = {
    "reason": "",
    "outcome": "",
    "curtain": "",
    "action": "the owner (organization or person) on Submit names, Today and the person's record",
}


def _org_names(session) -> dict[str, str]:
    return dict(session.exec(select(Organization.code, Organization.name)).all())


def who_reads(engine: Engine, *, field: str, today: date, session_id: int | None = None) -> str:
    """Plain text for beside a field: the organizations that will read it (SECURITY 29).

    `field` is reason (the session taking names today), outcome, action or curtain (the given
    session): every organization attending that session reads the agenda or the minutes.
    """
    with read_session(engine) as session:
        names = _org_names(session)
        if session_id is not None:
            row = session.get(StaffingSession, session_id)
        else:
            row = _accepting(session, today)
        default = default_attending_in(session)
        codes = list(row.attending_org_codes) if row else default
    return readers_text(names, codes, EXTRA_READERS[field])


def set_curtain_text(
    engine: Engine,
    user: CurrentUser,
    *,
    item_id: int,
    expected_version: int,
    text: str,
    not_clinical: bool = False,
    now: datetime | None = None,
) -> None:
    """What the shared screen shows of this item's free text under the privacy curtain.

    Typed by the project manager for the room, so it is checked for clinical wording too.
    """
    _require_pm(user)
    now = now or utcnow()
    text = _text(text, "Curtain text", MAX_CURTAIN)
    flagged = require_confirmation({"Curtain text": text}, not_clinical)
    with write_session(engine) as session:
        item = _get(session, AgendaItem, item_id, "Agenda item")
        _check_version(item, expected_version)
        row = _get(session, StaffingSession, item.session_id, "Session")
        item.curtain_text = text
        bump_version(item, now, user.username)
        session.add(item)
        _agenda_changed(session, row, user, "curtain text", now)
        record_confirmation(
            session,
            user,
            kind="curtain",
            record_id=item.id,
            session_id=row.id,
            phrases=flagged,
            subject=f"session {row.on} item {item.position}",
            now=now,
        )


def _texts(session, row: StaffingSession) -> list[tuple[str, int, str, str]]:
    """(kind, record id, where, text) for every partner-visible text of one session."""
    found: list[tuple[str, int, str, str]] = []
    for item in _items(session, row.id):
        where = f"item {item.position}"
        found.append(("outcome", item.id, where, f"{item.summary}\n{item.decisions}"))
        found.append(("curtain", item.id, where, item.curtain_text))
    subs = session.exec(
        select(Submission)
        .where(Submission.session_id == row.id, Submission.status != "held")
        .order_by(col(Submission.at))
    )
    found += [("submission", s.id, f"from {s.organization_code}", s.reason) for s in subs]
    actions = session.exec(
        select(ActionItem, AgendaItem.position)
        .join(AgendaItem, col(AgendaItem.id) == col(ActionItem.agenda_item_id))
        .where(AgendaItem.session_id == row.id)
        .order_by(col(ActionItem.id))
    ).all()
    found += [("action", a.id, f"item {position}", a.text) for a, position in actions]
    found += [
        ("action", a.id, f"open, from {on}", a.text) for a, on in _open_actions_before(session, row)
    ]
    return found


def clinical_flags(engine: Engine, user: CurrentUser, *, session_id: int) -> list[dict]:
    """Every flagged text a partner will read at or after this session, and who confirmed it.

    The PM reviews these before finalizing the agenda or sending the minutes (SECURITY 29).
    """
    _require_pm(user)
    time_zone = get_settings(engine).time_zone
    with read_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        flagged = [
            (kind, record_id, where, words)
            for kind, record_id, where, text in _texts(session, row)
            if (words := clinical_phrases(text))
        ]
        confirmed = {
            kind: confirmations(session, kind, [r for k, r, _w, _p in flagged if k == kind])
            for kind in KIND_LABELS
        }
        names = dict(session.exec(select(User.username, User.display_name)).all())
    rows = []
    for kind, record_id, where, words in flagged:
        done = confirmed[kind].get(record_id)
        when = ""
        if done is not None:
            when = local_time_text(done.at.replace(tzinfo=done.at.tzinfo or UTC), time_zone)
        rows.append(
            {
                "What": f"{KIND_LABELS[kind]} ({where})",
                "Flagged words": ", ".join(words),
                "Confirmed not clinical by": names.get(done.confirmed_by, done.confirmed_by)
                if done
                else "nobody (written before the check)",
                "When": when,
            }
        )
    return rows
