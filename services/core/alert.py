"""One alert's shape, shared by Today and the staffing action items (one-way imports).

`services.today` gathers alerts and `services.staffing` raises its action-item alerts; both build
them here, so staffing never imports Today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

REFERRAL_DATE_KEYS = (
    "referral_date",
    "initial_screening_date",
    "intake_completed_date",
    "intake_extended_to",
    "prosecutor_notified_date",
    "social_contact_approved_date",
    "reassessed_date",
    "closed_date",
)
SEVERITIES = ("overdue", "due in 2 days", "due in 7 days", "later")
SEVERITY_ICONS = {
    "overdue": "▲ Overdue",
    "due in 2 days": "◆ Due in 2 days",
    "due in 7 days": "● Due in 7 days",
    "later": "○ Later",
}


@dataclass(slots=True)  # not frozen: a frozen init is 5x slower, and Today builds 10,000s
class Alert:
    """One obligation: which rule, about what (a LEAD id or a report), due when, who acts."""

    rule: str
    subject: str
    due: date
    days_left: int
    severity: str
    owner: str
    action: str
    message: str
    referral_id: int | None = None
    referral_version: int | None = None
    kind: str = ""  # tells two alerts under one rule apart (e.g. "optimal" for the soft T4)
    participant_id: int | None = None  # whose record closes it (C3, NC), when about one person
    action_id: int | None = None  # the staffing action item it is about


def make_alert(
    rule: str, subject: str, due: date, today: date, owner: str, action: str, message: str, **refs
) -> Alert:
    """Build an alert with its days left and severity computed the one way."""
    return Alert(
        rule=rule,
        subject=subject,
        due=due,
        days_left=(due - today).days,
        severity=severity(due, today),
        owner=owner,
        action=action,
        message=message,
        **refs,
    )


def severity(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return "overdue"
    if days <= 2:
        return "due in 2 days"
    if days <= 7:
        return "due in 7 days"
    return "later"
