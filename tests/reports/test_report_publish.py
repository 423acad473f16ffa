"""Publishing report-back snapshots: frozen numbers, finished and non-overlapping periods only,
cross-period checks between published snapshots, audit (PROTOCOL M6, SECURITY 22)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from models import AuditEvent, ReportSnapshot, Role
from services.core.errors import ValidationError
from services.reports import report_back as rb
from services.reports.report_back import Period, periods_to_publish, preview, publish, published
from tests.factories import make_user, sign_in
from tests.factories_reports import add_people

Q2 = Period("quarter", date(2026, 4, 1), date(2026, 6, 30))
Q3 = Period("quarter", date(2026, 7, 1), date(2026, 9, 30))
AUGUST = Period("month", date(2026, 8, 1), date(2026, 8, 31))
ACTIVE = rb.SINGLE_LABELS["active"]


@pytest.fixture
def pm(engine):
    make_user(engine, "pm.reports", Role.project_manager)
    return sign_in(engine, "pm.reports")


def test_a_published_snapshot_never_shifts_when_later_records_change(engine, pm):
    add_people(engine, 12, referred=date(2026, 7, 10))
    publish(engine, pm, Q3, today=date(2026, 10, 1))
    add_people(engine, 5, referred=date(2026, 7, 20), first_number=3001)  # a late entry
    frozen = published(engine)[0]["figures"]
    assert frozen["rows"]["referrals_by_type"]["cells"]["total"] == 12
    assert preview(engine, Q3)["rows"]["referrals_by_type"]["cells"]["total"] == 17


@pytest.mark.parametrize(
    ("today", "allowed"),
    [
        pytest.param(date(2026, 9, 29), False, id="the-day-before-the-last-day-is-refused"),
        pytest.param(date(2026, 9, 30), False, id="the-last-day-of-the-quarter-is-refused"),
        pytest.param(date(2026, 10, 1), True, id="the-day-after-the-quarter-is-allowed"),
    ],
)
def test_only_a_finished_period_can_be_published(engine, pm, today, allowed):
    if allowed:
        publish(engine, pm, Q3, today=today)
        assert len(published(engine)) == 1
    else:
        with pytest.raises(ValidationError, match="has not ended yet"):
            publish(engine, pm, Q3, today=today)
        assert published(engine) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(Q3, Q3, id="the-same-quarter-twice"),
        pytest.param(AUGUST, Q3, id="a-quarter-holding-a-published-month"),
        pytest.param(Q3, AUGUST, id="a-month-inside-a-published-quarter"),
    ],
)
def test_a_period_overlapping_a_published_one_is_refused(engine, pm, first, second):
    publish(engine, pm, first, today=date(2026, 11, 1))
    with pytest.raises(ValidationError, match="already published"):
        publish(engine, pm, second, today=date(2026, 11, 1))
    assert len(published(engine)) == 1


def test_adjacent_periods_can_both_be_published_in_either_order(engine, pm):
    publish(engine, pm, Q3, today=date(2026, 11, 1))
    publish(engine, pm, Q2, today=date(2026, 11, 1))
    assert [s["label"] for s in published(engine)] == [Q3.label, Q2.label]


def test_only_the_project_manager_publishes(engine):
    make_user(engine, "rep", Role.community)
    rep = sign_in(engine, "rep")
    with pytest.raises(ValidationError, match="only the project manager"):
        publish(engine, rep, Q3, today=date(2026, 11, 1))


def test_publishing_writes_one_audit_row_without_figures(engine, pm):
    publish(engine, pm, Q3, today=date(2026, 11, 1))
    from services.core.db import read_session

    with read_session(engine) as session:
        rows = list(session.exec(select(AuditEvent).where(AuditEvent.action == "report.publish")))
        snapshot = session.exec(select(ReportSnapshot)).one()
    assert [(r.username, r.subject) for r in rows] == [("pm.reports", "report-back 2026-q3")]
    assert snapshot.published_by == "pm.reports" and snapshot.label == Q3.label


def test_a_stock_row_is_checked_against_the_previously_published_quarter(engine, pm):
    """Twenty people active through both quarters, five more in the third: publishing both
    active counts (20, 25) would tell that five people joined."""
    add_people(engine, 20, referred=date(2026, 3, 1), intake=date(2026, 3, 10))
    publish(engine, pm, Q2, today=date(2026, 11, 1))
    add_people(engine, 5, referred=date(2026, 7, 1), intake=date(2026, 7, 8), first_number=3001)
    publish(engine, pm, Q3, today=date(2026, 11, 1))
    q3, q2 = (s["figures"] for s in published(engine))
    assert q2["rows"]["active"]["cells"][ACTIVE] == 20
    assert q3["rows"]["active"]["cells"][ACTIVE] is None
    assert q3["rows"]["participant_race"]["cells"]["total"] is None
    # The period rows of the two quarters describe different people: not differenced.
    assert q2["rows"]["referrals_by_type"]["cells"]["total"] == 0


def test_a_stock_row_far_from_the_other_quarter_is_shown(engine, pm):
    add_people(engine, 20, referred=date(2026, 3, 1), intake=date(2026, 3, 10))
    publish(engine, pm, Q2, today=date(2026, 11, 1))
    add_people(engine, 11, referred=date(2026, 7, 1), intake=date(2026, 7, 8), first_number=3001)
    publish(engine, pm, Q3, today=date(2026, 11, 1))
    assert published(engine)[0]["figures"]["rows"]["active"]["cells"][ACTIVE] == 31


def test_the_period_list_marks_published_and_overlapping_periods(engine, pm):
    publish(engine, pm, AUGUST, today=date(2026, 11, 1))
    quarters = {
        c["period"].label: c for c in periods_to_publish(engine, date(2026, 11, 1), "quarter")
    }
    assert quarters[Q3.label]["blocked_by"] == "August 2026"
    assert not quarters[Q3.label]["published"]
    assert quarters[Q2.label]["blocked_by"] is None
    months = {c["period"].label: c for c in periods_to_publish(engine, date(2026, 11, 1), "month")}
    assert months["August 2026"]["published"] is True
    assert months["August 2026"]["choice_label"] == "August 2026 (published)"


def test_published_snapshots_name_the_month_of_publication_not_the_day(engine, pm):
    from datetime import UTC, datetime

    publish(engine, pm, Q3, today=date(2026, 11, 1), now=datetime(2026, 10, 1, 5, 0, tzinfo=UTC))
    snapshot = published(engine, "America/Los_Angeles")[0]
    assert snapshot["published"] == "September 2026"  # 10 pm on 30 September in Burien
    assert snapshot["slug"] == "2026-q3"
