"""Today's alerts: every area's obligations gathered behind one function, most urgent first.

`obligations(engine, user, today)` is the one place Today asks the areas what is owed: the
referral clock (PROTOCOL T4, T5, C3/T6, S6, and the soft T4 and V1 reminders), no contact with
an active participant (NC, a site setting), the monthly BHRD report (M5), the agenda cut-off
(M2), and the sources other areas register (staffing's action items). A deadline ledger can
later replace it; `open_alerts` sorts it for the Today page.
"""

from __future__ import annotations

from datetime import date
from operator import attrgetter
from types import SimpleNamespace

from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.core.alert import SEVERITY_ICONS, Alert
from services.core.site import get_settings
from services.today.referral_clock import CLOCK_ROLES, referral_alerts
from services.today.site_alerts import (
    bhrd_prepared,
    cutoff_alerts,
    no_contact_alerts,
    report_alerts,
)

# Today lists the most urgent alerts only (the PM has about 14,000 at 10,000 participants);
# the counts above the table cover all of them, and the filters reach any other.
ALERTS_SHOWN = 200


def obligations(engine: Engine, user: CurrentUser, today: date) -> list[Alert]:
    """What this user owes today, from every area, unsorted: a case manager's own (with
    coverage), a supervisor's team, everything for the PM; nothing for anyone else.

    Reads plain columns (no ORM objects) and applies the contract's rules through
    `open_obligations`, so 10,000 open referrals take well under a second.
    """
    if user.role not in CLOCK_ROLES:
        return []
    # Plain attributes: reading a table model's attribute goes through SQLAlchemy's
    # instrumentation, and the rules read settings for each of 10,000 rows.
    settings = SimpleNamespace(**get_settings(engine).model_dump())
    alerts = referral_alerts(engine, user, today, settings)
    alerts.extend(no_contact_alerts(engine, user, today, settings))
    alerts.extend(report_alerts(user, today, settings, bhrd_prepared(engine)))
    alerts.extend(cutoff_alerts(engine, user, today))
    for source in extra_sources():
        alerts.extend(source(engine, user, today))
    return alerts


def open_alerts(engine: Engine, user: CurrentUser, today: date) -> list[Alert]:
    """Most urgent first: a case manager's own, a supervisor's team, everything for the PM."""
    return sorted(obligations(engine, user, today), key=attrgetter("due", "rule", "subject"))


def extra_sources() -> list:
    """Alert sources beyond the referral clock: functions (engine, user, today) -> [Alert].

    Each area registers its own here (imported lazily to keep imports one-way).
    """
    from services.staffing import action_item_alerts  # open staffing action items I own

    return [action_item_alerts]


def alert_rows(alerts: list[Alert]) -> list[dict]:
    return [
        {
            "Severity": SEVERITY_ICONS[a.severity],
            "Due": a.due.isoformat(),
            "Days left": a.days_left,
            "Rule": a.rule,
            "About": a.subject,
            "Who acts": a.owner,
            "Closing action": a.action,
            "What is owed": a.message,
        }
        for a in alerts
    ]
