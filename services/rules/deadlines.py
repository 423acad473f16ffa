"""Open obligations of one referral (PROTOCOL T4, T5, T6/C3, S6).

The contract's rules (CONTRACTS.md; imported as `services.deadlines.alerts_for`): plain data in,
plain data out, standard library only; ``today`` is passed in, never read from the clock.
The one home of each deadline: `intake_due` (T4), `prosecutor_notice_owed` and
`prosecutor_notice_due` (T5), `reassessment_due` (S6); the rest of the app calls these.
"""

import re
from datetime import date, timedelta

from services.rules.calendar import add_months

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


def intake_due(
    referral_type: str,
    referral_date: date,
    extended_to: date | None,
    intake_days: int = DEFAULT_INTAKE_DAYS,
) -> date | None:
    """PROTOCOL T4: the in-depth intake deadline of an arrest referral (None for other types).

    ``intake_days`` from the referral, unless the referring officer, sergeant or agency extended
    it to ``extended_to``.

    >>> intake_due("arrest", date(2026, 3, 1), None)
    datetime.date(2026, 3, 31)
    >>> intake_due("arrest", date(2026, 3, 1), date(2026, 4, 15))
    datetime.date(2026, 4, 15)
    >>> intake_due("social_contact", date(2026, 3, 1), None) is None
    True
    """
    if referral_type != "arrest":
        return None
    return extended_to if extended_to is not None else referral_date + timedelta(days=intake_days)


def prosecutor_notice_owed(
    intake_deadline: date | None, today: date, notified_date: date | None
) -> bool:
    """PROTOCOL T5: a notice to the prosecutor is owed once the intake deadline has passed
    (the deadline day itself is still in time) and none is recorded yet.

    The caller passes ``intake_deadline`` None when no intake is owed (not an arrest referral,
    or the intake is complete).

    >>> prosecutor_notice_owed(date(2026, 3, 31), date(2026, 3, 31), None)
    False
    >>> prosecutor_notice_owed(date(2026, 3, 31), date(2026, 4, 1), None)
    True
    >>> prosecutor_notice_owed(date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 1))
    False
    """
    return intake_deadline is not None and today > intake_deadline and notified_date is None


def prosecutor_notice_due(intake_deadline: date, notice_days: int = PROSECUTOR_NOTICE_DAYS) -> date:
    """PROTOCOL T5: the prosecutor is told within ``notice_days`` of the missed intake deadline.

    >>> prosecutor_notice_due(date(2026, 3, 31))
    datetime.date(2026, 4, 7)
    """
    return intake_deadline + timedelta(days=notice_days)


def reassessment_due(
    approved: date,
    reassessed: date | None,
    approval_months: int = SOCIAL_CONTACT_APPROVAL_MONTHS,
) -> date:
    """PROTOCOL S6: a social contact approval is good for ``approval_months`` calendar months
    from the approval or the latest re-assessment since it.

    >>> reassessment_due(date(2025, 8, 31), None)
    datetime.date(2026, 2, 28)
    >>> reassessment_due(date(2025, 8, 31), date(2026, 2, 10))
    datetime.date(2026, 8, 10)
    """
    return add_months(_reassessment_start(approved, reassessed)[0], approval_months)


def _intake_alerts(
    dates: dict, now: date, intake_days: int, notice_days: int
) -> list[tuple[str, date, str]]:
    referral = dates["referral_date"]
    extended = dates["intake_extended_to"]
    # PROTOCOL T4: 30 days from the referral unless the officer, sergeant or agency extends it.
    deadline = intake_due("arrest", referral, extended, intake_days)
    if extended is not None:
        basis = "extended by the referring officer, sergeant or agency"
    else:
        basis = f"{intake_days} days from the {referral} referral"
    alerts = [
        (
            "T4",
            deadline,
            f"Case manager owes the in-depth intake by {deadline} ({basis}, PROTOCOL T4).",
        )
    ]
    # PROTOCOL T5: once the intake deadline has passed, the prosecutor is told within a week.
    if prosecutor_notice_owed(deadline, now, dates["prosecutor_notified_date"]):
        notice_due = prosecutor_notice_due(deadline, notice_days)
        alerts.append(
            (
                "T5",
                notice_due,
                (
                    "Case manager owes the prosecutor with jurisdiction (KCPAO and/or Burien"
                    f" City Attorney) notice of the missed {deadline} intake deadline by"
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
    start, event = _reassessment_start(approved, dates["reassessed_date"])
    due = reassessment_due(approved, dates["reassessed_date"], approval_months)
    return (
        "S6",
        due,
        (
            "The LEAD-trained sergeant or designated officer owes a re-assessment of the"
            f" social contact referral by {due} ({approval_months} months from the {start}"
            f" {event}, PROTOCOL S6)."
        ),
    )


def _reassessment_start(approved: date, reassessed: date | None) -> tuple[date, str]:
    # PROTOCOL S6: the latest reassessment restarts the clock; an older one is ignored.
    if reassessed is not None and reassessed >= approved:
        return reassessed, "reassessment"
    return approved, "approval"


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
