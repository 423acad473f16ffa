"""Closing an alert from Today: in place (a referral date), or a link to where it is recorded.

The referral dates that close an alert (PROTOCOL T4 intake and its appointment, T5 prosecutor
notice, S6 re-assessment) and the T4 deadline extension go through services.referrals'
lifecycle (validated, version-checked, audited); other rules link to the page where the catalog
says they are recorded, when the role may open it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine

from models import Role
from services import referrals
from services.access.auth import CurrentUser
from services.access.policy import CASEWORK_EDITORS, PAGES, can_open
from services.core.alert import Alert
from services.core.errors import ValidationError
from services.rules import catalog
from services.today.owners import ALERT_RULES, CLOSING_ACTIONS

# How Today closes an alert that is not recorded in place (a referral date, a contact, an action
# item): a link to the page where the catalog says it is recorded (a release on the record, ...).
IN_PLACE = frozenset({"T4", "T5", "S6"})  # a referral date, recorded in Today's own form
PAGE_KEY_BY_PATH = {page.path: page.key for page in PAGES}
CLOSES_ON = {
    r: PAGE_KEY_BY_PATH[catalog.rule(r).recorded_on.page]
    for r in ALERT_RULES
    if r not in IN_PLACE and catalog.rule(r).recorded_on is not None
}


def closing_route(alert: Alert, role: Role | str) -> tuple[str, str | None]:
    """How this role closes the alert from Today.

    ("referral" | "contact" | "action", None): a form in place; ("page", page key): a link to
    the page where it is recorded, when the role may open it; ("none", None): nothing to offer.
    """
    role = Role(role)
    if alert.rule == "Action item" and alert.action_id is not None:
        return "action", None
    if alert.rule in IN_PLACE and alert.referral_id is not None:
        return "referral", None
    if alert.rule == "NC" and role in CASEWORK_EDITORS and alert.participant_id is not None:
        return "contact", None
    page = CLOSES_ON.get(alert.rule)
    if alert.rule == "M2":
        page = "agenda" if role == Role.project_manager else "submit_names"
    if page == "participant" and alert.participant_id is None:
        page = None
    if page and can_open(role, page):
        return "page", page
    return "none", None


def record_closing_action(
    engine: Engine,
    user: CurrentUser,
    *,
    rule: str,
    referral_id: int,
    expected_version: int,
    on: date,
    today: date,
    kind: str = "",
    office: str = "",
    method: str = "",
    now: datetime | None = None,
) -> None:
    """Record what closes an alert through the referral lifecycle (validated, version-checked,
    audited, with an event row): the intake (T4), the intake appointment (T4, optimal), the
    prosecutor notice with office and method (T5), the re-assessment (S6).
    """
    common = {
        "referral_id": referral_id,
        "expected_version": expected_version,
        "on": on,
        "today": today,
        "purpose": f"closes {rule} alert",
        "now": now,
    }
    if rule == "T4" and kind == "optimal":
        referrals.schedule_intake(engine, user, **common)
    elif rule == "T4":
        referrals.complete_intake(engine, user, **common)
    elif rule == "T5":
        referrals.record_prosecutor_notice(engine, user, office=office, method=method, **common)
    elif rule == "S6":
        referrals.record_reassessment(engine, user, **common)
    else:
        raise ValidationError(f"{CLOSING_ACTIONS.get(rule, rule)}: record it where it happens.")


def extend_from_alert(
    engine: Engine,
    user: CurrentUser,
    *,
    alert: Alert,
    new_date: date,
    extended_by: str,
    today: date,
    now: datetime | None = None,
) -> None:
    """PROTOCOL T4: the deadline extension, recorded from Today (closes the T4 alert for now)."""
    if alert.rule not in ("T4", "T5") or alert.referral_id is None:
        raise ValidationError("Extension: only an intake deadline can be extended.")
    referrals.extend_deadline(
        engine,
        user,
        referral_id=alert.referral_id,
        expected_version=alert.referral_version,
        new_date=new_date,
        extended_by=extended_by,
        on=today,
        today=today,
        purpose=f"extends the {alert.rule} deadline",
        now=now,
    )
