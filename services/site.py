"""The site's settings (one row, typed, versioned) and its partner organizations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from models import Organization, OrgKind, SiteSettings, SiteSettingsBase
from services import audit
from services.audit import Actor
from services.clock import utcnow
from services.db import read_session, write_session
from services.errors import StaleEditError, ValidationError

DEFAULT_ORGANIZATIONS = (
    ("BPD", "Burien Police Department", OrgKind.police),
    ("KCSO", "King County Sheriff's Office", OrgKind.sheriff),
    ("DOC", "Department of Corrections NCI team", OrgKind.corrections),
    ("KCPAO", "King County Prosecuting Attorney's Office", OrgKind.prosecutor),
    ("BCA", "Burien City Attorney", OrgKind.prosecutor),
    ("PDA", "Public Defender Association", OrgKind.defender),
    ("CMP", "Case management provider", OrgKind.provider),
    ("COMM", "Community advisory representatives", OrgKind.community),
)


def ensure_defaults(session: Session) -> None:
    """Create the settings row and the partner organizations when missing (idempotent)."""
    if session.get(SiteSettings, 1) is None:
        session.add(SiteSettings(id=1))
    existing = set(session.exec(select(Organization.code)))
    for code, name, kind in DEFAULT_ORGANIZATIONS:
        if code not in existing:
            session.add(Organization(code=code, name=name, kind=kind))
    session.flush()


def get_settings(engine: Engine) -> SiteSettings:
    with read_session(engine) as session:
        settings = session.get(SiteSettings, 1)
    return settings or SiteSettings(id=1)


def update_settings(
    engine: Engine,
    *,
    actor: Actor,
    expected_version: int,
    changes: dict,
    now: datetime | None = None,
) -> SiteSettings:
    """Validate and save; a save based on a stale read raises StaleEditError (SECURITY 25)."""
    current = get_settings(engine)
    merged = current.model_dump(include=set(SiteSettingsBase.model_fields)) | changes
    try:
        valid = SiteSettingsBase.model_validate(merged)
    except Exception as exc:  # pydantic's message names the field
        raise ValidationError(str(exc)) from exc
    if valid.intake_optimal_hours_min > valid.intake_optimal_hours_max:
        raise ValidationError("The optimal intake window must start before it ends.")
    now = now or utcnow()
    values = valid.model_dump()
    with write_session(engine) as session:
        result = session.exec(
            update(SiteSettings)
            .where(SiteSettings.id == 1, SiteSettings.version == expected_version)
            .values(
                **values,
                version=expected_version + 1,
                updated_at=now,
                updated_by=actor.username,
            )
        )
        if result.rowcount != 1:
            raise StaleEditError.for_row(session.get(SiteSettings, 1))
        changed = sorted(k for k in values if values[k] != getattr(current, k))
        audit.append(
            session,
            actor=actor,
            action="settings.update",
            subject="site settings",
            purpose="changed: " + ", ".join(changed) if changed else "no change",
            now=now,
        )
    return get_settings(engine)


def organizations(engine: Engine) -> list[Organization]:
    with read_session(engine) as session:
        return list(session.exec(select(Organization).order_by(Organization.code)))
