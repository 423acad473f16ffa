"""The process configuration: one typed object read from the environment.

LEAD_MODE=demo (the default for `make run`) generates a random cookie key and audit key under
data/ and says loudly that it is a demo; LEAD_MODE=production refuses to start without a strong
LEAD_COOKIE_KEY and LEAD_AUDIT_KEY (SECURITY 16, 28).
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = ROOT / "data" / "lead.db"
MIN_COOKIE_KEY_BYTES = 32
MIN_KEY_DISTINCT_CHARACTERS = 10  # a hex key (16 symbols) passes; "x" * 48 does not
MIN_KEY_ENTROPY_BITS = 128  # estimated from the key's own character frequencies
REPEAT_WINDOW = 8  # an 8-character piece appearing twice: a repeated word, not a random key
# Keys that appear in documentation and tutorials; never accepted in production.
KNOWN_WEAK_KEYS = {"some_key", "secret", "changeme", "random_signature_key", "abcdef"}


class ConfigError(RuntimeError):
    """The process cannot start with this configuration; the message says what to change."""


@dataclass(frozen=True)
class AppConfig:
    database_url: str
    mode: str  # "demo" or "production"
    cookie_key: str
    audit_key: str = ""
    cookie_name: str = "lead_session"

    @property
    def is_demo(self) -> bool:
        return self.mode == "demo"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _demo_key(data_dir: Path, name: str) -> str:
    from services.core.private_files import write_new_private

    return write_new_private(data_dir / name, secrets.token_urlsafe(48))


def key_weakness(key: str) -> str | None:
    """Why `key` is not a strong random secret, or None. `make cookie-key` output passes.

    >>> key_weakness("x" * 48)
    'it is one character repeated (10 distinct characters needed)'
    >>> key_weakness(secrets.token_urlsafe(48)) is None
    True
    """
    if key.strip().lower() in KNOWN_WEAK_KEYS:
        return "it is a well-known default"
    if len(key.encode()) < MIN_COOKIE_KEY_BYTES:
        return f"it is shorter than {MIN_COOKIE_KEY_BYTES} bytes"
    counts = Counter(key)
    if len(counts) < MIN_KEY_DISTINCT_CHARACTERS:
        what = "one character repeated" if len(counts) == 1 else f"{len(counts)} characters"
        return f"it is {what} ({MIN_KEY_DISTINCT_CHARACTERS} distinct characters needed)"
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values())
    if bits < MIN_KEY_ENTROPY_BITS:
        return f"it holds about {bits:.0f} bits of randomness ({MIN_KEY_ENTROPY_BITS} needed)"
    pieces = [key[i : i + REPEAT_WINDOW] for i in range(len(key) - REPEAT_WINDOW + 1)]
    if len(set(pieces)) < len(pieces):
        return "it repeats itself (a word or pattern used twice)"
    steps = sum(abs(ord(b) - ord(a)) <= 1 for a, b in zip(key, key[1:], strict=False))
    if steps > 0.4 * (len(key) - 1):
        return "it runs through neighbouring characters (a sequence, not a random key)"
    return None


def check_secret(name: str, key: str | None) -> str:
    """Return the key, or raise ConfigError saying why it is missing or weak (SECURITY 16)."""
    if not key:
        raise ConfigError(f"{name} is not set: generate one with `make cookie-key`.")
    weakness = key_weakness(key)
    if weakness:
        raise ConfigError(f"{name} is weak: {weakness}. Generate one with `make cookie-key`.")
    return key


def check_cookie_key(key: str | None) -> str:
    """Return the key, or raise ConfigError for a missing, short or well-known one."""
    return check_secret("LEAD_COOKIE_KEY", key)


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
        audit_key = check_secret("LEAD_AUDIT_KEY", env.get("LEAD_AUDIT_KEY"))
        if audit_key == cookie_key:
            raise ConfigError("LEAD_AUDIT_KEY must differ from LEAD_COOKIE_KEY.")
    else:  # demo: anything goes, missing keys are generated under data/ (0600)
        data_dir = DEFAULT_SQLITE_PATH.parent
        cookie_key = env.get("LEAD_COOKIE_KEY") or _demo_key(data_dir, "demo-cookie-key")
        audit_key = env.get("LEAD_AUDIT_KEY") or _demo_key(data_dir, "demo-audit-key")
    return AppConfig(
        database_url=database_url, mode=mode, cookie_key=cookie_key, audit_key=audit_key
    )
