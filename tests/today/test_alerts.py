"""Today's alerts: the contract rules on stored referrals, who sees them, closing actions."""

from datetime import UTC, date, datetime
from operator import attrgetter

import pytest
from sqlmodel import select

from models import (
    Contact,
    ParticipantStatus,
    ReferralType,
    Role,
    SiteSettings,
    StaffingSession,
    User,
)
from services.core.audit import AuditFilter, browse
from services.core.db import write_session
from services.core.errors import StaleEditError, ValidationError
from services.today import (
    alert_rows,
    bhrd_due,
    calendar_ics,
    closing_route,
    cutoff_alerts,
    extend_from_alert,
    ics_escape,
    ics_fold,
    make_alert,
    no_contact_alerts,
    obligations,
    open_alerts,
    optimal_intake_alert,
    record_calendar_download,
    record_closing_action,
    report_alerts,
    severity,
    victim_window_alert,
)
from services.today import alerts as today_alerts
from tests.factories import days, make_participant, make_referral, make_release, make_user, sign_in

TODAY = date(2026, 11, 27)
NOW_UTC = datetime(2026, 11, 27, 20, tzinfo=UTC)


@pytest.fixture
def team(engine):
    make_user(engine, "pm1", Role.project_manager)
    cm_a = make_user(engine, "cma", Role.case_manager)
    cm_b = make_user(engine, "cmb", Role.case_manager)
    make_user(engine, "sup", Role.clinical_supervisor)
    make_user(engine, "bpd1", Role.law_enforcement)
    a = make_participant(engine, "BUR-0001", case_manager=cm_a)
    b = make_participant(engine, "BUR-0002", case_manager=cm_b)
    # a: referred 31 days ago, no intake -> T4 overdue since yesterday, T5 due in 6 days
    ref_a = make_referral(engine, a, referred=TODAY - days(31))
    # b: intake done, release signed after the intake -> C3
    make_referral(engine, b, referred=TODAY - days(10), intake_completed_date=TODAY - days(5))
    make_release(engine, b, ["BPD"], signed=TODAY - days(2))
    return ref_a


def rules(alerts):
    return [(a.subject, a.rule, a.severity) for a in alerts]


def test_case_manager_sees_only_their_own_alerts_most_urgent_first(engine, team):
    alerts = open_alerts(engine, sign_in(engine, "cma"), TODAY)
    assert rules(alerts) == [("BUR-0001", "T4", "overdue"), ("BUR-0001", "T5", "due in 7 days")]
    assert alerts[0].owner == "Case manager" and alerts[0].action == "Record the intake"
    assert alerts[0].due == TODAY - days(1) and alerts[0].days_left == -1


def test_supervisor_and_project_manager_see_the_team(engine, team):
    for username in ("sup", "pm1"):
        got = rules(open_alerts(engine, sign_in(engine, username), TODAY))
        assert ("BUR-0002", "C3", "overdue") in got and ("BUR-0001", "T4", "overdue") in got


def test_partners_get_no_alert_list(engine, team):
    assert open_alerts(engine, sign_in(engine, "bpd1"), TODAY) == []
    assert obligations(engine, sign_in(engine, "bpd1"), TODAY) == []


def test_today_lists_what_the_one_obligations_function_gathers_most_urgent_first(
    engine, team, monkeypatch
):
    """The seam a deadline ledger can replace: Today asks the areas through `obligations`."""
    pm = sign_in(engine, "pm1")
    gathered = obligations(engine, pm, TODAY)
    assert {"T4", "T5", "C3", "M5"} <= {a.rule for a in gathered}  # referrals and reports
    urgency = attrgetter("due", "rule", "subject")
    assert open_alerts(engine, pm, TODAY) == sorted(gathered, key=urgency)
    ledger = [gathered[-1], gathered[0]]
    monkeypatch.setattr(today_alerts, "obligations", lambda engine, user, today: ledger)
    assert open_alerts(engine, pm, TODAY) == sorted(ledger, key=urgency)


def test_recording_the_prosecutor_notice_closes_t5_and_is_audited(engine, team):
    cm = sign_in(engine, "cma")
    record_closing_action(
        engine,
        cm,
        rule="T5",
        referral_id=team.id,
        expected_version=1,
        on=TODAY,
        today=TODAY,
        office="KCPAO",
        method="phone",
    )
    assert rules(open_alerts(engine, cm, TODAY)) == [("BUR-0001", "T4", "overdue")]
    row = browse(engine, AuditFilter(action="referral.prosecutor_notice"))[0]
    assert (row["user"], row["subject"], row["purpose"]) == ("cma", "BUR-0001", "closes T5 alert")


def test_recording_the_intake_closes_t4_and_t5(engine, team):
    cm = sign_in(engine, "cma")
    record_closing_action(
        engine, cm, rule="T4", referral_id=team.id, expected_version=1, on=TODAY, today=TODAY
    )
    assert rules(open_alerts(engine, cm, TODAY)) == [("BUR-0001", "C3", "due in 2 days")]


@pytest.mark.parametrize(
    "on, message",
    [
        pytest.param(TODAY + days(1), "cannot be in the future", id="future-date"),
        pytest.param(TODAY - days(40), "before the referral date", id="before-referral"),
    ],
)
def test_closing_dates_are_validated(engine, team, on, message):
    cm = sign_in(engine, "cma")
    with pytest.raises(ValidationError, match=message):
        record_closing_action(
            engine, cm, rule="T4", referral_id=team.id, expected_version=1, on=on, today=TODAY
        )


def test_a_stale_closing_action_is_refused(engine, team):
    cm = sign_in(engine, "cma")
    record_closing_action(
        engine,
        cm,
        rule="T5",
        referral_id=team.id,
        expected_version=1,
        on=TODAY,
        today=TODAY,
        office="KCPAO",
        method="phone",
    )
    with pytest.raises(StaleEditError, match="changed by cma"):
        record_closing_action(
            engine, cm, rule="T4", referral_id=team.id, expected_version=1, on=TODAY, today=TODAY
        )


def test_site_settings_change_the_window(engine, team):
    from services.core.audit import SYSTEM
    from services.core.site import get_settings, update_settings

    update_settings(
        engine,
        actor=SYSTEM,
        expected_version=get_settings(engine).version,
        changes={"intake_days": 45},
    )
    got = rules(open_alerts(engine, sign_in(engine, "cma"), TODAY))
    assert got == [("BUR-0001", "T4", "later")]


def test_a_release_signed_again_after_rescission_counts(engine, team):
    p = make_participant(engine, "BUR-0003", case_manager=None)
    make_referral(
        engine,
        p,
        referred=TODAY - days(60),
        intake_completed_date=TODAY - days(50),
        referral_type=ReferralType.social_contact,
        social_contact_approved_date=TODAY - days(60),
    )
    make_release(engine, p, ["BPD"], signed=TODAY - days(55), rescinded=TODAY - days(20))
    pm = sign_in(engine, "pm1")
    assert ("BUR-0003", "C3", "overdue") in rules(open_alerts(engine, pm, TODAY))
    make_release(engine, p, ["BPD"], signed=TODAY - days(3))
    got = [r for r in rules(open_alerts(engine, pm, TODAY)) if r[0] == "BUR-0003"]
    assert got == [("BUR-0003", "S6", "later")]


def test_a_treatment_information_release_does_not_meet_the_intake_release(engine, team):
    """T6/C3 want the general release; the separate C4 release covers treatment only."""
    p = make_participant(engine, "BUR-0004", case_manager=None)
    make_referral(engine, p, referred=TODAY - days(20), intake_completed_date=TODAY - days(10))
    make_release(engine, p, ["BPD"], signed=TODAY - days(12), treatment_information=True)
    pm = sign_in(engine, "pm1")
    assert ("BUR-0004", "C3", "overdue") in rules(open_alerts(engine, pm, TODAY))
    make_release(engine, p, ["BPD"], signed=TODAY - days(11))
    assert [r for r in rules(open_alerts(engine, pm, TODAY)) if r[0] == "BUR-0004"] == []


@pytest.mark.parametrize(
    "due_in, expected",
    [
        (-1, "overdue"),
        (0, "due in 2 days"),
        (2, "due in 2 days"),
        (3, "due in 7 days"),
        (7, "due in 7 days"),
        (8, "later"),
    ],
)
def test_severity_bands(due_in, expected):
    assert severity(TODAY + days(due_in), TODAY) == expected


# --- Alerts beyond the contract ------------------------------------------------------------------


SCREENED = date(2026, 2, 27)  # 2028 is a leap year; 2026 is not: Feb 27 + 2 days = Mar 1
NO_DATES = {"initial_screening_date": None, "intake_completed_date": None}


@pytest.mark.parametrize(
    "today, max_hours, expected",
    [
        pytest.param(SCREENED, 48, ("due in 2 days", date(2026, 3, 1), 2), id="screening-day"),
        pytest.param(
            date(2026, 3, 1),
            48,
            ("due in 2 days", date(2026, 3, 1), 0),
            id="on-the-optimal-day-across-month-end",
        ),
        pytest.param(date(2026, 3, 2), 48, None, id="day-after-the-window-lapses"),
        pytest.param(
            date(2026, 3, 2), 72, ("due in 2 days", date(2026, 3, 2), 0), id="72-hour-window"
        ),
        pytest.param(
            SCREENED, 49, ("due in 7 days", date(2026, 3, 2), 3), id="49-hours-rounds-up-to-3-days"
        ),
        pytest.param(SCREENED, 24, ("due in 2 days", date(2026, 2, 28), 1), id="24-hour-window"),
    ],
)
def test_the_optimal_intake_reminder_runs_to_the_end_of_the_window(today, max_hours, expected):
    settings = SiteSettings(intake_optimal_hours_max=max_hours)
    dates = NO_DATES | {"initial_screening_date": SCREENED}
    alert = optimal_intake_alert("BUR-0001", dates, None, today, settings, referral_id=1)
    got = alert and (alert.severity, alert.due, alert.days_left)
    assert got == expected
    if alert:
        assert (alert.rule, alert.kind, alert.action) == ("T4", "optimal", "Schedule the intake")
        assert "optimal" in alert.owner.lower() and "Optimal" in alert.message


@pytest.mark.parametrize(
    "dates, scheduled",
    [
        pytest.param(NO_DATES, None, id="not-screened"),
        pytest.param(
            NO_DATES | {"initial_screening_date": SCREENED}, SCREENED, id="intake-scheduled"
        ),
        pytest.param(
            {"initial_screening_date": SCREENED, "intake_completed_date": SCREENED},
            None,
            id="intake-done",
        ),
    ],
)
def test_no_optimal_reminder_when_nothing_is_owed(dates, scheduled):
    assert optimal_intake_alert("BUR-0001", dates, scheduled, SCREENED, SiteSettings()) is None


SHEET = date(2028, 2, 24)  # leap year: + 7 days = Mar 2


@pytest.mark.parametrize(
    "today, involved, sheet, days_setting, expected",
    [
        pytest.param(
            SHEET, True, SHEET, 7, (date(2028, 3, 2), 7, "due in 7 days"), id="sheet-given-today"
        ),
        pytest.param(
            date(2028, 2, 29), True, SHEET, 7, (date(2028, 3, 2), 2, "due in 2 days"), id="leap-day"
        ),
        pytest.param(
            date(2028, 3, 2),
            True,
            SHEET,
            7,
            (date(2028, 3, 2), 0, "due in 2 days"),
            id="last-day-to-object",
        ),
        pytest.param(date(2028, 3, 3), True, SHEET, 7, None, id="window-closed"),
        pytest.param(
            date(2028, 3, 3),
            True,
            SHEET,
            10,
            (date(2028, 3, 5), 2, "due in 2 days"),
            id="ten-day-setting",
        ),
        pytest.param(SHEET, False, SHEET, 7, None, id="no-victim"),
        pytest.param(SHEET, True, None, 7, None, id="sheet-not-given"),
    ],
)
def test_the_victim_objection_window(today, involved, sheet, days_setting, expected):
    settings = SiteSettings(victim_objection_days=days_setting)
    alert = victim_window_alert("BUR-0001", involved, sheet, today, settings, referral_id=3)
    assert (alert and (alert.due, alert.days_left, alert.severity)) == expected
    if alert:
        assert alert.rule == "V1" and alert.referral_id == 3 and "PROTOCOL V1" in alert.message


@pytest.mark.parametrize(
    "today, expected",
    [
        pytest.param(date(2026, 11, 9), date(2026, 11, 10), id="day-before"),
        pytest.param(date(2026, 11, 10), date(2026, 11, 10), id="due-day"),
        pytest.param(date(2026, 11, 11), date(2026, 12, 10), id="day-after-moves-to-next-month"),
        pytest.param(date(2026, 12, 11), date(2027, 1, 10), id="year-end"),
        pytest.param(date(2026, 1, 31), date(2026, 2, 10), id="month-end"),
    ],
)
def test_the_bhrd_report_due_date(today, expected):
    assert bhrd_due(today, 10) == expected


@pytest.mark.parametrize(
    "today, due_day, expected",
    [
        pytest.param(date(2028, 2, 28), 28, date(2028, 2, 28), id="leap-february-28"),
        pytest.param(date(2028, 2, 29), 28, date(2028, 3, 28), id="leap-day-after-due"),
        pytest.param(date(2026, 2, 1), 1, date(2026, 2, 1), id="first-of-month"),
    ],
)
def test_the_bhrd_report_due_date_on_other_days(today, due_day, expected):
    assert bhrd_due(today, due_day) == expected


def test_only_the_project_manager_gets_the_bhrd_reminder(engine, team):
    settings = SiteSettings(bhrd_report_due_day=10)
    pm = sign_in(engine, "pm1")
    october_done = {date(2026, 10, 1)}.__contains__
    (alert,) = report_alerts(pm, TODAY, settings, october_done)
    assert (alert.rule, alert.subject, alert.due, alert.severity) == (
        "M5",
        "BHRD report for November 2026",
        date(2026, 12, 10),
        "later",
    )
    assert report_alerts(sign_in(engine, "cma"), TODAY, settings, october_done) == []


@pytest.mark.parametrize(
    "today, prepared, expected",
    [
        pytest.param(date(2026, 11, 27), set(), ("October 2026", date(2026, 11, 10)), id="missed"),
        pytest.param(date(2026, 11, 5), set(), ("October 2026", date(2026, 11, 10)), id="due-soon"),
        pytest.param(
            date(2026, 11, 5),
            {date(2026, 10, 1)},
            ("November 2026", date(2026, 12, 10)),
            id="prepared-early",
        ),
        pytest.param(
            date(2026, 11, 27),
            {date(2026, 10, 1)},
            ("November 2026", date(2026, 12, 10)),
            id="prepared-late",
        ),
    ],
)
def test_a_bhrd_report_not_prepared_stays_overdue_until_it_is(
    team, engine, today, prepared, expected
):
    """PROTOCOL M5: the reminder closes when the month's report is prepared, not on a date."""
    settings = SiteSettings(bhrd_report_due_day=10)
    (alert,) = report_alerts(sign_in(engine, "pm1"), today, settings, prepared.__contains__)
    assert (alert.subject, alert.due) == (f"BHRD report for {expected[0]}", expected[1])
    assert (alert.severity == "overdue") is (expected[1] < today)


def test_preparing_the_bhrd_file_moves_the_reminder_to_the_next_month(engine, team):
    from services.core.audit import SYSTEM
    from services.core.site import get_settings, update_settings
    from services.reports.funder import export_bhrd
    from services.reports.report_back import period_containing

    pm = sign_in(engine, "pm1")
    update_settings(
        engine,
        actor=SYSTEM,
        expected_version=get_settings(engine).version,
        changes={"bhrd_report_due_day": 10},
    )

    def m5():
        return [(a.subject, a.severity) for a in open_alerts(engine, pm, TODAY) if a.rule == "M5"]

    assert m5() == [("BHRD report for October 2026", "overdue")]
    export_bhrd(engine, pm, period_containing(date(2026, 10, 1), "month"), fmt="csv")
    assert m5() == [("BHRD report for November 2026", "later")]


def _user(engine, name):
    with write_session(engine) as session:
        return session.exec(select(User).where(User.username == name)).one()


def _active(engine, lead_id, manager, last_contact=None, contact_rows=()):
    p = make_participant(engine, lead_id, case_manager=manager)
    with write_session(engine) as session:
        row = session.get(type(p), p.id)
        row.status = ParticipantStatus.active
        row.last_contact_date = last_contact
        for on in contact_rows:
            session.add(
                Contact(
                    participant_id=p.id,
                    on=on,
                    kind="field",
                    staff_id=manager.id,
                    at=datetime.now(UTC),
                )
            )
    return p


LAST = TODAY - days(14)


@pytest.mark.parametrize(
    "last_contact, contact_rows, expected",
    [
        pytest.param(TODAY - days(13), (), None, id="13-days-not-yet"),
        pytest.param(LAST, (), (TODAY, 0, "due in 2 days"), id="exactly-14-days"),
        pytest.param(TODAY - days(15), (), (TODAY - days(1), -1, "overdue"), id="15-days-overdue"),
        pytest.param(TODAY - days(40), (TODAY - days(2),), None, id="a-later-contact-row-counts"),
        pytest.param(
            None, (TODAY - days(20),), (TODAY - days(6), -6, "overdue"), id="contact-rows-only"
        ),
    ],
)
def test_no_contact_with_an_active_participant(engine, team, last_contact, contact_rows, expected):
    cma = sign_in(engine, "cma")
    _active(engine, "BUR-0007", _user(engine, "cma"), last_contact, contact_rows)
    settings = SiteSettings(no_contact_alert_days=14)
    got = no_contact_alerts(engine, cma, TODAY, settings)
    assert (got[0].due, got[0].days_left, got[0].severity) == expected if expected else got == []
    if got:
        assert (got[0].rule, got[0].subject, got[0].owner) == ("NC", "BUR-0007", "Case manager")
        assert "Sample" not in got[0].message  # LEAD ids only, never names
    assert no_contact_alerts(engine, sign_in(engine, "cmb"), TODAY, settings) == []
    assert len(no_contact_alerts(engine, sign_in(engine, "sup"), TODAY, settings)) == len(got)


def test_no_contact_counts_from_the_intake_when_nothing_is_logged(engine, team):
    p = _active(engine, "BUR-0008", _user(engine, "cmb"))
    make_referral(engine, p, referred=TODAY - days(40), intake_completed_date=TODAY - days(20))
    got = no_contact_alerts(engine, sign_in(engine, "pm1"), TODAY, SiteSettings())
    assert [(a.subject, a.due) for a in got] == [("BUR-0008", TODAY - days(6))]
    assert "becoming active" in got[0].message


def _session(engine, on, cutoff, finalized=False, kind="staffing"):
    with write_session(engine) as session:
        session.add(
            StaffingSession(
                kind=kind,
                on=on,
                cutoff_on=cutoff,
                finalized_at=datetime.now(UTC) if finalized else None,
            )
        )


def test_the_next_agenda_cutoff_for_the_project_manager_and_case_managers(engine, team):
    _session(engine, TODAY + days(1), TODAY - days(1))  # cut-off passed yesterday
    _session(engine, TODAY + days(2), TODAY, finalized=True)  # agenda already final
    _session(engine, TODAY + days(9), TODAY + days(7))
    _session(engine, TODAY + days(20), TODAY + days(18))
    pm, cm, sup = (sign_in(engine, n) for n in ("pm1", "cma", "sup"))
    (alert,) = cutoff_alerts(engine, pm, TODAY)
    assert (alert.rule, alert.subject, alert.due, alert.severity) == (
        "M2",
        "Staffing session on 2026-12-06",
        TODAY + days(7),
        "due in 7 days",
    )
    assert alert.action == "Prepare the agenda from the names sent"
    assert cutoff_alerts(engine, cm, TODAY)[0].owner == "Case manager (names to discuss)"
    assert cutoff_alerts(engine, sup, TODAY) == []


def test_no_staffing_session_means_no_cutoff_alert(engine, team):
    assert cutoff_alerts(engine, sign_in(engine, "pm1"), TODAY) == []


def test_open_alerts_include_the_soft_t4_and_the_victim_window(engine, team):
    cm = sign_in(engine, "cma")
    p = make_participant(engine, "BUR-0005", case_manager=_user(engine, "cma"))
    make_referral(
        engine,
        p,
        referred=TODAY - days(1),
        initial_screening_date=TODAY - days(1),
        victim_involved=True,
        victim_sheet_date=TODAY - days(1),
    )
    got = [(a.subject, a.rule, a.kind, a.due) for a in open_alerts(engine, cm, TODAY)]
    assert ("BUR-0005", "T4", "optimal", TODAY + days(1)) in got
    assert ("BUR-0005", "V1", "victim", TODAY + days(6)) in got
    assert ("BUR-0005", "T4", "", TODAY + days(29)) in got
    rows = [r for r in alert_rows(open_alerts(engine, cm, TODAY)) if r["About"] == "BUR-0005"]
    assert rows[0]["Closing action"] == "Schedule the intake"


def test_scheduling_from_today_closes_the_soft_reminder(engine, team):
    cm = sign_in(engine, "cma")
    p = make_participant(engine, "BUR-0005", case_manager=_user(engine, "cma"))
    ref = make_referral(engine, p, referred=TODAY, initial_screening_date=TODAY, stage="screened")
    record_closing_action(
        engine,
        cm,
        rule="T4",
        kind="optimal",
        referral_id=ref.id,
        expected_version=1,
        on=TODAY + days(1),
        today=TODAY,
    )
    got = [(a.rule, a.kind) for a in open_alerts(engine, cm, TODAY) if a.subject == "BUR-0005"]
    assert got == [("T4", "")]


def test_an_extension_from_today_moves_the_deadline(engine, team):
    cm = sign_in(engine, "cma")
    (t4, t5) = open_alerts(engine, cm, TODAY)
    extend_from_alert(
        engine, cm, alert=t5, new_date=TODAY + days(10), extended_by="BPD sergeant", today=TODAY
    )
    assert [(a.rule, a.due) for a in open_alerts(engine, cm, TODAY)] == [("T4", TODAY + days(10))]


def test_a_release_alert_is_not_closed_from_today(engine, team):
    with pytest.raises(ValidationError, match="Record a signed release: record it where"):
        record_closing_action(
            engine,
            sign_in(engine, "sup"),
            rule="C3",
            referral_id=team.id,
            expected_version=1,
            on=TODAY,
            today=TODAY,
        )


# --- The calendar (RFC 5545) --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, escaped",
    [
        pytest.param("plain", "plain", id="plain"),
        pytest.param("a,b", "a\\,b", id="comma"),
        pytest.param("a;b", "a\\;b", id="semicolon"),
        pytest.param("a\\b", "a\\\\b", id="backslash"),
        pytest.param("a\nb", "a\\nb", id="newline"),
        pytest.param("a\r\nb", "a\\nb", id="crlf"),
        pytest.param("\\,", "\\\\\\,", id="backslash-then-comma"),
    ],
)
def test_ics_text_escaping(text, escaped):
    assert ics_escape(text) == escaped


@pytest.mark.parametrize("char", ["x", "é", "名"])
def test_ics_lines_fold_at_75_octets_without_splitting_a_character(char):
    folded = ics_fold("SUMMARY:" + char * 200)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert parts[0] + "".join(p[1:] for p in parts[1:]) == "SUMMARY:" + char * 200


def _unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def test_the_calendar_has_one_all_day_event_per_deadline_and_no_names(engine, team):
    cm = sign_in(engine, "cma")
    alerts = open_alerts(engine, cm, TODAY)
    ics = calendar_ics(
        alerts,
        site_name="Burien LEAD",
        notice="Notice, with; marks",
        now=datetime(2026, 11, 27, 20, tzinfo=UTC),
    )
    assert ics.endswith("\r\n") and "\n" not in ics.replace("\r\n", "")
    lines = _unfold(ics)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "X-WR-CALDESC:Notice\\, with\\; marks" in lines
    starts = [line for line in lines if line.startswith("DTSTART")]
    assert starts == ["DTSTART;VALUE=DATE:20261126", "DTSTART;VALUE=DATE:20261203"]
    assert "DTEND;VALUE=DATE:20261127" in lines
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == 2 == lines.count("BEGIN:VEVENT")
    assert "SUMMARY:T4 BUR-0001: In-depth intake deadline" in lines
    assert "DTSTAMP:20261127T200000Z" in lines
    assert "Avery" not in ics and "Sample" not in ics


def test_the_calendar_carries_lead_ids_and_rule_titles_never_action_item_text_or_names():
    free_text = "From the 3 Dec session: drive Avery Sample to 12 Main St; call Jordan Fake-Person"
    alerts = [
        make_alert("Action item", "BUR-0007", TODAY, TODAY, "BPD", "Mark it done", free_text,
                   action_id=4),
        make_alert("Action item", "Avery Sample", TODAY, TODAY, "you", "Mark it done", free_text,
                   action_id=5),
        make_alert("NC", "BUR-0008", TODAY, TODAY, "Case manager", "Log a contact",
                   "No contact with Avery Sample since the shelter on 4th Ave"),
    ]  # fmt: skip
    ics = calendar_ics(alerts, site_name="Burien LEAD", notice="Notice", now=NOW_UTC)
    lines = _unfold(ics)
    summaries = [line for line in lines if line.startswith("SUMMARY:")]
    assert summaries == [
        "SUMMARY:Action item BUR-0007: Staffing action item",
        "SUMMARY:Action item: Staffing action item",
        "SUMMARY:NC BUR-0008: No contact with an active participant",
    ]
    for leaked in ("Avery", "Jordan", "Main St", "4th Ave", "drive", "shelter", "BPD"):
        assert leaked not in ics
    assert len({line for line in lines if line.startswith("UID:")}) == 3


def test_the_calendar_download_is_audited(engine, team):
    record_calendar_download(engine, sign_in(engine, "cma"), 2)
    row = browse(engine, AuditFilter(action="alerts.calendar_export"))[0]
    assert (row["user"], row["subject"]) == ("cma", "2 deadline(s)")


def _alert(rule, **refs):
    return make_alert(rule, "BUR-0001", TODAY, TODAY, "owner", "act", "message", **refs)


@pytest.mark.parametrize(
    ("rule", "refs", "role", "route"),
    [
        ("T4", {"referral_id": 1}, Role.case_manager, ("referral", None)),
        ("T5", {"referral_id": 1}, Role.project_manager, ("referral", None)),
        ("S6", {"referral_id": 1}, Role.project_manager, ("referral", None)),
        ("T4", {}, Role.case_manager, ("none", None)),  # no referral: nothing to record it on
        ("NC", {"participant_id": 1}, Role.case_manager, ("contact", None)),
        ("NC", {"participant_id": 1}, Role.clinical_supervisor, ("contact", None)),
        ("NC", {"participant_id": 1}, Role.project_manager, ("page", "participant")),
        ("NC", {}, Role.project_manager, ("none", None)),
        ("C3", {"participant_id": 1}, Role.case_manager, ("page", "participant")),
        ("V1", {"referral_id": 1}, Role.case_manager, ("page", "referrals")),
        ("M5", {}, Role.project_manager, ("page", "funder_reports")),
        ("M2", {}, Role.project_manager, ("page", "agenda")),
        ("M2", {}, Role.case_manager, ("page", "submit_names")),
        ("Action item", {"action_id": 7}, Role.law_enforcement, ("action", None)),
        ("Action item", {}, Role.case_manager, ("none", None)),
        ("M5", {}, Role.case_manager, ("none", None)),  # Funder reports is not theirs to open
    ],
)
def test_today_closes_each_alert_in_place_or_links_where_it_is_recorded(rule, refs, role, route):
    assert closing_route(_alert(rule, **refs), role) == route


def test_the_prosecutors_answer_closes_the_victim_alert_and_is_recorded_once(engine, team):
    from services.referrals import record_victim_objection

    cm = sign_in(engine, "cma")
    p = make_participant(engine, "BUR-0005", case_manager=_user(engine, "cma"))
    ref = make_referral(
        engine, p, referred=TODAY - days(2), victim_involved=True, victim_sheet_date=TODAY - days(1)
    )

    def v1_alerts():
        return [a for a in open_alerts(engine, cm, TODAY) if a.rule == "V1"]

    assert [a.action for a in v1_alerts()] == ["Record whether the victim objected"]
    answer = {"referral_id": ref.id, "objected": False, "today": TODAY}
    with pytest.raises(ValidationError, match="before the victim information sheet"):
        record_victim_objection(engine, cm, expected_version=1, on=TODAY - days(2), **answer)
    record_victim_objection(engine, cm, expected_version=1, on=TODAY, **answer)
    assert v1_alerts() == []
    with pytest.raises(ValidationError, match="already recorded"):
        record_victim_objection(engine, cm, expected_version=2, on=TODAY, **answer)
