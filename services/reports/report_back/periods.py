"""Report-back periods: calendar quarters and months, named without a day.

PROTOCOL M6: the report-back publishes a finished period; SECURITY 23: a period's label never
carries a day ("July to September 2026", "October 2026").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.core.errors import ValidationError
from services.rules.calendar import add_months

MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()
KINDS = ("quarter", "month")


@dataclass(frozen=True)
class Period:
    """A calendar quarter or month. Its label never carries a day (SECURITY 23)."""

    kind: str
    start: date
    end: date

    @property
    def months(self) -> list[date]:
        first, months = self.start, []
        while first <= self.end:
            months.append(first)
            first = _next_month(first)
        return months

    @property
    def label(self) -> str:
        """'July to September 2026' or 'October 2026'."""
        if self.kind == "month":
            return month_label(self.start)
        return f"{MONTH_NAMES[self.start.month - 1]} to {month_label(self.end)}"

    @property
    def span(self) -> str:
        """How a sentence about the period starts: 'Between July and September 2026'."""
        if self.kind == "month":
            return f"In {month_label(self.start)}"
        return f"Between {MONTH_NAMES[self.start.month - 1]} and {month_label(self.end)}"

    @property
    def slug(self) -> str:
        """For file names: '2026-q3' or '2026-10'."""
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}-q{(self.start.month - 1) // 3 + 1}"

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end


def month_label(first: date) -> str:
    return f"{MONTH_NAMES[first.month - 1]} {first.year}"


def _next_month(day: date) -> date:
    return add_months(day.replace(day=1), 1)


def period_containing(day: date, kind: str) -> Period:
    """The quarter or month that holds `day`.

    >>> period_containing(date(2026, 8, 31), "quarter").label
    'July to September 2026'
    >>> period_containing(date(2024, 2, 29), "month").end
    datetime.date(2024, 2, 29)
    """
    if kind not in KINDS:
        raise ValidationError(f"Period: choose a quarter or a month, not {kind!r}.")
    months = 3 if kind == "quarter" else 1
    start = date(day.year, (day.month - 1) // months * months + 1, 1)
    end = start
    for _ in range(months):
        end = _next_month(end)
    return Period(kind, start, end - timedelta(days=1))


def recent_periods(today: date, kind: str, count: int = 8) -> list[Period]:
    """The `count` most recent periods that have ended by `today`, newest first.

    A period can be published only once it is over, so its numbers are final.
    """
    periods = []
    period = period_containing(today, kind)
    while len(periods) < count:
        period = period_containing(period.start - timedelta(days=1), kind)
        periods.append(period)
    return periods
