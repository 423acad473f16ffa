"""The community engagement log: meetings, concerns and their status, the staffing agenda's
open concerns (PROTOCOL M3, M6; SECURITY 8, 10, 25)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from models import AuditEvent, CommunityConcern, CommunityMeeting, Role
from services.core.db import read_session
from services.core.errors import StaleEditError, ValidationError
from services.reports.community import (
    add_concern,
    concerns,
    meetings,
    open_concerns,
    record_meeting,
    set_concern_status,
)
from tests.factories import make_user, sign_in

TODAY = date(2026, 11, 27)
GOOD = {
    "on": date(2026, 11, 20),
    "audience": "residents",
    "place": "Demo Library community room",
    "attendance": 24,
    "feedback": "Residents asked about the park.",
}


@pytest.fixture
def pm(engine):
    make_user(engine, "pm.community", Role.project_manager)
    return sign_in(engine, "pm.community")


def _count(engine, table) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_a_meeting_is_recorded_and_listed_newest_first(engine, pm):
    record_meeting(engine, pm, today=TODAY, **GOOD)
    record_meeting(engine, pm, today=TODAY, **(GOOD | {"on": date(2026, 11, 27)}))
    assert [m["Date"] for m in meetings(engine)] == ["2026-11-27", "2026-11-20"]
    assert meetings(engine)[0]["Feedback"] == GOOD["feedback"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"on": date(2026, 11, 28)}, "Meeting date: it cannot be in the future",
                     id="tomorrow-is-refused"),
        pytest.param({"on": None}, "Meeting date: choose a date", id="no-date-is-refused"),
        pytest.param({"audience": "police"}, "Audience", id="an-unknown-audience-is-refused"),
        pytest.param({"place": "   "}, "Place: enter it", id="a-blank-place-is-refused"),
        pytest.param({"attendance": -1}, "Attendance", id="negative-attendance-is-refused"),
        pytest.param({"attendance": 10_001}, "Attendance", id="huge-attendance-is-refused"),
        pytest.param({"attendance": True}, "Attendance", id="a-yes-no-attendance-is-refused"),
        pytest.param({"feedback": "x" * 5001}, "is 5,001", id="overlong-feedback-is-refused"),
    ],
)  # fmt: skip
def test_a_bad_meeting_is_refused_and_nothing_is_saved(engine, pm, change, message):
    with pytest.raises(ValidationError, match=message):
        record_meeting(engine, pm, today=TODAY, **(GOOD | change))
    assert _count(engine, CommunityMeeting) == 0


def test_meeting_on_today_is_accepted(engine, pm):
    record_meeting(engine, pm, today=TODAY, **(GOOD | {"on": TODAY}))
    assert _count(engine, CommunityMeeting) == 1


def test_open_concerns_list_open_and_in_progress_oldest_first(engine, pm):
    meeting = record_meeting(engine, pm, today=TODAY, **GOOD)
    first = add_concern(
        engine,
        pm,
        area="Demo Park",
        behaviour="Needles",
        raised_on=date(2026, 11, 1),
        meeting_id=meeting,
        today=TODAY,
    )
    second = add_concern(
        engine,
        pm,
        area="Demo Alley",
        behaviour="Open drug use",
        raised_on=date(2026, 10, 1),
        today=TODAY,
    )
    third = add_concern(
        engine, pm, area="Demo Plaza", behaviour="Shoplifting", raised_on=date(2026, 9, 1),
        today=TODAY,
    )  # fmt: skip
    set_concern_status(engine, pm, concern_id=second, expected_version=1, status="in progress")
    set_concern_status(engine, pm, concern_id=third, expected_version=1, status="resolved")
    assert open_concerns(engine) == [
        {
            "id": first,
            "area": "Demo Park",
            "behaviour": "Needles",
            "status": "open",
            "raised_on": date(2026, 11, 1),
            "meeting_on": date(2026, 11, 20),
        },
        {
            "id": second,
            "area": "Demo Alley",
            "behaviour": "Open drug use",
            "status": "in progress",
            "raised_on": date(2026, 10, 1),
            "meeting_on": None,
        },
    ]
    assert [c["Status"] for c in concerns(engine)] == ["open", "in progress", "resolved"]


def test_a_stale_status_change_is_refused_and_the_first_one_stays(engine, pm):
    concern = add_concern(
        engine, pm, area="Demo Park", behaviour="Needles", raised_on=TODAY, today=TODAY
    )
    set_concern_status(engine, pm, concern_id=concern, expected_version=1, status="resolved")
    with pytest.raises(StaleEditError):
        set_concern_status(engine, pm, concern_id=concern, expected_version=1, status="open")
    with read_session(engine) as session:
        assert session.get(CommunityConcern, concern).status == "resolved"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"area": ""}, "Area: enter it", id="a-concern-needs-an-area"),
        pytest.param({"behaviour": " "}, "Behaviour: enter it", id="and-a-behaviour"),
        pytest.param({"raised_on": date(2026, 11, 28)}, "Raised on", id="not-raised-tomorrow"),
        pytest.param({"meeting_id": 999}, "Meeting: no such meeting", id="a-real-meeting-only"),
    ],
)
def test_a_bad_concern_is_refused_and_nothing_is_saved(engine, pm, fields, message):
    good = {"area": "Demo Park", "behaviour": "Needles", "raised_on": TODAY}
    with pytest.raises(ValidationError, match=message):
        add_concern(engine, pm, today=TODAY, **(good | fields))
    assert _count(engine, CommunityConcern) == 0


def test_an_unknown_status_is_refused(engine, pm):
    concern = add_concern(engine, pm, area="A", behaviour="B", raised_on=TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="Status"):
        set_concern_status(engine, pm, concern_id=concern, expected_version=1, status="closed")


def test_audit_rows_never_carry_feedback_or_concern_text(engine, pm):
    record_meeting(engine, pm, today=TODAY, **(GOOD | {"feedback": "SECRET-FEEDBACK"}))
    concern = add_concern(
        engine, pm, area="SECRET-AREA", behaviour="SECRET-BEHAVIOUR", raised_on=TODAY, today=TODAY
    )
    set_concern_status(engine, pm, concern_id=concern, expected_version=1, status="in progress")
    with read_session(engine) as session:
        rows = list(session.exec(select(AuditEvent).where(AuditEvent.username == "pm.community")))
    assert {r.action for r in rows} == {
        "community.meeting_add",
        "community.concern_add",
        "community.concern_status",
    }
    assert not any("SECRET" in f"{r.subject} {r.purpose}" for r in rows)
