"""The site's settings (one row, typed, versioned, with its history) and partner organizations.

Every saved change is kept in `SiteSettingsChange` (who, when, the day it took effect, each
field's old and new value), so `settings_as_of` can say what was in force on any day.
See docs/settings.md.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from zoneinfo import available_timezones

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from models import Organization, OrgKind, SiteSettings, SiteSettingsBase, SiteSettingsChange
from services.core import audit
from services.core.audit import Actor
from services.core.clock import local_time_text, local_today, utcnow
from services.core.db import read_session, write_session
from services.core.errors import StaleEditError, ValidationError
from services.core.text import clean_value

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


def validated(current: SiteSettingsBase, changes: dict) -> SiteSettingsBase:
    """The current values with `changes` applied, validated; ValidationError says why not."""
    merged = current.model_dump(include=set(SiteSettingsBase.model_fields)) | changes
    try:
        valid = SiteSettingsBase.model_validate(merged)
    except Exception as exc:  # pydantic's message names the field
        raise ValidationError(str(exc)) from exc
    if valid.intake_optimal_hours_min > valid.intake_optimal_hours_max:
        raise ValidationError("The optimal intake window must start before it ends.")
    valid.time_zone = check_time_zone(valid.time_zone)
    valid.lead_id_prefix = check_lead_id_prefix(valid.lead_id_prefix)
    valid.redisclosure_notice = check_notice(valid.redisclosure_notice)
    return valid


def update_settings(
    engine: Engine,
    *,
    actor: Actor,
    expected_version: int,
    changes: dict,
    now: datetime | None = None,
) -> SiteSettings:
    """Validate and save, keeping the change in the history; a save based on a stale read
    raises StaleEditError (SECURITY 25). The page saves through
    `services.today.settings_changes.save_settings`, which first lists the deadlines a changed
    window would move."""
    current = get_settings(engine)
    valid = validated(current, changes)
    now = now or utcnow()
    # A bulk UPDATE passes by the flush guard (services.core.text): clean the text here.
    values = {k: clean_value(v) for k, v in valid.model_dump().items()}
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
        session.add(
            SiteSettingsChange(
                version=expected_version + 1,
                effective_date=local_today(valid.time_zone, now),
                changed_at=now,
                changed_by=actor.username,
                changes={k: [getattr(current, k), values[k]] for k in changed},
            )
        )
        audit.append(
            session,
            actor=actor,
            action="settings.update",
            subject="site settings",
            purpose="changed: " + ", ".join(changed) if changed else "no change",
            now=now,
        )
    return get_settings(engine)


# --- History -----------------------------------------------------------------------------------


def settings_history(engine: Engine) -> list[SiteSettingsChange]:
    """Every saved change, newest first."""
    with read_session(engine) as session:
        return list(
            session.exec(select(SiteSettingsChange).order_by(SiteSettingsChange.version.desc()))
        )


def settings_as_of(engine: Engine, day: date) -> SiteSettingsBase:
    """The values in force on `day`: today's values with every change effective later undone.

    A change takes effect on its effective date; before the first change the values are those
    it replaced.
    """
    values = get_settings(engine).model_dump(include=set(SiteSettingsBase.model_fields))
    for change in settings_history(engine):  # newest first: undo in reverse order
        if change.effective_date > day:
            values |= {field: old for field, (old, _new) in change.changes.items()}
    return SiteSettingsBase.model_validate(values)


def history_rows(engine: Engine) -> list[dict]:
    """The history as table rows (plain text), newest first, times in the site's zone."""
    time_zone = get_settings(engine).time_zone
    return [
        {
            "Took effect": change.effective_date.isoformat(),
            "What changed": "; ".join(
                _change_text(field, old, new) for field, (old, new) in change.changes.items()
            )
            or "nothing (saved as it was)",
            "By": change.changed_by,
            "Saved at": local_time_text(change.changed_at, time_zone),
            "Version": change.version,
        }
        for change in settings_history(engine)
    ]


def _change_text(field: str, old: object, new: object) -> str:
    label = SETTING_LABELS.get(field, field)
    if field == "redisclosure_notice":
        return f"{label}: text replaced"
    return f"{label}: {old} → {new}"


# The 2024 rule's short form ("42 CFR part 2 prohibits unauthorized use or disclosure of these
# records.") has 72 characters; anything much shorter cannot be the notice 42 CFR 2.32 requires.
MIN_NOTICE_CHARS = 60


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(name: str) -> str:
    """A zone of the time zone database (deadlines count its local days), else refused.

    The message never repeats what was typed (it is shown as markdown).
    """
    name = (name or "").strip()
    if name not in _time_zones():
        raise ValidationError(
            "Time zone: not a zone of the time zone database. Use a name such as "
            "America/Los_Angeles or America/New_York (region/city, as spelled there)."
        )
    return name


def check_lead_id_prefix(prefix: str) -> str:
    """The LEAD id prefix: 2-5 capital letters A-Z (the ids read PREFIX-0001)."""
    if not re.fullmatch(r"[A-Z]{2,5}", prefix):
        raise ValidationError("lead_id_prefix: use 2 to 5 capital letters A-Z, e.g. BUR.")
    return prefix


def check_notice(text: str) -> str:
    """The redisclosure notice printed on every export (42 CFR 2.32): never blank or a stub."""
    text = (text or "").strip()
    if len(text) < MIN_NOTICE_CHARS:
        raise ValidationError(
            f"Redisclosure notice: required on every export (42 CFR 2.32); use at least "
            f"{MIN_NOTICE_CHARS} characters (now {len(text)}). The default text is the full "
            "notice."
        )
    return text


def organizations(engine: Engine) -> list[Organization]:
    with read_session(engine) as session:
        return list(session.exec(select(Organization).order_by(Organization.code)))


def prosecutor_offices_in(session: Session) -> dict[str, str]:
    """PROTOCOL T2, T5: the site's prosecutor offices (organizations of kind prosecutor),
    code -> name, by code."""
    rows = session.exec(
        select(Organization.code, Organization.name)
        .where(Organization.kind == OrgKind.prosecutor)
        .order_by(Organization.code)
    )
    return {code: name for code, name in rows}


def prosecutor_offices(engine: Engine) -> dict[str, str]:
    with read_session(engine) as session:
        return prosecutor_offices_in(session)


def one_of(names: list[str]) -> str:
    """Names joined for a message: 'A', 'A or B', 'A, B or C'.

    >>> one_of(["Sample County Prosecutor", "Sample City Attorney", "Sample Tribal Court"])
    'Sample County Prosecutor, Sample City Attorney or Sample Tribal Court'
    """
    if len(names) <= 1:
        return "".join(names) or "(no prosecutor office is set up for this site)"
    return ", ".join(names[:-1]) + " or " + names[-1]


# Labels for the settings page and the README: what each setting means and the rule behind it.
SETTING_LABELS = {
    "name": "Site name",
    "catchment_area": "LEAD catchment area (PROTOCOL S2)",
    "lead_id_prefix": "Prefix of new LEAD ids (2-5 capital letters)",
    "funder_name": "Funder receiving the monthly client-level report (PROTOCOL M5)",
    "time_zone": "Time zone (deadlines count local days)",
    "intake_days": "Days from arrest referral to in-depth intake deadline (PROTOCOL T4)",
    "intake_optimal_hours_min": "Optimal intake window starts, hours after screening (T4)",
    "intake_optimal_hours_max": "Optimal intake window ends, hours after screening (T4)",
    "prosecutor_notice_days": "Days after a missed intake to notify the prosecutor (PROTOCOL T5)",
    "social_contact_approval_months": "Months a social-contact approval lasts (PROTOCOL S6)",
    "social_contact_lookback_months": "Months back a social-contact violation counts (PROTOCOL S3)",
    "victim_objection_days": "Days a victim has to object to the prosecutor (PROTOCOL V1)",
    "caseload_per_fte": "Active clients per case manager FTE (PROTOCOL M7)",
    "referrals_per_year": "Expected referrals a year (PROTOCOL M7)",
    "workgroup_interval_days": "Days between operational workgroup meetings (PROTOCOL M1)",
    "staffing_interval_days": "Days between staffing sessions (PROTOCOL M1)",
    "submission_cutoff_business_days": "Business days before a session names are due (M2)",
    "no_contact_alert_days": "Days without contact before an active participant is flagged",
    "bhrd_report_due_day": "Day of the month the BHRD report is due (PROTOCOL M5)",
    "suppression_threshold": "Smallest count published in public reports (SECURITY 22)",
    "lockout_failures": "Failed sign-ins that lock an account (SECURITY 12)",
    "lockout_window_minutes": "Minutes within which those failures count",
    "lockout_minutes": "Minutes an account stays locked",
    "idle_timeout_minutes": "Minutes of inactivity before sign-out (SECURITY 14)",
    "absolute_session_hours": "Hours a sign-in lasts at most (SECURITY 14)",
    "redisclosure_notice": "Redisclosure notice printed on every export (42 CFR 2.32)",
}


def provider_organization_id(session: Session, organization_id: int, what: str) -> int:
    """The case management provider a new participant belongs to: the user's own organization
    when it is a provider, else the first provider (by code). `what` names the step in the
    message when none is set up."""
    org = session.get(Organization, organization_id)
    if org is not None and org.kind == OrgKind.provider:
        return org.id
    provider = session.exec(
        select(Organization.id)
        .where(Organization.kind == OrgKind.provider)
        .order_by(Organization.code)
    ).first()
    if provider is None:
        raise ValidationError(f"{what}: no case management provider organization is set up.")
    return provider
