"""AppTest: each staffing page for the roles that open it, exercising its main form.

tests/pages/test_pages.py's matrix already opens every page as every role (and no one); these drive
the forms and check what reaches the screen.
"""

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from models import ActionItem, AgendaItem, Submission
from services.core.db import read_session, write_session
from services.staffing import SUBMITTED_MESSAGE
from tests.checks import rendered_text
from tests.factories import days, make_participant
from tests.factories_staffing import at_noon, covered, make_session, make_team
from tests.support import open_app as open_page

ROOT = Path(__file__).resolve().parents[2]
XSS = "<script>alert(1)</script> [x](javascript:alert(1)) ![](http://host/p.png)"


def button(at, label):
    return next(b for b in at.button if b.label == label)


@pytest.fixture
def site(app_env, engine):
    """Today's session (so the pages pick it by default) and people with and without releases."""
    from services.core.clock import local_today
    from services.core.site import get_settings

    today = local_today(get_settings(engine).time_zone)
    team = make_team(engine)
    avery = covered(engine, "BUR-0001", "Avery", cm=team.cm, orgs=("BPD", "KCPAO"))
    casey = make_participant(engine, "BUR-0002", name="Casey", case_manager=team.cm)
    # Far enough ahead that names sent today are in time (cut-off: 2 business days before).
    session_id = make_session(engine, today + days(10))
    return engine, team, avery, casey, session_id, today


def test_a_partner_sends_a_name_and_gets_the_same_answer_for_anyone(site):
    engine, team, avery, casey, session_id, today = site
    at = open_page(engine, "bpd1", "pages/submit_names.py")
    answers = []
    for name in ("Casey Sample", "Nobody Example"):
        [t for t in at.text_input if t.label == "Person's name"][0].input(name)
        at.text_area[0].input("Seen at the station every morning")
        button(at, "Send the name").click().run()
        assert not at.exception
        answers.append(at.success[0].value)
    assert answers[0] == answers[1]
    assert answers[0].startswith(SUBMITTED_MESSAGE.split("{")[0])
    table = at.dataframe[0].value
    assert list(table["Status"]) == ["Received", "Received"]
    assert "BUR-0002" not in rendered_text(at)  # the pick list shows only Avery (released)
    assert [o for o in at.selectbox[0].options] == ["None: I will type a name", "BUR-0001 · Avery"]


def test_a_missing_reason_is_refused_with_a_field_message(site):
    engine, *_ = site
    at = open_page(engine, "kcpao1", "pages/submit_names.py")
    [t for t in at.text_input if t.label == "Person's name"][0].input("Avery Sample")
    button(at, "Send the name").click().run()
    assert at.error[0].value == "Reason: required."
    with read_session(engine) as session:
        assert session.exec(select(Submission)).first() is None


def test_the_pm_places_a_name_finalizes_and_presents_it_without_restricted_text(site):
    engine, team, avery, casey, session_id, today = site
    with write_session(engine) as session:
        session.add(
            Submission(
                session_id=session_id,
                submitted_by="bpd1",
                organization_code="BPD",
                person_name="Avery Legal",
                reason=XSS,
                at=at_noon(today),
            )
        )
    at = open_page(engine, "pm1", "pages/agenda.py")
    assert "Names to review (1)" in rendered_text(at)
    button(at, "Confirm and place").click().run()
    assert not at.exception
    assert at.success[0].value == "Placed on the agenda as item 2 (BUR-0001)."
    assert "BUR-0001 · Avery L." in list(at.dataframe[0].value["Item"])
    button(at, "Finalize the agenda").click().run()
    assert "Agenda finalized (version 1)" in at.success[0].value

    at = open_page(engine, "pm1", "pages/presenter.py")
    assert "# Open action items from earlier sessions" in [m.value for m in at.markdown]
    button(at, "Next").click().run()
    text = rendered_text(at)
    assert "# BUR-0001" in [m.value for m in at.markdown]
    assert "Avery L." in [t.value for t in at.text]
    assert any(XSS in t.value for t in at.text)  # user text as plain text only
    assert all(XSS not in m.value for m in at.markdown)
    for restricted in ("NOTE-BUR-0001", "SUD-BUR-0001", "MH-BUR-0001", "CH-BUR-0001"):
        assert restricted not in text
    at.toggle[0].set_value(True).run()
    assert "Avery L." not in rendered_text(at)


def test_outcomes_and_an_action_item_reach_the_case_managers_pages(site):
    engine, team, avery, casey, session_id, today = site
    at = open_page(engine, "pm1", "pages/session_outcomes.py")
    at.text_area[0].input("Reviewed two earlier actions.")
    button(at, "Save the outcome").click().run()
    assert at.success[0].value == "Outcome of item 1 saved."
    at.text_input[0].input("Call the shelter about a bed")
    [s for s in at.selectbox if s.label == "Owner organization"][0].select("CMP")
    button(at, "Add the action item").click().run()
    assert not at.exception
    with read_session(engine) as session:
        action = session.exec(select(ActionItem)).one()
        item = session.get(AgendaItem, action.agenda_item_id)
    assert (action.owner_org_code, item.summary) == ("CMP", "Reviewed two earlier actions.")

    today_page = open_page(engine, "cm1", "pages/today.py")
    assert "Call the shelter about a bed" in rendered_text(today_page)
    assert today_page.selectbox(key="today_close_choice").value.startswith(
        "the workgroup · Action item · Mark it done (due "
    )
    mine = open_page(engine, "cm1", "pages/submit_names.py")
    button(mine, "Mark done").click().run()
    assert mine.success[0].value == "Action item marked done."


def test_an_action_item_is_marked_done_from_today(site):
    engine, team, avery, casey, session_id, today = site
    at = open_page(engine, "pm1", "pages/session_outcomes.py")
    at.text_input[0].input("Call the shelter about a bed")
    [s for s in at.selectbox if s.label == "Owner organization"][0].select("CMP")
    button(at, "Add the action item").click().run()
    today_page = open_page(engine, "cm1", "pages/today.py")
    assert "Mark the action item done" in rendered_text(today_page)
    button(today_page, "Mark it done").click().run()
    assert not today_page.exception
    assert "Recorded: action item for the workgroup done." in [s.value for s in today_page.success]
    with read_session(engine) as session:
        assert session.exec(select(ActionItem)).one().done_on == today
    assert "Call the shelter about a bed" not in rendered_text(today_page)


def test_a_clinical_reason_is_refused_until_the_partner_ticks_not_clinical_and_names_readers(site):
    """SECURITY 29: the form says who reads the reason; "in detox" needs the confirmation."""
    engine, *_ = site
    at = open_page(engine, "bpd1", "pages/submit_names.py")
    assert "Who reads this: the project manager; " in rendered_text(at)
    assert "(KCPAO)" in rendered_text(at)
    [t for t in at.text_input if t.label == "Person's name"][0].input("Avery Sample")
    at.text_area[0].input("In detox since Monday")
    button(at, "Send the name").click().run()
    assert "Reason mentions detox" in at.error[0].value
    with read_session(engine) as session:
        assert session.exec(select(Submission)).first() is None
    [t for t in at.text_input if t.label == "Person's name"][0].input("Avery Sample")
    at.text_area[0].input("In detox since Monday")
    next(c for c in at.checkbox if c.label.startswith("This is not clinical")).check()
    button(at, "Send the name").click().run()
    assert not at.error
    with read_session(engine) as session:
        assert session.exec(select(Submission.reason)).one() == "In detox since Monday"


def test_the_agenda_lists_flagged_wording_for_the_pm_before_finalizing(site):
    engine, team, avery, casey, session_id, today = site
    with write_session(engine) as session:
        session.add(
            Submission(
                session_id=session_id,
                submitted_by="bpd1",
                organization_code="BPD",
                person_name="Avery Sample",
                reason="Using meth again",
                at=at_noon(today),
            )
        )
    at = open_page(engine, "pm1", "pages/agenda.py")
    flags = next(d.value for d in at.dataframe if "Flagged words" in d.value.columns)
    assert list(flags["Flagged words"]) == ["meth"]
    assert "Likely clinical wording partners will read (1)" in rendered_text(at)


def test_the_not_clinical_box_is_unticked_again_after_a_name_is_sent(site):
    """A confirmation covers one text: the next name must be confirmed afresh."""
    engine, *_ = site
    at = open_page(engine, "bpd1", "pages/submit_names.py")
    [t for t in at.text_input if t.label == "Person's name"][0].input("Avery Sample")
    at.text_area[0].input("Back from inpatient")
    next(c for c in at.checkbox if c.label.startswith("This is not clinical")).check()
    button(at, "Send the name").click().run()
    assert not at.error and at.success
    assert next(c for c in at.checkbox if c.label.startswith("This is not clinical")).value is False
    assert at.text_area[0].value == ""


def test_two_spellings_of_a_non_participant_show_as_one_and_are_placed_as_a_referral_candidate(
    site,
):
    """Issue 11: likely duplicates across submitters are flagged and handled together; a person
    who is not a participant goes on the agenda as a marked referral candidate, urgent first."""
    engine, team, avery, casey, session_id, today = site
    with write_session(engine) as session:
        for org, user, name, born, urgency in (
            ("BPD", "bpd1", "Jordan Fake-Person", days(0), "routine"),
            ("KCPAO", "kcpao1", "Jordan Fakeperson", days(9), "urgent"),
        ):
            session.add(
                Submission(
                    session_id=session_id,
                    submitted_by=user,
                    organization_code=org,
                    person_name=name,
                    person_dob=date(1990, 4, 21) - born,
                    reason=f"{org} reason",
                    urgency=urgency,
                    at=at_noon(today),
                )
            )
    at = open_page(engine, "pm1", "pages/agenda.py")
    text = rendered_text(at)
    assert "Names to review (2)" in text
    assert [b.label for b in at.button].count("Place as a referral candidate") == 1  # one box
    assert "▲ URGENT" in [m.value.strip("*") for m in at.markdown]
    assert "Likely the same person as 1 more name(s) sent" in at.warning[0].value
    button(at, "Place as a referral candidate").click().run()
    assert not at.exception
    assert at.success[0].value == (
        "Placed as item 2: a referral candidate, not a participant. 2 names together."
    )
    rows = at.dataframe[0].value
    assert list(rows["Item"])[1] == "Referral candidate (not a participant): Jordan Fakeperson"
    assert list(rows["Urgent"])[1] == "▲ URGENT"
    assert "Names to review (0)" in rendered_text(at)


def test_room_mode_steps_through_the_parts_of_a_long_item_and_back(site):
    """Issue 11: in room mode an item longer than a screen is shown in parts; Next and Previous
    step through them (Previous from the next item lands on the last part)."""
    from services.staffing import confirm_match, submit_name

    engine, team, avery, casey, session_id, today = site
    for user in (team.bpd, team.kcpao):
        submit_name(
            engine,
            user,
            person_name="Avery Legal",
            reason="Sleeping at the library. " * 11,
            today=today,
        )
    with read_session(engine) as session:
        ids = [s.id for s in session.exec(select(Submission))]
    confirm_match(
        engine,
        team.pm,
        submission_id=ids[0],
        participant_id=avery.id,
        today=today,
        together=ids[1:],
    )
    at = open_page(engine, "pm1", "pages/presenter.py")
    button(at, "Room mode").click().run()
    labels = [b.label for b in at.button]
    assert "Exit room mode" in labels and not [s for s in at.selectbox if s.label == "Session"]

    def screen() -> list[str]:
        return [m.value for m in at.markdown]

    button(at, "Next").click().run()
    assert "# BUR-0001" in screen() and "**Who**" in screen()
    assert "**Open action items**" not in screen()
    button(at, "Next").click().run()
    assert "# BUR-0001" in screen() and "**Open action items**" in screen()
    assert "**Who**" not in screen()
    button(at, "Next").click().run()
    assert "# Referral criteria" in screen()
    button(at, "Previous").click().run()
    assert "# BUR-0001" in screen() and "**Open action items**" in screen()
    button(at, "Exit room mode").click().run()
    assert [s for s in at.selectbox if s.label == "Session"]


def test_the_presenter_says_the_agenda_is_empty_when_its_last_item_goes_while_it_loads(
    site, monkeypatch
):
    """Another project manager removes the last item between the outline and the item."""
    from services.staffing import content as staffing_content

    engine, team, avery, casey, session_id, today = site
    at = open_page(engine, "pm1", "pages/presenter.py")
    stale = staffing_content.presenter_outline(engine, team.pm, session_id=session_id, today=today)
    assert stale["count"]
    with write_session(engine) as session:
        for item in session.exec(select(AgendaItem).where(AgendaItem.session_id == session_id)):
            session.delete(item)
    monkeypatch.setattr(staffing_content, "presenter_outline", lambda *a, **k: stale)
    at.run()
    assert not at.exception
    assert "This agenda has no items now." in [i.value for i in at.info]
