"""Community report-back: aggregate figures for a period, suppressed, summarised and published.

PROTOCOL M6 (report-back, aggregate only) and SECURITY 22-23 (small cells, no identifiers).
Three steps, the last two pure:

1. `load_activity` reads what the figures need from the database as plain tuples;
2. `raw_counts` counts one period from it (whole numbers, never published as such);
3. `build_figures` turns the counts into the publishable figures: every count goes through
   `services.reports` suppression with the site's threshold; shares, medians, rates and spend
   are derived only from shown cells; stock rows are checked against every other published
   period so that no hidden cell can be worked out by subtraction.

Two kinds of row:
- *period rows* count what happened inside the period (referrals, intakes, goals achieved,
  housing gained, services arranged, contacts). Periods that may be published never overlap,
  so these rows describe disjoint events and go through plain `suppress`.
- *stock rows* (the rows `ROWS` marks `cumulative`) describe the people taking part during the
  period: active participants, who has a plan, and their make-up. Consecutive periods share
  most of these people, so the difference of two published values is a count of people who
  joined or left: those rows go through `suppress_against` with every other published
  snapshot (the cross-period check of SECURITY 22).

Public output never holds a name, an id, an exact date or a place: periods are named by month
("July to September 2026"), categories come from fixed vocabularies below (free text entered by
staff is mapped onto them, never shown), and nothing is broken down by geography.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, extract, func
from sqlmodel import Session, col, select

from models import (
    Contact,
    HousingChange,
    Participant,
    PlanGoal,
    PlanGoalChange,
    Referral,
    ReportSnapshot,
    Role,
    Service,
    StatusChange,
)
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.rules.calendar import add_months
from services.rules.suppression import TOTAL_KEY, suppress_against

FIGURES_VERSION = 1
MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()
KINDS = ("quarter", "month")

# --- Periods -----------------------------------------------------------------------------------


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


# --- Vocabularies: staff-entered text mapped onto fixed, publishable labels ----------------------

REFERRAL_TYPES = {
    "arrest": "Arrest diversion",
    "social_contact": "Social contact referral",
    "doc": "Department of Corrections referral",
}
NOT_RECORDED = "Declined or not recorded"
# Keywords match at the start of a word of the recorded text (lower case, punctuation dropped),
# so the participants area's vocabulary (services.participants) and older free text both map.
RACE_GROUPS = (
    ("American Indian or Alaska Native", ("american indian", "alaska", "native american")),
    ("Asian", ("asian",)),
    ("Black or African American", ("black", "african american")),
    ("Hispanic or Latino", ("hispanic", "latin")),
    ("Middle Eastern or North African", ("middle eastern", "north african")),
    ("Native Hawaiian or Pacific Islander", ("hawaiian", "pacific")),
    ("White", ("white",)),
)
MULTIRACIAL = "More than one race"
OTHER_RACE = "Another race or ethnicity"
RACE_LABELS = (*[label for label, _ in RACE_GROUPS], MULTIRACIAL, OTHER_RACE, NOT_RECORDED)
GENDER_LABELS = ("Woman", "Man", "Transgender, non-binary or another gender", NOT_RECORDED)
LANGUAGE_LABELS = ("English", "Spanish", "Another language", NOT_RECORDED)
HOUSED = "Housed"
HOUSING_GROUPS = (
    ("Unsheltered", ("unshelter", "street", "outside", "vehicle", "car", "tent", "encamp")),
    ("Emergency shelter", ("emergency", "shelter")),
    ("Transitional housing", ("transitional",)),
    ("Staying with others", ("staying", "couch", "friend", "family", "doubled")),
    ("Jail, hospital or treatment", ("institution", "jail", "hospital", "treatment", "detox")),
    (HOUSED, ("housed", "permanent", "supportive", "apartment", "rent", "own")),
)
OTHER_HOUSING = "Another situation"
HOUSING_LABELS = (*[label for label, _ in HOUSING_GROUPS], OTHER_HOUSING, NOT_RECORDED)
# PROTOCOL P1: the areas an Individual Intervention Plan may cover; services use the same list.
# Treatment is folded into health, as everywhere outside the clinical team (42 CFR Part 2, C4).
DOMAIN_GROUPS = (
    ("Housing", ("housing", "shelter", "rent")),
    (
        "Health and treatment",
        ("health", "treatment", "chemical", "substance", "mental", "medication", "medical"),
    ),
    ("Education", ("education", "ged", "school")),
    ("Job training", ("training",)),
    ("Job placement", ("job", "employment", "work")),
    ("Licensing assistance", ("licens", "identification")),
    ("Small business counseling", ("business",)),
    ("Child care", ("child",)),
    ("Legal assistance", ("legal", "court")),
    ("Benefits", ("benefit", "ssi", "gau", "insurance")),
    ("Food", ("food", "meal", "grocer")),
)
OTHER_DOMAIN = "Other"
DOMAIN_LABELS = (*[label for label, _ in DOMAIN_GROUPS], OTHER_DOMAIN)
FUNDING_LABELS = {
    "new_capacity": "Bought with LEAD funds (new capacity)",
    "existing_spare": "Existing programs with spare capacity",
}
ACHIEVED = frozenset({"achieved", "met", "done", "completed", "complete"})
UNRECORDED_WORDS = ("declin", "unknown", "prefer not", "not recorded")
# The mappers below are memoized: staff pick from short vocabularies, so 10,000 people's rows
# hold a few dozen distinct values, and each keyword scan runs once per value, not per row.
MAPPED_VALUES = 4096


def _norm(value: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", (value or "").casefold()).strip() + " "


def _has(text: str, words) -> bool:
    """Whether any keyword starts a word of the normalised text."""
    return any(f" {word}" in text for word in words)


def _unrecorded(text: str) -> bool:
    return text.strip() == "" or _has(text, UNRECORDED_WORDS)


def _first_group(text: str, groups, default: str) -> str:
    for label, words in groups:
        if _has(text, words):
            return label
    return default


@lru_cache(maxsize=MAPPED_VALUES)
def race_group(value: str) -> str:
    """Map a recorded race/ethnicity onto RACE_LABELS.

    >>> race_group("Black; White"), race_group("Hispanic or Latino/a/e"), race_group("")
    ('More than one race', 'Hispanic or Latino', 'Declined or not recorded')
    """
    text = _norm(value)
    if _unrecorded(text):
        return NOT_RECORDED
    if _has(text, ("multi", "two or more", "more than one", "biracial")):
        return MULTIRACIAL
    found = [label for label, words in RACE_GROUPS if _has(text, words)]
    if len(found) > 1:
        return MULTIRACIAL
    return found[0] if found else OTHER_RACE


@lru_cache(maxsize=MAPPED_VALUES)
def gender_group(value: str) -> str:
    """Map a recorded gender identity onto GENDER_LABELS.

    >>> gender_group("transgender woman"), gender_group("woman"), gender_group("declined")
    ('Transgender, non-binary or another gender', 'Woman', 'Declined or not recorded')
    """
    text = _norm(value)
    if _unrecorded(text):
        return NOT_RECORDED
    words = set(text.split())
    if words == {"woman"} or words == {"female"}:
        return "Woman"
    if words == {"man"} or words == {"male"}:
        return "Man"
    return GENDER_LABELS[2]


@lru_cache(maxsize=MAPPED_VALUES)
def language_group(value: str) -> str:
    text = _norm(value)
    if _unrecorded(text):
        return NOT_RECORDED
    if _has(text, ("english",)):
        return "English"
    if _has(text, ("spanish", "espa")):
        return "Spanish"
    return "Another language"


@lru_cache(maxsize=MAPPED_VALUES)
def housing_group(value: str) -> str:
    """Map a recorded housing situation onto HOUSING_LABELS.

    >>> housing_group("permanent housing"), housing_group("staying with others")
    ('Housed', 'Staying with others')
    """
    text = _norm(value)
    if _unrecorded(text):
        return NOT_RECORDED
    return _first_group(text, HOUSING_GROUPS, OTHER_HOUSING)


@lru_cache(maxsize=MAPPED_VALUES)
def domain_group(value: str) -> str:
    """Map a plan domain or service category onto the PROTOCOL P1 list.

    >>> domain_group("mental health treatment"), domain_group("education (incl. GED)")
    ('Health and treatment', 'Education')
    """
    return _first_group(_norm(value), DOMAIN_GROUPS, OTHER_DOMAIN)


# --- Step 1: load what the figures need ----------------------------------------------------------


@dataclass
class Activity:
    """Plain rows for counting; ids stay inside, nothing here is ever published."""

    people: dict[int, dict] = field(default_factory=dict)
    referrals: list[tuple] = field(default_factory=list)  # pid, type, referral_date, intake
    status: dict[int, list[tuple]] = field(default_factory=dict)  # pid -> [(on, status)]
    housing: dict[int, list[tuple]] = field(default_factory=dict)  # pid -> [(on, situation)]
    goals: list[tuple] = field(default_factory=list)  # id, pid, domain, status, start, status_on
    goal_changes: list[tuple] = field(default_factory=list)  # goal id, status, on
    services: list[tuple] = field(default_factory=list)  # pid, category, start, cents, funding
    contacts_by_month: dict[date, int] = field(default_factory=dict)  # first of month -> count
    contacts: list[tuple] = field(default_factory=list)  # pid, on (only when asked for)


def load_activity(
    session: Session,
    start: date,
    end: date,
    *,
    contact_rows: bool = False,
    served_only: bool = False,
) -> Activity:
    """Everything the counts for [start, end] need; contacts and services only in the window.

    Contacts are counted by month in the database (an index-only scan of their dates: at 10,000
    participants a year holds about 285,000 contacts); `contact_rows` also reads each contact's
    participant and day, for the client-level report of one month. `served_only` reads just
    what `funder.served` needs (people, referrals, status history, services; no housing, goals or
    contact counts).
    """
    act = Activity()

    def rows(query) -> list:  # plain rows: no ORM bookkeeping for 100,000s of tuples
        return session.connection().execute(query).all()

    for pid, status, race, language, gender, housing in rows(
        select(
            Participant.id,
            Participant.status,
            Participant.race_ethnicity,
            Participant.primary_language,
            Participant.gender_identity,
            Participant.housing_situation,
        )
    ):
        act.people[pid] = {
            "status": getattr(status, "value", status),
            "race": race_group(race),
            "gender": gender_group(gender),
            "language": language_group(language),
            "housing_now": housing_group(housing),
        }
    act.referrals = [
        (pid, getattr(kind, "value", kind), referred, intake)
        for pid, kind, referred, intake in rows(
            select(
                Referral.participant_id,
                Referral.referral_type,
                Referral.referral_date,
                Referral.intake_completed_date,
            ).order_by(Referral.referral_date, Referral.id)
        )
    ]
    for pid, on, status in rows(
        select(StatusChange.participant_id, StatusChange.on, StatusChange.status).order_by(
            StatusChange.on, StatusChange.at, StatusChange.id
        )
    ):
        act.status.setdefault(pid, []).append((on, status))
    if not served_only:
        for pid, on, situation in rows(
            select(
                HousingChange.participant_id, HousingChange.on, HousingChange.situation
            ).order_by(HousingChange.on, HousingChange.at, HousingChange.id)
        ):
            act.housing.setdefault(pid, []).append((on, housing_group(situation)))
        act.goals = [
            tuple(row)
            for row in rows(
                select(
                    PlanGoal.id,
                    PlanGoal.participant_id,
                    PlanGoal.domain,
                    PlanGoal.status,
                    PlanGoal.started_on,
                    PlanGoal.status_on,
                )
            )
        ]
        act.goal_changes = [
            tuple(row)
            for row in rows(
                select(PlanGoalChange.goal_id, PlanGoalChange.status, PlanGoalChange.on).where(
                    col(PlanGoalChange.on).between(start, end)
                )
            )
        ]
    act.services = [
        tuple(row)
        for row in rows(
            select(
                Service.participant_id,
                Service.category,
                Service.start_on,
                Service.cost_cents,
                Service.funding,
            ).where(col(Service.start_on).between(start, end))
        )
    ]
    if not served_only:
        year, month = extract("year", Contact.on), extract("month", Contact.on)
        act.contacts_by_month = {
            date(int(y), int(m), 1): count
            for y, m, count in rows(
                select(year, month, func.count())
                .where(col(Contact.on).between(start, end))
                .group_by(year, month)
            )
        }
    if contact_rows:
        act.contacts = [
            tuple(row)
            for row in rows(
                select(Contact.participant_id, Contact.on).where(
                    col(Contact.on).between(start, end)
                )
            )
        ]
    return act


def active_spans(act: Activity) -> dict[int, list[tuple[date, date | None]]]:
    """When each person was an active participant: [(from, until or None)].

    From the status history when there is one; otherwise a person whose status is active counts
    from their first completed intake (PROTOCOL T6: a participant once the intake is complete).
    """
    first_intake: dict[int, date] = {}
    for pid, _kind, _referred, intake in act.referrals:
        if intake and (pid not in first_intake or intake < first_intake[pid]):
            first_intake[pid] = intake
    spans: dict[int, list[tuple[date, date | None]]] = {}
    for pid, person in act.people.items():
        history = act.status.get(pid)
        if history:
            found = []
            for index, (on, status) in enumerate(history):
                if status != "active":
                    continue
                following = history[index + 1][0] if index + 1 < len(history) else None
                found.append((on, following - timedelta(days=1) if following else None))
            spans[pid] = found
        elif person["status"] == "active" and pid in first_intake:
            spans[pid] = [(first_intake[pid], None)]
    return spans


def _active_between(spans, start: date, end: date) -> set[int]:
    return {
        pid
        for pid, found in spans.items()
        if any(begin <= end and (until is None or until >= start) for begin, until in found)
    }


# --- Step 2: count one period ------------------------------------------------------------------


def _counts(labels, values) -> dict[str, int]:
    counted = Counter(values)
    return {label: counted.get(label, 0) for label in labels}


def raw_counts(act: Activity, period: Period, spans=None) -> dict:
    """Whole-number counts for one period: internal only, never shown as such."""
    spans = active_spans(act) if spans is None else spans
    start, end = period.start, period.end
    first_referral: dict[int, tuple] = {}
    for pid, kind, referred, _intake in act.referrals:
        if start <= referred <= end and pid not in first_referral:
            first_referral[pid] = (kind, referred)
    referred = list(first_referral)
    intake_days = [
        (intake - referral_date).days
        for _pid, _kind, referral_date, intake in act.referrals
        if intake and start <= intake <= end
    ]
    active = _active_between(spans, start, end)
    achieved = {
        goal_id
        for goal_id, status, on in act.goal_changes
        if status.casefold() in ACHIEVED and start <= on <= end
    }
    with_plan: set[int] = set()
    domain_of: dict[int, str] = {}
    for goal_id, pid, domain, status, started, on in act.goals:  # one pass: 31,780 at 10,000
        domain_of[goal_id] = domain
        if started <= end:
            with_plan.add(pid)
        if status.casefold() in ACHIEVED and start <= on <= end:
            achieved.add(goal_id)
    housed_gain = 0
    for history in act.housing.values():
        before = None
        for on, situation in history:
            if on > end:
                break
            if on >= start and situation == HOUSED and before not in (None, HOUSED):
                housed_gain += 1
                break
            before = situation
    services = [s for s in act.services if start <= s[2] <= end]
    spend: dict[str, int] = defaultdict(int)
    for _pid, category, _on, cents, _funding in services:
        spend[domain_group(category)] += cents
    people = act.people
    return {
        "referrals_by_type": _counts(
            REFERRAL_TYPES.values(), [REFERRAL_TYPES[first_referral[p][0]] for p in referred]
        ),
        "referrals_by_month": _counts(
            [month_label(m) for m in period.months],
            [month_label(first_referral[p][1].replace(day=1)) for p in referred],
        ),
        "referral_race": _counts(RACE_LABELS, [people[p]["race"] for p in referred]),
        "referral_gender": _counts(GENDER_LABELS, [people[p]["gender"] for p in referred]),
        "referral_language": _counts(LANGUAGE_LABELS, [people[p]["language"] for p in referred]),
        "intakes": len(intake_days),
        "intake_days": sorted(intake_days),
        "active": len(active),
        "plan": {
            "With a plan": len(active & with_plan),
            "Without a plan yet": len(active - with_plan),
        },
        "participant_race": _counts(RACE_LABELS, [people[p]["race"] for p in active]),
        "participant_gender": _counts(GENDER_LABELS, [people[p]["gender"] for p in active]),
        "participant_language": _counts(LANGUAGE_LABELS, [people[p]["language"] for p in active]),
        "participant_housing": _counts(HOUSING_LABELS, [_housing_at(act, p, end) for p in active]),
        "goals_by_domain": _counts(DOMAIN_LABELS, [domain_group(domain_of[g]) for g in achieved]),
        "housing_gained": housed_gain,
        "services_by_category": _counts(DOMAIN_LABELS, [domain_group(s[1]) for s in services]),
        "spend_cents_by_category": {label: spend.get(label, 0) for label in DOMAIN_LABELS},
        "services_by_funding": _counts(
            FUNDING_LABELS.values(),
            [FUNDING_LABELS.get(s[4], FUNDING_LABELS["new_capacity"]) for s in services],
        ),
        # Periods are whole months (a month or a quarter): their months' counts add up.
        "contacts": sum(act.contacts_by_month.get(m, 0) for m in period.months),
        "months": len(period.months),
    }


def _housing_at(act: Activity, pid: int, day: date) -> str:
    situation = None
    for on, value in act.housing.get(pid, []):
        if on > day:
            break
        situation = value
    return situation or act.people[pid]["housing_now"]


# --- Step 3: the publishable figures -----------------------------------------------------------


@dataclass(frozen=True)
class RowSpec:
    key: str
    title: str
    label_header: str  # the table's first column
    unit: str  # the table's count column
    population: str | None = None  # rows sharing a population share its total
    cumulative: bool = False  # a stock row: checked against every other published period
    total: bool = True


ROWS = (
    RowSpec(
        "referrals_by_type",
        "People referred, by kind of referral",
        "Kind of referral",
        "People",
        "referred",
    ),
    RowSpec("referrals_by_month", "People referred, by month", "Month", "People", "referred"),
    RowSpec("intakes", "In-depth intakes completed", "Figure", "People", total=False),
    RowSpec(
        "active",
        "People taking part (active participants)",
        "Figure",
        "People",
        "active",
        cumulative=True,
        total=False,
    ),
    RowSpec(
        "plan",
        "People taking part with an Individual Intervention Plan (IIP)",
        "Plan",
        "People",
        "active",
        cumulative=True,
    ),
    RowSpec("goals_by_domain", "Plan goals achieved, by area", "Area of the plan", "Goals"),
    RowSpec("housing_gained", "People who moved into housing", "Figure", "People", total=False),
    RowSpec(
        "services_by_category",
        "Services arranged, by category",
        "Category",
        "Services",
        "services",
    ),
    RowSpec(
        "services_by_funding",
        "Services arranged, by how they were paid for",
        "Paid for by",
        "Services",
        "services",
    ),
    RowSpec("contacts", "Contacts with participants", "Figure", "Contacts", total=False),
    RowSpec(
        "referral_race",
        "People referred: race and ethnicity",
        "Race or ethnicity",
        "People",
        "referred",
    ),
    RowSpec("referral_gender", "People referred: gender", "Gender", "People", "referred"),
    RowSpec("referral_language", "People referred: language", "Language", "People", "referred"),
    RowSpec(
        "participant_race",
        "People taking part: race and ethnicity",
        "Race or ethnicity",
        "People",
        "active",
        cumulative=True,
    ),
    RowSpec(
        "participant_gender",
        "People taking part: gender",
        "Gender",
        "People",
        "active",
        cumulative=True,
    ),
    RowSpec(
        "participant_language",
        "People taking part: language",
        "Language",
        "People",
        "active",
        cumulative=True,
    ),
    RowSpec(
        "participant_housing",
        "People taking part: housing at the end of the period",
        "Housing situation",
        "People",
        "active",
        cumulative=True,
    ),
)
SINGLE_LABELS = {
    "intakes": "In-depth intakes completed",
    "active": "People taking part",
    "housing_gained": "People who moved into housing",
    "contacts": "Contacts with participants",
}


def _table(spec: RowSpec, raw: dict) -> dict[str, int]:
    if not spec.total:
        return {SINGLE_LABELS[spec.key]: raw[spec.key]}
    cells = dict(raw[spec.key])
    return {**cells, TOTAL_KEY: sum(cells.values())}


def _other_values(others: list[dict], spec: RowSpec) -> list[dict]:
    """The same row as published for other periods (its cells, by key)."""
    return [other["rows"][spec.key]["cells"] for other in others if spec.key in other["rows"]]


def _active_shown(raw: dict, others: list[dict], threshold: int) -> bool:
    """Whether the active-participant total may be shown: small, or differenced against any
    other period's published active count or any total of a row on the same people."""
    key = SINGLE_LABELS["active"]
    earlier = []
    for other in others:
        rows = other["rows"]
        for spec in ROWS:
            if spec.population == "active" and spec.key in rows:
                cells = rows[spec.key]["cells"]
                value = cells.get(key) if spec.key == "active" else cells.get(TOTAL_KEY)
                earlier.append({key: value})
    return suppress_against({key: raw["active"]}, earlier, threshold)[key] is not None


def build_figures(raw: dict, period: Period, *, threshold: int, others: list[dict]) -> dict:
    """The publishable figures of one period (JSON-ready), from its raw counts.

    `others` are the figures of every other published period (for the stock rows' check).
    A hidden cell is ``None``. A row whose every group is too small although its total is not
    (e.g. eleven people in eleven different groups) is withheld whole: with the total known
    from another row, even its zeros would give the groups away.
    """
    active_shown = _active_shown(raw, others, threshold)
    rows = {}
    for spec in ROWS:
        table = _table(spec, raw)
        hide = set()
        if spec.population == "active" and not active_shown:
            hide = {TOTAL_KEY} if spec.total else set(table)
        published = _other_values(others, spec) if spec.cumulative else []
        cells = suppress_against(table, published, threshold, hide=hide)
        # Hidden although large and not hidden on purpose: every group is tiny (see above).
        withheld = (
            spec.total
            and TOTAL_KEY not in hide
            and cells[TOTAL_KEY] is None
            and table[TOTAL_KEY] >= threshold
        )
        if withheld:
            cells = dict.fromkeys(table)
        # Only a period row's own count or total is hidden for being small; anything else may
        # be hidden for other reasons, so it reads "not shown" (never a wrong "fewer than").
        small_keys = [] if spec.cumulative or withheld else [TOTAL_KEY, *SINGLE_LABELS.values()]
        rows[spec.key] = {
            "title": spec.title,
            "label_header": spec.label_header,
            "unit": spec.unit,
            "cumulative": spec.cumulative,
            "withheld": bool(withheld),
            "small_keys": [key for key in small_keys if key in cells],
            "cells": cells,
        }
    if period.kind == "month":
        del rows["referrals_by_month"]  # one month: the same as the total
    rows["spend_by_category"] = _spend_row(raw, rows["services_by_category"])
    return {
        "version": FIGURES_VERSION,
        "kind": period.kind,
        "label": period.label,
        "span": period.span,
        "months": [month_label(m) for m in period.months],
        "threshold": threshold,
        "rows": rows,
        "derived": _derived(raw, rows, threshold),
    }


def _spend_row(raw: dict, services: dict) -> dict:
    """Spend in whole dollars, shown only where the number of services is shown.

    The all-categories total is shown only when no category is hidden (SECURITY 30): next to
    the shown categories it would give away the summed spend of the hidden ones, and with
    the unit prices often their split (e.g. 11 services in small categories costing $5,500).
    """
    cents = raw["spend_cents_by_category"]
    dollars = {**cents, TOTAL_KEY: sum(cents.values())}
    shown = dict(services["cells"])
    if any(value is None for key, value in shown.items() if key != TOTAL_KEY):
        shown[TOTAL_KEY] = None
    return {
        "title": "Spend on services, by category (US dollars)",
        "label_header": "Category",
        "unit": "Spend (US dollars)",
        "cumulative": False,
        "withheld": services["withheld"],
        "small_keys": [],
        "cells": {
            key: None if shown[key] is None else round(value / 100)
            for key, value in dollars.items()
        },
    }


def _derived(raw: dict, rows: dict, threshold: int) -> dict:
    """Shares, the median and a rate: each only from shown cells and over enough people."""
    intakes = rows["intakes"]["cells"][SINGLE_LABELS["intakes"]]
    median = None
    if intakes and intakes >= threshold:
        median = round(statistics.median(raw["intake_days"]), 1)
    plan = rows["plan"]["cells"]
    share = None
    if plan["With a plan"] is not None and plan[TOTAL_KEY]:
        share = round(100 * plan["With a plan"] / plan[TOTAL_KEY])
    contacts = rows["contacts"]["cells"][SINGLE_LABELS["contacts"]]
    active = rows["active"]["cells"][SINGLE_LABELS["active"]]
    rate = None
    if contacts is not None and active:
        rate = round(contacts / active / raw["months"], 1)
    return {
        "median_intake_days": median,
        "plan_share_percent": share,
        "contacts_per_person_month": rate,
    }


# --- Reading figures back: cells as text, tables, the plain-language summary -------------------


def cell_text(figures: dict, key: str, cell: str) -> str:
    """A cell as words: '27', 'fewer than 11' (certainly small) or 'not shown'."""
    row = figures["rows"][key]
    value = row["cells"][cell]
    if value is not None:
        return f"${value:,}" if key == "spend_by_category" else f"{value:,}"
    if cell in row["small_keys"]:
        return f"fewer than {figures['threshold']}"
    return "not shown"


def table_rows(figures: dict, key: str) -> list[dict]:
    """One figure row as a table: every cell (hidden ones in words) and its share of the total.

    Shares are computed only between shown cells and a shown total.
    """
    row = figures["rows"][key]
    cells = row["cells"]
    total = cells.get(TOTAL_KEY)
    out = []
    for cell, value in cells.items():
        line = {
            row["label_header"]: "All" if cell == TOTAL_KEY else cell,
            row["unit"]: cell_text(figures, key, cell),
        }
        if key == "services_by_category":
            line["Spend"] = cell_text(figures, "spend_by_category", cell)
        if TOTAL_KEY in cells and key != "spend_by_category":
            share = value is not None and total
            line["Share"] = f"{round(100 * value / total)}%" if share else ""
        out.append(line)
    return out


def _number(figures: dict, key: str, cell: str) -> int | None:
    return figures["rows"][key]["cells"][cell]


def _quantity(text: str, one: str, many: str) -> str:
    """'27 people', '1 person', 'no people', 'fewer than 11 people' or a not-shown phrase."""
    if text == "0":
        return f"no {many}"
    if text == "1":
        return f"1 {one}"
    if text == "not shown":
        return f"a number of {many} (not shown, to protect privacy)"
    return f"{text} {many}"


REFERRAL_PHRASES = {
    "Arrest diversion": "by arrest diversion",
    "Social contact referral": "as social contact referrals",
    "Department of Corrections referral": "by the Department of Corrections",
}


def summary(figures: dict) -> list[str]:
    """Plain-language sentences written only from the shown figures.

    e.g. 'Between July and September 2026, 27 people were referred to LEAD: 16 by arrest
    diversion and 11 as social contact referrals.' A hidden count reads 'fewer than 11' only
    where it can be nothing else; otherwise 'not shown'.
    """
    t = figures["threshold"]
    derived = figures["derived"]
    sentences = []
    by_type = figures["rows"]["referrals_by_type"]["cells"]
    referred = _quantity(cell_text(figures, "referrals_by_type", TOTAL_KEY), "person", "people")
    verb = "was" if referred == "1 person" else "were"
    parts = [
        f"{value:,} {REFERRAL_PHRASES[cell]}"
        for cell, value in by_type.items()
        if cell != TOTAL_KEY and value
    ]
    detail = f": {_join(parts)}" if parts and by_type[TOTAL_KEY] is not None else ""
    if detail and any(v is None for k, v in by_type.items() if k != TOTAL_KEY):
        detail += " (the other numbers are not shown, to protect privacy)"
    sentences.append(f"{figures['span']}, {referred} {verb} referred to LEAD{detail}.")

    active = _number(figures, "active", SINGLE_LABELS["active"])
    if active is None:
        sentences.append("The number of people taking part is not shown, to protect privacy.")
    else:
        sentence = f"{_quantity(f'{active:,}', 'person', 'people')} took part in LEAD"
        if derived["plan_share_percent"] is not None:
            sentence += (
                f"; {_number(figures, 'plan', 'With a plan'):,} of them "
                f"({derived['plan_share_percent']}%) had an Individual Intervention Plan (IIP)"
            )
        sentences.append(sentence + ".")

    intakes = _quantity(
        cell_text(figures, "intakes", SINGLE_LABELS["intakes"]),
        "in-depth intake",
        "in-depth intakes",
    )
    if derived["median_intake_days"] is not None:
        sentences.append(
            f"{intakes} were completed; half of them within "
            f"{_days(derived['median_intake_days'])} of the referral (the median)."
        )
    elif _number(figures, "intakes", SINGLE_LABELS["intakes"]) in (0, 1):
        sentences.append(f"{intakes} {'was' if intakes.startswith('1 ') else 'were'} completed.")
    else:
        sentences.append(f"{intakes} were completed, too few to give a typical waiting time.")

    goals = _quantity(cell_text(figures, "goals_by_domain", TOTAL_KEY), "goal", "goals")
    sentences.append(f"Participants achieved {goals} of their plans.")
    housed = _quantity(
        cell_text(figures, "housing_gained", SINGLE_LABELS["housing_gained"]), "person", "people"
    )
    sentences.append(f"{housed} moved into housing.")
    services = _quantity(
        cell_text(figures, "services_by_category", TOTAL_KEY), "service", "services"
    )
    sentence = f"LEAD arranged {services}"
    if _number(figures, "spend_by_category", TOTAL_KEY):
        sentence += f", costing {cell_text(figures, 'spend_by_category', TOTAL_KEY)} in all"
    sentences.append(sentence + ".")
    contacts = _quantity(
        cell_text(figures, "contacts", SINGLE_LABELS["contacts"]), "contact", "contacts"
    )
    sentence = f"Case managers had {contacts} with participants"
    if derived["contacts_per_person_month"] is not None:
        rate = derived["contacts_per_person_month"]
        sentence += f", about {rate:g} a month for each person taking part"
    sentences.append(sentence + ".")
    sentences.append(
        f"To protect privacy, numbers from 1 to {t - 1} are not shown, nor any number from "
        "which one of them could be worked out; no names, dates or places are given."
    )
    return [s[0].upper() + s[1:] for s in sentences]


def _days(value: float) -> str:
    return "1 day" if value == 1 else f"{value:g} days"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# --- Charts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartSpec:
    """One chart: its words, its bars (shown cells only) and its table (every cell)."""

    key: str
    title: str
    description: str
    label_title: str
    value_title: str
    bars: list[tuple[str, int]]
    table: list[dict]
    horizontal: bool = True


CHARTS = (
    ("referrals_by_month", "month", False),
    ("referrals_by_type", "kind of referral", True),
    ("goals_by_domain", "area of the plan", True),
    ("services_by_category", "category", True),
    ("participant_race", "race or ethnicity", True),
)


def charts(figures: dict) -> list[ChartSpec]:
    """The report's charts, built only from shown cells (a hidden cell has no bar)."""
    specs = []
    for key, noun, horizontal in CHARTS:
        if key not in figures["rows"]:
            continue
        row = figures["rows"][key]
        bars = [
            (cell, value)
            for cell, value in row["cells"].items()
            if cell != TOTAL_KEY and value  # a zero or hidden cell has no bar
        ]
        unit = row["unit"].lower()
        if row["withheld"]:
            tail = "every group is too small to show, so there are no bars."
        elif len(bars) < len(row["cells"]) - (TOTAL_KEY in row["cells"]):
            tail = "a missing bar means none, or a number not shown to protect privacy."
        else:
            tail = f"every {noun} is shown."
        specs.append(
            ChartSpec(
                key=key,
                title=row["title"],
                description=(
                    f"Each bar is the number of {unit} for one {noun} in {figures['label']}; "
                    + tail
                ),
                label_title=row["label_header"],
                value_title=f"Number of {unit}",
                bars=bars,
                table=table_rows(figures, key),
                horizontal=horizontal,
            )
        )
    return specs


def vega_lite(spec: ChartSpec, *, width: int = 460) -> dict:
    """A Vega-Lite spec: dark bars, each labelled with its number (readable in black and white)."""
    values = [{"label": label, "value": value} for label, value in spec.bars]
    order = [label for label, _ in spec.bars]
    label_axis = {
        "field": "label",
        "type": "nominal",
        "sort": order,
        "title": spec.label_title,
        "axis": {"labelLimit": 260, "labelAngle": 0, "labelPadding": 4},
    }
    value_axis = {
        "field": "value",
        "type": "quantitative",
        "title": spec.value_title,
        "axis": {"format": ",d", "tickMinStep": 1},
    }
    position = (
        {"y": label_axis, "x": value_axis}
        if spec.horizontal
        else {"x": label_axis, "y": value_axis}
    )
    text_offset = {"dx": 4, "align": "left"} if spec.horizontal else {"dy": -6}
    step = 26 if spec.horizontal else 110
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": spec.title, "anchor": "start", "fontSize": 14},
        "data": {"values": values},
        "width": width if spec.horizontal else {"step": step},
        "height": {"step": step} if spec.horizontal else 220,
        "encoding": position,
        "layer": [
            {"mark": {"type": "bar", "color": "#3d3d3d"}},
            {
                "mark": {"type": "text", "color": "#000000", "fontSize": 12, **text_offset},
                "encoding": {"text": {"field": "value", "type": "quantitative", "format": ","}},
            },
        ],
        "config": {"axis": {"labelFontSize": 12, "titleFontSize": 12}},
    }


def more_rows(figures: dict) -> list[str]:
    """The rows shown as tables only (after the charts); spend goes with the services chart."""
    charted = {key for key, _noun, _horizontal in CHARTS}
    return [key for key in figures["rows"] if key not in charted | {"spend_by_category"}]


# --- Publishing -----------------------------------------------------------------------------------


def _snapshots(session: Session) -> list[ReportSnapshot]:
    return list(session.exec(select(ReportSnapshot).order_by(col(ReportSnapshot.period_start))))


def figures_in(session: Session, period: Period, threshold: int) -> dict:
    """A period's publishable figures, checked against every other published period."""
    others = [
        s.figures for s in _snapshots(session) if not period.overlaps(s.period_start, s.period_end)
    ]
    act = load_activity(session, period.start, period.end)
    return build_figures(raw_counts(act, period), period, threshold=threshold, others=others)


def periods_to_publish(engine: Engine, today: date, kind: str) -> list[dict]:
    """Recent finished periods with whether each is published or blocked by an overlap.

    Each: {"period", "published": bool, "blocked_by": label of the overlapping snapshot or
    None, "choice_label": e.g. 'July to September 2026 (published)'}.
    """
    with read_session(engine) as session:
        snapshots = _snapshots(session)
    choices = []
    for period in recent_periods(today, kind):
        blocking = [s for s in snapshots if period.overlaps(s.period_start, s.period_end)]
        same = any(s.period_start == period.start and s.period_end == period.end for s in blocking)
        note = " (published)" if same else " (overlaps a published period)" if blocking else ""
        choices.append(
            {
                "period": period,
                "published": same,
                "blocked_by": blocking[0].label if blocking else None,
                "choice_label": period.label + note,
            }
        )
    return choices


def preview(engine: Engine, period: Period) -> dict:
    """The figures the period would publish now (nothing saved)."""
    threshold = get_settings(engine).suppression_threshold
    with read_session(engine) as session:
        return figures_in(session, period, threshold)


def publish(
    engine: Engine, user: CurrentUser, period: Period, *, today: date, now: datetime | None = None
) -> int:
    """Freeze a finished period's figures into a snapshot, so published numbers never shift.

    Refused for an unfinished period, and for one overlapping a published period (two
    overlapping periods could be subtracted to reveal the small numbers of their difference).
    """
    if user.role != Role.project_manager:
        raise ValidationError("Publish: only the project manager publishes report-back figures.")
    if period.end >= today:
        raise ValidationError(
            f"Period: {period.label} has not ended yet; publish it once it is over, so that its "
            "numbers are final."
        )
    now = now or utcnow()
    threshold = get_settings(engine).suppression_threshold
    with write_session(engine) as session:
        for snapshot in _snapshots(session):
            if period.overlaps(snapshot.period_start, snapshot.period_end):
                raise ValidationError(
                    f"Period: {snapshot.label} is already published and overlaps {period.label}."
                    " Published numbers never change, and overlapping periods could be "
                    "subtracted to reveal small numbers."
                )
        snapshot = ReportSnapshot(
            period_start=period.start,
            period_end=period.end,
            label=period.label,
            figures=figures_in(session, period, threshold),
            published_at=now,
            published_by=user.username,
        )
        session.add(snapshot)
        session.flush()
        audit.append(
            session,
            actor=user.actor,
            action="report.publish",
            subject=f"report-back {period.slug}",
            purpose="community report-back (PROTOCOL M6)",
            now=now,
        )
        return snapshot.id


def published(engine: Engine, time_zone: str | None = None) -> list[dict]:
    """Every published snapshot, newest period first: what community representatives see.

    Publication months are counted in `time_zone`, by default the site's (its settings).
    """
    time_zone = time_zone or get_settings(engine).time_zone
    with read_session(engine) as session:
        snapshots = _snapshots(session)
    return [
        {
            "id": s.id,
            "label": s.label,
            "slug": Period(s.figures.get("kind", "quarter"), s.period_start, s.period_end).slug,
            "published": month_label(_local(s.published_at, time_zone).replace(day=1)),
            "figures": s.figures,
        }
        for s in reversed(snapshots)
    ]


def _local(moment: datetime, time_zone: str) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(time_zone)).date()
