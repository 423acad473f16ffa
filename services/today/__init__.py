"""The Today area: deadline alerts, how each closes, and the calendar export.

Submodules: `alerts` (every area's obligations behind one function, `obligations`, and the
sorted `open_alerts`), `referral_clock` (open referrals; PROTOCOL T4, T5, C3/T6, S6, V1),
`site_alerts` (NC, M5, M2), `owners` (who acts, the closing action), `closing` (closing an
alert from Today), `ics` (the iCalendar export, LEAD ids only) and `settings_changes` (the
deadlines a settings change moves). This module only re-exports; no other area imports Today.
"""

from services.core.alert import (  # one alert's shape; re-exported for Today's readers
    REFERRAL_DATE_KEYS,
    SEVERITIES,
    SEVERITY_ICONS,
    Alert,
    make_alert,
    severity,
)
from services.today.alerts import (
    ALERTS_SHOWN,
    alert_rows,
    extra_sources,
    obligations,
    open_alerts,
)
from services.today.closing import (
    CLOSES_ON,
    IN_PLACE,
    PAGE_KEY_BY_PATH,
    closing_route,
    extend_from_alert,
    record_closing_action,
)
from services.today.ics import (
    calendar_event_text,
    calendar_ics,
    ics_escape,
    ics_fold,
    record_calendar_download,
)
from services.today.owners import (
    ALERT_RULES,
    CLOSING_ACTIONS,
    CUTOFF_OWNERS,
    OWNERS,
    c3_action,
)
from services.today.referral_clock import (
    optimal_intake_alert,
    referral_alerts,
    victim_window_alert,
)
from services.today.site_alerts import (
    bhrd_due,
    cutoff_alerts,
    no_contact_alerts,
    no_contact_due,
    report_alerts,
)

__all__ = [
    "ALERTS_SHOWN",
    "ALERT_RULES",
    "CLOSES_ON",
    "CLOSING_ACTIONS",
    "CUTOFF_OWNERS",
    "IN_PLACE",
    "OWNERS",
    "PAGE_KEY_BY_PATH",
    "REFERRAL_DATE_KEYS",
    "SEVERITIES",
    "SEVERITY_ICONS",
    "Alert",
    "alert_rows",
    "bhrd_due",
    "c3_action",
    "calendar_event_text",
    "calendar_ics",
    "closing_route",
    "cutoff_alerts",
    "extend_from_alert",
    "extra_sources",
    "ics_escape",
    "ics_fold",
    "make_alert",
    "no_contact_alerts",
    "no_contact_due",
    "obligations",
    "open_alerts",
    "optimal_intake_alert",
    "record_calendar_download",
    "record_closing_action",
    "referral_alerts",
    "report_alerts",
    "severity",
    "victim_window_alert",
]
