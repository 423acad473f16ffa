"""The store: one engine per process, short sessions, SQLite pragmas asserted (SECURITY 24).

SQLite runs in WAL mode with synchronous=FULL: a commit acknowledged to a case manager survives
a power cut as well as a killed process, at a cost we can afford at LEAD's write rates.
Write sessions on SQLite begin IMMEDIATE so two writers queue on busy_timeout instead of
failing with "database is locked" when one upgrades a read to a write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from services.core.config import ROOT
from services.core.private_files import create_private
from services.core.text import install_flush_guard

install_flush_guard()  # no control characters reach a text column, whatever the form

SQLITE_PRAGMAS = {
    "busy_timeout": 5000,  # set first: the others may need the lock
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": 2,  # FULL
}


class SchemaError(RuntimeError):
    """The database is not at the code's migration head; the message says what to run."""


class IntegrityCheckError(RuntimeError):
    """SQLite's quick_check found damage."""


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    for name, value in SQLITE_PRAGMAS.items():
        cursor.execute(f"PRAGMA {name}={value}")
    for name, value in SQLITE_PRAGMAS.items():
        got = cursor.execute(f"PRAGMA {name}").fetchone()[0]
        if str(got).lower() != str(value).lower():
            raise RuntimeError(f"SQLite PRAGMA {name} is {got!r}, expected {value!r}")
    cursor.close()


def _on_sqlite_begin(conn) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            # 0600 before SQLite opens it: the -wal and -shm files copy the database's mode.
            create_private(Path(path))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A short session for one read; nothing is committed."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


# A save that still finds the SQLite write lock taken after busy_timeout tries again this many
# times before "database is locked" reaches the user (issue 7: ten writers on a loaded machine).
BUSY_RETRIES = 3


def _begin_write(session: Session) -> None:
    for attempt in range(BUSY_RETRIES + 1):
        try:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            return
        except OperationalError as exc:  # only BEGIN failed: nothing was done, safe to retry
            session.rollback()
            if attempt == BUSY_RETRIES or "database is locked" not in str(exc):
                raise


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A short transaction for one form submit: commits on success, rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        _begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str) -> None:
    """Apply every migration (alembic upgrade head)."""
    from alembic import command

    command.upgrade(alembic_config(url), "heads")


def schema_status(engine: Engine) -> tuple[str, str]:
    """Return (current revisions, head revisions) of the database and the code, as text."""
    url = engine.url.render_as_string(hide_password=False)
    heads = ScriptDirectory.from_config(alembic_config(url)).get_heads()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(current)) or "none", ",".join(sorted(heads))


def require_current_schema(engine: Engine) -> None:
    current, head = schema_status(engine)
    if current != head:
        raise SchemaError(
            f"The database is at migration {current} but this code needs {head}. "
            "Run `make migrate` (or `python -m services.ops.admin migrate`) and restart."
        )


def quick_check(engine: Engine) -> None:
    """PRAGMA quick_check on SQLite (SECURITY 24); PostgreSQL checks itself."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        result = conn.execute(text("PRAGMA quick_check")).scalar()
    if result != "ok":
        raise IntegrityCheckError(f"SQLite quick_check failed: {result}")


def bump_version(row, now: datetime, username: str) -> None:
    """The one way a changed row is stamped: next version, when and by whom (optimistic locking).

    Compare-and-swap updates (`UPDATE ... WHERE version = expected`) set version=expected + 1 in
    SQL instead; this is for a row loaded and changed in the session.
    """
    row.version += 1
    row.updated_at = now
    row.updated_by = username
