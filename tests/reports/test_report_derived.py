"""Derived figures follow the suppression of the cells they are made of (SECURITY 22, 30): the
check that tries every sum and difference of what a snapshot publishes, proved on planted
faults, then run on seeded data holding the red team's quarter (issue 12)."""

from __future__ import annotations

import copy
from datetime import date

from models import Role
from services.reports import report_back as rb
from services.reports.report_back import Activity, Period, build_figures, publish, raw_counts
from tests.checks_reports import derived_reveals, report_back_derived, stock_differences
from tests.factories import make_user, sign_in
from tests.factories_reports import (
    SMALL_SERVICES_QUARTER,
    plant_small_service_quarter,
    seed_report_world,
)

Q3 = Period("quarter", date(2026, 7, 1), date(2026, 9, 30))
SMALL = Period("quarter", *SMALL_SERVICES_QUARTER)


def figures_of(**rows) -> dict:
    counts = raw_counts(Activity(), Q3)
    for key, value in rows.items():
        counts[key] = value if not isinstance(value, dict) else {**counts[key], **value}
    return build_figures(counts, Q3, threshold=11, others=[])


RED_TEAM = {
    "services_by_category": {"Housing": 4, "Food": 4, "Benefits": 3},
    "spend_cents_by_category": {"Housing": 360_000, "Food": 40_000, "Benefits": 150_000},
}


def test_the_check_finds_a_spend_total_published_over_hidden_categories():
    figures = figures_of(**RED_TEAM)
    assert derived_reveals(figures)["reveals"] == []
    planted = copy.deepcopy(figures)
    planted["rows"]["spend_by_category"]["cells"]["total"] = 5_500  # as published before the fix
    [reveal] = derived_reveals(planted)["reveals"]
    assert reveal.startswith("hidden spend") and reveal.endswith("sums to 5500")


def test_the_check_works_out_a_hidden_cell_left_alone_beside_its_total():
    figures = figures_of(referrals_by_type={"Arrest diversion": 20, "Social contact referral": 3})
    assert derived_reveals(figures)["reveals"] == []
    planted = copy.deepcopy(figures)
    planted["rows"]["referrals_by_type"]["cells"]["Arrest diversion"] = 20  # no secondary
    assert (
        "referrals_by_type[Social contact referral] = 3 is worked out"
        in (derived_reveals(planted)["reveals"])
    )


def test_the_check_works_out_a_hidden_cell_from_two_rows_about_the_same_people():
    """The referral total is hidden in the by-type row but shown in the by-month row."""
    figures = figures_of(
        referrals_by_type={"Arrest diversion": 20, "Social contact referral": 3},
        referrals_by_month={"July 2026": 23},
    )
    planted = copy.deepcopy(figures)
    planted["rows"]["referrals_by_type"]["cells"]["Arrest diversion"] = 20
    planted["rows"]["referrals_by_type"]["cells"]["total"] = None
    assert (
        "referrals_by_type[Social contact referral] = 3 is worked out"
        in (derived_reveals(planted)["reveals"])
    )


def test_the_check_finds_a_derived_figure_made_of_a_hidden_cell():
    figures = figures_of(intakes=14, intake_days=list(range(14)))
    planted = copy.deepcopy(figures)
    planted["rows"]["intakes"]["cells"][rb.SINGLE_LABELS["intakes"]] = None
    assert derived_reveals(planted)["reveals"] == [
        "median_intake_days is published although a cell it is made of is hidden"
    ]


def test_the_check_finds_a_stock_count_that_moved_by_a_small_number_between_snapshots():
    one, two = figures_of(active=40), figures_of(active=45)
    two["label"] = "October to December 2026"
    assert stock_differences([one, two]) == [
        "July to September 2026 - October to December 2026: ('active people',) 40 vs 45"
    ]


def test_no_sum_or_difference_of_published_figures_reveals_a_hidden_cell(engine):
    seed_report_world(engine)
    assert plant_small_service_quarter(engine) == {"services": 11, "spend_dollars": 5_500}
    make_user(engine, "pm.derived", Role.project_manager)
    pm = sign_in(engine, "pm.derived")
    for period in (Q3, SMALL):
        publish(engine, pm, period, today=date(2026, 12, 1))
    small = next(s for s in rb.published(engine) if s["label"] == SMALL.label)["figures"]
    services = small["rows"]["services_by_category"]["cells"]
    # The planted case: every category hidden (or none), yet 11 services are published.
    assert services.pop("total") == 11 and set(services.values()) == {None, 0}
    assert small["rows"]["spend_by_category"]["cells"]["total"] is None
    result = report_back_derived(engine)
    assert result["snapshots"] == result["model_checked"] == 2 and result["hidden"] > 0
    assert result["reveals"] == []
