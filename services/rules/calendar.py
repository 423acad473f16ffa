"""Calendar arithmetic the rules share: whole calendar months, business days, holidays.

Standard library only. Holidays are passed in as any container of dates (``day in holidays``):
the shell builds them (``services.staffing`` uses the ``holidays`` package for Washington State),
so these functions stay pure and a site or a test can pass its own.
"""

import calendar
from collections.abc import Container
from datetime import date, timedelta

NO_HOLIDAYS: frozenset[date] = frozenset()


def add_months(d: date, n: int) -> date:
    """Add ``n`` calendar months (negative goes back); a day missing from the target month
    becomes that month's last day (PROTOCOL S6, B9 anniversaries, S3 windows).

    >>> add_months(date(2025, 8, 31), 6)
    datetime.date(2026, 2, 28)
    >>> add_months(date(2027, 8, 31), 6)
    datetime.date(2028, 2, 29)
    >>> add_months(date(2028, 2, 29), -12)
    datetime.date(2027, 2, 28)
    """
    index = d.year * 12 + d.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def is_business_day(day: date, holidays: Container[date] = NO_HOLIDAYS) -> bool:
    """Monday to Friday and not one of ``holidays``.

    >>> is_business_day(date(2026, 12, 4)), is_business_day(date(2026, 12, 5))
    (True, False)
    >>> is_business_day(date(2026, 12, 4), {date(2026, 12, 4)})
    False
    """
    return day.weekday() < 5 and day not in holidays


def business_days_before(day: date, n: int, holidays: Container[date] = NO_HOLIDAYS) -> date:
    """The day ``n`` business days before ``day`` (``day`` itself never counts; 0 gives ``day``).

    >>> business_days_before(date(2026, 12, 3), 2)  # a Thursday: the Tuesday
    datetime.date(2026, 12, 1)
    >>> business_days_before(date(2026, 12, 7), 1)  # a Monday: the Friday before
    datetime.date(2026, 12, 4)
    """
    if n < 0:
        raise ValueError("business_days: expected 0 or more")
    left = n
    while left:
        day -= timedelta(days=1)
        if is_business_day(day, holidays):
            left -= 1
    return day


def next_business_day(day: date, holidays: Container[date] = NO_HOLIDAYS) -> date:
    """``day`` itself when it is a business day, else the first business day after it.

    >>> next_business_day(date(2026, 12, 5))  # a Saturday
    datetime.date(2026, 12, 7)
    """
    while not is_business_day(day, holidays):
        day += timedelta(days=1)
    return day
