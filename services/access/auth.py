"""Sign-in truth: passwords, lockout, sessions, revocation (SECURITY 11-16).

streamlit-authenticator only draws the form and sets the cookie. This module decides:
- passwords are bcrypt (cost 12) over a SHA-256 pre-hash, so any length works and bcrypt's
  72-byte limit never bites;
- unknown users and wrong passwords get the same answer after the same work (a dummy hash);
- 5 failures within 15 minutes lock the account for 15 minutes, stored in the database;
- every sign-in is an AuthSession row matched to its cookie; the row ends on sign-out, idle or
  absolute timeout, and sign-out, a password change or disablement revoke every earlier session.
"""

from __future__ import annotations

import base64
import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import bcrypt
import jwt
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from models import AuthSession, Organization, Role, SiteSettings, User
from services.core import audit
from services.core.audit import Actor
from services.core.clock import utcnow
from services.core.db import bump_version, read_session, write_session
from services.core.errors import ValidationError
from services.core.site import get_settings

BCRYPT_COST = 12
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# Refresh last_seen at most this often, so a rerun is not always a write.
LAST_SEEN_GRANULARITY = timedelta(seconds=30)
SIGN_IN_FAILED = (
    "Sign-in failed: the username or password is not right, or the account is locked or "
    "disabled. After 5 failed tries an account locks for 15 minutes."
)


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user as plain data (never an ORM object in session state)."""

    id: int
    username: str
    display_name: str
    role: Role
    organization_id: int
    organization_code: str
    session_id: int

    @property
    def actor(self) -> Actor:
        return Actor(username=self.username, role=self.role.value)


def _prehash(password: str) -> bytes:
    # The sign-in form strips surrounding spaces, so hashing does too.
    password = password.strip()
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def check_password_rules(password: str) -> None:
    """Length only; no composition rules or hints (SECURITY 11)."""
    password = password.strip()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Password: use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(f"Password: use at most {MAX_PASSWORD_LENGTH} characters.")


def hash_password(password: str) -> str:
    check_password_rules(password)
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(BCRYPT_COST)).decode()


def password_matches(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(_prehash(password), password_hash.encode())
    except ValueError:
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return bcrypt.hashpw(b"dummy-password-for-equal-timing", bcrypt.gensalt(BCRYPT_COST)).decode()


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def _get_user(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def verify_login(
    engine: Engine, username: str, password: str, *, now: datetime | None = None
) -> bool:
    """Check one sign-in attempt, apply lockout, audit it. True only for a usable account."""
    now = now or utcnow()
    username = normalize_username(username)[:64]
    settings = get_settings(engine)
    with write_session(engine) as session:
        user = _get_user(session, username) if username else None
        if user is None:
            password_matches(password or "", _dummy_hash())  # same work as a real check
            audit.append(
                session,
                actor=Actor(username="(unknown)", role=""),
                action="sign_in",
                outcome="failed",
                now=now,
            )
            return False
        actor = Actor(username=user.username, role=user.role.value)
        matches = password_matches(password or "", user.password_hash)
        if user.locked_until and user.locked_until > now:
            audit.append(
                session,
                actor=actor,
                action="sign_in",
                outcome="refused: locked",
                now=now,
            )
            return False
        if user.locked_until and user.locked_until <= now:
            user.locked_until = None
            user.failed_logins = 0
            user.first_failed_at = None
            audit.append(session, actor=actor, action="unlock", outcome="automatic", now=now)
        if user.disabled:
            audit.append(
                session,
                actor=actor,
                action="sign_in",
                outcome="refused: disabled",
                now=now,
            )
            return False
        if matches:
            user.failed_logins = 0
            user.first_failed_at = None
            session.add(user)
            audit.append(session, actor=actor, action="sign_in", outcome="ok", now=now)
            return True
        _record_failure(session, user, settings, now)
        session.add(user)
        audit.append(session, actor=actor, action="sign_in", outcome="failed", now=now)
        if user.locked_until:
            audit.append(session, actor=actor, action="lockout", outcome="locked", now=now)
        return False


def _record_failure(session: Session, user: User, settings: SiteSettings, now: datetime) -> None:
    window = timedelta(minutes=settings.lockout_window_minutes)
    if user.first_failed_at is None or now - user.first_failed_at > window:
        user.first_failed_at = now
        user.failed_logins = 1
    else:
        user.failed_logins += 1
    if user.failed_logins >= settings.lockout_failures:
        user.locked_until = now + timedelta(minutes=settings.lockout_minutes)


def start_session(
    engine: Engine, username: str, *, token_exp: float, now: datetime | None = None
) -> int:
    """Record a new sign-in (after verify_login succeeded); returns the session id."""
    now = now or utcnow()
    with write_session(engine) as session:
        row = AuthSession(
            username=normalize_username(username),
            token_exp=token_exp,
            issued_at=now,
            last_seen_at=now,
        )
        session.add(row)
        session.flush()
        return row.id


COOKIE_ALGORITHM = "HS256"
MAX_COOKIE_CHARACTERS = 4096  # browsers keep at most 4 KB per cookie


def cookie_claims(token: object, key: str, *, now: datetime) -> dict | None:
    """The claims of a session cookie this app signed, still within its date; else None.

    Any malformed, foreign or unexpected cookie means "signed out" (SECURITY 31): garbage, a
    header naming another algorithm (`alg: none`, RS256), a wrong shape, missing or mistyped
    fields, an expired date. streamlit-authenticator raises on some of these instead.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_COOKIE_CHARACTERS:
        return None
    try:
        if jwt.get_unverified_header(token).get("alg") != COOKIE_ALGORITHM:
            return None
        claims = jwt.decode(token, key, algorithms=[COOKIE_ALGORITHM])
    except (jwt.PyJWTError, ValueError, TypeError, KeyError, AttributeError):
        return None
    username, exp_date = claims.get("username"), claims.get("exp_date")
    if not isinstance(username, str) or not username.strip():
        return None
    if isinstance(exp_date, bool) or not isinstance(exp_date, int | float):
        return None
    if not math.isfinite(exp_date) or exp_date <= now.timestamp():
        return None
    return {"username": username, "exp_date": exp_date}


def session_for_cookie(engine: Engine, username: str, token_exp: float) -> int | None:
    """The session a cookie belongs to, or None (a forged, foreign or unknown cookie)."""
    with read_session(engine) as session:
        row = session.exec(
            select(AuthSession).where(
                AuthSession.username == normalize_username(username),
                AuthSession.token_exp == token_exp,
            )
        ).first()
        return row.id if row else None


def cookie_lifetime_days(engine: Engine) -> float:
    """The sign-in cookie lasts as long as a sign-in may: the site's absolute session length
    (SECURITY 14), in the days the cookie library counts."""
    return get_settings(engine).absolute_session_hours / 24


def session_problem(
    row: AuthSession | None, user: User | None, settings: SiteSettings, now: datetime
) -> str | None:
    """Why a session may not continue, or None when it may (pure; SECURITY 14, 15)."""
    if row is None or user is None:
        return "unknown session"
    if row.ended_at is not None:
        return row.end_reason or "ended"
    if user.disabled:
        return "disabled"
    if row.issued_at < user.sessions_valid_after:
        return "revoked"
    if now - row.last_seen_at > timedelta(minutes=settings.idle_timeout_minutes):
        return "idle timeout"
    if now - row.issued_at > timedelta(hours=settings.absolute_session_hours):
        return "session expired"
    return None


def resume(engine: Engine, session_id: int, *, now: datetime | None = None) -> CurrentUser | None:
    """Validate a session on a rerun; end it (audited) when it may not continue."""
    now = now or utcnow()
    settings = get_settings(engine)
    with read_session(engine) as session:
        row = session.get(AuthSession, session_id)
        user = _get_user(session, row.username) if row else None
        problem = session_problem(row, user, settings, now)
        if problem is None:
            org = session.get(Organization, user.organization_id)
            current = CurrentUser(
                id=user.id,
                username=user.username,
                display_name=user.display_name,
                role=Role(user.role),
                organization_id=user.organization_id,
                organization_code=org.code if org else "",
                session_id=row.id,
            )
            stale = now - row.last_seen_at > LAST_SEEN_GRANULARITY
    if problem is not None:
        if row is not None and row.ended_at is None:
            end_session(engine, session_id, reason=problem, now=now)
        return None
    if stale:
        with write_session(engine) as session:
            session.exec(
                update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now)
            )
    return current


def end_session(
    engine: Engine, session_id: int, *, reason: str, now: datetime | None = None
) -> None:
    now = now or utcnow()
    with write_session(engine) as session:
        row = session.get(AuthSession, session_id)
        if row is None or row.ended_at is not None:
            return
        row.ended_at = now
        row.end_reason = reason
        session.add(row)
        user = _get_user(session, row.username)
        audit.append(
            session,
            actor=Actor(username=row.username, role=user.role.value if user else ""),
            action="sign_out" if reason == "signed out" else "session_end",
            outcome=reason,
            now=now,
        )


def revoke_all(session: Session, user: User, now: datetime) -> None:
    """Every session and cookie issued before now stops working (inside the caller's write)."""
    user.sessions_valid_after = now
    session.add(user)


def sign_out(engine: Engine, current: CurrentUser, *, now: datetime | None = None) -> None:
    """End this session and revoke every earlier one, so a copied cookie is dead (SECURITY 15)."""
    now = now or utcnow()
    end_session(engine, current.session_id, reason="signed out", now=now)
    with write_session(engine) as session:
        user = session.get(User, current.id)
        if user is not None:
            revoke_all(session, user, now)


def change_password(
    engine: Engine,
    current: CurrentUser,
    *,
    old: str,
    new: str,
    now: datetime | None = None,
) -> None:
    """Change one's own password; every session, this one included, must sign in again."""
    now = now or utcnow()
    check_password_rules(new)
    with read_session(engine) as session:
        user = session.get(User, current.id)
        ok = user is not None and password_matches(old, user.password_hash)
    if not ok:
        audit.record(
            engine,
            actor=current.actor,
            action="password_change",
            outcome="failed",
            now=now,
        )
        raise ValidationError("Current password: that is not your current password.")
    new_hash = hash_password(new)
    with write_session(engine) as session:
        user = session.get(User, current.id)
        user.password_hash = new_hash
        bump_version(user, now, current.username)
        revoke_all(session, user, now)
        audit.append(
            session,
            actor=current.actor,
            action="password_change",
            outcome="ok",
            now=now,
        )
