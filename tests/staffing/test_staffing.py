"""Staffing sessions through the services: submissions, agenda building, outcomes, action items.

PROTOCOL M1-M4 and C3; SECURITY 5 (a submission reveals nothing), 8 (audited changes), 25
(version checks).
"""

from datetime import date

import pytest
from sqlmodel import select

from models import AgendaItem, AuditEvent, StaffingSession, Submission
from services import staffing
from services.core.db import read_session, write_session
from services.core.errors import StaleEditError, ValidationError
from services.reports.exports import export_session
from services.staffing import (
    ACTION_ITEMS_TITLE,
    STANDING_TITLES,
    add_action_item,
    add_suggestion,
    agenda,
    agenda_rows,
    carry_submission,
    confirm_match,
    finalize,
    held_submissions,
    hold_submission,
    inbox,
    late_submissions,
    mark_action_done,
    move_item,
    my_action_items,
    my_submissions,
    pickable_participants,
    place_candidate,
    pull_in,
    remove_item,
    save_outcome,
    schedule_session,
    submit_name,
    suggestions,
    update_item,
)
from services.staffing.content import presenter_item, session_document
from services.today import open_alerts
from tests.factories import days, make_participant, make_referral, make_release
from tests.factories_staffing import (
    CUTOFF_DAY,
    SESSION_DAY,
    TODAY,
    at_noon,
    covered,
    make_session,
    make_team,
)

NEUTRAL = staffing.PARTNER_STATUS_BEFORE_SESSION


@pytest.fixture
def team(engine):
    return make_team(engine)


@pytest.fixture
def people(engine, team):
    """Avery: release covers BPD and KCPAO. Blake: release covers BPD only. Casey: none."""
    avery = covered(engine, "BUR-0001", "Avery", aliases=["A. Sample"], cm=team.cm)
    blake = covered(engine, "BUR-0002", "Blake", orgs=("BPD",), cm=team.cm)
    casey = make_participant(engine, "BUR-0003", name="Casey", case_manager=team.cm)
    return avery, blake, casey


def send(engine, user, name="Avery Sample", reason="Seen daily at the station", **kw):
    kw.setdefault("today", TODAY)
    kw.setdefault("now", at_noon(kw["today"]))
    return submit_name(engine, user, person_name=name, reason=reason, **kw)


def subs(engine):
    with read_session(engine) as session:
        return list(session.exec(select(Submission).order_by(Submission.id)))


def items(engine, session_id):
    with read_session(engine) as session:
        return list(
            session.exec(
                select(AgendaItem)
                .where(AgendaItem.session_id == session_id)
                .order_by(AgendaItem.position)
            )
        )


def audit_rows(engine, action):
    with read_session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


# --- Sessions -----------------------------------------------------------------------------------


def test_a_new_session_has_its_cut_off_and_the_standing_items_of_m3(engine, team):
    session_id = schedule_session(
        engine,
        team.pm,
        kind="workgroup",
        on=SESSION_DAY,
        starts_at="09:30",
        place="Burien Community Center",
        attending_org_codes=["BPD", "KCPAO", "PDA"],
        today=TODAY,
    )
    with read_session(engine) as session:
        row = session.get(StaffingSession, session_id)
    assert row.cutoff_on == CUTOFF_DAY
    assert [i.title for i in items(engine, session_id)] == [ACTION_ITEMS_TITLE, *STANDING_TITLES]
    assert audit_rows(engine, "session.schedule")[0].subject == f"session {SESSION_DAY}"


@pytest.mark.parametrize(
    "changes, message",
    [
        pytest.param({"starts_at": "25:00"}, "Start time", id="an-impossible-start-time"),
        pytest.param({"attending_org_codes": []}, "Attending organizations", id="nobody-attends"),
        pytest.param({"attending_org_codes": ["XYZ"]}, "unknown XYZ", id="an-unknown-org"),
        pytest.param({"on": TODAY - days(1)}, "past", id="a-date-in-the-past"),
        pytest.param({"kind": "party"}, "Kind", id="an-unknown-kind"),
    ],
)
def test_scheduling_refuses_bad_input_and_saves_nothing(engine, team, changes, message):
    values = dict(
        kind="workgroup",
        on=SESSION_DAY,
        starts_at="10:00",
        place="",
        attending_org_codes=["BPD"],
    )
    with pytest.raises(ValidationError, match=message):
        schedule_session(engine, team.pm, today=TODAY, **(values | changes))
    with read_session(engine) as session:
        assert session.exec(select(StaffingSession)).first() is None


# --- Submissions (SECURITY 5) -------------------------------------------------------------------


def test_a_name_goes_to_the_next_session_taking_names(engine, team, people):
    later = make_session(engine, SESSION_DAY + days(14))
    first = make_session(engine)
    send(engine, team.bpd, today=CUTOFF_DAY)  # on the cut-off day: still in time
    assert subs(engine)[0].session_id == first
    assert later != first


def test_a_name_sent_after_the_cut_off_goes_to_the_following_session(engine, team, people):
    first = make_session(engine)
    send(engine, team.bpd, today=CUTOFF_DAY + days(1))
    sub = subs(engine)[0]
    assert sub.session_id != first  # the series was extended on its grid
    with read_session(engine) as session:
        following = session.get(StaffingSession, sub.session_id)
    assert following.on == SESSION_DAY + days(14) and following.kind == "workgroup"
    assert [i.title for i in items(engine, following.id)][0] == ACTION_ITEMS_TITLE


def test_with_no_session_scheduled_the_partner_is_told_so_and_nothing_is_saved(engine, team):
    with pytest.raises(ValidationError, match="no staffing session is scheduled"):
        send(engine, team.bpd)
    assert subs(engine) == []


def test_the_confirmation_is_the_same_whoever_the_person_is(engine, team, people):
    """SECURITY 5: participant with a release, without one, no participant, a pick."""
    avery, blake, casey = people
    make_session(engine)
    answers = {
        "participant with a release": send(engine, team.bpd, "Avery Sample"),
        "participant without a release": send(engine, team.bpd, "Casey Sample"),
        "release not covering this org": send(engine, team.kcpao, "Blake Sample"),
        "not a participant": send(engine, team.bpd, "Nobody Example-Unknown"),
        "alias and birth date only": send(
            engine, team.bpd, "", person_alias="A. Sample", person_dob=date(1990, 1, 2)
        ),
        "picked from the list": send(engine, team.bpd, "", participant_id=avery.id),
    }
    assert len(set(answers.values())) == 1, answers
    assert "Thu 3 Dec 2026" in next(iter(answers.values()))
    rows = audit_rows(engine, "submission.create")
    assert {(r.subject, r.outcome, r.purpose) for r in rows} == {
        (f"session {SESSION_DAY}", "ok", "name for discussion (PROTOCOL M2)")
    }
    assert {s.status for s in subs(engine)} == {"submitted"}  # nothing decided at submission


@pytest.mark.parametrize(
    "fields, message",
    [
        pytest.param({"reason": "  "}, "Reason: required", id="no-reason"),
        pytest.param({"reason": "x" * 301}, "at most 300", id="a-reason-too-long"),
        pytest.param({"urgency": "panic"}, "Urgency", id="an-unknown-urgency"),
        pytest.param({"person_dob": TODAY + days(1)}, "Date of birth", id="born-tomorrow"),
        pytest.param({"person_name": ""}, "Name: type", id="neither-name-nor-pick"),
        pytest.param(
            {"person_name": "x" * 121},
            "The name is 121 characters long; at most 120",
            id="a-name-too-long",
        ),
    ],
)
def test_a_submission_with_bad_input_is_refused_and_nothing_saved(engine, team, fields, message):
    make_session(engine)
    values = {"person_name": "Avery Sample", "reason": "Seen daily", "today": TODAY}
    with pytest.raises(ValidationError, match=message):
        submit_name(engine, team.bpd, **(values | fields))
    assert subs(engine) == []


def test_a_partner_may_pick_only_people_whose_release_covers_their_organization(
    engine, team, people
):
    avery, blake, casey = people
    make_session(engine)
    assert [p["id"] for p in pickable_participants(engine, team.bpd, TODAY)] == [avery.id, blake.id]
    assert [p["id"] for p in pickable_participants(engine, team.kcpao, TODAY)] == [avery.id]
    assert pickable_participants(engine, team.kcso, TODAY) == []
    # An id from outside one's list is refused with the message a typo would get.
    with pytest.raises(ValidationError, match="choose someone from the list"):
        send(engine, team.kcpao, "", participant_id=blake.id)
    with pytest.raises(ValidationError, match="choose someone from the list"):
        send(engine, team.kcpao, "", participant_id=casey.id)


def test_community_representatives_do_not_send_names(engine, team, people):
    make_session(engine)
    with pytest.raises(PermissionError):
        send(engine, team.community)


def test_partners_see_their_own_submissions_and_status_but_never_why_one_was_held(
    engine, team, people
):
    avery, blake, casey = people
    session_id = make_session(engine)
    send(engine, team.bpd, "Casey Sample", reason="Asked for help")
    send(engine, team.kcpao, "Avery Sample", reason="Prosecutor question")
    casey_sub = subs(engine)[0]
    confirm_match(engine, team.pm, submission_id=casey_sub.id, participant_id=casey.id, today=TODAY)
    mine = my_submissions(engine, team.bpd, today=TODAY)
    assert [(r["Person"], r["Status"]) for r in mine] == [("Casey Sample", NEUTRAL)]
    shown = repr(mine)
    assert "release" not in shown and "C3" not in shown and "BUR-0003" not in shown
    held = held_submissions(engine, team.pm, session_id=session_id)
    assert "No active release of information covers BPD, KCPAO" in held[0]["held_reason"]
    with pytest.raises(PermissionError):
        held_submissions(engine, team.bpd, session_id=session_id)


def test_a_partner_reads_the_same_status_for_a_released_participant_and_an_unknown_name(
    engine, team, people
):
    """SECURITY 5: 'Held' against 'On the agenda' told a partner who is a discussable
    participant. Until the session both read alike; provider staff still see the real state."""
    avery, _, _ = people
    make_session(engine)
    for user in (team.bpd, team.cm):
        send(engine, user, "Avery Sample", reason="Seen daily at the station")
        send(engine, user, "Jordan Fake-Person", reason="Seen daily at the station")
    for sub in subs(engine):
        known = sub.person_name == "Avery Sample"
        confirm_match(
            engine,
            team.pm,
            submission_id=sub.id,
            participant_id=avery.id if known else None,
            today=TODAY,
        )
    assert {s.person_name: s.status for s in subs(engine)} == {
        "Avery Sample": "on_agenda",
        "Jordan Fake-Person": "held",
    }
    partner = my_submissions(engine, team.bpd, today=CUTOFF_DAY)
    by_person = {r.pop("Person"): r for r in partner}
    assert by_person["Avery Sample"] == by_person["Jordan Fake-Person"]
    assert by_person["Avery Sample"]["Status"] == NEUTRAL
    staff = {r["Person"]: r["Status"] for r in my_submissions(engine, team.cm, today=CUTOFF_DAY)}
    assert staff == {"Avery Sample": "On the agenda", "Jordan Fake-Person": "Held"}


# --- Agenda building ----------------------------------------------------------------------------


def test_the_inbox_suggests_the_likely_participant_first(engine, team, people):
    avery, blake, casey = people
    session_id = make_session(engine)
    send(engine, team.bpd, "avery sample", person_dob=date(1990, 1, 2))
    send(engine, team.bpd, "", person_alias="A Sample")
    rows = inbox(engine, team.pm, session_id=session_id)
    assert rows[0]["suggestions"][0]["participant_id"] == avery.id
    assert "same date of birth" in rows[0]["suggestions"][0]["label"]
    assert rows[1]["suggestions"][0]["participant_id"] == avery.id
    assert "alias" in rows[1]["suggestions"][0]["label"]


def test_the_inbox_is_matched_once_per_state_of_the_data(engine, team, people):
    """Matching reads every participant: a rerun at the same audit head reuses it, and a new
    name (an audited change) is matched at once."""
    from services.staffing import AGENDA_WORK

    session_id = make_session(engine)
    send(engine, team.bpd, "Avery Sample")
    AGENDA_WORK.clear()
    first = inbox(engine, team.pm, session_id=session_id)
    first[0]["suggestions"].clear()  # the caller's copy only
    again = inbox(engine, team.pm, session_id=session_id)
    assert (AGENDA_WORK.hits, AGENDA_WORK.misses) == (1, 1)
    assert again[0]["suggestions"][0]["participant_id"] == people[0].id
    send(engine, team.kcpao, "Blake Example")
    assert [r["name"] for r in inbox(engine, team.pm, session_id=session_id)] == [
        "Avery Sample",
        "Blake Example",
    ]
    with pytest.raises(PermissionError):  # the cache never skips the role check
        inbox(engine, team.cm, session_id=session_id)


def test_urgent_names_come_first_in_the_inbox(engine, team, people):
    session_id = make_session(engine)
    send(engine, team.bpd, "Routine Example", urgency="routine")
    send(engine, team.bpd, "Urgent Example", urgency="urgent")
    assert [r["name"] for r in inbox(engine, team.pm, session_id=session_id)] == [
        "Urgent Example",
        "Routine Example",
    ]


def test_two_names_for_one_person_merge_into_one_item_with_every_reason_and_submitter(
    engine, team, people
):
    avery, _, _ = people
    session_id = make_session(engine)
    send(engine, team.bpd, "Avery Sample", reason="Camping by the library")
    send(engine, team.kcpao, "A. Sample", reason="Missed a court date", urgency="urgent")
    first, second = subs(engine)
    placed = confirm_match(
        engine, team.pm, submission_id=first.id, participant_id=avery.id, today=TODAY
    )
    merged = confirm_match(
        engine, team.pm, submission_id=second.id, participant_id=avery.id, today=TODAY
    )
    assert placed["placed"] and merged["placed"] and merged["message"].startswith("Merged")
    person_items = [i for i in items(engine, session_id) if i.participant_id == avery.id]
    assert len(person_items) == 1
    why = person_items[0].why
    assert "BPD (Test bpd1, routine): Camping by the library" in why
    assert "KCPAO (Test kcpao1, urgent): Missed a court date" in why
    # Placed after the open action items and before the M3 standing items.
    titles = [i.title for i in items(engine, session_id)]
    assert titles == [ACTION_ITEMS_TITLE, "BUR-0001", *STANDING_TITLES]
    assert {s.status for s in subs(engine)} == {"on_agenda"}
    assert [r["Status"] for r in my_submissions(engine, team.kcpao, today=TODAY)] == [NEUTRAL]
    on_the_day = my_submissions(engine, team.kcpao, today=SESSION_DAY)
    assert [r["Status"] for r in on_the_day] == ["On the agenda"]


@pytest.mark.parametrize(
    "orgs, expect_held",
    [
        pytest.param(["BPD", "KCPAO", "PDA", "CMP"], False, id="release-covers-every-partner"),
        pytest.param(["BPD", "KCPAO", "KCSO", "PDA"], True, id="kcso-attends-but-is-not-covered"),
        pytest.param(["BPD", "PDA", "CMP"], False, id="the-lead-team-needs-no-release"),
    ],
)
def test_consent_must_cover_every_attending_partner_organization(
    engine, team, people, orgs, expect_held
):
    avery, _, _ = people
    make_session(engine, orgs=orgs)
    send(engine, team.bpd)
    result = confirm_match(
        engine, team.pm, submission_id=subs(engine)[0].id, participant_id=avery.id, today=TODAY
    )
    assert result["placed"] is not expect_held
    if expect_held:
        assert "KCSO" in result["message"] and "C3" in result["message"]


def test_a_release_that_expires_before_the_session_holds_the_name(engine, team):
    person = make_participant(engine, "BUR-0009", name="Emery")
    make_release(
        engine, person, ["BPD", "KCPAO"], signed=TODAY - days(90), expires=SESSION_DAY - days(1)
    )
    make_session(engine)
    send(engine, team.bpd, "Emery Sample")
    result = confirm_match(
        engine, team.pm, submission_id=subs(engine)[0].id, participant_id=person.id, today=TODAY
    )
    assert not result["placed"] and f"on {SESSION_DAY}" in result["message"]


def test_a_treatment_information_release_is_not_consent_to_discuss(engine, team):
    """C3 needs the general release; the separate C4 release covers treatment information only."""
    person = make_participant(engine, "BUR-0010", name="Rowan")
    make_release(
        engine, person, ["BPD", "KCPAO"], signed=TODAY - days(30), treatment_information=True
    )
    make_session(engine)
    send(engine, team.bpd, "Rowan Sample")
    result = confirm_match(
        engine, team.pm, submission_id=subs(engine)[0].id, participant_id=person.id, today=TODAY
    )
    assert not result["placed"] and "C3" in result["message"]


def test_the_pm_may_name_the_participant_by_lead_id_when_suggestions_miss(engine, team, people):
    avery, _, _ = people
    make_session(engine)
    send(engine, team.bpd, "Someone Else Entirely")
    sub = subs(engine)[0]
    with pytest.raises(ValidationError, match="no participant BUR-9999"):
        confirm_match(
            engine,
            team.pm,
            submission_id=sub.id,
            participant_id=None,
            lead_id="bur-9999",
            today=TODAY,
        )
    result = confirm_match(
        engine, team.pm, submission_id=sub.id, participant_id=None, lead_id="bur-0001", today=TODAY
    )
    assert result["placed"] and subs(engine)[0].participant_id == avery.id


def test_a_name_that_is_not_a_participant_is_held(engine, team, people):
    session_id = make_session(engine)
    send(engine, team.bpd, "Nobody Example")
    confirm_match(
        engine, team.pm, submission_id=subs(engine)[0].id, participant_id=None, today=TODAY
    )
    assert subs(engine)[0].status == "held"
    assert (
        "Not matched" in held_submissions(engine, team.pm, session_id=session_id)[0]["held_reason"]
    )


def test_the_pm_holds_and_carries_names_and_pulls_in_a_late_one(engine, team, people):
    first = make_session(engine)
    send(engine, team.bpd, "Held Example")
    send(engine, team.bpd, "Carried Example")
    send(engine, team.bpd, "Late Example", today=CUTOFF_DAY + days(1))
    held, carried, late = subs(engine)
    hold_submission(engine, team.pm, submission_id=held.id, reason="Discuss next month")
    carry_submission(engine, team.pm, submission_id=carried.id, today=TODAY)
    assert [r["id"] for r in late_submissions(engine, team.pm, session_id=first)] == [late.id]
    pull_in(engine, team.pm, submission_id=late.id, session_id=first)
    by_id = {s.id: s for s in subs(engine)}
    assert by_id[held.id].status == "held"
    assert by_id[carried.id].status == "carried" and by_id[carried.id].session_id != first
    assert by_id[late.id].session_id == first
    assert [r["Status"] for r in my_submissions(engine, team.bpd, today=TODAY)] == [NEUTRAL] * 3


def _fake_person_twice(engine, team):
    """The same person typed two ways by two partners, and someone else (issue 11)."""
    send(
        engine,
        team.bpd,
        "Jordan Fake-Person",
        person_dob=date(1990, 4, 21),
        reason="At the bus stop",
    )
    send(
        engine,
        team.kcpao,
        "Jordan Fakeperson",
        person_dob=date(1990, 4, 12),
        reason="Trespass at the store",
        urgency="urgent",
    )
    send(engine, team.bpd, "Riley Example-Other", reason="Asked about LEAD")
    return subs(engine)


def test_two_spellings_of_one_person_from_two_partners_are_flagged_as_likely_duplicates(
    engine, team, people
):
    session_id = make_session(engine)
    bpd, kcpao, other = _fake_person_twice(engine, team)
    rows = {r["id"]: r for r in inbox(engine, team.pm, session_id=session_id)}
    # The urgent one leads the group; the other points at it; the third stands alone.
    assert rows[kcpao.id]["together"] == [bpd.id] and rows[kcpao.id]["same_as"] is None
    assert rows[bpd.id]["same_as"] == kcpao.id and rows[bpd.id]["together"] == []
    assert rows[other.id]["together"] == [] and rows[other.id]["same_as"] is None


def test_likely_duplicates_are_held_together_with_one_reason(engine, team, people):
    session_id = make_session(engine)
    bpd, kcpao, other = _fake_person_twice(engine, team)
    hold_submission(
        engine, team.pm, submission_id=kcpao.id, together=[bpd.id], reason="Ask the sergeant first"
    )
    assert [s.status for s in subs(engine)] == ["held", "held", "submitted"]
    held = held_submissions(engine, team.pm, session_id=session_id)
    assert {h["held_reason"] for h in held} == {
        "Held by the project manager: Ask the sergeant first"
    }
    assert [r["id"] for r in inbox(engine, team.pm, session_id=session_id)] == [other.id]


def test_a_person_who_is_not_a_participant_is_placed_as_a_referral_candidate_not_only_held(
    engine, team, people
):
    session_id = make_session(engine)
    bpd, kcpao, _ = _fake_person_twice(engine, team)
    result = place_candidate(engine, team.pm, submission_id=kcpao.id, together=[bpd.id])
    assert result["message"] == (
        "Placed as item 2: a referral candidate, not a participant. 2 names together."
    )
    item = items(engine, session_id)[1]
    assert (item.kind, item.title, item.participant_id) == ("candidate", "Jordan Fakeperson", None)
    assert "BPD (Test bpd1, routine): At the bus stop" in item.why
    assert "KCPAO (Test kcpao1, urgent): Trespass at the store" in item.why
    placed = [s for s in subs(engine) if s.status == "on_agenda"]
    assert {s.agenda_item_id for s in placed} == {item.id} and len(placed) == 2
    view = agenda(engine, team.pm, session_id=session_id, today=TODAY)["items"][1]
    assert view["title"] == "Referral candidate (not a participant): Jordan Fakeperson"
    shown = presenter_item(
        engine, team.pm, session_id=session_id, index=1, today=TODAY, curtain=False
    )
    assert shown["kind_label"] == "Referral candidate (not a participant)"
    assert shown["name"] == "Jordan Fakeperson" and shown["participant_ids"] == []
    labels = [s["label"] for s in shown["sections"]]
    assert labels == ["Not a LEAD participant", "Why it is on the agenda"]
    curtained = presenter_item(
        engine, team.pm, session_id=session_id, index=1, today=TODAY, curtain=True
    )
    assert curtained["name"] is None and "Jordan" not in repr(curtained["sections"])
    document = session_document(engine, team.pm, session_id=session_id, kind="agenda", today=TODAY)
    assert document["participant_ids"] == []  # no participant: no disclosure row
    for fmt in ("pdf", "docx"):
        export_session(engine, team.pm, session_id=session_id, kind="agenda", fmt=fmt, today=TODAY)
    version = agenda(engine, team.pm, session_id=session_id, today=TODAY)["session"]["version"]
    remove_item(engine, team.pm, item_id=item.id, expected_version=version)
    assert len(inbox(engine, team.pm, session_id=session_id)) == 3


def test_an_urgent_name_is_placed_before_routine_items_and_marked(engine, team, people):
    avery, _, _ = people
    dana = covered(engine, "BUR-0004", "Dana", cm=team.cm)
    session_id = make_session(engine)
    send(engine, team.bpd, "Avery Sample", reason="Routine check-in")
    send(engine, team.kcpao, "Dana Sample", reason="Lost housing today", urgency="urgent")
    routine, urgent = subs(engine)
    confirm_match(engine, team.pm, submission_id=routine.id, participant_id=avery.id, today=TODAY)
    placed = confirm_match(
        engine, team.pm, submission_id=urgent.id, participant_id=dana.id, today=TODAY
    )
    assert placed["message"] == "Placed on the agenda as item 2 (BUR-0004)."
    titles = [i.title for i in items(engine, session_id)]
    assert titles == [ACTION_ITEMS_TITLE, "BUR-0004", "BUR-0001", *STANDING_TITLES]
    rows = agenda_rows(agenda(engine, team.pm, session_id=session_id, today=TODAY))
    assert [r["Urgent"] for r in rows[:3]] == ["", "▲ URGENT", ""]
    # An urgent name merged into a routine item moves that item up to the urgent block.
    send(engine, team.kcpao, "Avery Sample", reason="Missed court", urgency="urgent")
    confirm_match(
        engine, team.pm, submission_id=subs(engine)[2].id, participant_id=avery.id, today=TODAY
    )
    titles = [i.title for i in items(engine, session_id)]
    assert titles[:3] == [ACTION_ITEMS_TITLE, "BUR-0004", "BUR-0001"]
    rows = agenda_rows(agenda(engine, team.pm, session_id=session_id, today=TODAY))
    assert [r["Urgent"] for r in rows[:3]] == ["", "▲ URGENT", "▲ URGENT"]


def test_reorder_time_boxes_and_the_running_end_time(engine, team, people):
    avery, _, _ = people
    session_id = make_session(engine)
    send(engine, team.bpd)
    confirm_match(
        engine, team.pm, submission_id=subs(engine)[0].id, participant_id=avery.id, today=TODAY
    )
    view = agenda(engine, team.pm, session_id=session_id, today=TODAY)
    assert view["ends_at"] == "10:30"  # six items of 5 minutes from 10:00
    person = next(i for i in view["items"] if i["participant_id"] == avery.id)
    update_item(
        engine,
        team.pm,
        item_id=person["id"],
        expected_version=person["version"],
        minutes=15,
        prep_notes="Ask about the housing voucher",
    )
    version = agenda(engine, team.pm, session_id=session_id, today=TODAY)["session"]["version"]
    move_item(engine, team.pm, item_id=person["id"], direction=-1, expected_version=version)
    view = agenda(engine, team.pm, session_id=session_id, today=TODAY)
    assert [i["title"] for i in view["items"]][:2] == ["BUR-0001 · Avery L.", ACTION_ITEMS_TITLE]
    assert (view["items"][0]["start"], view["items"][0]["end"], view["ends_at"]) == (
        "10:00",
        "10:15",
        "10:40",
    )
    with pytest.raises(StaleEditError):  # the page's version is now old
        move_item(engine, team.pm, item_id=person["id"], direction=1, expected_version=version)
    with pytest.raises(ValidationError, match="already at that end"):
        move_item(
            engine,
            team.pm,
            item_id=person["id"],
            direction=-1,
            expected_version=view["session"]["version"],
        )


@pytest.mark.parametrize(
    "minutes, notes, message",
    [
        pytest.param(0, "", "Minutes", id="zero-minutes"),
        pytest.param(121, "", "Minutes", id="more-than-two-hours"),
        pytest.param(
            5,
            "n" * 2001,
            "The preparation notes are 2,001 characters long; at most 2,000",
            id="notes-too-long",
        ),
    ],
)
def test_item_edits_are_validated(engine, team, minutes, notes, message):
    session_id = make_session(engine)
    item = items(engine, session_id)[0]
    with pytest.raises(ValidationError, match=message):
        update_item(
            engine,
            team.pm,
            item_id=item.id,
            expected_version=item.version,
            minutes=minutes,
            prep_notes=notes,
        )


def test_removing_an_item_sends_its_names_back_to_the_inbox(engine, team, people):
    avery, _, _ = people
    session_id = make_session(engine)
    send(engine, team.bpd)
    confirm_match(
        engine, team.pm, submission_id=subs(engine)[0].id, participant_id=avery.id, today=TODAY
    )
    view = agenda(engine, team.pm, session_id=session_id, today=TODAY)
    person = next(i for i in view["items"] if i["participant_id"])
    remove_item(engine, team.pm, item_id=person["id"], expected_version=view["session"]["version"])
    assert subs(engine)[0].status == "submitted"
    assert len(inbox(engine, team.pm, session_id=session_id)) == 1


def test_finalizing_locks_carries_leftovers_and_later_changes_are_new_audited_versions(
    engine, team, people
):
    session_id = make_session(engine)
    send(engine, team.bpd, "Leftover Example")
    version = agenda(engine, team.pm, session_id=session_id, today=TODAY)["session"]["version"]
    carried = finalize(
        engine, team.pm, session_id=session_id, expected_version=version, today=TODAY
    )
    assert carried == 1 and subs(engine)[0].status == "carried"
    assert subs(engine)[0].session_id != session_id
    view = agenda(engine, team.pm, session_id=session_id, today=TODAY)
    assert view["session"]["agenda_version"] == 1 and view["session"]["finalized_at"]
    first = view["items"][0]
    move_item(
        engine,
        team.pm,
        item_id=first["id"],
        direction=1,
        expected_version=view["session"]["version"],
    )
    view = agenda(engine, team.pm, session_id=session_id, today=TODAY)
    assert view["session"]["agenda_version"] == 2
    outcomes = [r.outcome for r in audit_rows(engine, "agenda.change")]
    assert outcomes[-1] == "version 2 after finalizing"
    with pytest.raises(ValidationError, match="already final"):
        finalize(
            engine,
            team.pm,
            session_id=session_id,
            expected_version=view["session"]["version"],
            today=TODAY,
        )


def test_only_the_project_manager_builds_the_agenda(engine, team):
    session_id = make_session(engine)
    for user in (team.cm, team.bpd):
        with pytest.raises(PermissionError):
            agenda(engine, user, session_id=session_id, today=TODAY)
        with pytest.raises(PermissionError):
            inbox(engine, user, session_id=session_id)


# --- Suggestions --------------------------------------------------------------------------------


def test_suggestions_say_why_and_respect_consent(engine, team, people):
    avery, blake, casey = people
    session_id = make_session(engine, orgs=["BPD", "PDA", "CMP"])
    # Avery: arrest referral 28 days ago, no intake: T4 due before the next session.
    make_referral(engine, avery, referred=TODAY - days(28))
    # Blake: active, no contact for 20 days.
    with write_session(engine) as session:
        from models import Participant, ParticipantStatus

        row = session.get(Participant, blake.id)
        row.status, row.last_contact_date = ParticipantStatus.active, TODAY - days(20)
    # Casey: no release at all, T4 overdue.
    make_referral(engine, casey, referred=TODAY - days(40))
    # A rescinded release since the last session.
    make_release(engine, casey, ["BPD"], signed=TODAY - days(30), rescinded=TODAY - days(2))
    found = {s.key: s for s in suggestions(engine, team.pm, session_id=session_id, today=TODAY)}
    why = found[f"participant:{avery.id}"].why
    assert "T4 In-depth intake deadline due 2026-12-02 (in 2 days)" in why  # the catalog's title
    assert "no contact since 2026-11-10" in found[f"participant:{blake.id}"].why[0]
    assert found[f"participant:{casey.id}"].consent  # cannot be discussed (C3)
    assert "1 release(s)" in found["rescinded"].why[0]
    with pytest.raises(ValidationError, match="C3"):
        add_suggestion(
            engine, team.pm, session_id=session_id, key=f"participant:{casey.id}", today=TODAY
        )
    add_suggestion(
        engine, team.pm, session_id=session_id, key=f"participant:{avery.id}", today=TODAY
    )
    add_suggestion(engine, team.pm, session_id=session_id, key="rescinded", today=TODAY)
    kinds = [(i.kind, i.title) for i in items(engine, session_id)]
    assert ("suggested", "BUR-0001") in kinds
    assert ("standing", staffing.RESCINDED_TITLE) in kinds
    remaining = {s.key for s in suggestions(engine, team.pm, session_id=session_id, today=TODAY)}
    assert f"participant:{avery.id}" not in remaining and "rescinded" not in remaining


# --- Outcomes and action items ------------------------------------------------------------------


def _placed(engine, team, avery):
    session_id = make_session(engine)
    send(engine, team.bpd)
    confirm_match(
        engine, team.pm, submission_id=subs(engine)[0].id, participant_id=avery.id, today=TODAY
    )
    item = next(i for i in items(engine, session_id) if i.participant_id == avery.id)
    return session_id, item


def test_an_outcome_is_saved_version_checked_and_kept_non_clinical(engine, team, people):
    session_id, item = _placed(engine, team, people[0])
    save_outcome(
        engine,
        team.pm,
        item_id=item.id,
        expected_version=item.version,
        summary="Housing voucher approved; engaging weekly.",
        decisions="Case manager to follow up with BPD.",
    )
    with pytest.raises(StaleEditError):
        save_outcome(
            engine,
            team.pm,
            item_id=item.id,
            expected_version=item.version,
            summary="A later summary.",
            decisions="",
        )
    with pytest.raises(ValidationError, match="Summary mentions detox"):
        save_outcome(
            engine,
            team.pm,
            item_id=item.id,
            expected_version=item.version + 1,
            summary="Went to detox",
            decisions="",
        )
    assert audit_rows(engine, "agenda.outcome")[0].purpose == f"staffing session {SESSION_DAY}"


def test_an_action_item_shows_on_its_owners_today_and_on_the_next_agenda_until_done(
    engine, team, people
):
    avery = people[0]
    session_id, item = _placed(engine, team, avery)
    action_id = add_action_item(
        engine,
        team.pm,
        item_id=item.id,
        text="Confirm the shelter bed",
        owner_org_code="CMP",
        due_on=SESSION_DAY + days(7),
        today=TODAY,
    )
    alerts = [a for a in open_alerts(engine, team.cm, TODAY) if a.rule == "Action item"]
    assert [(a.subject, a.due, a.owner) for a in alerts] == [
        ("BUR-0001", SESSION_DAY + days(7), "CMP")
    ]
    assert "Confirm the shelter bed" in alerts[0].message
    assert not [a for a in open_alerts(engine, team.pm, TODAY) if a.rule == "Action item"]
    # The next session's standing item lists it until it is done.
    from services.staffing.content import presenter_item

    next_id = make_session(engine, SESSION_DAY + days(14))
    shown = presenter_item(engine, team.pm, session_id=next_id, index=0, today=TODAY, curtain=False)
    assert shown["heading"] == ACTION_ITEMS_TITLE
    assert shown["sections"][0]["rows"][0]["Action"] == "Confirm the shelter bed"
    with pytest.raises(ValidationError, match="only its owner"):
        mark_action_done(engine, team.bpd, action_id=action_id, on=TODAY, today=TODAY)
    mark_action_done(engine, team.cm, action_id=action_id, on=TODAY, today=TODAY)
    assert not [a for a in open_alerts(engine, team.cm, TODAY) if a.rule == "Action item"]
    shown = presenter_item(engine, team.pm, session_id=next_id, index=0, today=TODAY, curtain=False)
    assert shown["sections"][0]["rows"] == []
    assert session_id != next_id


def test_an_action_about_a_person_goes_only_to_owners_their_release_covers(engine, team, people):
    avery = people[0]
    _, item = _placed(engine, team, avery)
    common = {"item_id": item.id, "due_on": SESSION_DAY, "today": TODAY}
    with pytest.raises(ValidationError, match="no active release of information covers KCSO"):
        add_action_item(engine, team.pm, text="Patrol check-in", owner_org_code="KCSO", **common)
    with pytest.raises(ValidationError, match="covers KCSO"):
        add_action_item(
            engine, team.pm, text="Patrol check-in", owner_user_id=team.kcso.id, **common
        )
    add_action_item(engine, team.pm, text="Patrol check-in", owner_org_code="BPD", **common)
    add_action_item(engine, team.pm, text="Call back", owner_user_id=team.cm.id, **common)
    assert [(r["About"], r["Action"]) for r in my_action_items(engine, team.bpd, today=TODAY)] == [
        ("BUR-0001", "Patrol check-in")
    ]
    assert [r["Owner"] for r in my_action_items(engine, team.cm, today=TODAY)] == ["you"]


def test_a_partner_whose_release_lapsed_sees_no_identifier_or_detail(engine, team, people):
    avery = people[0]
    _, item = _placed(engine, team, avery)
    add_action_item(
        engine,
        team.pm,
        item_id=item.id,
        text="Patrol check-in near the library",
        owner_org_code="BPD",
        due_on=SESSION_DAY,
        today=TODAY,
    )
    with write_session(engine) as session:
        from models import Release

        for release in session.exec(select(Release).where(Release.participant_id == avery.id)):
            release.rescinded_date = TODAY
            session.add(release)
    row = my_action_items(engine, team.bpd, today=TODAY)[0]
    assert row["About"] == "a participant (no release covering your organization)"
    assert "library" not in row["Action"]


def test_action_items_name_their_people_with_one_query_not_one_per_item(engine, team, people):
    from sqlalchemy import event

    _, item = _placed(engine, team, people[0])
    statements = []

    def counted(*_args):
        statements.append(1)

    def run() -> tuple[list, list, int]:
        statements.clear()
        event.listen(engine, "before_cursor_execute", counted)
        try:
            rows = my_action_items(engine, team.bpd, today=TODAY)
            alerts = staffing.action_item_alerts(engine, team.bpd, TODAY)
        finally:
            event.remove(engine, "before_cursor_execute", counted)
        return rows, alerts, len(statements)

    common = {"item_id": item.id, "owner_org_code": "BPD", "due_on": SESSION_DAY, "today": TODAY}
    add_action_item(engine, team.pm, text="Patrol check-in 1", **common)
    _rows, _alerts, one = run()
    for n in (2, 3, 4):
        add_action_item(engine, team.pm, text=f"Patrol check-in {n}", **common)
    rows, alerts, four = run()
    assert four == one  # the same statements for four items as for one
    assert [r["About"] for r in rows] == ["BUR-0001"] * 4
    assert [a.subject for a in alerts] == ["BUR-0001"] * 4


@pytest.mark.parametrize(
    "fields, message",
    [
        pytest.param({"text": ""}, "Action: required", id="no-text"),
        pytest.param({"owner_org_code": ""}, "Owner: choose", id="no-owner"),
        pytest.param({"owner_org_code": "COMM"}, "Owner organization", id="community-as-owner"),
        pytest.param({"due_on": TODAY - days(1)}, "Due date", id="due-yesterday"),
        pytest.param(
            {"text": "Arrange methadone dosing"}, "mentions methadone", id="clinical-words"
        ),
    ],
)
def test_action_items_are_validated(engine, team, people, fields, message):
    _, item = _placed(engine, team, people[0])
    values = {"text": "Call back", "owner_org_code": "BPD", "due_on": SESSION_DAY, "today": TODAY}
    with pytest.raises(ValidationError, match=message):
        add_action_item(engine, team.pm, item_id=item.id, **(values | fields))


def test_a_pasted_reason_longer_than_300_characters_is_refused_saying_how_long_it_is(engine, team):
    """SECURITY 33: the page no longer cuts a paste at 300 characters; the service says so."""
    make_session(engine)
    with pytest.raises(ValidationError) as refused:
        send(engine, team.bpd, reason="x" * 5000)
    assert str(refused.value) == "The reason is 5,000 characters long; at most 300."
    assert subs(engine) == []


def test_a_submission_with_several_problems_lists_them_all_at_once(engine, team):
    make_session(engine)
    with pytest.raises(ValidationError) as refused:
        submit_name(
            engine,
            team.bpd,
            person_name="",
            reason="",
            person_dob=TODAY + days(1),
            today=TODAY,
            now=at_noon(TODAY),
        )
    assert refused.value.messages == [
        "Reason: required.",
        "Date of birth: it must be a past date after 1900.",
        "Name: type the person's name or an alias, or pick a participant from the list.",
    ]
    assert subs(engine) == []


def test_an_empty_session_outcome_is_refused_not_reported_saved(engine, team, people):
    session_id, item = _placed(engine, team, people[0])
    with pytest.raises(ValidationError, match="Outcome: write a summary or the decisions"):
        save_outcome(
            engine,
            team.pm,
            item_id=item.id,
            expected_version=item.version,
            summary="  ",
            decisions="",
        )
    assert audit_rows(engine, "agenda.outcome") == []
