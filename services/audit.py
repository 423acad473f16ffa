"""The audit trail: append-only rows chained by SHA-256 (SECURITY 8, 9, 10).

Each row's hash covers its id, its fields and the previous row's hash; the anchor row holds the
count and the last hash, so an edited, deleted, reordered or truncated row is found by
`verify_chain`. Never put passwords, tokens or note text in an audit row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from models import AuditAnchor, AuditEvent
from services.clock import utcnow
from services.db import read_session, write_session

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, or the system / an anonymous sign-in attempt."""

    username: str
    role: str


SYSTEM = Actor(username="system", role="system")


class AuditWriteError(RuntimeError):
    """The audit row could not be written; the caller must not show or change the record."""


def _row_hash(event: AuditEvent) -> str:
    at = event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [
        str(event.id),
        at,
        event.username,
        event.role,
        event.action,
        event.subject,
        event.outcome,
        event.purpose,
        event.prev_hash,
    ]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def _lock_chain(session: Session) -> None:
    # SQLite write sessions already hold the write lock (BEGIN IMMEDIATE).
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(7250001)"))


def append(
    session: Session,
    *,
    actor: Actor,
    action: str,
    subject: str = "",
    outcome: str = "ok",
    purpose: str = "",
    now: datetime | None = None,
) -> AuditEvent:
    """Append one row inside the caller's write transaction (atomic with the change)."""
    _lock_chain(session)
    anchor = session.get(AuditAnchor, 1)
    if anchor is None:
        anchor = AuditAnchor(id=1, count=0, last_hash=GENESIS)
        session.add(anchor)
    event = AuditEvent(
        id=anchor.count + 1,
        at=now or utcnow(),
        username=actor.username,
        role=actor.role,
        action=action,
        subject=subject,
        outcome=outcome,
        purpose=purpose,
        prev_hash=anchor.last_hash or GENESIS,
        hash="",
    )
    event.hash = _row_hash(event)
    session.add(event)
    anchor.count = event.id
    anchor.last_hash = event.hash
    session.add(anchor)
    session.flush()
    return event


def head(engine: Engine) -> tuple[int, str]:
    """The chain's head (row count, last hash): one primary-key read. Every change the app makes
    appends a row in its own transaction, so the head names one state of the data."""
    with read_session(engine) as session:
        anchor = session.get(AuditAnchor, 1)
        return (anchor.count, anchor.last_hash) if anchor else (0, GENESIS)


def record(engine: Engine, **kwargs) -> AuditEvent:
    """Append one row in its own transaction; raises AuditWriteError when it cannot."""
    try:
        with write_session(engine) as session:
            return append(session, **kwargs)
    except Exception as exc:  # any failure means: do not show the record
        raise AuditWriteError("The audit trail could not be written.") from exc


def verify_chain(session: Session) -> tuple[bool, str]:
    """Walk the chain; return (ok, message naming the first bad row)."""
    expected_prev = GENESIS
    expected_id = 1
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        if event.id != expected_id:
            return False, f"row {expected_id} is missing (next row found is {event.id})"
        if event.prev_hash != expected_prev:
            return (
                False,
                f"row {event.id} does not follow row {event.id - 1} (chain broken)",
            )
        if _row_hash(event) != event.hash:
            return (
                False,
                f"row {event.id} was altered (its hash does not match its contents)",
            )
        expected_prev = event.hash
        expected_id += 1
    count = expected_id - 1
    anchor = session.get(AuditAnchor, 1)
    anchor_count = anchor.count if anchor else 0
    anchor_hash = (anchor.last_hash if anchor else GENESIS) or GENESIS
    if anchor_count != count or anchor_hash != expected_prev:
        return False, (
            f"the log ends at row {count} but its anchor records {anchor_count} rows: "
            f"row {count + 1} onward was removed"
            if anchor_count > count
            else f"the anchor does not match row {count} (anchor altered)"
        )
    return True, f"{count} rows verified"


def verify(engine: Engine) -> tuple[bool, str]:
    with read_session(engine) as session:
        return verify_chain(session)


@dataclass(frozen=True)
class AuditFilter:
    username: str = ""
    action: str = ""
    subject: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 500


def browse(engine: Engine, flt: AuditFilter) -> list[dict]:
    """Newest first, filtered; plain dicts for the audit-log page."""
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(flt.limit)
    if flt.username:
        query = query.where(AuditEvent.username == flt.username.strip().lower())
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.subject:
        query = query.where(AuditEvent.subject == flt.subject.strip())
    if flt.since:
        query = query.where(AuditEvent.at >= flt.since)
    if flt.until:
        query = query.where(AuditEvent.at < flt.until)
    with read_session(engine) as session:
        return [
            {
                "#": e.id,
                "time (UTC)": e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                "user": e.username,
                "role": e.role,
                "action": e.action,
                "subject": e.subject,
                "outcome": e.outcome,
                "purpose": e.purpose,
            }
            for e in session.exec(query)
        ]


def actions(engine: Engine) -> list[str]:
    with read_session(engine) as session:
        return sorted(set(session.exec(select(AuditEvent.action).distinct())))
