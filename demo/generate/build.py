"""Filling one database: the order of the work, from skeletons to the audit rows (issue 7).

Participants are written in chunks of CHUNK, one transaction each; the program-level rows
(PROTOCOL M1-M7) follow once every participant has its id.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import Engine, func, select

from demo.generate.participant import add_participant
from demo.generate.people import skeletons, years_of_history
from demo.generate.program import (
    add_audit_rows,
    add_community,
    add_coverage,
    add_disclosures,
    add_staffing,
    publish_snapshots,
)
from demo.generate.progress import Progress
from demo.generate.users import add_users
from demo.generate.vocabulary import CHUNK, CORE_USERS, DEFAULT_SEED
from demo.generate.writer import Writer, reset_sequences
from demo.seed import DEMO_PASSWORD
from models import Organization, Participant, User
from services.core.clock import local_today
from services.core.db import read_session, write_session
from services.core.site import ensure_defaults, get_settings


class GenerateError(RuntimeError):
    """The target database is not one the generator may fill (the message says why)."""


def generate(
    engine: Engine,
    *,
    participants: int,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill a migrated database that has no participants yet; return rows written per table.

    `today` anchors every date (default: the site's local today); the same seed and `today`
    give the same rows.
    """
    if participants < 1:
        raise GenerateError("Participants: give at least 1.")
    report = progress or (lambda _fraction, _label: None)
    with write_session(engine) as session:
        ensure_defaults(session)
    settings = get_settings(engine)
    today = today or local_today(settings.time_zone)
    with read_session(engine) as session:
        if session.execute(select(func.count()).select_from(Participant)).scalar():
            raise GenerateError("The database already has participants: use a new database.")
        taken = set(session.execute(select(User.username)).scalars())
        orgs = dict(session.execute(select(Organization.code, Organization.id)).all())
    if taken & {u[0] for u in CORE_USERS}:
        raise GenerateError("The database already has the demo users: use a new database.")
    from services.access.auth import hash_password  # bcrypt once for every generated user

    report(0.0, "people")
    people = skeletons(participants, seed, today)
    start = today - timedelta(days=365 * years_of_history(participants))
    writer = Writer(engine)
    password_hash = hash_password(DEMO_PASSWORD)
    users = add_users(writer, people, orgs, password_hash, start, settings.caseload_per_fte)
    writer.flush()
    chunks = range(0, len(people), CHUNK)
    for n, first in enumerate(chunks):
        for person in people[first : first + CHUNK]:
            add_participant(writer, person, seed, today, orgs, users)
        writer.flush()
        report(0.9 * (n + 1) / len(chunks), "participants and contacts")
    rng = random.Random(seed * 31 + 5)
    add_coverage(writer, rng, users, start, today)
    add_staffing(writer, rng, people, users, start, today, settings)
    report(0.94, "staffing sessions")
    add_community(writer, rng, start, today)
    add_disclosures(writer, rng, people, users, today)
    writer.flush()
    report(0.95, "report-back snapshots")
    writer.counts.add("reportsnapshot", publish_snapshots(engine, today))
    report(0.97, "audit")
    add_audit_rows(engine, participants, seed, today)
    reset_sequences(engine)
    report(1.0, "done")
    return dict(sorted(writer.counts.rows.items()))
