"""Process configuration: production refuses a weak cookie key, demo makes one (SECURITY 16)."""

import tomllib
from pathlib import Path

import pytest

from services.config import ConfigError, load_config


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
            "LEAD_COOKIE_KEY": "k" * 48,
            "DATABASE_URL": "postgresql://lead@db/lead",
        }
    )
    assert config.database_url == "postgresql+psycopg://lead@db/lead"
    assert not config.is_demo


def test_demo_mode_generates_and_keeps_a_key(tmp_path, monkeypatch):
    import services.config as cfg

    monkeypatch.setattr(cfg, "DEFAULT_SQLITE_PATH", tmp_path / "lead.db")
    first = load_config({}).cookie_key
    assert len(first) >= 32 and load_config({}).cookie_key == first
    assert load_config({}).is_demo


def test_an_unknown_mode_is_refused():
    with pytest.raises(ConfigError, match="LEAD_MODE"):
        load_config({"LEAD_MODE": "staging"})


def test_a_first_visitor_sees_no_list_of_page_files_in_the_sidebar():
    """Streamlit's legacy pages/ listing shows every file before sign-in unless switched off."""
    config = tomllib.loads(
        (Path(__file__).parent.parent / ".streamlit" / "config.toml").read_text()
    )
    assert config["client"]["showSidebarNavigation"] is False
