"""Today's alerts: the contract rules on stored referrals, who sees them, closing actions."""

from datetime import date

import pytest

from models import ReferralType, Role
from services.alerts import open_alerts, record_closing_action, severity
from services.errors import StaleEditError, ValidationError
from tests.factories import days, make_participant, make_referral, make_release, make_user, sign_in

TODAY = date(2026, 11, 27)


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


def test_recording_the_prosecutor_notice_closes_t5_and_is_audited(engine, team):
    cm = sign_in(engine, "cma")
    record_closing_action(
        engine, cm, rule="T5", referral_id=team.id, expected_version=1, on=TODAY, today=TODAY
    )
    assert rules(open_alerts(engine, cm, TODAY)) == [("BUR-0001", "T4", "overdue")]
    from services.audit import AuditFilter, browse

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
        engine, cm, rule="T5", referral_id=team.id, expected_version=1, on=TODAY, today=TODAY
    )
    with pytest.raises(StaleEditError, match="changed by cma"):
        record_closing_action(
            engine, cm, rule="T4", referral_id=team.id, expected_version=1, on=TODAY, today=TODAY
        )


def test_site_settings_change_the_window(engine, team):
    from services.audit import SYSTEM
    from services.site import get_settings, update_settings

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
