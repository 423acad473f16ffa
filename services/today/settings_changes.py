"""Saving site settings: a changed window first lists the open deadlines it would move.

Issue 13: changing a window used to re-date every open deadline silently. Now a save that
moves any open deadline is refused with the list (person's LEAD id, rule, old due, new due)
until it is confirmed with exactly that list: nothing is saved without the confirmation.
Why this and not "a deadline keeps the window in force when it started": docs/settings.md.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from models import Participant, Referral, SiteSettings, SiteSettingsBase
from services.core.alert import REFERRAL_DATE_KEYS
from services.core.audit import Actor
from services.core.clock import local_today, utcnow
from services.core.db import read_session
from services.core.errors import ValidationError
from services.core.site import get_settings, update_settings, validated
from services.rules.deadlines import open_obligations
from services.today.referral_clock import optimal_intake_alert, victim_window_alert

# The settings a deadline on Today is counted from (PROTOCOL T4, T5, S6, V1).
WINDOW_FIELDS = (
    "intake_days",
    "intake_optimal_hours_min",
    "intake_optimal_hours_max",
    "prosecutor_notice_days",
    "social_contact_approval_months",
    "victim_objection_days",
)
NOT_OWED = "not owed"


class MovesNeedConfirmation(ValidationError):
    """The save would move open deadlines: `moves` lists them; confirm to save."""

    def __init__(self, moves: list[dict]) -> None:
        count = f"{len(moves)} open deadline" + ("" if len(moves) == 1 else "s")
        super().__init__(
            f"Not saved yet: the new windows move {count}. Check the list, then confirm to save."
        )
        self.moves = moves


def save_settings(
    engine: Engine,
    *,
    actor: Actor,
    expected_version: int,
    changes: dict,
    confirmed_moves: list[dict] | None = None,
    now: datetime | None = None,
) -> SiteSettings:
    """Save the settings unless they move an open deadline not confirmed in `confirmed_moves`.

    Raises MovesNeedConfirmation (nothing saved) when the moves differ from the confirmed list,
    e.g. on the first save, or when a deadline changed between the list and the confirmation.
    """
    now = now or utcnow()
    current = get_settings(engine)
    if current.version != expected_version:  # stale: let update_settings say who and when
        return update_settings(
            engine, actor=actor, expected_version=expected_version, changes=changes, now=now
        )
    after = validated(current, changes)
    moves = deadline_moves(engine, current, after, local_today(current.time_zone, now))
    if moves and moves != (confirmed_moves or []):
        raise MovesNeedConfirmation(moves)
    return update_settings(
        engine, actor=actor, expected_version=expected_version, changes=changes, now=now
    )


def deadline_moves(
    engine: Engine, before: SiteSettingsBase, after: SiteSettingsBase, today: date
) -> list[dict]:
    """The open deadlines Today would show with another due date (or no longer, or newly)
    under `after` than under `before`: [{LEAD id, Rule, Old due, New due}] by LEAD id, rule."""
    if all(getattr(before, f) == getattr(after, f) for f in WINDOW_FIELDS):
        return []
    query = (
        select(
            Participant.lead_id,
            Referral.referral_type,
            Referral.intake_scheduled_date,
            Referral.victim_involved,
            Referral.victim_sheet_date,
            *[getattr(Referral, key) for key in REFERRAL_DATE_KEYS],
        )
        .join(Participant, col(Participant.id) == col(Referral.participant_id))
        .where(col(Referral.closed_date).is_(None))
    )
    with read_session(engine) as session:
        rows = session.connection().execute(query).all()
    moves = []
    for lead_id, kind, scheduled, victim, sheet, *dates in rows:
        dates = dict(zip(REFERRAL_DATE_KEYS, dates, strict=True))
        dates |= {"roi_signed_date": None, "roi_rescinded_date": None}  # C3 has no window
        dues = _dues(lead_id, getattr(kind, "value", kind), dates, scheduled, victim, sheet)
        old, new = dues(before, today), dues(after, today)
        for rule in sorted(old.keys() | new.keys()):
            if old.get(rule) != new.get(rule):
                moves.append(
                    {
                        "LEAD id": lead_id,
                        "Rule": rule,
                        "Old due": old.get(rule, NOT_OWED),
                        "New due": new.get(rule, NOT_OWED),
                    }
                )
    return sorted(moves, key=lambda m: (m["LEAD id"], m["Rule"]))


def _dues(lead_id, kind, dates, scheduled, victim, sheet):
    """A function of (settings, today) -> {rule: due as ISO text} for one referral, counted by
    the same rules Today uses (services.today, services.deadlines)."""

    def dues(settings: SiteSettingsBase, today: date) -> dict[str, str]:
        found = {
            rule: due.isoformat()
            for rule, due, _ in open_obligations(
                kind,
                dates,
                today,
                intake_days=settings.intake_days,
                notice_days=settings.prosecutor_notice_days,
                approval_months=settings.social_contact_approval_months,
            )
            if rule != "C3"
        }
        optimal = optimal_intake_alert(lead_id, dates, scheduled, today, settings)
        if optimal is not None:
            found["T4 (optimal)"] = optimal.due.isoformat()
        window = victim_window_alert(lead_id, victim, sheet, today, settings)
        if window is not None:
            found["V1"] = window.due.isoformat()
        return found

    return dues
