"""Fixtures: a migrated database per test, on SQLite (default) or PostgreSQL.

Set LEAD_TEST_PG_URL (scripts/with_postgres.sh does) to run every `db` test on PostgreSQL: each
test gets a fresh database cloned from a migrated template. Tests that use the `db_url` fixture
are marked `db` automatically, so `pytest -m db` is "every test that touches the database".
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import services.access.auth
from services.core.db import make_engine, migrate, write_session
from services.core.site import ensure_defaults

PG_URL = os.environ.get("LEAD_TEST_PG_URL")  # e.g. postgresql+psycopg://postgres@127.0.0.1:5433
# One template per pytest-xdist worker (the browser stories, run without xdist, clone
# "lead_template" themselves).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
TEMPLATE_DB = f"lead_template_{_WORKER}" if _WORKER else "lead_template"
_counter = itertools.count()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "db_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session", autouse=True)
def audit_anchor_dir(tmp_path_factory):
    """PostgreSQL test databases reuse names across runs: their audit anchor files (SECURITY 28)
    go to this run's own folder, so a stale head never meets a new database of the same name.
    SQLite anchors sit beside each test's database file already."""
    if not PG_URL or os.environ.get("LEAD_AUDIT_ANCHOR_DIR"):
        yield
        return
    os.environ["LEAD_AUDIT_ANCHOR_DIR"] = str(tmp_path_factory.mktemp("audit-anchors"))
    yield
    os.environ.pop("LEAD_AUDIT_ANCHOR_DIR", None)


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch, request):
    """Cost 4 keeps the suite fast; the test of the production cost opts out."""
    if "real_bcrypt" not in request.keywords:
        monkeypatch.setattr(services.access.auth, "BCRYPT_COST", 4)
        services.access.auth._dummy_hash.cache_clear()
    yield
    services.access.auth._dummy_hash.cache_clear()


def _pg_admin():
    return create_engine(f"{PG_URL}/postgres", isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    """A migrated, default-seeded database to copy for each test."""
    if PG_URL:
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {TEMPLATE_DB}"))
        url = f"{PG_URL}/{TEMPLATE_DB}"
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.db'}"
    migrate(url)
    engine = make_engine(url)
    with write_session(engine) as session:
        ensure_defaults(session)
    engine.dispose()
    yield url
    if PG_URL:
        with _pg_admin().connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)"))


@pytest.fixture
def db_url(template, tmp_path):
    if PG_URL:
        name = f"lead_test_{os.getpid()}_{next(_counter)}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
        yield f"{PG_URL}/{name}"
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
    else:
        path = tmp_path / "lead.db"
        shutil.copy(template.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def app_env(db_url, monkeypatch):
    """Environment for AppTest and servers: this test's database, demo mode, a fresh key."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("LEAD_MODE", "demo")
    monkeypatch.setenv("LEAD_COOKIE_KEY", secrets.token_urlsafe(48))
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield db_url
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def demo(app_env, engine):
    """The demo (12 participants) in this test's database, for the page tests."""
    from demo.seed import seed_demo

    seed_demo(engine, participants=12)
    return engine


ROOT = Path(__file__).resolve().parent.parent


# --- Browser tests: per module, one demo database, one server, one Chromium -------------------
# Module scope, not session: each module's stories change their database (sign-ins, lockouts,
# referrals), so a module never sees another's leftovers, and its tests share one server start.


@pytest.fixture(scope="module")
def module_db(template, tmp_path_factory, request):
    """The demo, seeded into this module's own copy of the migrated template. A module that
    needs more (a payload, a session) overrides it, asking for this one by the same name."""
    from tests.browser import demo_database

    name = request.module.__name__.rsplit(".", 1)[-1]
    with demo_database(template, tmp_path_factory.mktemp(name), f"lead_{name}") as url:
        yield url


@pytest.fixture(scope="module")
def module_engine(module_db):
    engine = make_engine(module_db)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def server(module_db):
    """`streamlit run app.py` on module_db; its base URL."""
    from tests.browser import app_server

    with app_server(module_db) as base:
        yield base


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium per browser test module (Debian's, never a download)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch_browser

    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium):
    """Open pages in fresh browser contexts (no shared cookies); all closed after the test."""
    contexts = []

    def make(viewport=None, cookies=None, **options):
        context = chromium.new_context(
            viewport=viewport or {"width": 1400, "height": 900}, **options
        )
        if cookies:
            context.add_cookies(cookies)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield make
    for context in contexts:
        context.close()
