"""Where a referral stands (pure): its stage, the intake clock and the next action.

The stage is derived from the recorded dates; the intake deadline (PROTOCOL T4), the missed
intake's prosecutor notice (T5) and the release still owed after an intake (T6, C3) come from
the rule core in services.rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from models import SiteSettings
from services.referrals.vocabulary import (
    CLOSED,
    INTAKE_DONE,
    LEFT,
    PARTICIPANT,
    REFERRED,
    SCHEDULED,
    SCREENED,
    STAGE_LABELS,
    code_of,
)
from services.rules.deadlines import intake_due, prosecutor_notice_due, prosecutor_notice_owed


def derive_stage(
    stage: str,
    closed: date | None,
    intake: date | None,
    screened: date | None,
    scheduled: date | None,
    participant_active: bool = False,
) -> str:
    """The lifecycle stage from the recorded dates (so dates recorded anywhere count)."""
    if closed is not None:
        return CLOSED
    if intake is not None:
        return PARTICIPANT if participant_active or stage == PARTICIPANT else INTAKE_DONE
    if scheduled is not None:
        return SCHEDULED
    if screened is not None:
        return SCREENED
    return LEFT if stage == LEFT else REFERRED


def optimal_intake_by(screened: date, settings: SiteSettings) -> date:
    """PROTOCOL T4: the in-depth intake is optimally 24-48 hours after the initial screening."""
    return screened + timedelta(days=math.ceil(settings.intake_optimal_hours_max / 24))


@dataclass(frozen=True)
class Clock:
    stage: str
    due: date | None
    text: str
    next_action: str


def clock(row: dict, today: date, settings: SiteSettings) -> Clock:
    """Where one referral stands: its stage, intake deadline, 'day N of 30' and what is next.

    `row` holds referral_type, referral_date, stage, closed_date, intake_completed_date,
    initial_screening_date, intake_scheduled_date, intake_extended_to, prosecutor_notified_date.
    """
    kind = code_of(row["referral_type"])
    stage = derive_stage(
        row["stage"],
        row["closed_date"],
        row["intake_completed_date"],
        row["initial_screening_date"],
        row["intake_scheduled_date"],
        row.get("participant_active", False),
    )
    due = intake_due(kind, row["referral_date"], row["intake_extended_to"], settings.intake_days)
    if stage in (CLOSED, PARTICIPANT, INTAKE_DONE):
        text = f"{STAGE_LABELS[stage]} {row['closed_date'] or row['intake_completed_date']}"
        action = (
            # PROTOCOL T6: a release signed after the intake counts once the intake is redone.
            "Obtain a signed release of information (T6, C3); if it came after the intake,"
            " record the intake again on or after its date"
            if stage == INTAKE_DONE
            else ""
        )
        return Clock(stage, None, text, action)
    day = (today - row["referral_date"]).days
    if due is not None:
        span = (due - row["referral_date"]).days
        text = f"day {day} of {span}" + (" (extended)" if row["intake_extended_to"] else "")
        if today > due:
            text += f", intake overdue since {due + timedelta(days=1)}"
    else:
        text = f"day {day} since referral"
    if prosecutor_notice_owed(due, today, row["prosecutor_notified_date"]):
        notice_by = prosecutor_notice_due(due, settings.prosecutor_notice_days)
        action = f"Notify the prosecutor of the missed intake by {notice_by} (T5)"
    elif stage == REFERRED:
        action = "Record the initial screening, or that the person left before it (T1, T2)"
    elif stage == LEFT:
        action = "Screen the person when they return; the T2 notices are listed on the referral"
    elif stage == SCREENED:
        by = optimal_intake_by(row["initial_screening_date"], settings)
        action = f"Schedule the in-depth intake, optimally by {by} (T4)"
    else:
        action = f"Complete the intake scheduled for {row['intake_scheduled_date']} (T4)"
    return Clock(stage, due, text, action)
