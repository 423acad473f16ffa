"""Free text partners read: clinical wording flagged and confirmed, readers named (SECURITY 29)."""

import pytest
from sqlmodel import select

from models import AuditEvent, ClinicalConfirmation, Submission
from services.core.db import read_session, write_session
from services.core.errors import ValidationError
from services.core.free_text import clinical_phrases, vocabulary
from services.staffing import add_action_item, confirm_match, save_outcome, submit_name
from services.staffing.text import clinical_flags, set_curtain_text, who_reads
from tests.factories_staffing import (
    SESSION_DAY,
    TODAY,
    at_noon,
    covered,
    make_session,
    make_team,
)

RED_TEAM_REASON = "Relapsed on heroin last week, in detox now, bipolar meds stopped"


@pytest.mark.parametrize(
    "text, found",
    [
        pytest.param(RED_TEAM_REASON, ["relapsed", "heroin", "detox", "bipolar", "meds"], id="red"),
        pytest.param("Using meth again", ["meth"], id="meth"),
        pytest.param("Two fentanyl overdoses", ["fentanyl", "overdose"], id="plural-overdoses"),
        pytest.param("Back from INPATIENT", ["inpatient"], id="upper-case-inpatient"),
        pytest.param("in-patient for a week", ["in patient"], id="hyphenated-in-patient"),
        pytest.param("Goes to AA and NA", ["aa", "na"], id="aa-na"),
        pytest.param("Was on the psych ward", ["psych ward"], id="psych-ward"),
        pytest.param("Needs a psych eval", ["psych eval"], id="psych-eval"),
        pytest.param("Stopped taking Seroquel", ["seroquel"], id="medication-brand"),
        pytest.param("Dope sick on Monday", ["dope sick"], id="street-name"),
        pytest.param("Sleeps at Dottie Harper Park", [], id="a-park"),
        pytest.param("Housing voucher approved; engaging weekly", [], id="housing"),
        pytest.param("Seen near the pharmacy on 152nd", [], id="a-place"),
        pytest.param("The methodist church lets her nap", [], id="meth-inside-a-word"),
        pytest.param("Aaron from BPD called", [], id="aa-inside-a-name"),
    ],
)
def test_likely_clinical_wording_is_found_on_word_boundaries_in_any_case(text, found):
    assert clinical_phrases(text) == found


def test_the_vocabulary_file_holds_substances_treatments_diagnoses_and_medications():
    categories = set(vocabulary().values())
    assert categories == {"substance", "treatment", "diagnosis", "medication"}
    for term in ("heroin", "meth", "fentanyl", "inpatient", "aa", "psych", "detox", "na"):
        assert term in vocabulary(), term


@pytest.fixture
def staffed(engine):
    team = make_team(engine)
    avery = covered(engine, "BUR-0001", "Avery", cm=team.cm)
    session_id = make_session(engine)
    return team, avery, session_id


def _confirmations(engine):
    with read_session(engine) as session:
        return list(session.exec(select(ClinicalConfirmation)))


def test_a_reason_with_clinical_words_is_refused_until_its_submitter_confirms_it(engine, staffed):
    team, _, session_id = staffed
    send = dict(person_name="Avery Sample", reason=RED_TEAM_REASON, today=TODAY)
    with pytest.raises(ValidationError, match="Reason mentions relapsed, heroin, detox"):
        submit_name(engine, team.bpd, now=at_noon(TODAY), **send)
    with read_session(engine) as session:
        assert session.exec(select(Submission)).all() == []
    submit_name(engine, team.bpd, now=at_noon(TODAY), not_clinical=True, **send)
    [kept] = _confirmations(engine)
    assert (kept.record_kind, kept.session_id, kept.confirmed_by) == (
        "submission",
        session_id,
        "bpd1",
    )
    assert kept.phrases == ["bipolar", "detox", "heroin", "meds", "relapsed"]
    with read_session(engine) as session:
        [row] = session.exec(
            select(AuditEvent).where(AuditEvent.action == "free_text.confirm_not_clinical")
        ).all()
    assert row.username == "bpd1" and "heroin" not in f"{row.subject}{row.outcome}{row.purpose}"


def _place(engine, team, avery):
    submit_name(
        engine, team.bpd, person_name="Avery Sample", reason="Seen at the station", today=TODAY
    )
    with read_session(engine) as session:
        sub = session.exec(select(Submission)).one()
    confirm_match(engine, team.pm, submission_id=sub.id, participant_id=avery.id, today=TODAY)
    from models import AgendaItem

    with read_session(engine) as session:
        return session.exec(select(AgendaItem).where(AgendaItem.participant_id == avery.id)).one()


def test_an_action_item_for_bpd_about_inpatient_psych_needs_a_confirmation(engine, staffed):
    team, avery, _ = staffed
    item = _place(engine, team, avery)
    action = dict(
        item_id=item.id,
        text="Drive her to the inpatient psych intake",
        owner_org_code="BPD",
        due_on=SESSION_DAY,
        today=TODAY,
    )
    with pytest.raises(ValidationError, match="Action mentions inpatient, psych"):
        add_action_item(engine, team.pm, **action)
    add_action_item(engine, team.pm, not_clinical=True, **action)
    assert [(c.record_kind, c.phrases) for c in _confirmations(engine)] == [
        ("action", ["inpatient", "psych"])
    ]


def test_an_outcome_with_clinical_words_is_saved_only_when_confirmed(engine, staffed):
    team, avery, _ = staffed
    item = _place(engine, team, avery)
    outcome = dict(item_id=item.id, expected_version=item.version, decisions="Keep the plan")
    with pytest.raises(ValidationError, match="Summary mentions fentanyl"):
        save_outcome(engine, team.pm, summary="No fentanyl since May", **outcome)
    save_outcome(engine, team.pm, summary="No fentanyl since May", not_clinical=True, **outcome)
    assert [c.record_kind for c in _confirmations(engine)] == ["outcome"]


def test_the_project_manager_sees_every_flag_of_a_session_and_who_confirmed_it(engine, staffed):
    team, avery, session_id = staffed
    item = _place(engine, team, avery)
    add_action_item(
        engine,
        team.pm,
        item_id=item.id,
        text="Ask about the AA meeting",
        owner_org_code="CMP",
        due_on=SESSION_DAY,
        today=TODAY,
        not_clinical=True,
    )
    with write_session(engine) as session:  # written before the check existed
        session.add(
            Submission(
                session_id=session_id,
                submitted_by="kcpao1",
                organization_code="KCPAO",
                person_name="Avery Sample",
                reason="Using meth again",
                at=at_noon(TODAY),
            )
        )
    rows = clinical_flags(engine, team.pm, session_id=session_id)
    assert [(r["What"], r["Flagged words"], r["Confirmed not clinical by"]) for r in rows] == [
        ("Reason sent (from KCPAO)", "meth", "nobody (written before the check)"),
        ("Action item (item 2)", "aa", "Test pm1"),
    ]
    with pytest.raises(PermissionError):
        clinical_flags(engine, team.bpd, session_id=session_id)


def test_the_curtain_text_is_checked_for_clinical_words_too(engine, staffed):
    team, avery, _ = staffed
    item = _place(engine, team, avery)
    with pytest.raises(ValidationError, match="Curtain text mentions rehab"):
        set_curtain_text(
            engine, team.pm, item_id=item.id, expected_version=item.version, text="Back in rehab"
        )


def test_each_partner_field_names_the_organizations_that_will_read_it(engine, staffed):
    team, _, session_id = staffed
    reason = who_reads(engine, field="reason", today=TODAY)
    assert reason.startswith("Who reads this: the project manager; ")
    assert "(BPD)" in reason and "(KCPAO)" in reason and "(KCSO)" not in reason
    action = who_reads(engine, field="action", today=TODAY, session_id=session_id)
    assert "(BPD)" in action and "the owner" in action


def test_no_planted_clinical_phrase_reaches_a_partner_unflagged(db_url):
    from tests.checks_free_text import CORPUS, partner_free_text

    result = partner_free_text(db_url, apptest=False)
    assert result["unflagged"] == []
    assert result["planted"] == result["reached"] == 5 * len(CORPUS)
    assert result["refused_unconfirmed"] > len(CORPUS)


def test_the_free_text_check_counts_a_word_the_vocabulary_misses_and_a_text_saved_around_it(
    db_url, monkeypatch
):
    from tests import checks_free_text

    monkeypatch.setattr(checks_free_text, "CORPUS", ("in detox", "hearing voices at night"))
    result = checks_free_text.partner_free_text(db_url, apptest=False, bypass=True)
    assert "needs a ride to the methadone clinic (bypass)" in result["unflagged"]
    assert "hearing voices at night (reason 1)" in result["unflagged"]
    assert not any(text.startswith("in detox") for text in result["unflagged"])
