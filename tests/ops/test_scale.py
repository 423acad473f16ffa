"""The synthetic data generator (issue 7): deterministic, realistic shapes, cached on disk."""

from __future__ import annotations

import io
import math
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlmodel import SQLModel

from demo import generate
from demo.generate import GenerateError, cache, cached_database, row_counts
from models import Contact, Participant, Referral, Release, Role, User
from services.core.db import make_engine, migrate

TODAY = date(2026, 11, 27)


def fresh_sqlite(path) -> str:
    url = f"sqlite:///{path}"
    migrate(url)
    return url


def all_rows(engine) -> dict[str, list[tuple]]:
    """Every row of every model table, ordered by id; bcrypt salts make password hashes differ."""
    rows = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.c if c.name != "password_hash"]
            order = [table.c.id] if "id" in table.c else columns
            rows[table.name] = [tuple(r) for r in conn.execute(select(*columns).order_by(*order))]
    return rows


@pytest.fixture(scope="module")
def fifty(tmp_path_factory):
    """One generated database of 50 participants, shared by the shape tests."""
    url = fresh_sqlite(tmp_path_factory.mktemp("gen") / "fifty.db")
    engine = make_engine(url)
    counts = generate.generate(engine, participants=50, seed=11, today=TODAY)
    yield engine, counts
    engine.dispose()


def test_the_same_seed_and_day_give_the_same_rows_and_another_seed_does_not(fifty, tmp_path):
    first, _ = fifty
    again = make_engine(fresh_sqlite(tmp_path / "again.db"))
    other = make_engine(fresh_sqlite(tmp_path / "other.db"))
    generate.generate(again, participants=50, seed=11, today=TODAY)
    generate.generate(other, participants=50, seed=12, today=TODAY)
    assert all_rows(again) == all_rows(first)
    assert all_rows(other)["participant"] != all_rows(first)["participant"]
    again.dispose()
    other.dispose()


def test_fifty_participants_get_about_a_hundred_contacts_each_and_one_manager_per_25(fifty):
    engine, counts = fifty
    assert counts["participant"] == 50
    assert abs(counts["contact"] - 50 * generate.CONTACTS_PER_PARTICIPANT) <= 50
    with engine.connect() as conn:
        active = conn.execute(
            select(func.count()).select_from(Participant).where(Participant.status == "active")
        ).scalar()
        managers = conn.execute(
            select(func.count()).select_from(User).where(User.role == Role.case_manager)
        ).scalar()
        # PROTOCOL M7: one case manager per 25 active participants
        assert managers == max(2, math.ceil(active / 25))
        busiest = conn.execute(
            select(func.count())
            .select_from(Participant)
            .where(Participant.status == "active")
            .group_by(Participant.case_manager_id)
            .order_by(func.count().desc())
        ).first()
        assert busiest[0] <= 25
        # last_contact_date is the latest contact
        mismatched = conn.execute(
            text(
                "SELECT COUNT(*) FROM participant p WHERE p.last_contact_date IS NOT "
                '(SELECT MAX(c."on") FROM contact c WHERE c.participant_id = p.id)'
            )
        ).scalar()
        assert mismatched == 0


def test_referrals_are_mostly_arrests_and_every_participant_has_one(fifty):
    engine, _ = fifty
    with engine.connect() as conn:
        types = dict(
            conn.execute(
                select(Referral.referral_type, func.count()).group_by(Referral.referral_type)
            ).all()
        )
        without = conn.execute(
            select(func.count())
            .select_from(Participant)
            .where(~Participant.id.in_(select(Referral.participant_id)))
        ).scalar()
    arrests = types.get("arrest", 0)
    assert arrests > sum(types.values()) / 2
    assert without == 0


def test_every_intake_has_a_release_signed_by_then_mostly_covering_bpd_and_kcpao(fifty):
    engine, _ = fifty
    with engine.connect() as conn:
        intakes = dict(
            conn.execute(
                select(Referral.participant_id, Referral.intake_completed_date).where(
                    Referral.intake_completed_date.is_not(None)
                )
            ).all()
        )
        releases = conn.execute(
            select(Release.participant_id, Release.signed_date, Release.covered_org_codes).where(
                Release.treatment_information.is_(False)
            )
        ).all()
    first_signed: dict[int, date] = {}
    covers = 0
    for pid, signed, codes in releases:
        first_signed[pid] = min(signed, first_signed.get(pid, signed))
        covers += {"BPD", "KCPAO"} <= set(codes)
    # PROTOCOL T6: a release signed no later than the intake's completion
    assert all(first_signed[pid] <= day for pid, day in intakes.items())
    assert covers > len(releases) / 2


def test_people_are_clearly_fake_and_notes_say_sample(fifty):
    engine, _ = fifty
    with engine.connect() as conn:
        names = conn.execute(select(Participant.legal_name)).scalars().all()
        notes = set(conn.execute(select(Contact.note).distinct()).scalars())
    assert all(name.split()[-1] in generate.LAST_NAMES for name in names)
    assert all(note.startswith("Sample") for note in notes)


def test_a_handful_of_audit_rows_are_chained_and_verify(fifty):
    from services.core import audit

    engine, _ = fifty
    ok, message = audit.verify(engine)
    assert ok, message
    assert row_counts(engine)["auditevent"] == 5


def test_the_generator_refuses_a_database_that_already_has_participants(fifty):
    engine, _ = fifty
    with pytest.raises(GenerateError, match="already has participants"):
        generate.generate(engine, participants=5, today=TODAY)


def test_generating_into_the_test_database_works_on_every_backend(engine):
    """On PostgreSQL too (the db_url fixture): explicit ids, then the sequences move past them."""
    counts = generate.generate(engine, participants=12, seed=3, today=TODAY)
    assert counts["participant"] == 12
    from tests.factories import make_participant

    added = make_participant(engine, "BUR-9999")  # a normal insert after the bulk ids
    assert added.id == 13


def test_the_cache_is_built_once_and_rebuilt_when_the_generator_version_changes(
    tmp_path, monkeypatch
):
    built = cached_database(20, data_dir=tmp_path)
    assert built == tmp_path / "scale-20.db"
    assert not (tmp_path / "scale-20.db-wal").exists()
    stamp = built.stat().st_mtime_ns
    assert cached_database(20, data_dir=tmp_path).stat().st_mtime_ns == stamp
    # cached_database reads the version where it is looked up: demo.generate.cache
    monkeypatch.setattr(cache, "GENERATOR_VERSION", generate.GENERATOR_VERSION + 1)
    assert cached_database(20, data_dir=tmp_path).stat().st_mtime_ns != stamp
    manifest = generate.cached_manifest(20, data_dir=tmp_path)
    assert manifest["generator_version"] == generate.GENERATOR_VERSION + 1
    assert manifest["rows"]["participant"] == 20


def test_the_cache_is_rebuilt_under_a_new_audit_key_and_its_chain_verifies(tmp_path, monkeypatch):
    from services.core import audit
    from services.core.db import make_engine

    built = cached_database(20, data_dir=tmp_path)
    stamp = built.stat().st_mtime_ns
    monkeypatch.setattr(audit, "_key", lambda: b"a different audit key for this test")
    rebuilt = cached_database(20, data_dir=tmp_path)
    assert rebuilt.stat().st_mtime_ns != stamp
    assert not (tmp_path / "scale-20.db.building.audit-anchor").exists()
    engine = make_engine(f"sqlite:///{rebuilt}")
    ok, message = audit.verify(engine)
    engine.dispose()
    assert ok and "no external anchor" not in message, message


def test_the_progress_bar_ends_at_one_hundred_percent():
    out = io.StringIO()
    show = generate.text_progress(out)
    show(0.0, "people")
    show(0.5, "participants and contacts")
    show(1.0, "done")
    assert "[###############...............]  50%" in out.getvalue()
    assert out.getvalue().rstrip().split("\r")[-1].startswith("[" + "#" * 30 + "] 100%")


def test_report_snapshots_are_published_by_the_report_back_service_in_its_own_shape(fifty):
    from services.reports import report_back

    engine, counts = fifty
    assert counts["reportsnapshot"] == generate.SNAPSHOT_QUARTERS
    shown = report_back.published(engine)
    assert [s["label"] for s in shown] == [s["figures"]["label"] for s in shown]
    assert all("rows" in s["figures"] for s in shown)
