"""The audit trail: append-only rows chained by HMAC-SHA-256 (SECURITY 8, 9, 10, 28).

Each row's hash is an HMAC, keyed with LEAD_AUDIT_KEY (never stored in the database), over its
id, its fields and the previous row's hash; the anchor row holds the count and the last hash,
so an edited, deleted, reordered or truncated row is found by `verify_chain`, and someone with
the database but not the key cannot recompute the chain after an edit. Every commit that
appends also appends the new head to an anchor file outside the database (one per database,
see `anchor_path`), so truncating the log and moving the anchor row back is found too.
Never put passwords, tokens or note text in an audit row.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from models import AuditAnchor, AuditEvent
from services.core import config
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.private_files import append_private

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, or the system / an anonymous sign-in attempt."""

    username: str
    role: str


SYSTEM = Actor(username="system", role="system")


class AuditWriteError(RuntimeError):
    """The audit row could not be written; the caller must not show or change the record."""


def _key() -> bytes:
    return _cached_key(
        os.environ.get("LEAD_MODE"),
        os.environ.get("LEAD_AUDIT_KEY"),
        os.environ.get("LEAD_COOKIE_KEY"),
        str(config.DEFAULT_SQLITE_PATH),
    )


@lru_cache(maxsize=8)
def _cached_key(*environment: str | None) -> bytes:
    # Read once per environment: the append runs on every page view.
    return config.load_config().audit_key.encode()


def key_id() -> str:
    """A name for the current key that reveals nothing about it (for caches of built data)."""
    return hmac.new(_key(), b"lead audit key id", hashlib.sha256).hexdigest()[:16]


def row_hash(event: AuditEvent, key: bytes) -> str:
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
    return hmac.new(key, "\x1f".join(fields).encode(), hashlib.sha256).hexdigest()


# --- The external anchor (SECURITY 28) ----------------------------------------------------------

ANCHOR_SUFFIX = ".audit-anchor"
ANCHOR_TAIL_BYTES = 4096  # enough for the last ~40 heads; writers may finish out of order


@lru_cache(maxsize=256)
def _anchor_path(url: str, folder: str | None) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return None
        db = Path(parsed.database).resolve()
        if not folder:
            return db.with_name(db.name + ANCHOR_SUFFIX)
        digest = hashlib.sha256(str(db).encode()).hexdigest()[:12]
        return Path(folder) / f"{db.name}-{digest}{ANCHOR_SUFFIX}"
    name = f"{parsed.host or 'local'}-{parsed.port or 5432}-{parsed.database}"
    return Path(folder or config.ROOT / "data" / "audit-anchors") / f"{name}{ANCHOR_SUFFIX}"


def anchor_path(url: str) -> Path | None:
    """The append-only file of this database's chain heads: LEAD_AUDIT_ANCHOR_DIR (another disk
    or host in production), else beside a SQLite file, else data/audit-anchors/."""
    return _anchor_path(str(url), os.environ.get("LEAD_AUDIT_ANCHOR_DIR") or None)


def _session_url(session: Session) -> str:
    return session.get_bind().url.render_as_string(hide_password=True)


@listens_for(OrmSession, "after_commit")
def _write_anchor(session: OrmSession) -> None:
    pending = session.info.pop("audit_anchor", None)
    if pending is not None:
        path, count, last_hash = pending
        stamp = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
        append_private(path, f"{count} {last_hash} {stamp}\n")


@listens_for(OrmSession, "after_rollback")
def _forget_anchor(session: OrmSession) -> None:
    session.info.pop("audit_anchor", None)


def read_anchor(path: Path | None) -> tuple[int, str] | None:
    """The highest head recorded in the anchor file, or None when there is no file."""
    if path is None or not path.exists():
        return None
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - ANCHOR_TAIL_BYTES))
        tail = handle.read().decode(errors="replace").splitlines()
    heads = []
    for line in tail:
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit() and len(parts[1]) == 64:
            heads.append((int(parts[0]), parts[1]))
    return max(heads) if heads else None


def reset_anchor(url: str, head: tuple[int, str] | None) -> None:
    """A restore starts a new anchor file (the old one is kept, renamed, for the record)."""
    path = anchor_path(url)
    if path is None:
        return
    if path.exists():
        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        path.rename(path.with_name(f"{path.name}.replaced-{stamp}"))
    if head is not None and head[0] > 0:
        path.parent.mkdir(parents=True, exist_ok=True)
        append_private(path, f"{head[0]} {head[1]} restored\n")


def anchor_problem(session: Session, count: int, last_hash: str, where: str) -> str | None:
    """Why the chain in `session` does not reach the head (count, last_hash), or None."""
    if count == 0:
        return None
    row = session.get(AuditEvent, count)
    if row is None:
        return (
            f"the {where} records {count} rows but row {count} is missing: "
            "rows were removed (and the anchor row moved back)"
        )
    if row.hash != last_hash:
        return f"row {count} differs from the {where} (the chain was rewritten)"
    return None


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
    event.hash = row_hash(event, _key())
    session.add(event)
    anchor.count = event.id
    anchor.last_hash = event.hash
    session.add(anchor)
    session.flush()
    path = anchor_path(_session_url(session))
    if path is not None:  # written by _write_anchor once the transaction commits
        session.info["audit_anchor"] = (path, event.id, event.hash)
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
    """Walk the chain and compare its head with the external anchor; return (ok, message
    naming the first bad row)."""
    key = _key()
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
        if not hmac.compare_digest(row_hash(event, key), event.hash):
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
    path = anchor_path(_session_url(session))
    external = read_anchor(path)
    if external is None:
        note = f" (no external anchor at {path})" if count and path else ""
        return True, f"{count} rows verified{note}"
    problem = anchor_problem(session, *external, where="external anchor")
    if problem:
        return False, f"{problem} ({path})"
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
