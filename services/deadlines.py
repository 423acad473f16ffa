"""Open obligations of one referral (PROTOCOL T4, T5, T6/C3, S6).

A stable contract (see CONTRACTS.md): plain data in, plain data out, stdlib only;
``today`` is passed in, never read from the clock.
"""

import calendar
import re
from datetime import date, timedelta

REFERRAL_TYPES = ("arrest", "social_contact", "doc")

DEFAULT_INTAKE_DAYS = 30  # PROTOCOL T4: intake no later than 30 days from the referral
PROSECUTOR_NOTICE_DAYS = 7  # PROTOCOL T5: notify within one week of the missed deadline
SOCIAL_CONTACT_APPROVAL_MONTHS = 6  # PROTOCOL S6: an approval is good for six months

# Dates the contract lists as inputs; each is optional except referral_date.
DATE_KEYS = (
    "referral_date",
    "initial_screening_date",
    "intake_completed_date",
    "intake_extended_to",
    "roi_signed_date",
    "roi_rescinded_date",
    "prosecutor_notified_date",
    "social_contact_approved_date",
    "reassessed_date",
    "closed_date",
)

# Alerts due the same day are listed in this order.
RULE_ORDER = ("T4", "T5", "C3", "S6")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def alerts_for(
    case: dict,
    today: str,
    *,
    intake_days: int = DEFAULT_INTAKE_DAYS,
    notice_days: int = PROSECUTOR_NOTICE_DAYS,
    approval_months: int = SOCIAL_CONTACT_APPROVAL_MONTHS,
) -> list[dict]:
    """List every open obligation of one referral, sorted by due date.

    The keyword-only overrides carry a site's settings; the defaults are the protocol's.

    >>> case = {"referral_type": "arrest", "referral_date": "2026-03-01"}
    >>> [(a["rule"], a["due"], a["overdue"]) for a in alerts_for(case, "2026-04-01")]
    [('T4', '2026-03-31', True), ('T5', '2026-04-07', False)]
    """
    if not isinstance(case, dict):
        raise TypeError("case: expected a dict")
    for name, value in (
        ("intake_days", intake_days),
        ("notice_days", notice_days),
        ("approval_months", approval_months),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name}: expected a non-negative whole number, got {value!r}")
    now = _parse_date(today, "today")
    referral_type = case.get("referral_type")
    if referral_type not in REFERRAL_TYPES:
        raise ValueError(f"referral_type: expected one of {', '.join(REFERRAL_TYPES)}")
    if case.get("referral_date") is None:
        raise ValueError("referral_date: required")
    dates = {key: _optional_date(case, key) for key in DATE_KEYS}
    return [
        {"rule": rule, "due": due.isoformat(), "overdue": now > due, "message": message}
        for rule, due, message in open_obligations(
            referral_type,
            dates,
            now,
            intake_days=intake_days,
            notice_days=notice_days,
            approval_months=approval_months,
        )
    ]


def open_obligations(
    referral_type: str,
    dates: dict[str, date | None],
    today: date,
    *,
    intake_days: int = DEFAULT_INTAKE_DAYS,
    notice_days: int = PROSECUTOR_NOTICE_DAYS,
    approval_months: int = SOCIAL_CONTACT_APPROVAL_MONTHS,
) -> list[tuple[str, date, str]]:
    """The rules behind `alerts_for`, on already-validated dates: (rule, due, message) by due.

    `dates` holds every key of DATE_KEYS (None when unknown). The app calls this directly for
    many referrals at once; outside callers use the plain-data contract `alerts_for`.
    """
    # A closed referral owes nothing, whatever the closing date (the record is taken as is).
    if dates["closed_date"] is not None:
        return []
    alerts = []
    if referral_type == "arrest" and dates["intake_completed_date"] is None:
        alerts.extend(_intake_alerts(dates, today, intake_days, notice_days))
    alerts.extend(_release_alerts(dates))
    if dates["social_contact_approved_date"] is not None:
        alerts.append(_reassessment_alert(dates, approval_months))
    alerts.sort(key=lambda alert: (alert[1], RULE_ORDER.index(alert[0])))
    return alerts


def add_months(d: date, n: int) -> date:
    """Add ``n`` calendar months (negative goes back), clamping to the month's last day.

    >>> add_months(date(2025, 8, 31), 6)
    datetime.date(2026, 2, 28)
    >>> add_months(date(2027, 8, 31), 6)
    datetime.date(2028, 2, 29)
    """
    index = d.year * 12 + d.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _intake_alerts(
    dates: dict, now: date, intake_days: int, notice_days: int
) -> list[tuple[str, date, str]]:
    referral = dates["referral_date"]
    extended = dates["intake_extended_to"]
    # PROTOCOL T4: 30 days from the referral unless the officer, sergeant or agency extends it.
    if extended is not None:
        intake_due = extended
        basis = "extended by the referring officer, sergeant or agency"
    else:
        intake_due = referral + timedelta(days=intake_days)
        basis = f"{intake_days} days from the {referral} referral"
    alerts = [
        (
            "T4",
            intake_due,
            f"Case manager owes the in-depth intake by {intake_due} ({basis}, PROTOCOL T4).",
        )
    ]
    # PROTOCOL T5: once the intake deadline has passed, the prosecutor is told within a week.
    if now > intake_due and dates["prosecutor_notified_date"] is None:
        notice_due = intake_due + timedelta(days=notice_days)
        alerts.append(
            (
                "T5",
                notice_due,
                (
                    "Case manager owes the prosecutor with jurisdiction (KCPAO and/or Burien"
                    f" City Attorney) notice of the missed {intake_due} intake deadline by"
                    f" {notice_due} ({notice_days} days after the deadline, PROTOCOL T5)."
                ),
            )
        )
    return alerts


def _release_alerts(dates: dict) -> list[tuple[str, date, str]]:
    # PROTOCOL T6, C3: applies to every referral type; at most one C3 alert per referral.
    rescinded = dates["roi_rescinded_date"]
    if rescinded is not None:
        return [
            (
                "C3",
                rescinded,
                (
                    f"Release of information rescinded on {rescinded}: the person is not a"
                    " participant, so partners see nothing and staffing sessions do not discuss"
                    " them until the case manager obtains a new release (PROTOCOL C3)."
                ),
            )
        ]
    intake = dates["intake_completed_date"]
    signed = dates["roi_signed_date"]
    if intake is None or (signed is not None and signed <= intake):
        return []
    missing = "no release was signed" if signed is None else f"the release came on {signed}"
    return [
        (
            "C3",
            intake,
            (
                f"Case manager owes a release of information signed by the intake on {intake},"
                f" but {missing}: the person is not a participant and partners see nothing"
                " about them (PROTOCOL T6, C3)."
            ),
        )
    ]


def _reassessment_alert(dates: dict, approval_months: int) -> tuple[str, date, str]:
    approved = dates["social_contact_approved_date"]
    reassessed = dates["reassessed_date"]
    # PROTOCOL S6: the latest reassessment restarts the clock; an older one is ignored.
    if reassessed is not None and reassessed >= approved:
        start, event = reassessed, "reassessment"
    else:
        start, event = approved, "approval"
    due = add_months(start, approval_months)
    return (
        "S6",
        due,
        (
            "The LEAD-trained sergeant or designated officer owes a re-assessment of the"
            f" social contact referral by {due} ({approval_months} months from the {start}"
            f" {event}, PROTOCOL S6)."
        ),
    )


def _parse_date(value: object, key: str) -> date:
    if type(value) is date:  # a date object is accepted as well as its ISO string
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(f"{key}: expected an ISO date YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{key}: not a valid date: {value!r}") from None


def _optional_date(case: dict, key: str) -> date | None:
    value = case.get(key)
    return None if value is None else _parse_date(value, key)
