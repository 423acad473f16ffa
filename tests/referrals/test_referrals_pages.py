"""AppTest: New referral (the screen follows the form), Referrals (lifecycle in place), Today."""

from datetime import date
from pathlib import Path

from sqlmodel import select

from models import Contact, Participant, Referral
from services.core.audit import AuditFilter, browse
from services.core.clock import local_today
from services.core.db import read_session, write_session
from services.today import open_alerts
from tests.checks import rendered_text
from tests.factories import sign_in
from tests.support import open_app as open_page

ROOT = Path(__file__).resolve().parents[2]


def screen_panel(at) -> str:
    return " ".join(
        [e.value for e in at.success] + [e.value for e in at.error] + [m.value for m in at.markdown]
    )


# The officer's answers: amenable and interested, no other determination (B3-B10).
ANSWERS = {
    "amenable": True,
    "dealing_for_profit": False,
    "exploits_others": False,
    "promoting_prostitution": False,
    "protective_order_with_participant": False,
    "safety_concern": False,
    "needs_medical_care": False,
    "unable_to_consent": False,
    "interested": True,
}


def answer_determinations(at, **changes):
    """Answer every determination the form shows, as ANSWERS with `changes`."""
    for key, value in {**ANSWERS, **changes}.items():
        boxes = [r for r in at.radio if r.key == f"rn_det_{key}"]
        if boxes:
            boxes[0].set_value(value).run()


def test_the_screen_changes_as_the_grams_change(demo):
    at = open_page(demo, "cm1", "pages/referral_new.py")
    assert "Choose the offense to see the screen." in [i.value for i in at.info]
    at.selectbox(key="rn_offense").set_value("vucsa_possession").run()
    at.selectbox(key="rn_drug").set_value("other").run()
    at.number_input(key="rn_grams").set_value(5.0).run()
    answer_determinations(at)
    assert any(s.value.startswith("**Eligible**") for s in at.success)
    assert not at.error
    at.number_input(key="rn_grams").set_value(8.0).run()
    assert not at.success
    assert at.error[0].value.startswith("**Excluded** by 1 rule(s)")
    assert "- **B2**: The drug amount is above 7 grams" in screen_panel(at)
    assert any("not a verdict" in i.value for i in at.info)  # PROTOCOL B13


def test_an_excluded_arrest_offers_the_social_contact_route(demo):
    at = open_page(demo, "cm1", "pages/referral_new.py")
    at.selectbox(key="rn_offense").set_value("other").run()
    assert "**B1**" in screen_panel(at)
    [b for b in at.button if b.label.startswith("Refer as a social contact")][0].click().run()
    assert at.radio(key="rn_type").value == "social_contact"
    panel = screen_panel(at)
    assert "**S1**" in panel and "**B1**" not in panel
    at.selectbox(key="rn_basis").set_value("observation").run()
    at.selectbox(key="rn_catchment").set_value("yes").run()
    at.date_input(key="rn_last_violation").set_value(local_today("America/Los_Angeles")).run()
    answer_determinations(at)  # the social contact asks S4 only
    assert any(s.value.startswith("**Eligible**") for s in at.success)


def fill_arrest(at, name="Jordan Testcase"):
    at.text_input(key="rn_officer").input("Officer Demo-Patrol").run()
    at.text_input(key="rn_sergeant").input("Sgt. Demo-Sergeant").run()
    at.selectbox(key="rn_prosecutor").set_value("KCPAO").run()
    at.selectbox(key="rn_offense").set_value("criminal_trespass").run()
    answer_determinations(at)
    at.text_input(key="rn_legal").input(name).run()


def test_saving_a_referral_opens_it_on_referrals_with_a_confirmation(demo):
    at = open_page(demo, "cm1", "pages/referral_new.py")
    fill_arrest(at)
    [b for b in at.button if b.label == "Save referral"][0].click().run()
    assert not at.exception
    assert "Referral saved for BUR-0013 (screen: eligible)." in at.success[0].value
    assert [t.value for t in at.title] == ["Referrals"]
    with read_session(demo) as session:
        saved = session.exec(select(Referral).order_by(Referral.id.desc())).first()
        person = session.get(Participant, saved.participant_id)
    assert (person.lead_id, person.legal_name, saved.offense) == (
        "BUR-0013",
        "Jordan Testcase",
        "criminal_trespass",
    )
    assert "Referral of BUR-0013" in [s.value for s in at.subheader]


def test_a_refused_save_says_which_field_and_saves_nothing(demo):
    at = open_page(demo, "cm1", "pages/referral_new.py")
    at.selectbox(key="rn_offense").set_value("criminal_trespass").run()
    at.text_input(key="rn_legal").input("Jordan Testcase").run()
    [b for b in at.button if b.label == "Save referral"][0].click().run()
    message = at.error[-1].value
    assert "Referring officer: required." in message
    assert "Prosecutor with jurisdiction: required for an arrest diversion." in message
    with read_session(demo) as session:
        assert (
            session.exec(select(Participant).where(Participant.lead_id == "BUR-0013")).first()
            is None
        )


def test_an_earlier_record_is_shown_before_saving_and_can_be_chosen(demo):
    with read_session(demo) as session:
        known = session.exec(select(Participant).where(Participant.lead_id == "BUR-0003")).one()
    at = open_page(demo, "cm1", "pages/referral_new.py")
    fill_arrest(at, name=known.legal_name)
    assert any("Possible earlier records" in w.value for w in at.warning)
    assert "BUR-0003" in list(at.dataframe[0].value["LEAD id"])
    at.selectbox(key="rn_person_choice").set_value(known.id).run()
    [b for b in at.button if b.label == "Save referral"][0].click().run()
    assert "Referral saved for BUR-0003" in at.success[0].value
    with read_session(demo) as session:
        assert len(session.exec(select(Participant)).all()) == 12


def save(at):
    [b for b in at.button if b.label == "Save referral"][0].click().run()
    assert not at.exception


def participants(engine) -> int:
    with read_session(engine) as session:
        return len(session.exec(select(Participant)).all())


def test_a_strong_match_needs_an_explicit_choice_and_a_new_person_needs_a_reason(demo):
    with read_session(demo) as session:
        known = session.exec(select(Participant).where(Participant.lead_id == "BUR-0003")).one()
    at = open_page(demo, "cm1", "pages/referral_new.py")
    fill_arrest(at, name=known.legal_name)
    choice = at.selectbox(key="rn_person_choice")
    assert choice.value is None  # no default beside a strong match
    assert f"BUR-0003: {known.legal_name}, born {known.date_of_birth}" in " ".join(choice.options)
    save(at)
    assert "Person: choose an existing participant or enter a new person." in at.error[-1].value
    at.selectbox(key="rn_person_choice").set_value("new").run()
    save(at)
    assert "BUR-0003 (name 100% similar to the legal name) may be this person" in at.error[-1].value
    assert participants(demo) == 12
    at.selectbox(key="rn_new_reason").set_value("id_checked").run()
    save(at)
    assert "Referral saved for BUR-0013" in at.success[0].value
    rows = browse(demo, AuditFilter(action="participant.new_beside_match"))
    assert [(r["subject"], r["outcome"]) for r in rows] == [("BUR-0013", "reason: id_checked")]


def test_new_referral_pre_answers_no_determination_and_no_conviction(demo):
    at = open_page(demo, "cm1", "pages/referral_new.py")
    determinations = [r for r in at.radio if r.key.startswith("rn_det_")]
    assert len(determinations) == 9 and all(r.value is None for r in determinations)
    assert at.selectbox(key="rn_conv").value is None
    at.selectbox(key="rn_offense").set_value("criminal_trespass").run()
    assert not at.success  # no "Eligible" built on a guess
    assert any(w.value.startswith("**Not answered yet**") for w in at.warning)
    assert any(
        c.value.startswith("Not answered yet: Amenable to diversion (B3); ") for c in at.caption
    )
    assert any(
        "Not answered yet" in c.value and "9 determination(s)" in c.value for c in at.caption
    )


def test_an_arrest_referral_with_a_determination_unanswered_is_refused_with_a_message(demo):
    at = open_page(demo, "cm1", "pages/referral_new.py")
    fill_arrest(at)
    at.radio(key="rn_det_interested").set_value(None).run()
    save(at)
    assert "Determinations: answer yes or no to each one before saving: Says they are " in (
        at.error[-1].value
    )
    assert participants(demo) == 12


def test_b9_names_the_conviction_and_its_window_on_new_referral_and_referrals(demo):
    at = open_page(demo, "cm1", "pages/referral_new.py")
    fill_arrest(at)
    at.selectbox(key="rn_conv").set_value("robbery_2").run()
    year = local_today("America/Los_Angeles").year - 3  # inside the 10 years whenever run
    at.date_input(key="rn_conv_date").set_value(date(year, 5, 2)).run()
    [b for b in at.button if b.label == "Add conviction"][0].click().run()
    text = f"Robbery 2, {year}-05-02: within 10 years (to {year + 10}-05-02)."
    assert f"- **B9**: {text}" in [m.value for m in at.markdown]  # the screen panel
    assert any(c.value.endswith(f"**B9 excludes**: {text}") for c in at.caption)  # inline
    assert "A prior conviction disqualifies" not in rendered_text(at)
    save(at)
    at.switch_page("pages/referrals.py").run()  # AppTest forgets a switch made by the script
    assert f"B9: {text}" in [t.value for t in at.text]  # the referral's screen reasons


def test_names_are_shown_as_plain_text_only(demo):
    payload = "<b>x</b> [y](javascript:alert(1))"
    at = open_page(demo, "cm1", "pages/referral_new.py")
    fill_arrest(at, name=payload)
    [b for b in at.button if b.label == "Save referral"][0].click().run()
    assert all(payload not in m.value for m in at.markdown)
    assert payload in [t.value for t in at.text]  # the referral's name field, via st.text


def test_recording_the_screening_on_referrals(demo):
    at = open_page(demo, "cm1", "pages/referral_new.py")
    fill_arrest(at)
    [b for b in at.button if b.label == "Save referral"][0].click().run()
    at.switch_page("pages/referrals.py").run()  # AppTest forgets a switch made by the script
    submit = [b for b in at.button if b.label == "Record the initial screening"][0]
    submit.click().run()
    assert "Record the initial screening: saved for BUR-0013." in [s.value for s in at.success]
    rows = at.dataframe[0].value
    assert list(rows.loc[rows["LEAD id"] == "BUR-0013", "Stage"]) == ["Screened"]


def test_left_before_screening_shows_whom_to_notify(demo):
    at = open_page(demo, "cm1", "pages/referral_new.py")
    fill_arrest(at)
    [b for b in at.button if b.label == "Save referral"][0].click().run()
    at.switch_page("pages/referrals.py").run()
    [b for b in at.button if b.label == "Left before screening"][0].click().run()
    assert any("PROTOCOL T2" in w.value for w in at.warning)
    assert any("Supervising sergeant: Sgt. Demo-Sergeant" in t.value for t in at.text)


def test_the_project_manager_sees_candidates_and_no_criminal_history(demo):
    at = open_page(demo, "pm", "pages/referrals.py")
    assert "LEAD id" in at.dataframe[-1].value.columns
    at.selectbox[0].select_index(0).run()
    text = rendered_text(at)
    assert "Referral of BUR-" in text
    for hidden in ("Prior convictions", "Determinations", "Screen reasons", "Drug grams"):
        assert hidden not in text


def test_today_records_the_prosecutor_notice_in_place(demo):
    cm = sign_in(demo, "cm1")
    today = local_today("America/Los_Angeles")
    t5 = [a for a in open_alerts(demo, cm, today) if a.rule == "T5"][0]
    at = open_page(demo, "cm1", "pages/today.py")
    label = f"{t5.subject} · T5 · {t5.action} (due {t5.due})"
    at.selectbox(key="today_close_choice").set_value(label).run()
    at.selectbox[-1].set_value("BCA")
    [b for b in at.button if b.label == "Record the prosecutor notice"][0].click().run()
    assert not at.exception
    assert f"Recorded: record the prosecutor notice for {t5.subject}." in [
        s.value for s in at.success
    ]
    with read_session(demo) as session:
        row = session.get(Referral, t5.referral_id)
    assert (row.prosecutor_notice_office, row.prosecutor_notice_method) == ("BCA", "phone")


def test_today_offers_the_calendar_and_the_project_managers_candidates(demo):
    at = open_page(demo, "pm", "pages/today.py")
    assert "Social-contact candidates (S5)" in [s.value for s in at.subheader]
    assert "Download my open deadlines as a calendar (.ics)" in rendered_text(at)
    at.toggle(key="today_as_table").set_value(True).run()  # cards first; the table on request
    rules = set(at.dataframe[0].value["Rule"])
    assert "M5" in rules  # the monthly BHRD report, the project manager's


def first_alert(engine, username, rule):
    user = sign_in(engine, username)
    today = local_today("America/Los_Angeles")
    return [a for a in open_alerts(engine, user, today) if a.rule == rule][0]


def choose_alert(at, alert):
    label = f"{alert.subject} · {alert.rule} · {alert.action} (due {alert.due})"
    at.selectbox(key="today_close_choice").set_value(label).run()
    assert not at.exception


def test_today_logs_a_contact_in_place_and_the_no_contact_alert_closes(demo):
    nc = first_alert(demo, "cm1", "NC")
    at = open_page(demo, "cm1", "pages/today.py")
    choose_alert(at, nc)
    assert f"**Log a contact with {nc.subject}**" in [m.value for m in at.markdown]
    # The defaults, as a case manager in the field would leave them: a 15-minute field contact.
    [b for b in at.button if b.label == "Log contact"][0].click().run()
    assert not at.exception
    today = local_today("America/Los_Angeles")
    assert f"Logged a field contact with {nc.subject} on {today.isoformat()}." in [
        s.value for s in at.success
    ]
    with read_session(demo) as session:
        person = session.get(Participant, nc.participant_id)
        contact = session.exec(
            select(Contact)
            .where(Contact.participant_id == nc.participant_id)
            .order_by(Contact.id.desc())
        ).first()
    assert (person.lead_id, person.last_contact_date) == (nc.subject, today)
    assert (contact.on, contact.kind, contact.minutes) == (today, "field", 15)
    still = [a for a in open_alerts(demo, sign_in(demo, "cm1"), today) if a.rule == "NC"]
    assert nc.subject not in [a.subject for a in still]


def test_today_opens_the_record_where_a_release_is_recorded(demo):
    c3 = first_alert(demo, "cm1", "C3")
    at = open_page(demo, "cm1", "pages/today.py")
    choose_alert(at, c3)
    assert "**Record a signed release**: recorded on the Participant record page." in [
        m.value for m in at.markdown
    ]
    [b for b in at.button if b.label == f"Open the record of {c3.subject}"][0].click().run()
    assert not at.exception
    assert "Participant record" in [c.value for c in at.caption]  # whose: in the title
    assert at.session_state["participant_id"] == c3.participant_id
    assert c3.subject in rendered_text(at)


def test_today_links_the_project_manager_to_the_bhrd_report(demo):
    m5 = first_alert(demo, "pm", "M5")
    at = open_page(demo, "pm", "pages/today.py")
    choose_alert(at, m5)
    links = [e for e in at.get("page_link")]
    assert [link.proto.label for link in links] == ["Go to Funder reports"]
    # The no-contact alert is not the project manager's to log: it opens the record instead.
    nc = first_alert(demo, "pm", "NC")
    choose_alert(at, nc)
    assert not [b for b in at.button if b.label == "Log contact"]
    assert [b for b in at.button if b.label == f"Open the record of {nc.subject}"]


def test_recording_the_prosecutors_answer_on_referrals_closes_the_victim_alert(demo):
    """Issue 13: the V1 alert linked to Referrals, where nothing could be recorded."""
    t4 = first_alert(demo, "cm1", "T4")
    with write_session(demo) as session:  # the victim sheet given today on one of cm1's referrals
        row = session.get(Referral, t4.referral_id)
        row.victim_involved, row.victim_sheet_date = True, local_today("America/Los_Angeles")
    v1 = first_alert(demo, "cm1", "V1")
    at = open_page(demo, "cm1", "pages/today.py")
    choose_alert(at, v1)
    assert f"**{v1.action}**: recorded on the Referrals page." in [m.value for m in at.markdown]
    [b for b in at.button if b.label == f"Open the referral of {v1.subject}"][0].click().run()
    at.switch_page("pages/referrals.py").run()  # AppTest forgets a switch made by the script
    assert not at.exception
    assert f"Referral of {v1.subject}" in [s.value for s in at.subheader]
    [r for r in at.radio if r.label == "Did the victim object?"][0].set_value("yes")
    [b for b in at.button if b.label == v1.action][0].click().run()
    assert not at.exception
    assert f"{v1.action}: saved for {v1.subject}." in [s.value for s in at.success]
    with read_session(demo) as session:
        row = session.get(Referral, v1.referral_id)
    today = local_today("America/Los_Angeles")
    assert (row.victim_objected, row.victim_objection_answered_on) == (True, today)
    still = open_alerts(demo, sign_in(demo, "cm1"), today)
    assert (v1.referral_id, "V1") not in [(a.referral_id, a.rule) for a in still]
