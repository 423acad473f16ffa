"""Caseload views: per case manager, no-contact flags, funnel, delays, forecast, coverage (M7)."""

import doctest
import importlib
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from models import Participant, ParticipantStatus, Role, StatusChange
from services.core.clock import utcnow
from services.core.db import write_session
from services.core.errors import ValidationError
from services.participants import (
    add_coverage,
    by_manager,
    capacity_forecast,
    coverages,
    default_period,
    end_coverage,
    forecast_capacity,
    funnel,
    intake_delays,
    median_from_counts,
    months_between,
    my_caseload,
    no_contact_flags,
    referrals_per_month,
)
from services.today import open_alerts
from tests.factories import days, make_participant, make_referral, make_user, sign_in
from tests.factories_participants import TODAY


def person(engine, lead_id, manager, status="active", last=None):
    p = make_participant(engine, lead_id, case_manager=manager)
    with write_session(engine) as session:
        row = session.get(Participant, p.id)
        row.status = ParticipantStatus(status)
        row.last_contact_date = last
        session.add(row)
    return p


@pytest.fixture
def team(engine):
    users = {
        "pm": make_user(engine, "pm", Role.project_manager),
        "cma": make_user(engine, "cma", Role.case_manager),
        "cmb": make_user(engine, "cmb", Role.case_manager),
        "sup": make_user(engine, "sup", Role.clinical_supervisor),
    }
    return users, {name: sign_in(engine, name) for name in users}


@pytest.mark.parametrize(
    "last, flagged",
    [
        pytest.param(TODAY - days(13), False, id="thirteen-days-ago"),
        pytest.param(TODAY - days(14), False, id="exactly-fourteen-days-ago"),
        pytest.param(TODAY - days(15), True, id="fifteen-days-ago"),
        pytest.param(None, True, id="never-contacted"),
    ],
)
def test_active_clients_without_contact_in_the_window_are_flagged(engine, team, last, flagged):
    users, signed = team
    person(engine, "BUR-0001", users["cma"], last=last)
    rows = no_contact_flags(engine, signed["cma"], TODAY)
    assert [r["LEAD id"] for r in rows] == (["BUR-0001"] if flagged else [])
    assert by_manager(engine, signed["cma"], TODAY)["rows"][0].no_contact == int(flagged)
    if flagged:
        assert rows[0]["Flag"] == "⚠ No contact in 14+ days"  # words and an icon, not colour


def test_referred_people_are_counted_apart_from_active_clients(engine, team):
    users, signed = team
    person(engine, "BUR-0001", users["cma"], last=TODAY)
    person(engine, "BUR-0002", users["cma"], status="referred")
    person(engine, "BUR-0003", users["cma"], status="exited", last=TODAY - days(90))
    person(engine, "BUR-0004", users["cmb"], last=TODAY - days(40))
    person(engine, "BUR-0005", None, status="referred")
    load = by_manager(engine, signed["sup"], TODAY)
    got = [(r.manager, r.active, r.referred, r.no_contact) for r in load["rows"]]
    assert got == [
        ("Test cma", 1, 1, 0),
        ("Test cmb", 1, 0, 1),
        ("Unassigned", 0, 1, 0),
    ]
    assert (load["capacity"], load["no_contact_days"]) == (25, 14)


def test_the_caseload_figures_use_the_same_number_of_queries_at_any_size(engine, team):
    """Aggregate SQL, not a query per row: 3 people and 30 people cost the same statements."""
    users, signed = team

    @contextmanager
    def counted():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", listener)

    def run() -> int:
        with counted() as statements:
            by_manager(engine, signed["pm"], TODAY)
            no_contact_flags(engine, signed["pm"], TODAY)
            funnel(engine, signed["pm"], TODAY - days(365), TODAY)
            intake_delays(engine, signed["pm"], TODAY - days(365), TODAY)
            referrals_per_month(engine, signed["pm"], TODAY - days(365), TODAY)
            capacity_forecast(engine, signed["pm"], TODAY)
        return len(statements)

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            p = person(engine, f"BUR-{i:04d}", users["cma"], last=TODAY - days(i % 30))
            make_referral(
                engine, p, referred=TODAY - days(i * 3), intake_completed_date=TODAY - days(i)
            )

    add(3, 1)
    small = run()
    add(27, 4)
    assert run() == small


def test_the_funnel_follows_referrals_made_in_the_period(engine, team):
    users, signed = team
    stages = [
        ("referred", {}),
        ("screened", {"initial_screening_date": TODAY - days(9)}),
        ("intake", {"initial_screening_date": TODAY - days(9), "intake_completed_date": TODAY}),
    ]
    for i, (_stage, fields) in enumerate(stages, start=1):
        p = person(engine, f"BUR-000{i}", users["cma"], status="referred")
        make_referral(engine, p, referred=TODAY - days(10), **fields)
    for i, status in ((4, "active"), (5, "exited")):
        p = person(engine, f"BUR-000{i}", users["cma"], status=status)
        make_referral(
            engine,
            p,
            referred=TODAY - days(10),
            initial_screening_date=TODAY - days(9),
            intake_completed_date=TODAY - days(5),
        )
    old = person(engine, "BUR-0009", users["cma"])
    make_referral(engine, old, referred=TODAY - days(400))  # outside the period
    got = {
        row["Stage"]: row["People"] for row in funnel(engine, signed["pm"], TODAY - days(30), TODAY)
    }
    assert got == {"referred": 5, "screened": 4, "intake": 3, "active": 2, "exited": 1}


def test_days_from_referral_to_intake_give_a_median_and_a_distribution(engine, team):
    users, signed = team
    for i, delay in enumerate([0, 2, 3, 10, 31], start=1):
        p = person(engine, f"BUR-000{i}", users["cma"])
        make_referral(
            engine, p, referred=TODAY - days(40), intake_completed_date=TODAY - days(40 - delay)
        )
    result = intake_delays(engine, signed["pm"], TODAY - days(60), TODAY)
    assert (result["median"], result["count"]) == (3.0, 5)
    assert result["bins"] == [
        {"Days": "0-2 days", "People": 2},
        {"Days": "3-7 days", "People": 1},
        {"Days": "8-14 days", "People": 1},
        {"Days": "15-21 days", "People": 0},
        {"Days": "22-30 days", "People": 0},
        {"Days": "over 30 days", "People": 1},
    ]


def test_referrals_per_month_fill_empty_months_and_show_the_expected_rate(engine, team):
    users, signed = team
    for i, on in enumerate([date(2026, 9, 30), date(2026, 9, 1), date(2026, 11, 2)], start=1):
        make_referral(engine, person(engine, f"BUR-000{i}", users["cma"]), referred=on)
    result = referrals_per_month(engine, signed["pm"], date(2026, 8, 15), TODAY)
    assert result["expected"] == 8.3  # 100 a year (PROTOCOL M7)
    assert [(r["Month"], r["Referrals"]) for r in result["rows"]] == [
        ("2026-08", 0),
        ("2026-09", 2),
        ("2026-10", 0),
        ("2026-11", 1),
    ]


@pytest.mark.parametrize(
    "start, end, message",
    [
        pytest.param(TODAY, TODAY - days(1), "end comes before", id="end-before-start"),
        pytest.param(TODAY - days(3661), TODAY, "at most ten years", id="over-ten-years"),
    ],
)
def test_periods_are_validated(engine, team, start, end, message):
    users, signed = team
    with pytest.raises(ValidationError, match=message):
        funnel(engine, signed["pm"], start, end)


@pytest.mark.parametrize(
    "active, referred, managers, rate, expected",
    [
        pytest.param(
            40, 5, 2, 2.5, ("forecast", 4.0, date(2026, 11, 27) + days(122), 2), id="growing"
        ),
        pytest.param(50, 0, 2, 1.0, ("at or over capacity", 0.0, TODAY, 2), id="exactly-full"),
        pytest.param(51, 0, 2, 1.0, ("at or over capacity", 0.0, TODAY, 3), id="one-over"),
        pytest.param(10, 0, 2, 0.0, ("not at the current rate", None, None, 1), id="flat"),
        pytest.param(10, 0, 2, -1.0, ("not at the current rate", None, None, 1), id="shrinking"),
        pytest.param(0, 0, 0, 1.0, ("at or over capacity", 0.0, TODAY, 0), id="no-staff-no-one"),
    ],
)
def test_capacity_forecast(active, referred, managers, rate, expected):
    f = forecast_capacity(
        active=active,
        referred=referred,
        managers=managers,
        per_fte=25,
        net_per_month=rate,
        today=TODAY,
    )
    assert (f["state"], f["months_to_capacity"], f["reached_on"], f["managers_needed"]) == expected


def test_the_forecast_reads_intakes_and_exits_of_the_last_six_months(engine, team):
    users, signed = team
    for i in range(1, 7):
        p = person(engine, f"BUR-000{i}", users["cma"])
        make_referral(engine, p, referred=TODAY - days(60), intake_completed_date=TODAY - days(50))
    with write_session(engine) as session:
        session.add(
            StatusChange(
                participant_id=1, on=TODAY - days(10), status="exited", username="x", at=utcnow()
            )
        )
    f = capacity_forecast(engine, signed["sup"], TODAY)
    assert (f["intakes"], f["exits"], f["net_per_month"], f["managers"]) == (6, 1, 0.83, 2)
    assert (f["capacity"], f["active"], f["state"]) == (50, 6, "forecast")


@pytest.mark.parametrize(
    "counts, median",
    [
        pytest.param({}, None, id="empty"),
        pytest.param({5: 1}, 5.0, id="one"),
        pytest.param({1: 1, 3: 1}, 2.0, id="even-count-averages-the-middle-two"),
        pytest.param({0: 2, 9: 1}, 0.0, id="odd-count"),
    ],
)
def test_median_from_counts(counts, median):
    assert median_from_counts(counts) == median


@pytest.mark.parametrize(
    "start, end, months",
    [
        pytest.param(date(2026, 1, 31), date(2026, 1, 31), ["2026-01"], id="one-day"),
        pytest.param(
            date(2027, 12, 31),
            date(2028, 2, 29),
            ["2027-12", "2028-01", "2028-02"],
            id="leap-year-end",
        ),
    ],
)
def test_months_between(start, end, months):
    assert months_between(start, end) == months


# --- Coverage ------------------------------------------------------------------------------------


def test_a_covering_case_manager_gets_the_caseload_and_its_alerts_for_the_period_only(engine, team):
    users, signed = team
    p = person(engine, "BUR-0001", users["cmb"], status="referred")
    make_referral(engine, p, referred=TODAY - days(31))  # T4 overdue, owed by cmb
    add_coverage(
        engine,
        signed["sup"],
        absent_id=users["cmb"].id,
        covering_id=users["cma"].id,
        start_on=TODAY,
        end_on=TODAY + days(7),
        today=TODAY,
    )

    def subjects(day):
        return {a.subject for a in open_alerts(engine, signed["cma"], day)}

    assert subjects(TODAY - days(1)) == set()  # the day before the coverage
    assert subjects(TODAY) == {"BUR-0001"}  # its first day
    assert subjects(TODAY + days(7)) == {"BUR-0001"}  # its last day
    assert subjects(TODAY + days(8)) == set()  # the day after
    assert "BUR-0001" in {a.subject for a in open_alerts(engine, signed["cmb"], TODAY)}
    assert [c["label"] for c in my_caseload(engine, signed["cma"], TODAY)] == [
        "BUR-0001 · Avery Sample"
    ]
    assert by_manager(engine, signed["pm"], TODAY)["rows"][1].covered_by == "Test cma"


@pytest.mark.parametrize(
    "changes, message",
    [
        pytest.param({"covering": "cmb"}, "Covered by: choose a different", id="covers-self"),
        pytest.param(
            {"end_on": TODAY - days(1), "start_on": TODAY - days(5)},
            "already ended",
            id="in-the-past",
        ),
        pytest.param({"end_on": TODAY - days(1)}, "before the start", id="ends-before-start"),
        pytest.param({"end_on": TODAY + days(367)}, "at most 366 days", id="over-a-year"),
        pytest.param({"covering": "sup"}, "choose a case manager", id="covered-by-a-supervisor"),
    ],
)
def test_coverage_is_validated(engine, team, changes, message):
    users, signed = team
    kwargs = {"start_on": TODAY, "end_on": TODAY + days(7)}
    covering = users[changes.pop("covering", "cma")]
    with pytest.raises(ValidationError, match=message):
        add_coverage(
            engine,
            signed["sup"],
            absent_id=users["cmb"].id,
            covering_id=covering.id,
            today=TODAY,
            **(kwargs | changes),
        )


def test_overlapping_coverage_is_refused_and_a_coverage_can_end_early(engine, team):
    users, signed = team
    common = {"absent_id": users["cmb"].id, "covering_id": users["cma"].id, "today": TODAY}
    add_coverage(engine, signed["pm"], start_on=TODAY, end_on=TODAY + days(14), **common)
    with pytest.raises(ValidationError, match="overlaps"):
        add_coverage(
            engine, signed["sup"], start_on=TODAY + days(14), end_on=TODAY + days(20), **common
        )
    cid = coverages(engine, signed["sup"], TODAY)[0]["_id"]
    with pytest.raises(ValidationError, match="only a clinical supervisor"):
        end_coverage(engine, signed["cma"], coverage_id=cid, on=TODAY, today=TODAY)
    end_coverage(engine, signed["sup"], coverage_id=cid, on=TODAY + days(2), today=TODAY)
    assert coverages(engine, signed["sup"], TODAY)[0]["Until"] == (TODAY + days(2)).isoformat()
    add_coverage(engine, signed["sup"], start_on=TODAY + days(3), end_on=TODAY + days(20), **common)


def test_case_managers_cannot_hand_over_caseloads(engine, team):
    users, signed = team
    with pytest.raises(ValidationError, match="only a clinical supervisor"):
        add_coverage(
            engine,
            signed["cma"],
            absent_id=users["cmb"].id,
            covering_id=users["cma"].id,
            start_on=TODAY,
            end_on=TODAY,
            today=TODAY,
        )


def test_the_default_period_starts_on_a_month_boundary():
    assert default_period(date(2028, 2, 29)) == (date(2027, 3, 1), date(2028, 2, 29))


@pytest.mark.parametrize(
    "module",
    [
        "services.participants.casework",
        "services.participants.import_columns",
        "services.participants.import_reading",
        "services.participants.plan",
        "services.participants.team",
        "services.today.ics",
    ],
)
def test_the_docstring_examples_of_the_participants_and_today_areas_hold(module):
    """A docstring's example is documentation: the capacity forecast's said 2 May for 3 May."""
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
