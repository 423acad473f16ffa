"""Report-back figures: periods, vocabularies, suppression of every row, derived numbers only
from shown cells, the plain-language summary and charts, and a committed snapshot of the
figures computed on seeded synthetic data (PROTOCOL M6, SECURITY 22-23)."""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from services.core.db import read_session
from services.reports import report_back as rb
from services.reports.report_back import (
    Activity,
    Period,
    build_figures,
    cell_text,
    charts,
    period_containing,
    raw_counts,
    recent_periods,
    summary,
    table_rows,
)
from tests.factories_reports import seed_report_world

SNAPSHOT = Path(__file__).parents[1] / "snapshots" / "report_back_2026_q3.json"
Q3 = Period("quarter", date(2026, 7, 1), date(2026, 9, 30))
OCTOBER = Period("month", date(2026, 10, 1), date(2026, 10, 31))
N = None


# --- Periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "kind", "start", "end", "label"),
    [
        pytest.param(
            date(2026, 7, 1), "quarter", date(2026, 7, 1), date(2026, 9, 30),
            "July to September 2026", id="the-first-day-of-a-quarter-opens-it",
        ),
        pytest.param(
            date(2026, 9, 30), "quarter", date(2026, 7, 1), date(2026, 9, 30),
            "July to September 2026", id="the-last-day-of-a-quarter-is-in-it",
        ),
        pytest.param(
            date(2026, 10, 1), "quarter", date(2026, 10, 1), date(2026, 12, 31),
            "October to December 2026", id="the-next-day-starts-the-next-quarter",
        ),
        pytest.param(
            date(2024, 2, 29), "month", date(2024, 2, 1), date(2024, 2, 29),
            "February 2024", id="a-leap-february-ends-on-the-29th",
        ),
        pytest.param(
            date(2026, 2, 14), "month", date(2026, 2, 1), date(2026, 2, 28),
            "February 2026", id="a-common-february-ends-on-the-28th",
        ),
        pytest.param(
            date(2026, 12, 31), "month", date(2026, 12, 1), date(2026, 12, 31),
            "December 2026", id="december-ends-the-year",
        ),
    ],
)  # fmt: skip
def test_a_day_falls_in_the_expected_period(day, kind, start, end, label):
    period = period_containing(day, kind)
    assert (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize(
    ("today", "kind", "first"),
    [
        pytest.param(date(2026, 10, 1), "quarter", "July to September 2026", id="day-after-q3"),
        pytest.param(date(2026, 9, 30), "quarter", "April to June 2026", id="last-day-of-q3"),
        pytest.param(date(2026, 1, 1), "month", "December 2025", id="new-year-offers-december"),
        pytest.param(date(2026, 3, 1), "month", "February 2026", id="march-first-offers-feb"),
    ],
)
def test_only_finished_periods_are_offered_newest_first(today, kind, first):
    periods = recent_periods(today, kind, 4)
    assert periods[0].label == first
    assert all(p.end < today for p in periods)
    assert [p.start for p in periods] == sorted((p.start for p in periods), reverse=True)


def test_period_labels_never_carry_a_day():
    for period in recent_periods(date(2026, 11, 27), "month", 24) + recent_periods(
        date(2026, 11, 27), "quarter", 8
    ):
        assert not any(str(day) in period.label.split() for day in range(1, 32))


# --- Vocabularies ---------------------------------------------------------------------------------


def test_every_value_the_participant_forms_offer_maps_onto_a_named_group():
    from services.participants import GENDER_IDENTITIES, HOUSING_SITUATIONS, RACE_ETHNICITY
    from services.participants.casework import PLAN_DOMAINS, SERVICE_CATEGORIES

    for value in PLAN_DOMAINS + SERVICE_CATEGORIES:
        assert (rb.domain_group(value) == rb.OTHER_DOMAIN) == (value == "other"), value
    for value in HOUSING_SITUATIONS:
        assert rb.housing_group(value) != rb.OTHER_HOUSING, value
    for value in RACE_ETHNICITY:
        expected_other = value == "Another race or ethnicity"
        assert (rb.race_group(value) == rb.OTHER_RACE) == expected_other, value
    assert rb.race_group("Multiracial") == rb.MULTIRACIAL
    assert rb.race_group("Middle Eastern or North African") == "Middle Eastern or North African"
    for value in GENDER_IDENTITIES:
        assert rb.gender_group(value) in rb.GENDER_LABELS, value


@pytest.mark.parametrize(
    ("value", "group"),
    [
        pytest.param("", rb.NOT_RECORDED, id="blank-is-not-recorded"),
        pytest.param("declined", rb.NOT_RECORDED, id="declined-is-not-recorded"),
        pytest.param("Black; White", rb.MULTIRACIAL, id="two-groups-are-more-than-one-race"),
        pytest.param("Avery's own words", rb.OTHER_RACE, id="free-text-is-never-published"),
        pytest.param("permanent housing", rb.HOUSED, id="permanent-housing-is-housed"),
    ],
)
def test_recorded_text_maps_onto_fixed_labels(value, group):
    assert group in (rb.race_group(value), rb.housing_group(value))


# --- Building figures from raw counts (pure) ---------------------------------------------


def raw(period: Period = Q3, **rows) -> dict:
    """Zero counts for the period, with the given rows replaced (label -> count)."""
    counts = raw_counts(Activity(), period)
    for key, value in rows.items():
        counts[key] = value if not isinstance(value, dict) else {**counts[key], **value}
    return counts


def build(counts: dict, *, threshold: int = 11, others=(), period: Period = Q3) -> dict:
    return build_figures(counts, period, threshold=threshold, others=list(others))


ARREST, SOCIAL, DOC = rb.REFERRAL_TYPES.values()
ACTIVE = rb.SINGLE_LABELS["active"]


@pytest.mark.parametrize(
    ("by_type", "expected"),
    [
        pytest.param(
            {ARREST: 20, SOCIAL: 15, DOC: 0},
            {ARREST: 20, SOCIAL: 15, DOC: 0, "total": 35},
            id="counts-of-eleven-or-more-are-shown",
        ),
        pytest.param(
            {ARREST: 20, SOCIAL: 3, DOC: 0},
            {ARREST: N, SOCIAL: N, DOC: 0, "total": 23},
            id="a-small-type-is-hidden-and-takes-the-next-smallest-with-it",
        ),
        pytest.param(
            {ARREST: 20, SOCIAL: 3, DOC: 2},
            {ARREST: 20, SOCIAL: N, DOC: N, "total": 25},
            id="two-small-types-protect-each-other",
        ),
        pytest.param(
            {ARREST: 6, SOCIAL: 3, DOC: 0},
            {ARREST: N, SOCIAL: N, DOC: 0, "total": N},
            id="a-small-total-is-hidden-with-its-cells",
        ),
        pytest.param(
            {ARREST: 10, SOCIAL: 0, DOC: 0},
            {ARREST: N, SOCIAL: 0, DOC: 0, "total": N},
            id="ten-is-hidden-at-the-default-threshold",
        ),
        pytest.param(
            {ARREST: 11, SOCIAL: 0, DOC: 0},
            {ARREST: 11, SOCIAL: 0, DOC: 0, "total": 11},
            id="eleven-is-shown-at-the-default-threshold",
        ),
    ],
)
def test_referral_counts_are_suppressed_primary_and_secondary(by_type, expected):
    figures = build(raw(referrals_by_type=by_type))
    assert figures["rows"]["referrals_by_type"]["cells"] == expected


def test_a_row_whose_groups_are_all_ones_is_withheld_whole_with_its_zeros():
    """Three people referred (threshold 3), each in a different race group: showing the row's
    zeros next to the total known from the kind-of-referral row would give each group away."""
    race = dict.fromkeys(rb.RACE_LABELS, 0) | {"Asian": 1, "White": 1, rb.NOT_RECORDED: 1}
    figures = build(raw(referrals_by_type={ARREST: 3}, referral_race=race), threshold=3)
    assert figures["rows"]["referrals_by_type"]["cells"]["total"] == 3
    row = figures["rows"]["referral_race"]
    assert row["withheld"] is True
    assert set(row["cells"].values()) == {None}


def test_a_small_total_hidden_in_one_row_of_a_population_is_hidden_in_all_its_rows():
    figures = build(
        raw(
            referrals_by_type={ARREST: 5},
            referrals_by_month={"July 2026": 5},
            referral_gender={"Man": 5},
        )
    )
    for key in ("referrals_by_type", "referrals_by_month", "referral_gender"):
        assert figures["rows"][key]["cells"]["total"] is None, key


@pytest.mark.parametrize(
    ("active", "published", "shown"),
    [
        pytest.param(40, [], True, id="with-no-other-period-published-forty-is-shown"),
        pytest.param(40, [30], False, id="ten-more-than-last-time-is-hidden"),
        pytest.param(40, [29], True, id="eleven-more-than-last-time-is-shown"),
        pytest.param(40, [35], False, id="five-more-than-last-time-is-hidden"),
        pytest.param(40, [45], False, id="five-fewer-than-a-later-period-is-hidden"),
        pytest.param(40, [60, 35], False, id="close-to-any-one-published-period-is-hidden"),
        pytest.param(40, [40], True, id="the-same-as-last-time-is-shown"),
        pytest.param(40, [None], True, id="a-value-hidden-last-time-is-not-differenced"),
    ],
)
def test_active_participants_are_checked_against_every_other_published_period(
    active, published, shown
):
    others = [build(raw(active=1)) for _ in published]
    for other, value in zip(others, published, strict=True):
        other["rows"]["active"]["cells"][ACTIVE] = value
    figures = build(raw(active=active), others=others)
    assert (figures["rows"]["active"]["cells"][ACTIVE] is not None) == shown


def test_a_hidden_active_count_hides_the_totals_of_every_row_about_the_same_people():
    other = build(raw(active=35, plan={"With a plan": 20, "Without a plan yet": 15}))
    figures = build(
        raw(active=40, plan={"With a plan": 25, "Without a plan yet": 15}), others=[other]
    )
    assert figures["rows"]["active"]["cells"][ACTIVE] is None
    for key in ("plan", "participant_race", "participant_gender", "participant_housing"):
        assert figures["rows"][key]["cells"]["total"] is None, key
    assert figures["derived"]["plan_share_percent"] is None
    assert cell_text(figures, "active", ACTIVE) == "not shown"  # never a wrong "fewer than"


def test_a_hidden_population_total_cannot_be_summed_from_a_linked_rows_cells():
    other = build(raw(active=40, plan={"With a plan": 30, "Without a plan yet": 10}))
    figures = build(
        raw(active=45, plan={"With a plan": 34, "Without a plan yet": 11}), others=[other]
    )
    assert figures["rows"]["active"]["cells"][ACTIVE] is None  # 45 - 40 = 5
    # The total (45) is hidden; were both cells shown they would add up to it.
    plan = figures["rows"]["plan"]["cells"]
    assert plan == {"With a plan": 34, "Without a plan yet": None, "total": None}


@pytest.mark.parametrize(
    ("intakes", "days", "median"),
    [
        pytest.param(10, list(range(10)), None, id="ten-intakes-give-no-median"),
        pytest.param(11, list(range(11)), 5, id="eleven-intakes-give-a-median"),
        pytest.param(12, list(range(12)), 5.5, id="an-even-count-gives-a-half-day-median"),
    ],
)
def test_the_median_intake_time_is_shown_only_over_enough_people(intakes, days, median):
    figures = build(raw(intakes=intakes, intake_days=days))
    assert figures["derived"]["median_intake_days"] == median


def test_shares_rates_and_spend_come_only_from_shown_cells():
    counts = raw(
        active=40,
        plan={"With a plan": 36, "Without a plan yet": 4},
        contacts=240,
        services_by_category={"Housing": 20, "Food": 3, "Benefits": 12},
        spend_cents_by_category={"Housing": 1_000_000, "Food": 3_000, "Benefits": 50_000},
    )
    figures = build(counts)
    assert figures["derived"]["plan_share_percent"] is None  # 36 hidden by secondary
    assert figures["derived"]["contacts_per_person_month"] == 2.0  # 240 / 40 / 3
    spend = figures["rows"]["spend_by_category"]["cells"]
    services = figures["rows"]["services_by_category"]["cells"]
    assert services["Food"] is None and spend["Food"] is None
    assert services["Benefits"] is None and spend["Benefits"] is None  # secondary, with Food
    assert spend["Housing"] == 10_000 and spend["total"] is None  # 10,530 - 10,000 = hidden
    rows = table_rows(figures, "services_by_category")
    food = next(r for r in rows if r["Category"] == "Food")
    assert food == {"Category": "Food", "Services": "not shown", "Spend": "not shown", "Share": ""}


def test_a_spend_total_is_not_published_when_every_category_behind_it_is_hidden():
    """The red team's case (SECURITY 30): 11 services, each category small, $5,500 in all;
    with the unit prices only one split fits, so the total would give the hidden cells away."""
    counts = raw(
        services_by_category={"Housing": 4, "Food": 4, "Benefits": 3},
        spend_cents_by_category={"Housing": 400_000, "Food": 20_000, "Benefits": 130_000},
    )
    figures = build(counts)
    assert figures["rows"]["services_by_category"]["cells"]["total"] == 11
    assert set(figures["rows"]["spend_by_category"]["cells"].values()) <= {None, 0}
    text = " ".join(summary(figures))
    assert "LEAD arranged 11 services." in text
    assert "5,500" not in text and "costing" not in text
    rows = table_rows(figures, "services_by_category")
    assert (rows[-1]["Category"], rows[-1]["Services"], rows[-1]["Spend"]) == (
        "All",
        "11",
        "not shown",
    )


def test_a_spend_total_is_published_when_every_category_is_shown_or_zero():
    counts = raw(
        services_by_category={"Housing": 20, "Food": 12},
        spend_cents_by_category={"Housing": 1_000_000, "Food": 30_000},
    )
    spend = build(counts)["rows"]["spend_by_category"]["cells"]
    assert spend["total"] == 10_300 and spend["Benefits"] == 0


def test_cell_text_says_fewer_than_only_where_a_hidden_count_must_be_small():
    figures = build(raw(referrals_by_type={ARREST: 20, SOCIAL: 3}, housing_gained=4, active=5))
    assert cell_text(figures, "housing_gained", rb.SINGLE_LABELS["housing_gained"]) == (
        "fewer than 11"
    )
    assert cell_text(figures, "referrals_by_type", ARREST) == "not shown"  # secondary: 20
    assert cell_text(figures, "active", ACTIVE) == "not shown"  # a stock row


def test_the_summary_is_written_from_the_shown_figures():
    counts = raw(
        referrals_by_type={ARREST: 16, SOCIAL: 11},
        referrals_by_month={"July 2026": 12, "August 2026": 15},
        active=45,
        plan={"With a plan": 36, "Without a plan yet": 9},
        intakes=14,
        intake_days=[3] * 7 + [9] * 7,
        housing_gained=4,
        contacts=270,
    )
    text = " ".join(summary(build(counts)))
    assert text.startswith(
        "Between July and September 2026, 27 people were referred to LEAD: 16 by arrest "
        "diversion and 11 as social contact referrals."
    )
    assert "45 people took part in LEAD." in text  # the plan split is hidden (9 is small)
    assert "14 in-depth intakes were completed; half of them within 6 days" in text
    assert "Fewer than 11 people moved into housing." in text
    assert "about 2 a month for each person taking part" in text
    assert "36" not in text


def test_charts_have_bars_only_for_shown_non_zero_cells_and_a_full_table():
    counts = raw(referrals_by_type={ARREST: 20, SOCIAL: 3, DOC: 0})
    chart = next(c for c in charts(build(counts)) if c.key == "referrals_by_type")
    assert chart.bars == []  # 20 went as the secondary cell, 3 is small, 0 has no bar
    assert [row["People"] for row in chart.table] == ["not shown", "not shown", "0", "23"]
    assert chart.title and chart.label_title and chart.value_title
    assert chart.description.endswith(
        "a missing bar means none, or a number not shown to protect privacy."
    )
    spec = rb.vega_lite(chart)
    assert spec["data"]["values"] == []
    assert spec["encoding"]["x"]["title"] == "Number of people"


def test_a_month_has_no_by_month_row_and_its_summary_starts_with_in():
    figures = build(raw(OCTOBER, referrals_by_type={ARREST: 12}), period=OCTOBER)
    assert "referrals_by_month" not in figures["rows"]
    assert summary(figures)[0].startswith("In October 2026, 12 people were referred")


# --- Seeded data against committed expected output ---------------------------------------------


def test_figures_of_the_seeded_quarter_match_the_committed_snapshot(engine):
    seed_report_world(engine)
    figures = rb.preview(engine, Q3)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(figures, indent=1) + "\n")
    assert figures == json.loads(SNAPSHOT.read_text())
    # Independent checks on the same data, so a wrong snapshot cannot hide a wrong count.
    rows = figures["rows"]
    for row in rows.values():
        for value in row["cells"].values():
            assert value is None or not 1 <= value < 11 or row["unit"].startswith("Spend")
    assert rows["referrals_by_type"]["cells"]["total"] == sum(
        v for k, v in rows["referrals_by_month"]["cells"].items() if k != "total"
    )
    json.dumps(figures)  # JSON-ready, as stored in ReportSnapshot.figures


def test_contacts_counted_by_month_in_the_database_equal_the_contacts_read_one_by_one(engine):
    seed_report_world(engine)
    with read_session(engine) as session:
        counted = rb.load_activity(session, date(2025, 11, 1), date(2026, 9, 30))
        listed = rb.load_activity(session, date(2025, 11, 1), date(2026, 9, 30), contact_rows=True)
    by_month = Counter(on.replace(day=1) for _pid, on in listed.contacts)
    assert counted.contacts == [] and sum(by_month.values()) > 100
    assert counted.contacts_by_month == dict(by_month)
    for period in (Q3, period_containing(date(2026, 2, 10), "month")):
        expected = sum(1 for _pid, on in listed.contacts if period.start <= on <= period.end)
        assert raw_counts(counted, period)["contacts"] == expected
        assert raw_counts(counted, period) == raw_counts(listed, period)


def test_the_vocabulary_mappers_remember_each_value_and_answer_the_same():
    for mapper in (rb.race_group, rb.gender_group, rb.language_group, rb.housing_group):
        for value in ("Black; White", "woman", "Spanish", "staying with friends", ""):
            assert mapper(value) == mapper.__wrapped__(value) == mapper(value)
    hits = rb.domain_group.cache_info().hits
    assert rb.domain_group("mental health treatment") == "Health and treatment"
    assert rb.domain_group("mental health treatment") == "Health and treatment"
    assert rb.domain_group.cache_info().hits > hits  # the keyword scan ran once
