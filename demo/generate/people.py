"""The people first: one skeleton per participant (referral, intake, exit) and the draws they use.

Skeletons come before any row so totals can scale: about 100 contacts per participant shared
by time engaged, one case manager per 25 actives (PROTOCOL M7). About 3% of referrals are still
open with their T4/T5 clocks running, about 7% close without an intake, and intake delays are
mostly one or two days (PROTOCOL T4), some up to 30, a few extended.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from demo.generate.vocabulary import CONTACTS_PER_PARTICIPANT

_CUMULATIVE: dict[int, tuple[list[str], list[int]]] = {}


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    """One value from a (value, weight) table."""
    table = _CUMULATIVE.get(id(weighted))
    if table is None:
        total, cumulative = 0, []
        for _value, weight in weighted:
            total += weight
            cumulative.append(total)
        table = _CUMULATIVE[id(weighted)] = ([w[0] for w in weighted], cumulative)
    return rng.choices(table[0], cum_weights=table[1])[0]


def at_time(day: date, rng: random.Random) -> datetime:
    """A UTC instant during the site's working day (Pacific time is UTC-8/-7)."""
    return datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC) + timedelta(
        minutes=rng.randrange(0, 600)
    )


def years_of_history(participants: int) -> int:
    """One year for a Burien-sized program (100), about eight for a county (10,000)."""
    return max(1, min(8, round(math.sqrt(participants) / 12.5)))


@dataclass(slots=True)
class Person:
    """The skeleton of one participant, drawn first so totals (contacts, caseloads) can scale."""

    index: int
    bucket: str  # open | closed | engaged
    referral_type: str
    referral_date: date
    intake_date: date | None = None
    end_date: date | None = None  # exit (engaged) or close (closed) date
    status: str = "referred"
    inactive_since: date | None = None
    weight: float = 0.0
    contacts: int = 0
    case_manager: int = 0  # index into the case managers
    prior_referral: bool = False
    pid: int = 0  # the participant's primary key, once written


def _person(index: int, seed: int, today: date, span_days: int) -> Person:
    rng = random.Random(seed * 1_000_003 + index)
    kind = rng.random()
    referral_type = pick(rng, (("arrest", 75), ("social_contact", 20), ("doc", 5)))
    if kind < 0.03:  # still open: the T4 clock runs, some past it (T5)
        return Person(index, "open", referral_type, today - timedelta(days=rng.randint(0, 50)))
    if kind < 0.10:  # closed without an intake
        referred = today - timedelta(days=rng.randint(45, max(46, span_days)))
        person = Person(index, "closed", referral_type, referred, status="exited")
        person.end_date = referred + timedelta(days=rng.randint(10, 40))
        person.weight = 0.0
        return person
    # Engaged: more recent referrals are more likely (the program grows).
    days_ago = 35 + int((span_days - 35) * (1 - math.sqrt(rng.random())))
    referred = today - timedelta(days=days_ago)
    delay = pick(rng, (("0-2", 55), ("3-7", 20), ("8-20", 15), ("21-30", 8), ("ext", 2)))
    low, high = {"0-2": (0, 2), "3-7": (3, 7), "8-20": (8, 20), "21-30": (21, 30)}.get(
        delay, (31, 34)
    )
    intake = referred + timedelta(days=rng.randint(low, high))
    person = Person(index, "engaged", referral_type, referred, intake_date=intake)
    person.prior_referral = rng.random() < 0.12
    duration = 30 + int(rng.expovariate(1 / (365 * 2.5)))
    end = intake + timedelta(days=duration)
    if end < today:
        person.status, person.end_date = "exited", end
    elif rng.random() < 0.1:
        person.status = "inactive"
        person.inactive_since = today - timedelta(days=rng.randint(1, min(90, days_ago - 30)))
    else:
        person.status = "active"
    engaged_days = ((person.end_date or today) - intake).days + 1
    person.weight = engaged_days * rng.uniform(0.6, 1.4)
    return person


def skeletons(participants: int, seed: int, today: date) -> list[Person]:
    span_days = 365 * years_of_history(participants)
    people = [_person(i, seed, today, span_days) for i in range(1, participants + 1)]
    # About 100 contacts per participant in all: the engaged share the total by time engaged.
    few = {"open": 2, "closed": 3}
    reserved = 0
    for p in people:
        if p.bucket != "engaged":
            p.contacts = (p.index * 7 + seed) % (few[p.bucket] + 1)
            reserved += p.contacts
    total = CONTACTS_PER_PARTICIPANT * participants - reserved
    weights = sum(p.weight for p in people)
    for p in people:
        if p.bucket == "engaged":
            p.contacts = max(1, round(total * p.weight / weights))
    return people
