"""Pure staffing rules: business days and cut-offs, a series' next meeting, running times, the
presenter's timer, consent gaps, name matching and the name shown on the shared screen.

No database and no clock: `today` and `now` are passed in. PROTOCOL M1 (a series keeps to its
grid), M2 (the cut-off in business days, Washington State holidays skipped), C3 (consent gaps)
and B14 (the one matcher, services.rules.matching).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from services.access.policy import release_state
from services.rules import calendar, matching
from services.rules.matching import Names
from services.staffing.vocabulary import MATCH_LIMIT


@lru_cache(maxsize=64)
def _wa_holidays(year: int) -> frozenset[date]:
    # Washington State holidays, observed days included (python-holidays cites each statute).
    return frozenset(holidays.US(subdiv="WA", years=year))


class _WashingtonHolidays:
    """Washington State holidays as a container of dates (`day in WA_HOLIDAYS`), built per year
    on first use: what `services.rules.calendar` takes as its holidays."""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and day in _wa_holidays(day.year)


WA_HOLIDAYS = _WashingtonHolidays()


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a Washington State holiday.

    >>> is_business_day(date(2026, 11, 27))  # Native American Heritage Day (WA)
    False
    """
    return calendar.is_business_day(day, WA_HOLIDAYS)


def submission_cutoff(session_on: date, business_days: int) -> date:
    """The last day names are taken for a session: N business days before it (PROTOCOL M2).

    Weekends and Washington State holidays are skipped; the session day itself never counts.

    >>> submission_cutoff(date(2026, 12, 3), 2)  # a Thursday: names due the Tuesday
    datetime.date(2026, 12, 1)
    >>> submission_cutoff(date(2026, 11, 30), 2)  # Monday after Thanksgiving (Thu, Fri off)
    datetime.date(2026, 11, 24)
    """
    return calendar.business_days_before(session_on, business_days, WA_HOLIDAYS)


def meeting_day(nominal: date) -> date:
    """A meeting falling on a weekend or holiday moves to the next business day."""
    return calendar.next_business_day(nominal, WA_HOLIDAYS)


def next_occurrence(anchor: date, after: date, interval_days: int) -> date:
    """The next meeting of a series anchored on `anchor`, strictly after `after` (PROTOCOL M1).

    The series keeps to its grid (anchor + k x interval), so a meeting moved by a holiday does
    not shift the ones after it.

    >>> next_occurrence(date(2026, 11, 12), date(2026, 11, 30), 14)  # Thanksgiving moved it
    datetime.date(2026, 12, 10)
    """
    if interval_days < 1:
        raise ValueError("interval_days: expected 1 or more")
    steps = max(0, (after - anchor).days // interval_days + 1)
    day = meeting_day(anchor + timedelta(days=steps * interval_days))
    while day <= after:
        steps += 1
        day = meeting_day(anchor + timedelta(days=steps * interval_days))
    return day


def running_times(starts_at: str, minutes: list[int]) -> list[tuple[str, str]]:
    """Each item's estimated start and end (HH:MM) from the session's start and time boxes.

    >>> running_times("10:00", [5, 15, 50])
    [('10:00', '10:05'), ('10:05', '10:20'), ('10:20', '11:10')]
    """
    hours, mins = (int(part) for part in starts_at.split(":"))
    clock = hours * 60 + mins
    times = []
    for length in minutes:
        start, clock = clock, clock + length
        times.append((_hhmm(start), _hhmm(clock)))
    return times


def _hhmm(total_minutes: int) -> str:
    total_minutes %= 24 * 60
    return f"{total_minutes // 60:02d}:{total_minutes % 60:02d}"


def timer_state(started_at: datetime | None, now: datetime, minutes: int) -> dict:
    """The presenter's timer against an item's time box.

    >>> from datetime import UTC
    >>> t = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    >>> timer_state(t, t + timedelta(minutes=6, seconds=5), 5)["text"]
    'Over time: 06:05 of 5 minutes (01:05 over)'
    """
    box = max(minutes, 0) * 60
    elapsed = int((now - started_at).total_seconds()) if started_at else 0
    elapsed = max(elapsed, 0)
    over = elapsed > box
    fraction = min(elapsed / box, 1.0) if box else 1.0
    clock = f"{elapsed // 60:02d}:{elapsed % 60:02d}"
    if over:
        extra = elapsed - box
        text = f"Over time: {clock} of {minutes} minutes ({extra // 60:02d}:{extra % 60:02d} over)"
    else:
        left = box - elapsed
        text = f"Time: {clock} of {minutes} minutes ({left // 60:02d}:{left % 60:02d} left)"
    return {"elapsed_s": elapsed, "over": over, "fraction": fraction, "text": text}


def consent_gaps(releases: list[dict], org_codes: list[str], days: list[date]) -> list[str]:
    """Attending organizations NOT covered by an active release on every given day (C3)."""
    return [
        org
        for org in org_codes
        if any(release_state(releases, org, day) != "active" for day in days)
    ]


def _typed(query: dict) -> Names:
    """A submitted person (name, alias, dob) as the one matcher reads it."""
    alias = query.get("alias") or ""
    return Names(query.get("name") or "", "", (alias,) if alias.strip() else (), query.get("dob"))


def prepare_candidates(candidates: list[dict]) -> matching.People:
    """The participants prepared once for the one matcher (PROTOCOL B14), keyed by position."""
    return matching.People.of(
        (
            n,
            Names(p["legal_name"] or "", p["preferred_name"] or "", tuple(p["aliases"]), p["dob"]),
        )
        for n, p in enumerate(candidates)
    )


def rank_matches(
    query: dict,
    candidates: list[dict],
    limit: int = MATCH_LIMIT,
    people: matching.People | None = None,
) -> list[dict]:
    """Participants who may be a submitted person, strong matches first, each with its reasons.

    `query`: name, alias, dob. `candidates`: id, lead_id, legal_name, preferred_name, aliases,
    dob; `people`: the same prepared once (`prepare_candidates`) when many names are ranked.
    The band and reason are the one matcher's (services.rules.matching), as on New referral.
    """
    people = people if people is not None else prepare_candidates(candidates)
    return [
        {**candidates[n], "score": hit.score, "band": hit.band, "why": hit.reason}
        for n, hit in people.find(_typed(query), limit)
    ]


def likely_duplicates(people: list[dict]) -> list[list[int]]:
    """Groups of submissions whose typed names likely mean one person: a strong match by the one
    matcher. `people`: id, name, alias, dob. Groups keep the order given (the inbox's: urgent
    first), so a group's first id leads it.

    >>> likely_duplicates([
    ...     {"id": 1, "name": "Jordan Fake-Person", "alias": "", "dob": date(1990, 4, 21)},
    ...     {"id": 2, "name": "Casey Example", "alias": "", "dob": None},
    ...     {"id": 3, "name": "Jordan Fakeperson", "alias": "", "dob": date(1990, 4, 12)},
    ... ])
    [[1, 3]]
    """
    index = matching.People.of((p["id"], _typed(p)) for p in people)
    group = {p["id"]: p["id"] for p in people}

    def leader(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    order = {p["id"]: n for n, p in enumerate(people)}
    for person in people:
        for other, hit in index.find(_typed(person)):
            if other != person["id"] and hit.band == "strong":
                a, b = sorted((leader(person["id"]), leader(other)), key=order.get)
                group[b] = a
    groups: dict[int, list[int]] = {}
    for p in people:
        groups.setdefault(leader(p["id"]), []).append(p["id"])
    return [ids for ids in groups.values() if len(ids) > 1]


def display_name(preferred: str, legal: str) -> str:
    """Preferred first name and the last name's initial: "Avery S." (never the full name).

    >>> display_name("Avery", "Avery Q. Sample")
    'Avery S.'
    """
    first = (preferred or legal or "").split()
    last = (legal or "").split()
    initial = last[-1][0].upper() + "." if len(last) > 1 else ""
    return " ".join(part for part in (first[0] if first else "", initial) if part)
