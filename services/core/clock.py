"""The one place that reads the wall clock; everything else takes `now`/`today` as an argument."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today(time_zone: str, now: datetime | None = None) -> date:
    """The calendar date at the site (deadlines are counted in local days)."""
    return (now or utcnow()).astimezone(ZoneInfo(time_zone)).date()


def local_time_text(moment: datetime, time_zone: str) -> str:
    """A UTC instant as the site's local time, e.g. '2026-11-27 09:15 PST'."""
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M %Z")
