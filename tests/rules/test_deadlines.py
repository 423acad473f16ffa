"""Table tests for the deadline rules (PROTOCOL T4, T5, T6/C3, S6), services.rules.deadlines."""

import re
from datetime import date

import pytest

from services.rules.deadlines import (
    alerts_for,
    intake_due,
    prosecutor_notice_due,
    prosecutor_notice_owed,
    reassessment_due,
)


def arrest(**fields):
    """An arrest referral made on 1 March 2026: the intake is due 31 March (T4)."""
    return {"referral_type": "arrest", "referral_date": "2026-03-01", **fields}


def social(**fields):
    return {"referral_type": "social_contact", "referral_date": "2026-01-10", **fields}


def summary(case, today, **overrides):
    return [
        (alert["rule"], alert["due"], alert["overdue"])
        for alert in alerts_for(case, today, **overrides)
    ]


@pytest.mark.parametrize(
    ("case", "today", "expected"),
    [
        pytest.param(
            arrest(),
            "2026-03-30",
            [("T4", "2026-03-31", False)],
            id="intake-is-due-30-days-after-referral-the-day-before",
        ),
        pytest.param(
            arrest(),
            "2026-03-31",
            [("T4", "2026-03-31", False)],
            id="intake-is-not-overdue-on-its-due-day",
        ),
        pytest.param(
            arrest(),
            "2026-04-01",
            [("T4", "2026-03-31", True), ("T5", "2026-04-07", False)],
            id="the-day-after-the-intake-deadline-the-prosecutor-notice-appears",
        ),
        pytest.param(
            arrest(),
            "2026-04-07",
            [("T4", "2026-03-31", True), ("T5", "2026-04-07", False)],
            id="prosecutor-notice-is-not-overdue-on-its-due-day",
        ),
        pytest.param(
            arrest(),
            "2026-04-08",
            [("T4", "2026-03-31", True), ("T5", "2026-04-07", True)],
            id="prosecutor-notice-is-overdue-a-week-and-a-day-after-the-deadline",
        ),
        pytest.param(
            arrest(prosecutor_notified_date="2026-04-03"),
            "2026-04-08",
            [("T4", "2026-03-31", True)],
            id="notifying-the-prosecutor-clears-the-notice",
        ),
        pytest.param(
            arrest(intake_completed_date="2026-03-20", roi_signed_date="2026-03-02"),
            "2026-04-08",
            [],
            id="a-completed-intake-with-a-release-owes-nothing",
        ),
        pytest.param(
            arrest(intake_completed_date="2026-04-05", roi_signed_date="2026-04-05"),
            "2026-04-08",
            [],
            id="a-late-intake-still-clears-the-intake-and-notice-alerts",
        ),
        pytest.param(
            arrest(intake_extended_to="2026-04-15"),
            "2026-04-01",
            [("T4", "2026-04-15", False)],
            id="an-extension-moves-the-intake-deadline-and-holds-off-the-notice",
        ),
        pytest.param(
            arrest(intake_extended_to="2026-04-15"),
            "2026-04-16",
            [("T4", "2026-04-15", True), ("T5", "2026-04-22", False)],
            id="the-notice-runs-a-week-from-the-extended-deadline",
        ),
        pytest.param(
            social(),
            "2026-06-01",
            [],
            id="a-social-contact-has-no-intake-deadline-or-prosecutor-notice",
        ),
        pytest.param(
            {"referral_type": "doc", "referral_date": "2026-01-10"},
            "2026-06-01",
            [],
            id="a-doc-referral-has-no-intake-deadline-or-prosecutor-notice",
        ),
    ],
)
def test_intake_deadline_and_prosecutor_notice(case, today, expected):
    assert summary(case, today) == expected


@pytest.mark.parametrize(
    ("case", "today", "expected"),
    [
        pytest.param(
            social(intake_completed_date="2026-02-10"),
            "2026-02-10",
            [("C3", "2026-02-10", False)],
            id="an-intake-without-a-release-owes-one-from-the-intake-day",
        ),
        pytest.param(
            social(intake_completed_date="2026-02-10"),
            "2026-02-11",
            [("C3", "2026-02-10", True)],
            id="a-missing-release-is-overdue-the-day-after-intake",
        ),
        pytest.param(
            social(intake_completed_date="2026-02-10", roi_signed_date="2026-02-10"),
            "2026-02-11",
            [],
            id="a-release-signed-on-the-intake-day-is-in-time",
        ),
        pytest.param(
            arrest(intake_completed_date="2026-03-10", roi_signed_date="2026-03-11"),
            "2026-03-12",
            [("C3", "2026-03-10", True)],
            id="a-release-signed-after-the-intake-is-too-late",
        ),
        pytest.param(
            {
                "referral_type": "doc",
                "referral_date": "2026-01-10",
                "intake_completed_date": "2026-01-12",
                "roi_signed_date": "2026-01-12",
                "roi_rescinded_date": "2026-05-04",
            },
            "2026-05-04",
            [("C3", "2026-05-04", False)],
            id="a-rescinded-release-raises-c3-from-the-rescission-date",
        ),
        pytest.param(
            social(intake_completed_date="2026-02-10", roi_rescinded_date="2026-03-01"),
            "2026-03-02",
            [("C3", "2026-03-01", True)],
            id="a-rescission-and-a-missing-release-give-one-alert-from-the-rescission",
        ),
        pytest.param(
            social(roi_signed_date="2026-01-11"),
            "2026-05-04",
            [],
            id="a-release-before-any-intake-owes-nothing-yet",
        ),
    ],
)
def test_release_of_information(case, today, expected):
    assert summary(case, today) == expected


@pytest.mark.parametrize(
    ("case", "today", "expected"),
    [
        pytest.param(
            social(social_contact_approved_date="2026-01-15"),
            "2026-07-15",
            [("S6", "2026-07-15", False)],
            id="an-approval-is-good-for-6-months-through-the-due-day",
        ),
        pytest.param(
            social(social_contact_approved_date="2026-01-15"),
            "2026-07-16",
            [("S6", "2026-07-15", True)],
            id="an-approval-needs-reassessment-the-day-after-6-months",
        ),
        pytest.param(
            social(social_contact_approved_date="2025-08-31"),
            "2026-01-01",
            [("S6", "2026-02-28", False)],
            id="31-august-approval-runs-to-28-february-in-a-common-year",
        ),
        pytest.param(
            social(social_contact_approved_date="2027-08-31"),
            "2028-01-01",
            [("S6", "2028-02-29", False)],
            id="31-august-approval-runs-to-29-february-in-a-leap-year",
        ),
        pytest.param(
            social(social_contact_approved_date="2026-03-31"),
            "2026-04-01",
            [("S6", "2026-09-30", False)],
            id="31-march-approval-runs-to-30-september",
        ),
        pytest.param(
            social(social_contact_approved_date="2026-01-15", reassessed_date="2026-07-10"),
            "2026-08-01",
            [("S6", "2027-01-10", False)],
            id="a-reassessment-restarts-the-6-month-clock",
        ),
        pytest.param(
            social(reassessed_date="2026-01-15"),
            "2026-02-01",
            [],
            id="a-reassessment-without-an-approval-raises-nothing",
        ),
        pytest.param(
            social(social_contact_approved_date="2026-01-15", reassessed_date="2025-12-01"),
            "2026-02-01",
            [("S6", "2026-07-15", False)],
            id="a-reassessment-older-than-the-approval-is-ignored",
        ),
    ],
)
def test_social_contact_reassessment(case, today, expected):
    assert summary(case, today) == expected


@pytest.mark.parametrize(
    ("case", "today", "expected"),
    [
        pytest.param(
            arrest(
                closed_date="2026-04-02",
                roi_rescinded_date="2026-03-10",
                social_contact_approved_date="2025-01-01",
            ),
            "2026-06-01",
            [],
            id="a-closed-referral-has-no-alerts",
        ),
        pytest.param(
            arrest(
                roi_rescinded_date="2026-03-05",
                social_contact_approved_date="2025-09-30",
            ),
            "2026-03-06",
            [
                ("C3", "2026-03-05", True),
                ("S6", "2026-03-30", False),
                ("T4", "2026-03-31", False),
            ],
            id="alerts-are-sorted-by-due-date",
        ),
        pytest.param(
            arrest(
                intake_extended_to="2026-04-30",
                roi_rescinded_date="2026-04-30",
                social_contact_approved_date="2025-10-30",
            ),
            "2026-03-06",
            [
                ("T4", "2026-04-30", False),
                ("C3", "2026-04-30", False),
                ("S6", "2026-04-30", False),
            ],
            id="alerts-due-the-same-day-follow-rule-order",
        ),
    ],
)
def test_closing_and_ordering(case, today, expected):
    assert summary(case, today) == expected


@pytest.mark.parametrize(
    ("case", "today", "overrides", "expected"),
    [
        pytest.param(
            arrest(),
            "2026-03-20",
            {"intake_days": 14, "notice_days": 3},
            [("T4", "2026-03-15", True), ("T5", "2026-03-18", True)],
            id="a-site-can-shorten-the-intake-and-notice-periods",
        ),
        pytest.param(
            social(social_contact_approved_date="2025-11-30"),
            "2026-01-01",
            {"approval_months": 3},
            [("S6", "2026-02-28", False)],
            id="a-site-can-change-the-approval-period",
        ),
    ],
)
def test_site_settings_override_the_protocol_defaults(case, today, overrides, expected):
    assert summary(case, today, **overrides) == expected


@pytest.mark.parametrize(
    ("case", "today", "rule", "fragments"),
    [
        pytest.param(
            arrest(),
            "2026-03-02",
            "T4",
            ["Case manager", "in-depth intake", "2026-03-31", "30 days", "PROTOCOL T4"],
            id="the-intake-alert-says-who-owes-what-by-when",
        ),
        pytest.param(
            arrest(),
            "2026-04-02",
            "T5",
            ["Case manager", "prosecutor", "2026-04-07", "PROTOCOL T5"],
            id="the-notice-alert-names-the-prosecutor",
        ),
        pytest.param(
            social(intake_completed_date="2026-02-10"),
            "2026-02-11",
            "C3",
            ["release of information", "2026-02-10", "not a participant", "C3"],
            id="the-release-alert-says-the-person-is-not-a-participant",
        ),
        pytest.param(
            social(social_contact_approved_date="2026-01-15"),
            "2026-02-01",
            "S6",
            ["sergeant", "re-assessment", "2026-07-15", "PROTOCOL S6"],
            id="the-reassessment-alert-names-the-sergeant",
        ),
    ],
)
def test_messages_say_what_is_owed_by_whom(case, today, rule, fragments):
    (alert,) = [a for a in alerts_for(case, today) if a["rule"] == rule]
    for fragment in fragments:
        assert fragment in alert["message"]


@pytest.mark.parametrize(
    ("case", "today", "key"),
    [
        pytest.param({"referral_date": "2026-03-01"}, "2026-03-02", "referral_type", id="no-type"),
        pytest.param(
            arrest(referral_type="walk_in"),
            "2026-03-02",
            "referral_type",
            id="unknown-type",
        ),
        pytest.param({"referral_type": "arrest"}, "2026-03-02", "referral_date", id="no-date"),
        pytest.param(
            arrest(roi_signed_date="2026-13-01"),
            "2026-03-02",
            "roi_signed_date",
            id="impossible-release-date",
        ),
        pytest.param(
            arrest(closed_date=20260401),
            "2026-03-02",
            "closed_date",
            id="date-given-as-number",
        ),
        pytest.param(arrest(), "2 March 2026", "today", id="malformed-today"),
    ],
)
def test_a_missing_or_malformed_key_raises_value_error_naming_it(case, today, key):
    with pytest.raises(ValueError, match=re.escape(key)):
        alerts_for(case, today)


@pytest.mark.parametrize(
    ("referral_type", "extended_to", "intake_days", "expected"),
    [
        pytest.param("arrest", None, 30, date(2026, 3, 31), id="arrest-30-days-from-referral"),
        pytest.param("arrest", date(2026, 4, 15), 30, date(2026, 4, 15), id="extended"),
        pytest.param("arrest", None, 10, date(2026, 3, 11), id="site-window-of-10-days"),
        pytest.param("social_contact", None, 30, None, id="social-contact-has-no-deadline"),
        pytest.param("doc", None, 30, None, id="doc-has-no-deadline"),
    ],
)
def test_the_intake_deadline_is_30_days_from_an_arrest_referral_unless_extended(
    referral_type, extended_to, intake_days, expected
):
    assert intake_due(referral_type, date(2026, 3, 1), extended_to, intake_days) == expected


@pytest.mark.parametrize(
    ("today", "notified", "owed"),
    [
        pytest.param(date(2026, 3, 30), None, False, id="day-before-the-deadline"),
        pytest.param(date(2026, 3, 31), None, False, id="on-the-deadline-still-in-time"),
        pytest.param(date(2026, 4, 1), None, True, id="day-after-the-deadline"),
        pytest.param(date(2026, 4, 1), date(2026, 4, 1), False, id="notice-already-recorded"),
    ],
)
def test_a_prosecutor_notice_is_owed_only_once_the_intake_deadline_has_passed(
    today, notified, owed
):
    assert prosecutor_notice_owed(date(2026, 3, 31), today, notified) is owed


def test_no_prosecutor_notice_is_owed_without_an_intake_deadline():
    assert prosecutor_notice_owed(None, date(2026, 4, 1), None) is False


@pytest.mark.parametrize(
    ("notice_days", "expected"),
    [
        pytest.param(7, date(2026, 4, 7), id="one-week-after-the-missed-deadline"),
        pytest.param(3, date(2026, 4, 3), id="site-window-of-3-days"),
    ],
)
def test_the_prosecutor_notice_is_due_a_week_after_the_missed_deadline(notice_days, expected):
    assert prosecutor_notice_due(date(2026, 3, 31), notice_days) == expected


@pytest.mark.parametrize(
    ("approved", "reassessed", "expected"),
    [
        pytest.param(date(2025, 8, 31), None, date(2026, 2, 28), id="approval-month-end-clamps"),
        pytest.param(date(2026, 1, 10), date(2026, 5, 1), date(2026, 11, 1), id="reassessed"),
        pytest.param(date(2026, 1, 10), date(2025, 12, 1), date(2026, 7, 10), id="older-ignored"),
    ],
)
def test_a_social_contact_approval_is_good_for_six_months_from_the_latest_assessment(
    approved, reassessed, expected
):
    assert reassessment_due(approved, reassessed) == expected
