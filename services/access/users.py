"""User administration for the project manager: create, disable, reset, unlock, change role.

Every change is version-checked (a stale form is refused, SECURITY 25), audited, and revokes
the user's sessions where it changes what they may do (SECURITY 15).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, func, select

from models import Organization, Role, User, UserBase
from services.access.auth import hash_password, normalize_username, revoke_all
from services.core import audit
from services.core.audit import Actor
from services.core.clock import local_time_text, utcnow
from services.core.db import bump_version, read_session, write_session
from services.core.errors import StaleEditError, ValidationError, site_zone

# Which organizations each role may belong to (a police officer is not at the provider).
ROLE_ORG_KINDS = {
    Role.project_manager: {"defender"},
    Role.case_manager: {"provider"},
    Role.clinical_supervisor: {"provider"},
    Role.law_enforcement: {"police", "sheriff"},
    Role.corrections: {"corrections"},
    Role.prosecutor: {"prosecutor"},
    Role.community: {"community"},
}


def _org_by_code(session: Session, code: str) -> Organization:
    org = session.exec(select(Organization).where(Organization.code == code)).first()
    if org is None:
        raise ValidationError(f"Organization: unknown organization {code!r}.")
    return org


def create_user(
    engine,
    *,
    actor: Actor,
    username: str,
    display_name: str,
    role: Role | str,
    org_code: str,
    password: str,
    now: datetime | None = None,
) -> User:
    now = now or utcnow()
    username = normalize_username(username)
    with write_session(engine) as session:
        org = _org_by_code(session, org_code)
        try:
            data = UserBase.model_validate(
                {
                    "username": username,
                    "display_name": display_name.strip(),
                    "role": role,
                    "organization_id": org.id,
                }
            )
        except Exception as exc:
            raise ValidationError(_first_error(exc)) from exc
        if org.kind.value not in ROLE_ORG_KINDS[data.role]:
            raise ValidationError(
                f"Organization: a {data.role.value.replace('_', ' ')} cannot belong to {org.name}."
            )
        if session.exec(select(User).where(User.username == username)).first():
            raise ValidationError(f"Username: {username!r} is taken.")
        user = User(**data.model_dump(), password_hash=hash_password(password), created_at=now)
        session.add(user)
        session.flush()
        audit.append(session, actor=actor, action="user.create", subject=username, now=now)
        return user


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", lambda: [])()
    if errors:
        field = ".".join(str(p) for p in errors[0].get("loc", ()))
        return f"{field.replace('_', ' ').capitalize()}: {errors[0].get('msg', 'invalid')}."
    return str(exc)


def list_users(engine) -> list[dict]:
    with read_session(engine) as session:
        orgs = {o.id: o.code for o in session.exec(select(Organization))}
        time_zone = site_zone(session) or "UTC"
        return [
            {
                "id": u.id,
                "username": u.username,
                "name": u.display_name,
                "role": u.role.value,
                "organization": orgs.get(u.organization_id, ""),
                "disabled": u.disabled,
                "locked until": local_time_text(u.locked_until, time_zone)
                if u.locked_until and u.locked_until > utcnow()
                else "",
                "version": u.version,
            }
            for u in session.exec(select(User).order_by(User.username))
        ]


def _enabled_project_managers(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.project_manager, User.disabled == False)  # noqa: E712
    ).one()


def _edit(
    engine,
    *,
    actor: Actor,
    user_id: int,
    expected_version: int,
    action: str,
    mutate: Callable[[Session, User, datetime], str],
    now: datetime | None,
) -> None:
    now = now or utcnow()
    with write_session(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            raise ValidationError("User: no such user.")
        if user.version != expected_version:
            raise StaleEditError.for_row(user)
        detail = mutate(session, user, now)
        bump_version(user, now, actor.username)
        session.add(user)
        audit.append(
            session, actor=actor, action=action, subject=user.username, purpose=detail, now=now
        )


def set_disabled(engine, *, actor, user_id, expected_version, disabled: bool, now=None) -> None:
    def mutate(session, user, now):
        if (
            disabled
            and user.role == Role.project_manager
            and _enabled_project_managers(session) <= 1
        ):
            raise ValidationError("Disable: this is the last enabled project manager.")
        user.disabled = disabled
        if disabled:
            revoke_all(session, user, now)
        return "disabled" if disabled else "enabled"

    _edit(
        engine,
        actor=actor,
        user_id=user_id,
        expected_version=expected_version,
        action="user.disable" if disabled else "user.enable",
        mutate=mutate,
        now=now,
    )


def reset_password(
    engine, *, actor, user_id, expected_version, new_password: str, now=None
) -> None:
    new_hash = hash_password(new_password)

    def mutate(session, user, now):
        user.password_hash = new_hash
        user.failed_logins = 0
        user.first_failed_at = None
        user.locked_until = None
        revoke_all(session, user, now)
        return "password reset by administrator"

    _edit(
        engine,
        actor=actor,
        user_id=user_id,
        expected_version=expected_version,
        action="user.reset_password",
        mutate=mutate,
        now=now,
    )


def unlock(engine, *, actor, user_id, expected_version, now=None) -> None:
    def mutate(session, user, now):
        user.failed_logins = 0
        user.first_failed_at = None
        user.locked_until = None
        return "unlocked by administrator"

    _edit(
        engine,
        actor=actor,
        user_id=user_id,
        expected_version=expected_version,
        action="unlock",
        mutate=mutate,
        now=now,
    )


def change_role(
    engine, *, actor, user_id, expected_version, role: Role | str, org_code: str, now=None
) -> None:
    role = Role(role)

    def mutate(session, user, now):
        org = _org_by_code(session, org_code)
        if org.kind.value not in ROLE_ORG_KINDS[role]:
            raise ValidationError(
                f"Organization: a {role.value.replace('_', ' ')} cannot belong to {org.name}."
            )
        demoting_pm = user.role == Role.project_manager and role != Role.project_manager
        if demoting_pm and _enabled_project_managers(session) <= 1:
            raise ValidationError("Role: this is the last enabled project manager.")
        detail = f"{user.role.value} -> {role.value} ({org.code})"
        user.role = role
        user.organization_id = org.id
        revoke_all(session, user, now)
        return detail

    _edit(
        engine,
        actor=actor,
        user_id=user_id,
        expected_version=expected_version,
        action="user.change_role",
        mutate=mutate,
        now=now,
    )
