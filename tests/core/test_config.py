"""Process configuration: production refuses a weak cookie key, demo makes one (SECURITY 16)."""

import secrets
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

from services.core.config import ROOT, ConfigError, load_config

STRONG = secrets.token_urlsafe(48)


@pytest.mark.parametrize(
    "key, message",
    [
        pytest.param(None, "not set", id="missing"),
        pytest.param("", "not set", id="empty"),
        pytest.param("some_key", "well-known", id="library-default"),
        pytest.param("short-key-123", "shorter than 32", id="short"),
    ],
)
def test_production_refuses_a_weak_cookie_key(key, message):
    env = {"LEAD_MODE": "production"}
    if key is not None:
        env["LEAD_COOKIE_KEY"] = key
    with pytest.raises(ConfigError, match=message):
        load_config(env)


def test_production_accepts_a_random_key_and_the_database_url():
    config = load_config(
        {
            "LEAD_MODE": "production",
            "LEAD_COOKIE_KEY": STRONG,
            "LEAD_AUDIT_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": "postgresql://lead@db/lead",
        }
    )
    assert config.database_url == "postgresql+psycopg://lead@db/lead"
    assert not config.is_demo


def test_demo_mode_generates_and_keeps_a_key(tmp_path, monkeypatch):
    import services.core.config as cfg

    monkeypatch.setattr(cfg, "DEFAULT_SQLITE_PATH", tmp_path / "lead.db")
    first = load_config({}).cookie_key
    assert len(first) >= 32 and load_config({}).cookie_key == first
    assert load_config({}).is_demo
    audit_key = load_config({}).audit_key
    assert len(audit_key) >= 32 and audit_key != first and load_config({}).audit_key == audit_key


def test_the_demo_key_files_are_readable_by_their_owner_only(tmp_path, monkeypatch):
    import services.core.config as cfg

    monkeypatch.setattr(cfg, "DEFAULT_SQLITE_PATH", tmp_path / "lead.db")
    load_config({})
    for name in ("demo-cookie-key", "demo-audit-key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


WEAK_KEYS = [
    pytest.param("x" * 48, "one character repeated", id="one-character-48-times"),
    pytest.param("correcthorsebatterystaple" * 2, "repeats itself", id="a-word-twice"),
    pytest.param("Password1" * 4, "distinct characters", id="few-distinct-characters"),
    pytest.param(
        "abcdefghijklmnopqrstuvwxyz0123456789", "neighbouring characters", id="the-alphabet"
    ),
    pytest.param("lead-dashboard-lead-dashboard-key!", "bits of randomness", id="two-words"),
]


@pytest.mark.parametrize("key, message", WEAK_KEYS)
def test_production_refuses_a_long_but_guessable_cookie_key(key, message):
    env = {"LEAD_MODE": "production", "LEAD_COOKIE_KEY": key, "LEAD_AUDIT_KEY": STRONG}
    with pytest.raises(ConfigError, match=f"LEAD_COOKIE_KEY is weak: .*{message}"):
        load_config(env)


@pytest.mark.parametrize("key, message", [*WEAK_KEYS, pytest.param(None, "not set", id="missing")])
def test_production_refuses_a_missing_or_weak_audit_key(key, message):
    env = {"LEAD_MODE": "production", "LEAD_COOKIE_KEY": STRONG}
    if key is not None:
        env["LEAD_AUDIT_KEY"] = key
    with pytest.raises(ConfigError, match=f"LEAD_AUDIT_KEY .*{message}"):
        load_config(env)


def test_production_refuses_the_cookie_key_reused_as_the_audit_key():
    env = {"LEAD_MODE": "production", "LEAD_COOKIE_KEY": STRONG, "LEAD_AUDIT_KEY": STRONG}
    with pytest.raises(ConfigError, match="must differ"):
        load_config(env)


def test_keys_printed_by_make_cookie_key_pass_the_production_check():
    keys = subprocess.run(
        ["make", "-s", "--no-print-directory", "cookie-key"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    keys += [secrets.token_urlsafe(48) for _ in range(200)]
    for key in keys:
        env = {"LEAD_MODE": "production", "LEAD_COOKIE_KEY": key, "LEAD_AUDIT_KEY": STRONG}
        assert load_config(env).cookie_key == key


def test_demo_mode_accepts_any_cookie_key():
    assert load_config({"LEAD_COOKIE_KEY": "x" * 48}).cookie_key == "x" * 48


def test_an_unknown_mode_is_refused():
    with pytest.raises(ConfigError, match="LEAD_MODE"):
        load_config({"LEAD_MODE": "staging"})


def test_a_first_visitor_sees_no_list_of_page_files_in_the_sidebar():
    """Streamlit's legacy pages/ listing shows every file before sign-in unless switched off."""
    config = tomllib.loads(
        (Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text()
    )
    assert config["client"]["showSidebarNavigation"] is False
