"""Table tests for the calendar arithmetic the rules share (services.rules.calendar): whole
calendar months (PROTOCOL S6, B9, S3) and business days with holidays passed in (PROTOCOL M2)."""

from datetime import date

import pytest

from services.rules.calendar import (
    add_months,
    business_days_before,
    is_business_day,
    next_business_day,
)

D = date
# A synthetic holiday set: these rules never know which holidays a site keeps.
HOLIDAYS = frozenset({D(2026, 11, 26), D(2026, 11, 27), D(2026, 12, 25)})


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(date(2026, 1, 31), 1, date(2026, 2, 28), id="31-january-plus-1-month"),
        pytest.param(date(2028, 1, 31), 1, date(2028, 2, 29), id="31-january-in-a-leap-year"),
        pytest.param(date(2026, 11, 15), 3, date(2027, 2, 15), id="crossing-the-year-end"),
        pytest.param(date(2026, 3, 31), -1, date(2026, 2, 28), id="going-back-a-month"),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(
            D(2028, 2, 29), 12, D(2029, 2, 28), id="leap-day-anniversary-in-a-common-year"
        ),
        pytest.param(D(2028, 2, 29), 48, D(2032, 2, 29), id="leap-day-four-years-on"),
        pytest.param(D(2026, 3, 1), -24, D(2024, 3, 1), id="two-years-back"),
        pytest.param(D(2026, 5, 31), 0, D(2026, 5, 31), id="zero-months"),
    ],
)
def test_add_months_keeps_anniversaries_and_goes_back(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(D(2026, 12, 4), True, id="an-ordinary-friday"),
        pytest.param(D(2026, 12, 5), False, id="a-saturday"),
        pytest.param(D(2026, 12, 6), False, id="a-sunday"),
        pytest.param(D(2026, 11, 26), False, id="a-holiday-thursday"),
        pytest.param(D(2026, 11, 25), True, id="the-day-before-a-holiday"),
    ],
)
def test_a_business_day_is_a_weekday_that_is_not_a_holiday(day, expected):
    assert is_business_day(day, HOLIDAYS) is expected


def test_without_holidays_only_weekends_are_skipped():
    assert is_business_day(D(2026, 11, 26)) is True
    assert business_days_before(D(2026, 11, 30), 2) == D(2026, 11, 26)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        pytest.param(D(2026, 12, 3), 2, D(2026, 12, 1), id="thursday-back-to-tuesday"),
        pytest.param(D(2026, 12, 7), 1, D(2026, 12, 4), id="monday-back-over-the-weekend"),
        pytest.param(D(2026, 11, 30), 2, D(2026, 11, 24), id="over-two-holidays-and-a-weekend"),
        pytest.param(D(2026, 12, 3), 0, D(2026, 12, 3), id="zero-days-is-the-day-itself"),
        pytest.param(D(2026, 12, 6), 1, D(2026, 12, 4), id="from-a-sunday"),
    ],
)
def test_business_days_before_counts_back_skipping_weekends_and_holidays(day, n, expected):
    assert business_days_before(day, n, HOLIDAYS) == expected


def test_a_negative_count_of_business_days_is_refused():
    with pytest.raises(ValueError, match="business_days"):
        business_days_before(D(2026, 12, 3), -1, HOLIDAYS)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(D(2026, 11, 26), D(2026, 11, 30), id="holidays-then-a-weekend"),
        pytest.param(D(2026, 12, 25), D(2026, 12, 28), id="a-friday-holiday"),
        pytest.param(D(2026, 12, 3), D(2026, 12, 3), id="a-business-day-stays"),
    ],
)
def test_next_business_day_is_the_day_itself_or_the_first_after_it(day, expected):
    assert next_business_day(day, HOLIDAYS) == expected


def test_the_holidays_may_be_any_container_of_dates():
    class EveryFriday:
        def __contains__(self, day):
            return day.weekday() == 4

    assert next_business_day(D(2026, 12, 4), EveryFriday()) == D(2026, 12, 7)
