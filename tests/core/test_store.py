"""The store: pragmas, migrations, un-migrated refusal, stale edits (SECURITY 24-25)."""

import threading

import pytest
from sqlalchemy import inspect, text

from models import Role
from services.access.users import set_disabled, unlock
from services.core.audit import SYSTEM
from services.core.db import (
    SQLITE_PRAGMAS,
    SchemaError,
    make_engine,
    quick_check,
    require_current_schema,
    schema_status,
    write_session,
)
from services.core.errors import StaleEditError, ValidationError
from services.core.site import get_settings, update_settings
from tests.factories import make_user


def test_every_sqlite_connection_has_the_pragmas(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    expected = {"busy_timeout": 5000, "journal_mode": "wal", "foreign_keys": 1, "synchronous": 2}
    assert SQLITE_PRAGMAS == expected
    connections = [engine.connect() for _ in range(3)]  # several pool connections
    for conn in connections:
        for name, value in expected.items():
            assert str(conn.execute(text(f"PRAGMA {name}")).scalar()).lower() == str(value)
    for conn in connections:
        conn.close()
    quick_check(engine)


def test_the_database_is_at_the_migration_head(engine):
    current, head = schema_status(engine)
    assert current == head
    require_current_schema(engine)


def test_the_migrations_build_exactly_the_models_schema(engine):
    """Tables, columns and indexes (contact (participant_id, on): issue 7) as in models.py."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert differences == []
    with engine.connect() as conn:
        indexes = {i["name"] for i in inspect(conn).get_indexes("contact")}
    assert "ix_contact_participant_on" in indexes


def test_an_unmigrated_database_is_refused_with_the_command_to_run(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SchemaError, match="make migrate"):
        require_current_schema(engine)


def test_downgrade_and_upgrade_round_trip(db_url):
    from alembic import command

    from services.core.db import alembic_config, migrate

    command.downgrade(alembic_config(db_url), "base")
    migrate(db_url)
    engine = make_engine(db_url)
    assert schema_status(engine)[0] == schema_status(engine)[1]
    engine.dispose()


def test_a_stale_settings_save_is_refused_with_who_and_when(engine):
    settings = get_settings(engine)
    alice = SYSTEM.__class__(username="alice", role="project_manager")
    bob = SYSTEM.__class__(username="bob", role="project_manager")
    update_settings(
        engine, actor=alice, expected_version=settings.version, changes={"intake_days": 31}
    )
    with pytest.raises(StaleEditError, match="changed by alice at"):
        update_settings(
            engine, actor=bob, expected_version=settings.version, changes={"intake_days": 45}
        )
    assert get_settings(engine).intake_days == 31


def test_invalid_settings_are_refused_and_nothing_changes(engine):
    settings = get_settings(engine)
    with pytest.raises(ValidationError, match="intake_days"):
        update_settings(
            engine, actor=SYSTEM, expected_version=settings.version, changes={"intake_days": 0}
        )
    with pytest.raises(ValidationError, match="optimal intake window"):
        update_settings(
            engine,
            actor=SYSTEM,
            expected_version=settings.version,
            changes={"intake_optimal_hours_min": 60, "intake_optimal_hours_max": 48},
        )
    assert get_settings(engine).version == settings.version


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"redisclosure_notice": ""}, "Redisclosure notice", id="an-empty-notice"),
        pytest.param({"redisclosure_notice": "   \n "}, "Redisclosure notice", id="a-blank-notice"),
        pytest.param({"redisclosure_notice": "Confidential."}, "at least 60", id="a-stub-notice"),
        pytest.param({"time_zone": "Mars/Olympus_Mons"}, "Time zone", id="an-unknown-zone"),
        pytest.param({"time_zone": ""}, "Time zone", id="an-empty-zone"),
        pytest.param({"time_zone": "america/los_angeles"}, "Time zone", id="a-zone-in-lower-case"),
    ],
)
def test_a_blank_notice_or_an_unknown_time_zone_is_refused_and_nothing_is_saved(
    engine, changes, message
):
    settings = get_settings(engine)
    with pytest.raises(ValidationError, match=message):
        update_settings(engine, actor=SYSTEM, expected_version=settings.version, changes=changes)
    after = get_settings(engine)
    assert after.version == settings.version
    assert (after.time_zone, after.redisclosure_notice) == (
        settings.time_zone,
        settings.redisclosure_notice,
    )


def test_a_real_time_zone_and_the_short_form_notice_are_saved(engine):
    settings = get_settings(engine)
    short = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
    update_settings(
        engine,
        actor=SYSTEM,
        expected_version=settings.version,
        changes={"time_zone": " America/New_York ", "redisclosure_notice": short},
    )
    assert (get_settings(engine).time_zone, get_settings(engine).redisclosure_notice) == (
        "America/New_York",
        short,
    )


def test_settings_have_the_protocol_defaults(engine):
    s = get_settings(engine)
    assert (s.intake_days, s.prosecutor_notice_days, s.social_contact_approval_months) == (30, 7, 6)
    assert (s.caseload_per_fte, s.referrals_per_year, s.workgroup_interval_days) == (25, 100, 14)
    assert (s.lockout_failures, s.lockout_window_minutes, s.lockout_minutes) == (5, 15, 15)
    assert (s.idle_timeout_minutes, s.absolute_session_hours) == (15, 12)
    assert (s.time_zone, s.suppression_threshold) == ("America/Los_Angeles", 11)


def test_two_admins_editing_one_user_the_later_save_conflicts(engine):
    make_user(engine, "pm.a", Role.project_manager)
    make_user(engine, "pm.b", Role.project_manager)
    target = make_user(engine, "cm.x", Role.case_manager)
    set_disabled(engine, actor=SYSTEM, user_id=target.id, expected_version=1, disabled=True)
    with pytest.raises(StaleEditError):
        unlock(engine, actor=SYSTEM, user_id=target.id, expected_version=1)


def test_concurrent_writers_queue_instead_of_failing(engine):
    """Ten threads each append audit rows at once: none sees 'database is locked'."""
    from services.core import audit

    errors = []

    def writer(n):
        try:
            for i in range(10):
                with write_session(engine) as session:
                    audit.append(session, actor=SYSTEM, action="test.write", subject=f"{n}-{i}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert audit.verify(engine) == (True, "100 rows verified")


def test_a_new_sqlite_database_its_wal_and_its_anchor_are_readable_by_the_owner_only(tmp_path):
    """SECURITY 28, issue 12 item 14: even with a permissive umask, nothing is world-readable."""
    import os
    import stat

    from services.core import audit
    from services.core.db import migrate

    old = os.umask(0o022)
    try:
        url = f"sqlite:///{tmp_path / 'data' / 'lead.db'}"
        migrate(url)
        engine = make_engine(url)
        audit.record(engine, actor=SYSTEM, action="test.write")
        made = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "data").iterdir()}
        engine.dispose()
    finally:
        os.umask(old)
    assert {"lead.db", "lead.db-wal", "lead.db-shm", "lead.db.audit-anchor"} <= set(made)
    assert made == dict.fromkeys(made, 0o600)
