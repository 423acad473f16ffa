"""Report-back step 3: the publishable figures of one period, from its raw counts.

PROTOCOL M6 (aggregate only) and SECURITY 22-23, 30: every count goes through suppression with
the site's threshold; shares, medians, rates and spend are derived only from shown cells.

Two kinds of row:
- *period rows* count what happened inside the period (referrals, intakes, goals achieved,
  housing gained, services arranged, contacts). Periods that may be published never overlap,
  so these rows describe disjoint events and go through plain suppression.
- *stock rows* (the rows `ROWS` marks `cumulative`) describe the people taking part during the
  period: active participants, who has a plan, and their make-up. Consecutive periods share
  most of these people, so the difference of two published values is a count of people who
  joined or left: those rows go through `suppress_against` with every other published
  snapshot (the cross-period check of SECURITY 22).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from services.reports.report_back.periods import Period, month_label
from services.rules.suppression import TOTAL_KEY, suppress_against

FIGURES_VERSION = 1


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
