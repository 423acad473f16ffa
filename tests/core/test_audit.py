"""The audit trail: append-only, hash-chained, every tampering named (SECURITY 8-10)."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.core import audit
from services.core.audit import Actor, AuditFilter
from services.core.db import write_session
from tests.checks import audit_tamper

ACTOR = Actor(username="pm", role="project_manager")


def test_rows_chain_and_verify(engine):
    for subject in ("BUR-0001", "BUR-0002", "BUR-0003"):
        audit.record(engine, actor=ACTOR, action="participant.view", subject=subject)
    assert audit.verify(engine) == (True, "3 rows verified")
    rows = audit.browse(engine, AuditFilter())
    assert [r["subject"] for r in rows] == ["BUR-0003", "BUR-0002", "BUR-0001"]


@pytest.mark.parametrize(
    "statement", ["UPDATE auditevent SET outcome = 'x'", "DELETE FROM auditevent"]
)
def test_the_database_refuses_to_change_or_delete_audit_rows(engine, statement):
    audit.record(engine, actor=ACTOR, action="participant.view", subject="BUR-0001")
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text(statement))
    assert audit.verify(engine)[0]


def test_postgres_refuses_truncate(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    audit.record(engine, actor=ACTOR, action="participant.view", subject="BUR-0001")
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE auditevent"))


def test_every_tampering_is_detected_and_the_first_bad_row_named(db_url, template, tmp_path):
    import shutil

    from tests.conftest import PG_URL

    counter = iter(range(100))

    def fresh():
        if PG_URL:
            from sqlalchemy import create_engine

            name = f"lead_tamper_{next(counter)}_{abs(hash(str(tmp_path))) % 10000}"
            admin = create_engine(f"{PG_URL}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template.rsplit('/', 1)[-1]}"))
            admin.dispose()
            return f"{PG_URL}/{name}"
        path = tmp_path / f"tamper{next(counter)}.db"
        shutil.copy(template.removeprefix("sqlite:///"), path)
        return f"sqlite:///{path}"

    results = audit_tamper(fresh)
    assert {name: detected for name, (detected, _) in results.items()} == {
        "edited": True,
        "deleted": True,
        "reordered": True,
        "truncated": True,
        "truncated-anchor-moved": True,
        "recomputed-after-edit": True,
    }
    assert results["edited"][1] == "row 3 was altered (its hash does not match its contents)"
    assert results["deleted"][1] == "row 3 is missing (next row found is 4)"
    assert results["reordered"][1].startswith("row 2 ")
    assert "row 4 onward was removed" in results["truncated"][1]
    assert results["truncated-anchor-moved"][1].startswith(
        "the external anchor records 6 rows but row 6 is missing"
    )
    assert results["recomputed-after-edit"][1] == (
        "row 3 was altered (its hash does not match its contents)"
    )


def test_a_failed_audit_write_raises_so_the_record_is_not_shown(engine, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "append", broken)
    with pytest.raises(audit.AuditWriteError):
        audit.record(engine, actor=ACTOR, action="participant.view", subject="BUR-0001")


def test_an_audit_row_written_with_a_change_rolls_back_with_it(engine):
    with pytest.raises(RuntimeError):
        with write_session(engine) as session:
            audit.append(session, actor=ACTOR, action="user.create", subject="x")
            raise RuntimeError("the change failed")
    assert audit.verify(engine) == (True, "0 rows verified")


def _tamper(engine, tampering: str) -> tuple[bool, str]:
    from tests.checks import TAMPERINGS, triggers_disabled

    with triggers_disabled(engine):
        with engine.begin() as conn:
            TAMPERINGS[tampering](conn)
    return audit.verify(engine)


def _six_rows(engine) -> None:
    for i in range(6):
        audit.record(engine, actor=ACTOR, action="participant.view", subject=f"BUR-{i:04d}")


def test_a_log_truncated_with_its_anchor_row_moved_back_fails_verification(engine, db_url):
    _six_rows(engine)
    ok, message = _tamper(engine, "truncated-anchor-moved")
    assert not ok
    assert "row 6 is missing" in message and str(audit.anchor_path(db_url)) in message


def test_a_chain_recomputed_after_an_edit_without_the_key_fails_verification(engine):
    _six_rows(engine)
    assert _tamper(engine, "recomputed-after-edit") == (
        False,
        "row 3 was altered (its hash does not match its contents)",
    )


def test_a_chain_recomputed_with_the_key_still_fails_against_the_external_anchor(
    engine, monkeypatch
):
    """Even a stolen key does not let the database alone rewrite history: the head is outside."""
    _six_rows(engine)
    monkeypatch.setattr("tests.checks.ATTACKERS_KEY", audit._key())
    ok, message = _tamper(engine, "recomputed-after-edit")
    assert not ok
    assert message.startswith("row 6 differs from the external anchor (the chain was rewritten)")


def test_the_chain_does_not_verify_under_another_key(engine, monkeypatch):
    _six_rows(engine)
    monkeypatch.setattr(audit, "_key", lambda: b"another key entirely")
    assert audit.verify(engine) == (
        False,
        "row 1 was altered (its hash does not match its contents)",
    )


def test_every_committed_append_writes_the_head_to_the_anchor_file_with_mode_0600(engine, db_url):
    import stat

    _six_rows(engine)
    path = audit.anchor_path(db_url)
    assert audit.read_anchor(path) == audit.head(engine)
    assert len(path.read_text().splitlines()) == 6
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_rolled_back_append_leaves_the_anchor_file_alone(engine, db_url):
    audit.record(engine, actor=ACTOR, action="participant.view", subject="BUR-0001")
    with pytest.raises(RuntimeError):
        with write_session(engine) as session:
            audit.append(session, actor=ACTOR, action="user.create", subject="x")
            raise RuntimeError("the change failed")
    assert audit.read_anchor(audit.anchor_path(db_url)) == audit.head(engine)
    assert audit.verify(engine) == (True, "1 rows verified")


def test_each_database_has_its_own_anchor_file(tmp_path, monkeypatch):
    monkeypatch.delenv("LEAD_AUDIT_ANCHOR_DIR", raising=False)  # set by conftest on PostgreSQL
    a = audit.anchor_path(f"sqlite:///{tmp_path / 'a' / 'lead.db'}")
    b = audit.anchor_path(f"sqlite:///{tmp_path / 'b' / 'lead.db'}")
    assert a != b and a.parent == tmp_path / "a"
    monkeypatch.setenv("LEAD_AUDIT_ANCHOR_DIR", str(tmp_path / "anchors"))
    c = audit.anchor_path(f"sqlite:///{tmp_path / 'a' / 'lead.db'}")
    d = audit.anchor_path("postgresql+psycopg://lead:pw@db:5432/lead")
    assert c.parent == d.parent == tmp_path / "anchors" and c != a
    assert "pw" not in d.name


def test_verify_audit_compares_with_the_external_anchor_and_exits_1_after_truncation(
    engine, db_url, monkeypatch, capsys
):
    from services.ops import admin

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("LEAD_MODE", "demo")
    _six_rows(engine)
    assert admin.main(["verify-audit"]) == 0
    assert "OK: 6 rows verified" in capsys.readouterr().out
    _tamper(engine, "truncated-anchor-moved")
    assert admin.main(["verify-audit"]) == 1
    out = capsys.readouterr().out
    assert "TAMPERED: the external anchor records 6 rows but row 6 is missing" in out
    assert f"external anchor: {audit.anchor_path(db_url)}" in out
