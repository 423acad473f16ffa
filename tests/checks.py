"""Checks shared by the test suite and `make figures` (scripts/figures.py).

Each returns plain numbers so that a test can assert them and the figures script can print them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from services.core import audit
from services.core.audit import Actor
from services.core.db import make_engine, write_session

ROOT = Path(__file__).resolve().parent.parent
SQLITE_TRIGGER_NAMES = ("auditevent_no_update", "auditevent_no_delete")


@contextmanager
def triggers_disabled(engine: Engine):
    """What an attacker with direct database access does first."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        if sqlite:
            saved = [
                conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE type='trigger' AND name=:n"), {"n": n}
                ).scalar()
                for n in SQLITE_TRIGGER_NAMES
            ]
            for name in SQLITE_TRIGGER_NAMES:
                conn.execute(text(f"DROP TRIGGER {name}"))
        else:
            conn.execute(text("ALTER TABLE auditevent DISABLE TRIGGER USER"))
    try:
        yield
    finally:
        with engine.begin() as conn:
            if sqlite:
                for statement in saved:
                    conn.execute(text(statement))
            else:
                conn.execute(text("ALTER TABLE auditevent ENABLE TRIGGER USER"))


COLUMNS = "at, username, role, action, subject, outcome, purpose, prev_hash, hash"


def _swap_rows(conn, a: int, b: int) -> None:
    rows = {
        r.id: r
        for r in conn.execute(
            text(f"SELECT id, {COLUMNS} FROM auditevent WHERE id IN (:a, :b)"), {"a": a, "b": b}
        )
    }
    assignments = ", ".join(f"{c.strip()} = :{c.strip()}" for c in COLUMNS.split(","))
    for target, source in ((a, b), (b, a)):
        values = {c.strip(): getattr(rows[source], c.strip()) for c in COLUMNS.split(",")}
        conn.execute(
            text(f"UPDATE auditevent SET {assignments} WHERE id = :id"), values | {"id": target}
        )


def _truncate_and_move_anchor(conn) -> None:
    """Drop rows 4 onward and point the database's anchor row at row 3, as it was then."""
    conn.execute(text("DELETE FROM auditevent WHERE id > 3"))
    conn.execute(
        text(
            "UPDATE auditanchor SET count = 3, "
            "last_hash = (SELECT hash FROM auditevent WHERE id = 3) WHERE id = 1"
        )
    )


ATTACKERS_KEY = b"a guess: the attacker has the database, not LEAD_AUDIT_KEY"


def _edit_and_recompute(conn) -> None:
    """Edit row 3, then recompute every later hash and the anchor row as the chain is built."""
    from sqlmodel import Session, col, select

    from models import AuditAnchor, AuditEvent

    session = Session(bind=conn)
    prev = None
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        if event.id == 3:
            event.outcome = "ok (edited)"
        if event.id >= 3:
            event.prev_hash = prev
            event.hash = audit.row_hash(event, ATTACKERS_KEY)
        prev = event.hash
    anchor = session.get(AuditAnchor, 1)
    anchor.last_hash = prev
    session.flush()


TAMPERINGS: dict[str, Callable] = {
    "edited": lambda conn: conn.execute(
        text("UPDATE auditevent SET outcome = 'ok (edited)' WHERE id = 3")
    ),
    "deleted": lambda conn: conn.execute(text("DELETE FROM auditevent WHERE id = 3")),
    "reordered": lambda conn: _swap_rows(conn, 2, 3),
    "truncated": lambda conn: conn.execute(text("DELETE FROM auditevent WHERE id > 3")),
    # The attacker's next steps (SECURITY 28): caught by the external anchor and by the key.
    "truncated-anchor-moved": _truncate_and_move_anchor,
    "recomputed-after-edit": _edit_and_recompute,
}


def audit_tamper(fresh_db_url: Callable[[], str]) -> dict[str, tuple[bool, str]]:
    """For each tampering, on a fresh database with 6 audit rows: (detected, verify's message)."""
    results = {}
    for name, tamper in TAMPERINGS.items():
        engine = make_engine(fresh_db_url())
        actor = Actor(username="tester", role="project_manager")
        for i in range(6):
            with write_session(engine) as session:
                audit.append(
                    session, actor=actor, action="participant.view", subject=f"BUR-{i:04d}"
                )
        ok_before, _ = audit.verify(engine)
        assert ok_before, "the untouched chain must verify"
        with triggers_disabled(engine):
            with engine.begin() as conn:
                tamper(conn)
        ok, message = audit.verify(engine)
        results[name] = (not ok, message)
        engine.dispose()
    return results


# --- Page guard: every page x every role, and no one (SECURITY 3) -----------------------------

GUARD_MESSAGES = ("Sign in required", "You do not have access to this page.")


def rendered_text(at) -> str:
    """Everything an AppTest run put on screen, tables included, as one string."""
    import pandas as pd

    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        try:
            value = node.value
        except Exception:  # widgets without a value
            value = None
        if isinstance(value, pd.DataFrame):
            parts.append(value.to_string())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def identifiers(engine) -> list[str]:
    """Every participant identifier in the database (LEAD id, names, aliases, date of birth)."""
    from sqlmodel import select

    from models import Participant
    from services.core.db import read_session

    values: list[str] = []
    with read_session(engine) as session:
        for p in session.exec(select(Participant)):
            values += [p.lead_id, p.legal_name, p.case_notes, p.substance_use, *p.aliases]
            if p.date_of_birth:
                values.append(p.date_of_birth.isoformat())
    return [v for v in values if v]


def page_guard(db_url: str) -> dict:
    """Open every page as every role and as no one, through the router and directly.

    Exposed = a page reachable through the navigation by a role the policy does not allow, or a
    page script (run directly, as Streamlit's legacy pages/ routing would) that renders past its
    guard or shows any participant identifier to a role that may not open it.
    """
    from streamlit.testing.v1 import AppTest

    from demo.seed import DEMO_USERS, seed_demo
    from models import Role
    from services.access import auth
    from services.access.policy import PAGES, can_open
    from services.core.clock import utcnow
    from services.core.db import make_engine

    engine = make_engine(db_url)
    seed_demo(engine, participants=12)
    secrets_ = identifiers(engine)
    first_user = {role: username for username, _, role, _ in reversed(DEMO_USERS)}
    exposed: list[str] = []
    errors: list[str] = []

    def leaked(at) -> bool:
        text_ = rendered_text(at)
        return any(s in text_ for s in secrets_)

    def guarded(at) -> bool:
        text_ = rendered_text(at)
        return any(m in text_ for m in GUARD_MESSAGES) and len(at.title) <= 1

    for role in [*Role, None]:
        session_id = None
        if role is not None:
            session_id = auth.start_session(
                engine, first_user[role], token_exp=utcnow().timestamp() + role.value.__len__()
            )
        for page in PAGES:
            allowed = role is not None and can_open(role, page.key)
            label = f"{page.key} as {role.value if role else 'no one'}"
            # Through the router.
            router = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            if session_id:
                router.session_state["lead_session_id"] = session_id
            router.run()
            if role is None:
                if leaked(router) or not router.text_input:
                    exposed.append(f"{label}: sign-in screen missing or data shown")
            else:
                try:
                    router.switch_page(page.path).run()
                    reachable = True
                except ValueError:
                    reachable = False
                if reachable and not allowed:
                    exposed.append(f"{label}: reachable through the navigation")
                if allowed and (router.exception or not reachable):
                    errors.append(f"{label}: {router.exception or 'not reachable'}")
            # Directly, as legacy pages/ routing would run it.
            if not allowed:
                direct = AppTest.from_file(str(ROOT / page.path), default_timeout=60)
                if session_id:
                    direct.session_state["lead_session_id"] = session_id
                direct.run()
                if direct.exception or not guarded(direct) or leaked(direct):
                    exposed.append(f"{label}: direct run not stopped by the guard")
    engine.dispose()
    return {
        "pages": len(PAGES),
        "roles": len(Role) + 1,
        "exposed": exposed,
        "errors": errors,
    }
