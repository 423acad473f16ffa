"""The audit trail: append-only, hash-chained, every tampering named (SECURITY 8-10)."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services import audit
from services.audit import Actor, AuditFilter
from services.db import write_session
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
    }
    assert results["edited"][1] == "row 3 was altered (its hash does not match its contents)"
    assert results["deleted"][1] == "row 3 is missing (next row found is 4)"
    assert results["reordered"][1].startswith("row 2 ")
    assert "row 4 onward was removed" in results["truncated"][1]


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
