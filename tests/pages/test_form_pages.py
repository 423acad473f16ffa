"""AppTest: what the screen shows is what is saved (SECURITY 33, issue 11).

Date fields take any date (the service checks the field's rule), a refused form keeps what was
typed and lists every problem, and a refusal never wears a success mark.
"""

from datetime import date, timedelta

import pytest
from sqlmodel import func, select
from streamlit.testing.v1 import AppTest

from models import Contact, Submission
from services.core.clock import local_today
from services.core.db import read_session
from services.participants.caseload import my_caseload
from tests.factories import sign_in
from tests.support import open_app as signed_in
from ui.fields import EARLIEST, LATEST

TODAY = local_today("America/Los_Angeles")  # the demo is seeded relative to the real day


def count(engine, model) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def widget(items, label: str):
    return next(w for w in items if w.label == label)


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize(
    "username, page",
    [
        pytest.param("cm1", "pages/contact_log.py", id="log-a-contact"),
        pytest.param("bpd", "pages/submit_names.py", id="submit-names"),
        pytest.param("pm", "pages/agenda.py", id="agenda"),
        pytest.param("pm", "pages/session_outcomes.py", id="session-outcomes"),
        pytest.param("pm", "pages/community_log.py", id="community-log"),
        pytest.param("pm", "pages/caseload.py", id="caseload"),
        pytest.param("cm1", "pages/referral_new.py", id="new-referral"),
    ],
)
def test_every_date_field_takes_any_date_from_1900_to_2100_and_leaves_the_rule_to_the_service(
    demo, username, page
):
    at = signed_in(demo, username, page)
    assert not at.exception, at.exception
    assert at.date_input, "no date field drawn"
    for field in at.date_input:
        assert (field.label, field.min, field.max) == (field.label, EARLIEST, LATEST)


def test_every_date_field_on_the_participant_record_takes_any_date_from_1900_to_2100(demo):
    at = signed_in(demo, "cm2")
    at.session_state["participant_id"] = 1
    at.switch_page("pages/participant.py").run()
    assert not at.exception, at.exception
    assert len(at.date_input) >= 10
    assert {(f.min, f.max) for f in at.date_input} == {(EARLIEST, LATEST)}


def test_an_empty_date_field_still_takes_any_date_from_1900_to_2100():
    def script():
        from ui.fields import date_field

        date_field("Expires")

    at = AppTest.from_function(script).run()
    field = at.date_input[0]
    assert (field.value, field.min, field.max) == (None, date(1900, 1, 1), date(2100, 12, 31))


def test_a_contact_dated_after_today_is_refused_not_saved_as_today(demo):
    at = signed_in(demo, "cm1", "pages/contact_log.py")
    before = count(demo, Contact)
    person = my_caseload(demo, sign_in(demo, "cm1"), TODAY)[0]["id"]
    widget(at.selectbox, "Participant").set_value(person)
    later = TODAY + timedelta(days=22)  # issue 11: 2026-12-25 typed on 2026-12-03
    widget(at.date_input, "Date").set_value(later)
    button(at, "Log contact").click().run()
    assert [e.value for e in at.error] == ["Date: it cannot be in the future."]
    assert count(demo, Contact) == before
    assert widget(at.date_input, "Date").value == later  # the screen still shows what was typed


def test_a_pasted_5000_character_reason_is_refused_with_its_length_and_stays_in_the_box(demo):
    at = signed_in(demo, "bpd", "pages/submit_names.py")
    before = count(demo, Submission)
    widget(at.text_input, "Person's name").input("Jordan Fake-Person")
    widget(at.text_area, "Why discuss this person (required, brief)").input("y" * 5000)
    button(at, "Send the name").click().run()
    assert [e.value for e in at.error] == ["The reason is 5,000 characters long; at most 300."]
    assert widget(at.text_area, "Why discuss this person (required, brief)").value == "y" * 5000
    assert widget(at.text_input, "Person's name").value == "Jordan Fake-Person"
    assert count(demo, Submission) == before


def test_submit_names_lists_every_problem_at_once_and_keeps_the_typed_values(demo):
    at = signed_in(demo, "bpd", "pages/submit_names.py")
    widget(at.text_area, "Why discuss this person (required, brief)").input("   ")
    widget(at.text_input, "Alias (optional)").input("z" * 130)
    widget(at.date_input, "Date of birth (optional)").set_value(date(2030, 1, 1))
    button(at, "Send the name").click().run()
    (error,) = at.error
    for problem in (
        "The alias is 130 characters long; at most 120.",
        "Reason: required.",
        "Date of birth: it must be a past date after 1900.",
    ):
        assert problem in error.value
    assert widget(at.text_input, "Alias (optional)").value == "z" * 130
    assert widget(at.date_input, "Date of birth (optional)").value == date(2030, 1, 1)


def test_a_refusal_the_action_reports_shows_as_a_warning_never_with_a_success_mark():
    def script():
        import streamlit as st

        from ui.widgets import flash, run_action

        flash()
        if st.button("Confirm and place") and run_action(
            lambda: {"placed": False, "message": "Held: no active release covers BPD."},
            success=lambda result: result["message"],
            refused=lambda result: not result["placed"],
        ):
            st.rerun()

    at = AppTest.from_function(script).run()
    at.button[0].click().run()
    assert [w.value for w in at.warning] == ["Held: no active release covers BPD."]
    assert at.success == [] or [s.value for s in at.success] == []


def test_a_refused_permission_shows_a_message_not_a_traceback():
    def script():
        import streamlit as st

        from ui.widgets import run_action

        def refused():
            raise PermissionError("Only the project manager builds agendas and records outcomes.")

        if st.button("Save session"):
            run_action(refused, success="Session saved.")

    at = AppTest.from_function(script).run()
    at.button[0].click().run()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("Only the project manager builds agendas")
    assert "PermissionError" not in error.value and "Traceback" not in error.value
    assert [s.value for s in at.success] == []


def test_a_failed_audit_write_or_os_permission_error_shows_a_fixed_sentence_and_no_detail():
    def script():
        import streamlit as st

        from services.core.audit import AuditWriteError
        from ui.widgets import prepared_download, run_edit

        def audit_fails():
            raise AuditWriteError("insert into audit_event failed: disk I/O error")

        def os_refuses():
            raise PermissionError(13, "Permission denied", "/srv/lead/secret.db")

        if st.button("Save"):
            run_edit(audit_fails, success="Saved.", reset_keys=["x_"])
        prepared_download("minutes (PDF)", os_refuses, key="dl")

    at = AppTest.from_function(script).run()
    at.button[0].click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Nothing was saved: the audit trail could not be written. Try again in a moment, or "
        "tell the administrator if it keeps happening."
    ]
    at.button[1].click().run()
    assert not at.exception
    assert at.error[-1].value == "You are not allowed to do this with your role. Nothing was saved."
    assert all("/srv/lead" not in e.value and "Errno" not in e.value for e in at.error)


def test_a_password_change_whose_audit_row_cannot_be_written_says_so_without_a_traceback(
    demo, monkeypatch
):
    from services.core import audit

    at = signed_in(demo, "cm1", "pages/account.py")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "append", broken)
    widget(at.text_input, "Current password").input("not the password")
    widget(at.text_input, "New password").input("a long new passphrase")
    widget(at.text_input, "New password again").input("a long new passphrase")
    button(at, "Change password").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Nothing was saved: the audit trail could not be written. Try again in a moment, or "
        "tell the administrator if it keeps happening."
    ]
