"""Backups and restores that prove themselves (issue 7).

`backup(url, file)` writes a consistent copy of the database and, next to it,
`<file>.manifest.json`: every table's row count and the audit chain's head, taken from the same
snapshot as the copy, and the head recorded in the external audit anchor just before it (the
copy must reach it: SECURITY 28). Backup files are created 0600. SQLite uses its online backup
API (a running app keeps writing; the copy is one consistent moment); PostgreSQL uses
`pg_dump --format=custom` on a snapshot exported by the transaction that counted the rows, so
the counts describe exactly what was dumped.

`restore(file, url)` fills a fresh, empty database and then verifies it: the integrity check
(SQLite `PRAGMA integrity_check`; PostgreSQL `pg_restore --exit-on-error` in one
transaction), equal row counts for every table against the manifest, and the audit hash chain
(services.core.audit.verify) against the manifest's heads; a verified restore starts the restored
database's own anchor file at the backup's head. Connection passwords go to pg_dump through
the environment, never on its command line.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from services.core import audit
from services.core.private_files import create_private

FORMAT_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
PG_BIN_FALLBACK = Path("/usr/lib/postgresql/15/bin")


class BackupError(RuntimeError):
    """The backup or restore cannot go ahead, or its verification failed; the message says why."""


@dataclass
class Verification:
    """What a restore (or a backup's own check) found, check by check."""

    integrity: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)
    audit_ok: bool = False
    audit_message: str = ""

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.mismatches and self.audit_ok

    def summary(self) -> str:
        rows = sum(self.counts.values())
        parts = [
            f"integrity {self.integrity}",
            f"{len(self.counts)} tables, {rows} rows"
            + (" (counts equal)" if not self.mismatches else f" ({len(self.mismatches)} differ)"),
            f"audit chain {'verified' if self.audit_ok else 'FAILED'}: {self.audit_message}",
        ]
        return "; ".join(parts)


def manifest_path(file: Path) -> Path:
    return file.with_name(file.name + ".manifest.json")


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("DATABASE_URL: an in-memory SQLite database cannot be backed up.")
    return Path(database)


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]  # noqa: S608
        for name in sorted(names)
    }


def table_counts(conn) -> dict[str, int]:
    names = sorted(inspect(conn).get_table_names())
    return {
        name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar()  # noqa: S608
        for name in names
    }


def _audit_head(conn) -> dict:
    row = conn.execute(text("SELECT count, last_hash FROM auditanchor WHERE id = 1")).first()
    return {"count": row[0] if row else 0, "last_hash": row[1] if row else ""}


def _external_head(url: str) -> dict | None:
    """The external anchor's head, read before the copy so the copy always reaches it."""
    head = audit.read_anchor(audit.anchor_path(url))
    return {"count": head[0], "last_hash": head[1]} if head else None


def _write_manifest(
    file: Path, url: str, counts: dict[str, int], head: dict, external: dict | None
) -> dict:
    manifest = {
        "format_version": FORMAT_VERSION,
        "dialect": make_url(url).get_backend_name(),
        "file": file.name,
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": counts,
        "audit": head,
        "audit_anchor": external,
    }
    create_private(manifest_path(file))
    manifest_path(file).write_text(json.dumps(manifest, indent=2))
    return manifest


# --- Backup ------------------------------------------------------------------------------------


def backup(url: str, file: Path) -> dict:
    """Write a consistent copy of the database at `url` to `file`; return its manifest."""
    file = Path(file)
    file.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite(url):
        return _backup_sqlite(url, file)
    return _backup_postgres(url, file)


def _backup_sqlite(url: str, file: Path) -> dict:
    source = _sqlite_path(url)
    if not source.exists():
        raise BackupError(f"DATABASE_URL: no SQLite database at {source}.")
    partial = file.with_name(file.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private(partial)
    external = _external_head(url)
    src = sqlite3.connect(source, timeout=5)
    dst = sqlite3.connect(partial)
    try:
        src.execute("PRAGMA busy_timeout = 5000")
        src.backup(dst)  # all pages in one step: one consistent moment, writers keep going
        # A single self-contained file (no -wal beside it); restore switches WAL back on.
        dst.execute("PRAGMA journal_mode = DELETE")
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        counts = _sqlite_counts(dst)
    finally:
        dst.close()
        src.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed its integrity check: {check}")
    head = _plain_audit_head(partial)
    os.replace(partial, file)
    return _write_manifest(file, url, counts, head, external)


def _plain_audit_head(path: Path) -> dict:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return _audit_head(conn)
    finally:
        engine.dispose()


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: from PATH, else from PostgreSQL 15's own bin directory."""
    found = shutil.which(name) or (
        str(PG_BIN_FALLBACK / name) if (PG_BIN_FALLBACK / name).exists() else None
    )
    if not found:
        raise BackupError(f"{name} not found on PATH or in {PG_BIN_FALLBACK}.")
    return found


def _pg_env(url: str) -> dict[str, str]:
    """libpq's environment for this URL (the password never appears in a process listing)."""
    parsed = make_url(url)
    env = {**os.environ}
    for key, value in (
        ("PGHOST", parsed.host),
        ("PGPORT", str(parsed.port) if parsed.port else None),
        ("PGUSER", parsed.username),
        ("PGPASSWORD", parsed.password),
        ("PGDATABASE", parsed.database),
    ):
        if value:
            env[key] = value
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _backup_postgres(url: str, file: Path) -> dict:
    partial = file.with_name(file.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private(partial)  # pg_dump writes into it and keeps the mode
    external = _external_head(url)
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:
            # The dump reads the very snapshot these counts were taken in.
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            counts = table_counts(conn)
            head = _audit_head(conn)
            _run(
                [
                    pg_tool("pg_dump"),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={partial}",
                ],
                _pg_env(url),
            )
            conn.rollback()
    finally:
        engine.dispose()
    os.replace(partial, file)
    return _write_manifest(file, url, counts, head, external)


# --- Restore -----------------------------------------------------------------------------------


def read_manifest(file: Path) -> dict | None:
    try:
        return json.loads(manifest_path(file).read_text())
    except (OSError, ValueError):
        return None


def restore(file: Path, url: str) -> Verification:
    """Restore `file` into the fresh, empty database at `url`; verify; return what was found.

    Raises BackupError when the target is not empty or the file is not a backup of this
    database kind; the returned Verification says whether every check passed.
    """
    file = Path(file)
    if not file.exists():
        raise BackupError(f"Backup file: {file} does not exist.")
    with open(file, "rb") as handle:
        magic = handle.read(16)
    if _is_sqlite(url):
        if not magic.startswith(SQLITE_MAGIC):
            raise BackupError("Backup file: not a SQLite backup (restore it into PostgreSQL).")
        _restore_sqlite(file, url)
    else:
        if not magic.startswith(PG_MAGIC):
            raise BackupError("Backup file: not a pg_dump custom-format backup.")
        _restore_postgres(file, url)
    manifest = read_manifest(file)
    audit.reset_anchor(url, None)  # a file left by an earlier database at this place
    result = verify(url, manifest)
    if result.ok:
        head = (manifest or {}).get("audit") or {}
        audit.reset_anchor(url, (head.get("count", 0), head.get("last_hash", "")))
    return result


def _restore_sqlite(file: Path, url: str) -> None:
    target = _sqlite_path(url)
    if target.exists() and target.stat().st_size > 0:
        conn = sqlite3.connect(target)
        try:
            tables = _sqlite_counts(conn)
        finally:
            conn.close()
        if tables:
            raise BackupError(
                f"DATABASE_URL: {target} already has tables; restore into a fresh database."
            )
    create_private(target)
    src = sqlite3.connect(file)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")  # the app's mode (services.core.db)
    finally:
        dst.close()
        src.close()


def _restore_postgres(file: Path, url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if inspect(conn).get_table_names():
                raise BackupError("DATABASE_URL: the database already has tables; use a new one.")
    finally:
        engine.dispose()
    _run(
        [
            pg_tool("pg_restore"),
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            f"--dbname={make_url(url).database}",
            str(file),
        ],
        _pg_env(url),
    )


def verify(url: str, manifest: dict | None) -> Verification:
    """Integrity, row counts against the manifest (when there is one) and the audit chain."""
    from services.core.db import make_engine, read_session

    result = Verification()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                result.integrity = conn.execute(text("PRAGMA integrity_check")).scalar()
            else:  # pg_restore ran with --exit-on-error in one transaction
                result.integrity = "ok"
            result.counts = table_counts(conn)
        expected = (manifest or {}).get("counts")
        if expected is not None:
            for name in sorted(set(expected) | set(result.counts)):
                want, got = expected.get(name), result.counts.get(name)
                if want != got:
                    result.mismatches.append(f"{name}: backup had {want}, restored has {got}")
        result.audit_ok, result.audit_message = audit.verify(engine)
        head = (manifest or {}).get("audit")
        if head and result.audit_ok:
            with engine.connect() as conn:
                if _audit_head(conn) != head:
                    result.audit_ok = False
                    result.audit_message = "the audit chain's head differs from the backup's"
        external = (manifest or {}).get("audit_anchor")
        if external and result.audit_ok:
            with read_session(engine) as session:
                problem = audit.anchor_problem(
                    session, external["count"], external["last_hash"], "backup's external anchor"
                )
            if problem:
                result.audit_ok, result.audit_message = False, problem
    finally:
        engine.dispose()
    return result
