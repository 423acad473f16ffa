"""Row counts and the on-disk cache: data/scale-<N>.db with its data/scale-<N>.json manifest.

A cached database is rebuilt only when missing, or made by another GENERATOR_VERSION, seed or
audit key (its chain must verify under the key in use); it is built into a temporary file and
renamed when complete, and migrated to the code's head on use.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from demo.generate.build import generate
from demo.generate.progress import Progress
from demo.generate.vocabulary import DATA_DIR, DEFAULT_SEED, GENERATOR_VERSION
from services.core import audit
from services.core.clock import local_today
from services.core.db import make_engine, migrate, schema_status
from services.core.site import get_settings


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the database (alembic's included), by table name."""
    names = sorted(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {
            name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar()  # noqa: S608
            for name in names
        }


def cache_path(participants: int, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / f"scale-{participants}.db"


def _manifest_path(db: Path) -> Path:
    return db.with_suffix(".json")


def cached_manifest(participants: int, data_dir: Path = DATA_DIR) -> dict | None:
    path = _manifest_path(cache_path(participants, data_dir))
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def cached_database(
    participants: int,
    *,
    seed: int = DEFAULT_SEED,
    data_dir: Path = DATA_DIR,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> Path:
    """data/scale-<N>.db, built when missing or made by another generator version or seed.

    Built into a temporary file and renamed when complete, so an interrupted build never
    leaves a half database behind. A cached file is migrated to the code's head on use (new
    migrations from other areas apply to it without a rebuild).
    """
    db = cache_path(participants, data_dir)
    manifest = cached_manifest(participants, data_dir)
    fresh = (
        not rebuild
        and db.exists()
        and manifest is not None
        and manifest.get("generator_version") == GENERATOR_VERSION
        and manifest.get("audit_key_id") == audit.key_id()  # its chain verifies under this key
        and manifest.get("seed") == seed
    )
    if fresh:
        migrate(f"sqlite:///{db}")
        return db
    data_dir.mkdir(parents=True, exist_ok=True)
    building = db.with_name(db.name + ".building")
    for stale in (building, *_sidecars(building), _anchor(building)):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    url = f"sqlite:///{building}"
    migrate(url)
    engine = make_engine(url)
    today = local_today(get_settings(engine).time_zone)
    counts = generate(engine, participants=participants, seed=seed, today=today, progress=progress)
    heads = schema_status(engine)[1]
    engine.dispose()
    _checkpoint(building)
    for old in (db, *_sidecars(db), _anchor(db)):
        old.unlink(missing_ok=True)
    os.replace(building, db)
    if _anchor(building).exists():  # the audit chain's external head moves with its database
        os.replace(_anchor(building), _anchor(db))
    _manifest_path(db).write_text(
        json.dumps(
            {
                "generator_version": GENERATOR_VERSION,
                "audit_key_id": audit.key_id(),
                "seed": seed,
                "participants": participants,
                "today": today.isoformat(),
                "migration_heads": heads,
                "seconds": round(time.perf_counter() - started, 1),
                "rows": counts,
            },
            indent=2,
        )
    )
    return db


def _anchor(db: Path) -> Path:
    return audit.anchor_path(f"sqlite:///{db}") or db.with_name(db.name + audit.ANCHOR_SUFFIX)


def _sidecars(db: Path) -> tuple[Path, Path]:
    return db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")


def _checkpoint(db: Path) -> None:
    """Fold the write-ahead log into the file so it can be renamed alone."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA optimize")
    finally:
        conn.close()
    for sidecar in _sidecars(db):
        sidecar.unlink(missing_ok=True)
