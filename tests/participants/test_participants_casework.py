"""Casework on the record: identity, releases, intake, plan, services, contacts, status, housing.

Every change is validated with a field-level message (nothing saved), version-checked where the
row has a version, and audited without note text (PROTOCOL C1-C4, T4, T6, P1-P3; SECURITY 25).
"""

import pytest
from sqlalchemy import update
from sqlmodel import col, func, select

from models import (
    AuditEvent,
    Contact,
    HousingChange,
    Participant,
    PlanGoalChange,
    Referral,
    Release,
    Role,
    Service,
    StatusChange,
)
from services import participants
from services.core.db import read_session, write_session
from services.core.errors import StaleEditError, ValidationError
from services.participants import consent, view_record
from services.participants import identity as identity_edits
from services.today import open_alerts
from tests.checks_participants import edit_races
from tests.factories import days, make_participant, make_referral, make_user, sign_in
from tests.factories_participants import TODAY


@pytest.fixture
def team(engine):
    cm = make_user(engine, "cm", Role.case_manager)
    make_user(engine, "sup", Role.clinical_supervisor)
    make_user(engine, "pm", Role.project_manager)
    make_user(engine, "bpd", Role.law_enforcement)
    make_user(engine, "kcpao", Role.prosecutor)
    person = make_participant(engine, "BUR-0001", name="Avery", case_manager=cm)
    make_referral(engine, person, referred=TODAY - days(10), initial_screening_date=TODAY - days(9))
    return {name: sign_in(engine, name) for name in ("cm", "sup", "pm", "bpd", "kcpao")}, person


def stored(engine, person) -> Participant:
    with read_session(engine) as session:
        return session.get(Participant, person.id)


def count(engine, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    with read_session(engine) as session:
        return session.exec(query).one()


def audit_actions(engine) -> list[tuple[str, str, str]]:
    with read_session(engine) as session:
        rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    return [(r.action, r.subject, r.purpose) for r in rows]


def release_kwargs(**changes) -> dict:
    base = {
        "kind": "written",
        "signed_date": TODAY,
        "covered": ["BPD", "KCPAO"],
        "purpose": "LEAD coordination",
        "expires_date": TODAY + days(365),
    }
    return base | changes


# --- Identity and version checks ------------------------------------------------------------------


def identity(**changes) -> dict:
    return {"legal_name": "Avery Q. Sample", "preferred_name": "Avery"} | changes


def test_identity_edits_are_saved_audited_and_bump_the_version(engine, team):
    users, person = team
    participants.update_identity(
        engine,
        users["cm"],
        participant_id=person.id,
        expected_version=1,
        values=identity(
            aliases="A. Sample; Ave", race_ethnicity="declined", interpreter_needed=True
        ),
        today=TODAY,
    )
    row = stored(engine, person)
    assert (row.version, row.aliases, row.race_ethnicity) == (2, ["A. Sample", "Ave"], "declined")
    assert row.interpreter_needed is True and row.updated_by == "cm"
    assert audit_actions(engine)[-1][:2] == ("participant.edit", "BUR-0001")


def test_the_later_of_two_editors_gets_a_visible_conflict_and_nothing_is_overwritten(engine, team):
    users, person = team
    save = dict(participant_id=person.id, expected_version=1, today=TODAY)
    participants.update_identity(engine, users["cm"], values=identity(preferred_name="Ave"), **save)
    with pytest.raises(StaleEditError, match="changed by cm"):
        participants.update_identity(
            engine, users["sup"], values=identity(preferred_name="Avi"), **save
        )
    assert stored(engine, person).preferred_name == "Ave"


@pytest.mark.parametrize(
    "values, message",
    [
        pytest.param(identity(legal_name="  "), "Legal name: required", id="blank-legal-name"),
        pytest.param(identity(preferred_name=""), "Preferred name: required", id="no-name"),
        pytest.param(
            identity(date_of_birth=TODAY + days(1)), "cannot be in the future", id="born-tomorrow"
        ),
        pytest.param(identity(race_ethnicity="Martian"), "Race and ethnicity", id="unlisted-race"),
        pytest.param(identity(gender_identity="x"), "Gender identity", id="unlisted-gender"),
        pytest.param(identity(primary_language="x" * 61), "at most 60", id="long-language"),
    ],
)
def test_identity_input_is_validated_and_nothing_saved(engine, team, values, message):
    users, person = team
    with pytest.raises(ValidationError, match=message):
        participants.update_identity(
            engine,
            users["cm"],
            participant_id=person.id,
            expected_version=1,
            values=values,
            today=TODAY,
        )
    assert stored(engine, person).version == 1


@pytest.mark.parametrize("who", ["bpd", "kcpao"])
def test_partners_change_nothing(engine, team, who):
    users, person = team
    with pytest.raises(ValidationError, match="your role may not"):
        participants.update_identity(
            engine,
            users[who],
            participant_id=person.id,
            expected_version=1,
            values=identity(),
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="your role may not"):
        participants.log_contact(
            engine,
            users[who],
            participant_id=person.id,
            on=TODAY,
            kind="field",
            minutes=5,
            note="",
            today=TODAY,
        )


def test_only_supervisors_and_the_project_manager_assign_a_case_manager(engine, team):
    users, person = team
    other = make_user(engine, "cm2", Role.case_manager)
    with pytest.raises(ValidationError, match="your role may not"):
        participants.assign_case_manager(
            engine,
            users["cm"],
            participant_id=person.id,
            expected_version=1,
            case_manager_id=other.id,
        )
    participants.assign_case_manager(
        engine, users["sup"], participant_id=person.id, expected_version=1, case_manager_id=other.id
    )
    assert stored(engine, person).case_manager_id == other.id


# --- Releases of information (PROTOCOL C1-C4) -----------------------------------------------------


def test_a_written_release_opens_the_partner_safe_view_for_the_organizations_it_covers(
    engine, team
):
    users, person = team
    assert not view_record(engine, users["bpd"], person.id, TODAY, "t").allowed
    consent.add_release(
        engine, users["cm"], participant_id=person.id, today=TODAY, **release_kwargs()
    )
    assert view_record(engine, users["bpd"], person.id, TODAY, "t").allowed
    with read_session(engine) as session:
        row = session.exec(select(Release)).one()
    assert (row.kind, row.covered_org_codes, row.memorialised_by) == (
        "written",
        ["BPD", "KCPAO"],
        "",
    )
    assert ("release.add", "BUR-0001", "written release covering BPD, KCPAO") in audit_actions(
        engine
    )


def test_a_verbal_release_is_memorialised_by_the_staff_member_who_records_it(engine, team):
    users, person = team
    consent.add_release(
        engine, users["sup"], participant_id=person.id, today=TODAY, **release_kwargs(kind="verbal")
    )
    with read_session(engine) as session:
        assert session.exec(select(Release.memorialised_by)).one() == "sup"


@pytest.mark.parametrize(
    "changes, message",
    [
        pytest.param({"signed_date": None}, "Signed date: required", id="no-signed-date"),
        pytest.param(
            {"signed_date": TODAY + days(1)}, "Signed date: it cannot be in the future", id="future"
        ),
        pytest.param({"covered": []}, "Covered organizations: choose at least one", id="no-orgs"),
        pytest.param({"covered": ["FBI"]}, "unknown code", id="unknown-org"),
        pytest.param({"purpose": " "}, "Purpose: required", id="no-purpose"),
        pytest.param({"expires_date": None}, "Expiry: required", id="no-expiry"),
        pytest.param({"expires_date": TODAY}, "after the signed date", id="expires-on-signing"),
        pytest.param({"kind": "telepathic"}, "Kind: choose written or verbal", id="unknown-kind"),
    ],
)
def test_a_release_missing_a_required_element_is_refused_field_by_field(
    engine, team, changes, message
):
    users, person = team
    with pytest.raises(ValidationError, match=message):
        consent.add_release(
            engine, users["cm"], participant_id=person.id, today=TODAY, **release_kwargs(**changes)
        )
    assert count(engine, Release) == 0


def test_no_consent_is_taken_while_the_person_is_marked_unable_to_give_it(engine, team):
    users, person = team
    with write_session(engine) as session:
        session.exec(select(Referral)).one().incapacitated = True
    with pytest.raises(ValidationError, match="PROTOCOL C2"):
        consent.add_release(
            engine, users["cm"], participant_id=person.id, today=TODAY, **release_kwargs()
        )


def test_a_treatment_release_is_kept_apart_from_partners(engine, team):
    users, person = team
    with pytest.raises(ValidationError, match="cannot name police"):
        consent.add_release(
            engine,
            users["cm"],
            participant_id=person.id,
            today=TODAY,
            treatment_information=True,
            **release_kwargs(covered=["Valley Demo Clinic", "bpd"]),
        )
    consent.add_release(
        engine,
        users["cm"],
        participant_id=person.id,
        today=TODAY,
        treatment_information=True,
        **release_kwargs(covered=["Valley Demo Clinic"]),
    )
    assert not view_record(engine, users["bpd"], person.id, TODAY, "t").allowed
    pm_view = view_record(engine, users["pm"], person.id, TODAY, "t")
    assert "treatment_releases" not in pm_view.sections and "Valley" not in pm_view.shown_text()
    cm_view = view_record(engine, users["cm"], person.id, TODAY, "t")
    assert cm_view.sections["treatment_releases"][0]["Covers"] == "Valley Demo Clinic"


def test_rescinding_closes_the_partner_view_on_the_next_read_and_only_once(engine, team):
    users, person = team
    rid = consent.add_release(
        engine, users["cm"], participant_id=person.id, today=TODAY, **release_kwargs()
    )
    assert view_record(engine, users["kcpao"], person.id, TODAY, "t").allowed
    consent.rescind_release(engine, users["cm"], release_id=rid, on=TODAY, today=TODAY)
    denied = view_record(engine, users["kcpao"], person.id, TODAY, "t")
    assert not denied.allowed and denied.consent == "rescinded"
    with pytest.raises(ValidationError, match="already rescinded"):
        consent.rescind_release(engine, users["sup"], release_id=rid, on=TODAY, today=TODAY)


def test_a_rescission_cannot_predate_the_signature(engine, team):
    users, person = team
    rid = consent.add_release(
        engine, users["cm"], participant_id=person.id, today=TODAY, **release_kwargs()
    )
    with pytest.raises(ValidationError, match="before the signed date"):
        consent.rescind_release(
            engine, users["cm"], release_id=rid, on=TODAY - days(1), today=TODAY
        )


# --- Intake and activation (PROTOCOL T4, T6) ------------------------------------------------------

FACTORS = {
    "chemical_dependency": "need identified",
    "mental_health": "declined to answer",
    "housing": "need identified",
    "legal_involvement": "no need",
    "employment": "not asked",
    "education": "no need",
}


def intake(engine, user, person, **changes):
    kwargs = {
        "participant_id": person.id,
        "on": TODAY,
        "factors": FACTORS,
        "immediate_needs_met": "Food and a phone.",
        "today": TODAY,
    } | changes
    return participants.record_intake(engine, user, **kwargs)


def test_recording_the_intake_completes_the_referral_and_closes_the_t4_alert(engine, team):
    users, person = team
    assert "T4" in {a.rule for a in open_alerts(engine, users["cm"], TODAY)}
    intake(engine, users["cm"], person)
    with read_session(engine) as session:
        assert session.exec(select(Referral)).one().intake_completed_date == TODAY
    assert "T4" not in {a.rule for a in open_alerts(engine, users["cm"], TODAY)}
    view = view_record(engine, users["cm"], person.id, TODAY, "t")
    assert view.sections["intakes"][0]["Chemical dependency"] == "need identified"
    assert view.fields["In-depth intake"] == TODAY.isoformat()


@pytest.mark.parametrize(
    "changes, message",
    [
        pytest.param(
            {"on": TODAY + days(1)}, "Intake date: it cannot be in the future", id="future"
        ),
        pytest.param(
            {"on": TODAY - days(11)}, "before the referral date", id="day-before-the-referral"
        ),
        pytest.param(
            {"factors": FACTORS | {"housing": "maybe"}}, "Housing: choose", id="unlisted-answer"
        ),
        pytest.param(
            {"factors": dict.fromkeys(FACTORS, "not asked")},
            "at least one factor",
            id="nothing-surveyed",
        ),
    ],
)
def test_intake_input_is_validated(engine, team, changes, message):
    users, person = team
    with pytest.raises(ValidationError, match=message):
        intake(engine, users["cm"], person, **changes)


def test_an_intake_on_the_referral_day_is_accepted(engine, team):
    users, person = team
    intake(engine, users["cm"], person, on=TODAY - days(10))


@pytest.mark.parametrize("order", ["intake-then-release", "release-then-intake"])
def test_intake_and_release_together_make_an_active_participant(engine, team, order):
    """PROTOCOL T6: whichever comes second makes the person active, with a dated history row."""
    users, person = team
    steps = [
        lambda: intake(engine, users["cm"], person),
        lambda: consent.add_release(
            engine, users["cm"], participant_id=person.id, today=TODAY, **release_kwargs()
        ),
    ]
    for step in steps if order == "intake-then-release" else reversed(steps):
        assert stored(engine, person).status.value == "referred"
        step()
    assert stored(engine, person).status.value == "active"
    with read_session(engine) as session:
        change = session.exec(select(StatusChange)).one()
    assert (change.status, change.on) == ("active", TODAY)


# --- Status and housing ---------------------------------------------------------------------------


def test_a_person_cannot_be_made_active_without_intake_and_release(engine, team):
    users, person = team
    with pytest.raises(ValidationError, match="PROTOCOL T6"):
        participants.set_status(
            engine,
            users["cm"],
            participant_id=person.id,
            expected_version=1,
            status="active",
            on=TODAY,
            reason="",
            today=TODAY,
        )


@pytest.mark.parametrize(
    "status, reason, message",
    [
        pytest.param("exited", "", "Reason: required", id="exit-needs-a-reason"),
        pytest.param("inactive", " ", "Reason: required", id="inactive-needs-a-reason"),
        pytest.param("graduated", "x", "Status: choose", id="unknown-status"),
        pytest.param("referred", "x", "already referred", id="same-status"),
    ],
)
def test_status_changes_are_validated(engine, team, status, reason, message):
    users, person = team
    with pytest.raises(ValidationError, match=message):
        participants.set_status(
            engine,
            users["cm"],
            participant_id=person.id,
            expected_version=1,
            status=status,
            on=TODAY,
            reason=reason,
            today=TODAY,
        )


def test_an_exit_keeps_its_date_and_reason_in_the_history(engine, team):
    users, person = team
    participants.set_status(
        engine,
        users["cm"],
        participant_id=person.id,
        expected_version=1,
        status="exited",
        on=TODAY - days(1),
        reason="no clinical benefit derived (P3)",
        today=TODAY,
    )
    view = view_record(engine, users["cm"], person.id, TODAY, "t")
    assert view.sections["status_history"][0] == {
        "Date": (TODAY - days(1)).isoformat(),
        "Status": "exited",
        "Reason": "no clinical benefit derived (P3)",
        "By": "Test cm",
    }
    assert view.fields["Status"] == "exited"


def test_housing_history_keeps_every_entry_and_the_newest_is_current(engine, team):
    users, person = team
    save = dict(participant_id=person.id, today=TODAY)
    participants.record_housing(
        engine, users["cm"], expected_version=1, situation="vehicle", on=TODAY - days(5), **save
    )
    # An older entry fills in the history without replacing today's situation.
    participants.record_housing(
        engine,
        users["cm"],
        expected_version=2,
        situation="unsheltered",
        on=TODAY - days(30),
        **save,
    )
    assert stored(engine, person).housing_situation == "vehicle"
    assert count(engine, HousingChange) == 2
    with pytest.raises(ValidationError, match="Housing situation"):
        participants.record_housing(
            engine, users["cm"], expected_version=3, situation="castle", on=TODAY, **save
        )


# --- Individual Intervention Plan (PROTOCOL P1) ---------------------------------------------------


def test_goals_keep_the_participants_words_and_every_status_change(engine, team):
    users, person = team
    gid = participants.add_goal(
        engine,
        users["cm"],
        participant_id=person.id,
        domain="housing",
        goal="A place of my own.",
        on=TODAY - days(7),
        today=TODAY,
    )
    change = dict(goal_id=gid, on=TODAY, today=TODAY)
    participants.change_goal_status(
        engine, users["cm"], expected_version=1, status="in progress", **change
    )
    participants.change_goal_status(
        engine, users["cm"], expected_version=2, status="achieved", **change
    )
    with pytest.raises(StaleEditError):
        participants.change_goal_status(
            engine, users["sup"], expected_version=2, status="set aside", **change
        )
    assert count(engine, PlanGoalChange) == 3
    view = view_record(engine, users["cm"], person.id, TODAY, "t")
    assert view.sections["plan_goals"][0]["Goal (participant's words)"] == "A place of my own."
    assert [h["Status"] for h in view.sections["plan_history"]] == [
        "achieved",
        "in progress",
        "not started",
    ]
    partner = [
        r["Domain"]
        for r in view_record(engine, users["pm"], person.id, TODAY, "t").sections["plan_domains"]
    ]
    assert partner == ["housing"]
    assert not any("A place of my own" in str(a) for a in audit_actions(engine))


@pytest.mark.parametrize(
    "changes, message",
    [
        pytest.param({"domain": "astronaut training"}, "Domain: choose", id="domain-not-in-p1"),
        pytest.param({"goal": "   "}, "required", id="no-words"),
        pytest.param({"goal": "x" * 1001}, "at most 1,000", id="too-long"),
        pytest.param({"status": "done-ish"}, "Status: choose", id="unknown-status"),
        pytest.param({"on": TODAY + days(1)}, "in the future", id="future-date"),
    ],
)
def test_goal_input_is_validated(engine, team, changes, message):
    users, person = team
    kwargs = {"participant_id": person.id, "domain": "food", "goal": "Eat", "on": TODAY} | changes
    with pytest.raises(ValidationError, match=message):
        participants.add_goal(engine, users["cm"], today=TODAY, **kwargs)


def test_a_goal_cannot_change_before_it_began(engine, team):
    users, person = team
    gid = participants.add_goal(
        engine,
        users["cm"],
        participant_id=person.id,
        domain="food",
        goal="Eat",
        on=TODAY,
        today=TODAY,
    )
    with pytest.raises(ValidationError, match="before the goal began"):
        participants.change_goal_status(
            engine,
            users["cm"],
            goal_id=gid,
            expected_version=1,
            status="in progress",
            on=TODAY - days(1),
            today=TODAY,
        )


# --- Services (PROTOCOL P2, P3) -------------------------------------------------------------------


def service(engine, user, person, **changes) -> int:
    kwargs = {
        "participant_id": person.id,
        "category": "housing",
        "provider": "Demo Motel Voucher Program",
        "start_on": TODAY - days(20),
        "end_on": None,
        "cost_dollars": "1,850.00",
        "funding": "new_capacity",
        "today": TODAY,
    } | changes
    return participants.add_service(engine, user, **kwargs)


def test_a_purchased_service_records_its_cost_and_p2_funding(engine, team):
    users, person = team
    service(engine, users["cm"], person)
    with read_session(engine) as session:
        row = session.exec(select(Service)).one()
    assert (row.cost_cents, row.funding) == (185000, "new_capacity")
    view = view_record(engine, users["pm"], person.id, TODAY, "t")
    assert view.sections["services"][0]["Funding (PROTOCOL P2)"] == "LEAD funds bought new capacity"


@pytest.mark.parametrize(
    "changes, message",
    [
        pytest.param({"funding": ""}, "PROTOCOL P2", id="funding-not-said"),
        pytest.param({"provider": ""}, "Provider: required", id="no-provider"),
        pytest.param({"cost_dollars": "-1"}, "Cost: enter an amount from 0", id="negative-cost"),
        pytest.param({"cost_dollars": "lots"}, "Cost: enter an amount in dollars", id="words"),
        pytest.param({"end_on": TODAY - days(21)}, "End: it cannot be before", id="ends-first"),
        pytest.param({"category": "yacht"}, "Service type: choose", id="unlisted-type"),
    ],
)
def test_service_input_is_validated(engine, team, changes, message):
    users, person = team
    with pytest.raises(ValidationError, match=message):
        service(engine, users["cm"], person, **changes)
    assert count(engine, Service) == 0


def test_withdrawing_a_service_is_not_an_exit_from_lead(engine, team):
    """PROTOCOL P3: the service ends with its reason; the participant's status is untouched."""
    users, person = team
    sid = service(engine, users["cm"], person)
    with pytest.raises(ValidationError, match="Reason for withdrawal: required"):
        participants.withdraw_service(
            engine, users["cm"], service_id=sid, on=TODAY, reason="", today=TODAY
        )
    participants.withdraw_service(
        engine, users["cm"], service_id=sid, on=TODAY, reason="did not use it", today=TODAY
    )
    with read_session(engine) as session:
        row = session.get(Service, sid)
    assert (row.withdrawn_on, row.end_on, row.withdrawal_reason) == (TODAY, TODAY, "did not use it")
    assert stored(engine, person).status.value == "referred"
    with pytest.raises(ValidationError, match="already withdrawn"):
        participants.withdraw_service(
            engine, users["sup"], service_id=sid, on=TODAY, reason="again", today=TODAY
        )


def test_treatment_services_are_hidden_from_the_project_manager(engine, team):
    users, person = team
    service(engine, users["cm"], person, category="mental health treatment", provider="Clinic X")
    pm = view_record(engine, users["pm"], person.id, TODAY, "t")
    assert pm.sections["services"] == [] and "Clinic X" not in pm.shown_text()
    cm = view_record(engine, users["cm"], person.id, TODAY, "t")
    assert cm.sections["treatment_services"][0]["Provider"] == "Clinic X"


# --- Contacts -------------------------------------------------------------------------------------


def contact(engine, user, person, **changes) -> int:
    kwargs = {
        "participant_id": person.id,
        "on": TODAY,
        "kind": "field",
        "minutes": 15,
        "note": "Saw them at the library.",
        "today": TODAY,
    } | changes
    return participants.log_contact(engine, user, **kwargs)


def test_a_contact_moves_the_last_contact_date_forward_only_and_keeps_the_version(engine, team):
    users, person = team
    contact(engine, users["cm"], person, on=TODAY - days(2))
    assert stored(engine, person).last_contact_date == TODAY - days(2)
    contact(engine, users["cm"], person, on=TODAY - days(9), kind="jail")
    row = stored(engine, person)
    assert (row.last_contact_date, row.version) == (TODAY - days(2), 1)
    assert count(engine, Contact) == 2
    assert ("contact.log", "BUR-0001", "jail contact") in audit_actions(engine)
    assert not any("library" in str(a) for a in audit_actions(engine))


@pytest.mark.parametrize(
    "changes, message",
    [
        pytest.param({"minutes": -1}, "Minutes: enter 0 to 720", id="minus-one-minute"),
        pytest.param({"minutes": 721}, "Minutes: enter 0 to 720", id="over-twelve-hours"),
        pytest.param({"minutes": "15"}, "whole number", id="minutes-as-text"),
        pytest.param({"kind": "carrier pigeon"}, "Kind: choose", id="unknown-kind"),
        pytest.param({"on": TODAY + days(1)}, "in the future", id="tomorrow"),
        pytest.param({"on": TODAY - days(367)}, "last 12 months", id="over-a-year-ago"),
        pytest.param(
            {"note": "x" * 5001},
            "The case note is 5,001 characters long; at most 5,000",
            id="long-note",
        ),
    ],
)
def test_contact_input_is_validated(engine, team, changes, message):
    users, person = team
    with pytest.raises(ValidationError, match=message):
        contact(engine, users["cm"], person, **changes)
    assert count(engine, Contact) == 0


@pytest.mark.parametrize("minutes", [0, 720])
def test_contact_minutes_at_the_bounds_are_accepted(engine, team, minutes):
    users, person = team
    contact(engine, users["cm"], person, minutes=minutes, on=TODAY - days(366))


def test_the_project_manager_sees_contacts_but_never_their_notes(engine, team):
    users, person = team
    contact(engine, users["cm"], person)
    pm = view_record(engine, users["pm"], person.id, TODAY, "t")
    assert pm.sections["contacts"][0] == {
        "Date": TODAY.isoformat(),
        "Kind": "field",
        "Staff": "Test cm",
        "Minutes": 15,
    }
    assert "library" not in pm.shown_text()
    with pytest.raises(ValidationError, match="your role may not"):
        contact(engine, users["pm"], person)


def test_the_timeline_lists_everything_newest_first(engine, team):
    users, person = team
    contact(engine, users["cm"], person, on=TODAY - days(3))
    intake(engine, users["cm"], person, on=TODAY - days(8))
    service(engine, users["cm"], person, start_on=TODAY - days(5))
    consent.add_release(
        engine,
        users["cm"],
        participant_id=person.id,
        today=TODAY,
        **release_kwargs(signed_date=TODAY - days(8)),
    )
    timeline = view_record(engine, users["cm"], person.id, TODAY, "t").sections["timeline"]
    dates = [row["Date"] for row in timeline]
    assert dates == sorted(dates, reverse=True)
    whats = [row["What"] for row in timeline]
    assert whats[0].startswith("Contact (field")
    assert {"In-depth intake", "Service started", "Release of information signed"} <= set(whats)
    assert "Status: active" in whats  # T6: intake and release made the person active


# --- Edit races (SECURITY 25, FIGURE edit-races) ----------------------------------------------


def test_two_editors_racing_on_one_participant_never_overwrite_silently(engine):
    result = edit_races(engine, races=6)
    assert result == {"races": 6, "conflicts": 6, "silent": 0}


def test_the_race_check_catches_a_save_without_a_version_check(engine, monkeypatch):
    """The check can fail: with the version condition dropped, both racers 'win'."""

    def unchecked(session, user, participant_id, expected_version, now, **values):
        session.exec(
            update(Participant)
            .where(col(Participant.id) == participant_id)
            .values(**values, version=Participant.version + 1, updated_by=user.username)
        )

    monkeypatch.setattr(identity_edits, "_save", unchecked)
    assert edit_races(engine, races=4)["silent"] == 4


def test_a_release_that_ended_before_today_is_refused_not_saved(engine, team):
    """SECURITY 33: the expiry field no longer stops a past day; the service does."""
    users, person = team
    old = release_kwargs(signed_date=TODAY - days(400), expires_date=TODAY - days(35))
    with pytest.raises(ValidationError, match="Expiry: it cannot be in the past"):
        consent.add_release(engine, users["cm"], participant_id=person.id, today=TODAY, **old)
    assert count(engine, Release) == 0
