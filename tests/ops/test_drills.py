"""Failure drills (issue 7): killed writers, concurrent writers, backup and restore.

Tests using `db_url` run again on PostgreSQL (scripts/with_postgres.sh); the figures in
`make figures` run the same drills longer (tests/checks_scale.py).
"""

from __future__ import annotations

import itertools
import os
import sqlite3

import pytest
from sqlalchemy import create_engine, text

from demo.generate import generate, row_counts
from services.core.db import make_engine
from services.ops import backup
from services.ops.backup import BackupError
from tests.checks_scale import admin, concurrent_writers, kill_drill
from tests.conftest import PG_URL

_names = itertools.count()


@pytest.fixture
def empty_url(tmp_path):
    """A fresh database with no tables at all (what `restore` wants)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"lead_restore_{os.getpid()}_{next(_names)}"
    admin_engine = create_engine(f"{PG_URL}/postgres", isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield f"{PG_URL}/{name}"
    with admin_engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin_engine.dispose()


def test_a_writer_killed_three_times_loses_no_acknowledged_commit(db_url):
    result = kill_drill(db_url, kills=3, seed=1)
    assert result["acknowledged"] > 0
    assert result["lost"] == 0
    # Nothing half-written: every committed contact has its audit row, the chain verifies.
    assert result["audit_ok"], result["audit_message"]
    assert result["integrity"] == "ok"
    assert result["written"] >= result["acknowledged"]


def test_ten_concurrent_writers_never_see_database_is_locked(db_url):
    result = concurrent_writers(db_url, writers=10, seconds=3.0)
    assert result["locked"] == 0, result["locked_at"]
    assert result["other_errors"] == []
    assert result["commits"] > 0
    assert result["audit_ok"]
    assert result["integrity"] == "ok"


def test_backup_then_restore_into_a_fresh_database_keeps_every_row_and_the_chain(
    db_url, empty_url, tmp_path
):
    engine = make_engine(db_url)
    generate(engine, participants=15, seed=5)
    before = row_counts(engine)
    engine.dispose()
    file = tmp_path / "lead.backup"
    made = admin(db_url, "backup", str(file))
    assert made.returncode == 0, made.stderr
    restored = admin(empty_url, "restore", str(file))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Restored and verified" in restored.stdout
    check = backup.verify(empty_url, backup.read_manifest(file))
    assert check.ok, check.summary()
    assert check.counts == before
    assert check.counts["contact"] == before["contact"] > 0


def test_restore_refuses_a_database_that_already_has_tables(db_url, tmp_path):
    engine = make_engine(db_url)
    generate(engine, participants=3, seed=5)
    engine.dispose()
    file = tmp_path / "lead.backup"
    backup.backup(db_url, file)
    with pytest.raises(BackupError, match="already has tables"):
        backup.restore(file, db_url)


@pytest.mark.parametrize(
    "tamper, finding",
    [
        pytest.param("DELETE FROM contact WHERE id = 1", "contact", id="a-deleted-contact"),
        pytest.param(
            "UPDATE auditevent SET purpose = 'edited' WHERE id = 2",
            "audit",
            id="an-edited-audit-row",
        ),
    ],
)
def test_a_backup_changed_after_it_was_taken_fails_verification(tmp_path, tamper, finding):
    from services.core.db import migrate

    source = f"sqlite:///{tmp_path / 'source.db'}"
    migrate(source)
    engine = make_engine(source)
    generate(engine, participants=3, seed=5)
    engine.dispose()
    file = tmp_path / "lead.backup"
    backup.backup(source, file)
    conn = sqlite3.connect(file)
    conn.executescript(
        "DROP TRIGGER IF EXISTS auditevent_no_update; DROP TRIGGER IF EXISTS auditevent_no_delete;"
        f"{tamper};"
    )
    conn.commit()
    conn.close()
    result = backup.restore(file, f"sqlite:///{tmp_path / 'restored.db'}")
    assert not result.ok
    if finding == "contact":
        assert any(m.startswith("contact:") for m in result.mismatches)
    else:
        assert not result.audit_ok


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    file = tmp_path / "notes.txt"
    file.write_text("not a database")
    with pytest.raises(BackupError, match="not a SQLite backup"):
        backup.restore(file, f"sqlite:///{tmp_path / 'restored.db'}")


@pytest.mark.parametrize(
    "held_s, saved",
    [
        pytest.param(0.3, True, id="lock-held-longer-than-busy-timeout-but-within-the-retries"),
        pytest.param(3.0, False, id="lock-held-past-every-retry-fails-loudly"),
    ],
)
def test_a_save_retries_when_the_sqlite_write_lock_outlasts_busy_timeout(
    tmp_path, monkeypatch, held_s, saved
):
    import threading
    import time

    from sqlalchemy.exc import OperationalError

    from services.core import db
    from services.core.site import ensure_defaults

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    db.migrate(url)
    monkeypatch.setitem(db.SQLITE_PRAGMAS, "busy_timeout", 100)
    engine = make_engine(url)
    holder = sqlite3.connect(tmp_path / "busy.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another process's save, taking its time
    releaser = threading.Timer(held_s, lambda: holder.execute("COMMIT"))
    releaser.start()
    started = time.perf_counter()
    try:
        with db.write_session(engine) as session:
            ensure_defaults(session)
        outcome = True
    except OperationalError as exc:
        assert "database is locked" in str(exc)
        outcome = False
    waited = time.perf_counter() - started
    releaser.join()
    holder.close()
    engine.dispose()
    assert outcome is saved
    assert waited >= (held_s if saved else 0.1 * (db.BUSY_RETRIES + 1))


def test_a_backup_carries_the_external_audit_anchor_and_a_restore_starts_its_own(
    db_url, empty_url, tmp_path
):
    import stat

    from services.core import audit

    engine = make_engine(db_url)
    generate(engine, participants=3, seed=5)
    head = audit.head(engine)
    engine.dispose()
    file = tmp_path / "lead.backup"
    manifest = backup.backup(db_url, file)
    assert manifest["audit_anchor"] == {"count": head[0], "last_hash": head[1]}
    for made in (file, backup.manifest_path(file)):
        assert stat.S_IMODE(made.stat().st_mode) == 0o600, made
    assert backup.restore(file, empty_url).ok
    assert audit.read_anchor(audit.anchor_path(empty_url)) == head
    restored = make_engine(empty_url)
    assert audit.verify(restored) == (True, f"{head[0]} rows verified")
    restored.dispose()


def test_a_restore_fails_when_the_backup_does_not_reach_its_external_anchor(tmp_path):
    """The manifest's anchor was read before the copy: a copy that lacks its head was cut."""
    import json

    from services.core.db import migrate

    source = f"sqlite:///{tmp_path / 'source.db'}"
    migrate(source)
    engine = make_engine(source)
    generate(engine, participants=3, seed=5)
    engine.dispose()
    file = tmp_path / "lead.backup"
    manifest = backup.backup(source, file)
    manifest["audit_anchor"]["count"] += 1  # the head the anchor file had moved on to
    backup.manifest_path(file).write_text(json.dumps(manifest))
    result = backup.restore(file, f"sqlite:///{tmp_path / 'restored.db'}")
    assert not result.audit_ok
    assert "backup's external anchor" in result.audit_message
