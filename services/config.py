"""The process configuration: one typed object read from the environment.

LEAD_MODE=demo (the default for `make run`) generates a random cookie key under data/ and says
loudly that it is a demo; LEAD_MODE=production refuses to start without a strong key
(SECURITY 16).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "data" / "lead.db"
MIN_COOKIE_KEY_BYTES = 32
# Keys that appear in documentation and tutorials; never accepted in production.
KNOWN_WEAK_KEYS = {"some_key", "secret", "changeme", "random_signature_key", "abcdef"}


class ConfigError(RuntimeError):
    """The process cannot start with this configuration; the message says what to change."""


@dataclass(frozen=True)
class AppConfig:
    database_url: str
    mode: str  # "demo" or "production"
    cookie_key: str
    cookie_name: str = "lead_session"

    @property
    def is_demo(self) -> bool:
        return self.mode == "demo"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _demo_cookie_key(data_dir: Path) -> str:
    key_file = data_dir / "demo-cookie-key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def check_cookie_key(key: str | None) -> str:
    """Return the key, or raise ConfigError for a missing, short or well-known one."""
    if not key:
        raise ConfigError("LEAD_COOKIE_KEY is not set: generate one with `make cookie-key`.")
    if key.strip().lower() in KNOWN_WEAK_KEYS:
        raise ConfigError("LEAD_COOKIE_KEY is a well-known default: generate a random one.")
    if len(key.encode()) < MIN_COOKIE_KEY_BYTES:
        raise ConfigError(
            f"LEAD_COOKIE_KEY is shorter than {MIN_COOKIE_KEY_BYTES} bytes: generate a random one."
        )
    return key


def load_config(environ: dict[str, str] | None = None) -> AppConfig:
    env = os.environ if environ is None else environ
    mode = env.get("LEAD_MODE", "demo").strip().lower()
    if mode not in {"demo", "production"}:
        raise ConfigError("LEAD_MODE must be 'demo' or 'production'.")
    database_url = env.get("DATABASE_URL") or sqlite_url(DEFAULT_SQLITE_PATH)
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    if mode == "production":
        cookie_key = check_cookie_key(env.get("LEAD_COOKIE_KEY"))
    else:
        cookie_key = env.get("LEAD_COOKIE_KEY") or _demo_cookie_key(DEFAULT_SQLITE_PATH.parent)
    return AppConfig(database_url=database_url, mode=mode, cookie_key=cookie_key)
