"""AppTest: the participant record, contact log, caseload and import pages, role by role."""

import pytest
from sqlmodel import col, func, select

from models import Contact, Coverage, Intake, Participant, Release, User
from services.core.clock import local_today
from services.core.db import read_session
from services.participants import search, update_identity
from services.participants.caseload import my_caseload
from services.participants.consent import rescind_release
from tests.checks import rendered_text
from tests.factories import sign_in
from tests.factories_participants import csv_bytes, import_row
from tests.support import open_app as signed_in
from tests.support import open_record

TODAY = local_today("America/Los_Angeles")  # the demo is seeded relative to the real day


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def widget(items, label: str):
    return next(w for w in items if w.label == label)


def users(engine) -> list[User]:
    with read_session(engine) as session:
        return list(session.exec(select(User)))


def count(engine, model) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_case_manager_records_an_intake_from_the_record_page(demo):
    at = open_record(demo, "cm2", 1)
    before = count(demo, Intake)
    widget(at.selectbox, "Chemical dependency").set_value("need identified")
    widget(at.selectbox, "Housing").set_value("need identified")
    widget(at.text_area, "Immediate needs met").input("A shelter bed tonight.")
    button(at, "Record intake").click().run()
    assert not at.exception
    assert "In-depth intake recorded." in [s.value for s in at.success]
    assert count(demo, Intake) == before + 1


def test_a_refused_release_names_the_missing_element_and_saves_nothing(demo):
    at = open_record(demo, "cm2", 1)
    widget(at.multiselect, "Organizations it covers").set_value(["BPD"])
    button(at, "Record release").click().run()
    assert "Expiry: required (the date the release ends)." in [e.value for e in at.error]


def test_the_later_of_two_editors_sees_a_conflict_on_the_page(demo):
    at = open_record(demo, "cm2", 1)
    with read_session(demo) as session:
        row = session.get(Participant, 1)
    update_identity(
        demo,
        sign_in(demo, "supervisor"),
        participant_id=1,
        expected_version=row.version,
        values={"legal_name": row.legal_name, "preferred_name": "Changed Elsewhere"},
        today=TODAY,
    )
    widget(at.text_input, "Preferred name").input("Mine")
    button(at, "Save identity").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith("Not saved: this record was changed by supervisor") for e in errors)
    with read_session(demo) as session:
        assert session.get(Participant, 1).preferred_name == "Changed Elsewhere"


def test_the_project_manager_sees_no_restricted_detail(demo):
    at = open_record(demo, "pm", 2)
    text = rendered_text(at)
    assert "BUR-0002" in text
    for secret in ("Case notes", "Demo: substance use", "Demo note:", "Demo: mental health"):
        assert secret not in text


def test_a_partner_sees_the_partner_safe_view_under_an_active_release(demo):
    bpd = sign_in(demo, "bpd")
    shared = search(demo, bpd, "", TODAY)
    assert shared
    at = open_record(demo, "bpd", shared[0]["id"])
    text = rendered_text(at)
    assert shared[0]["LEAD id"] in text and "Partner-safe view" in text
    for secret in (
        "Legal name",
        "Demo note:",
        "Demo: substance",
        "Date of birth",
        "dependency treatment",
        "Treatment-information",
    ):
        assert secret not in text
    assert not [b for b in at.button if b.label in ("Record intake", "Save identity")]


def test_a_partner_loses_the_view_on_the_next_rerun_after_a_rescission(demo):
    """SECURITY 4: an open partner session is denied on its next rerun, with no identifier."""
    shared = search(demo, sign_in(demo, "bpd"), "", TODAY)[0]
    at = open_record(demo, "bpd", shared["id"])
    assert "Partner-safe view" in rendered_text(at)
    with read_session(demo) as session:
        releases = session.exec(
            select(Release.id).where(
                Release.participant_id == shared["id"], col(Release.rescinded_date).is_(None)
            )
        ).all()
    supervisor = sign_in(demo, "supervisor")
    for release_id in releases:
        rescind_release(demo, supervisor, release_id=release_id, on=TODAY, today=TODAY)
    at.run()
    text = rendered_text(at)
    assert "You do not have access to this record." in text
    assert shared["LEAD id"] not in text and "Partner-safe view" not in text


def test_a_partner_without_a_release_sees_no_identifier(demo):
    doc = sign_in(demo, "doc")
    shared = {row["id"] for row in search(demo, doc, "", TODAY)}
    hidden = next(i for i in range(1, 13) if i not in shared)
    at = open_record(demo, "doc", hidden)
    text = rendered_text(at)
    assert "You do not have access to this record." in text
    assert f"BUR-{hidden:04d}" not in text


def test_a_case_manager_logs_a_contact_in_a_few_taps(demo):
    at = signed_in(demo, "cm1", "pages/contact_log.py")
    assert not at.exception
    before = count(demo, Contact)
    button(at, "Log contact").click().run()
    assert "Participant: choose who the contact was with." in [e.value for e in at.error]
    first = my_caseload(demo, sign_in(demo, "cm1"), TODAY)[0]["id"]
    at.selectbox(key="log_person_0").set_value(first)  # values are ids (labels are formatted)
    at.button_group(key="log_kind_0").set_value("phone")
    widget(at.text_area, "Case note (optional)").input("Called about housing.")
    button(at, "Log contact").click().run()
    assert not at.exception
    assert count(demo, Contact) == before + 1
    assert any(s.value.startswith("Logged a phone contact with BUR-") for s in at.success)
    assert at.selectbox(key="log_person_1").value is None  # a fresh, empty form


@pytest.mark.parametrize("username", ["pm", "supervisor", "cm1"])
def test_the_caseload_page_shows_every_chart_with_its_numbers(demo, username):
    at = signed_in(demo, username, "pages/caseload.py")
    assert not at.exception
    charts = at.get("vega_lite_chart")
    assert len(charts) == 5
    text = rendered_text(at)
    for title in (
        "Active clients per case manager",
        "Referred, not yet enrolled",
        "Referral funnel",
        "Days from referral to intake",
        "Referrals per month",
        "Capacity forecast",
    ):
        assert title in text, title
    # Every chart sits in a row with its table: a column holding the chart, one holding numbers.
    columns = [c for c in at.columns if c.get("vega_lite_chart") or c.dataframe]
    assert sum(bool(c.dataframe) for c in columns) >= 5


def test_a_supervisor_hands_a_caseload_over_from_the_caseload_page(demo):
    at = signed_in(demo, "supervisor", "pages/caseload.py")
    before = count(demo, Coverage)
    ids = {u.username: u.id for u in users(demo)}
    widget(at.selectbox, "Case manager away").set_value(ids["cm2"])
    widget(at.selectbox, "Covered by").set_value(ids["cm1"])
    at.date_input[0].set_value(TODAY)
    button(at, "Hand over caseload").click().run()
    assert not at.exception
    assert count(demo, Coverage) == before + 1
    assert "Coverage set: alerts follow the caseload for that period." in [
        s.value for s in at.success
    ]


def test_a_supervisor_imports_a_caseload_file(demo):
    at = signed_in(demo, "supervisor", "pages/caseload_import.py")
    assert not at.exception
    rows = [import_row("BUR-0901", case_manager="cm1"), import_row("BUR-0902", legal_name="Two X")]
    at.file_uploader[0].upload("caseload.csv", csv_bytes(rows), "text/csv").run()
    assert "All 2 row(s) are valid." in [s.value for s in at.success]
    before = count(demo, Participant)
    button(at, "Import 2 participant(s)").click().run()
    assert not at.exception
    assert count(demo, Participant) == before + 2
    assert "Imported 2 participant(s)." in [s.value for s in at.success]


def test_a_bad_import_file_lists_its_errors_and_offers_them_for_download(demo):
    at = signed_in(demo, "pm", "pages/caseload_import.py")
    rows = [import_row("BUR-0901", legal_name="=HYPERLINK(1)")]
    at.file_uploader[0].upload("caseload.csv", csv_bytes(rows), "text/csv").run()
    assert not at.exception
    assert at.error[0].value.startswith("1 problem(s) found, so nothing was written.")
    errors = at.dataframe[-1].value
    assert list(errors["Row"]) == [2] and list(errors["Column"]) == ["legal_name"]
    assert "Download the errors (CSV)" in [d.label for d in at.get("download_button")]


def test_an_uploaded_file_is_checked_once_not_again_on_every_rerun(demo, monkeypatch):
    import services.participants

    calls = []
    real = services.participants.check_file
    monkeypatch.setattr(
        services.participants,  # where the page looks it up
        "check_file",
        lambda *a, **kw: calls.append(1) or real(*a, **kw),
    )
    at = signed_in(demo, "pm", "pages/caseload_import.py")
    at.file_uploader[0].upload("caseload.csv", csv_bytes([import_row("BUR-0901")]), "text/csv")
    at.run()
    at.run()
    at.run()
    assert not at.exception
    assert "All 1 row(s) are valid." in [s.value for s in at.success]
    assert len(calls) == 1
    other = csv_bytes([import_row("BUR-0902")])
    at.file_uploader[0].upload("caseload.csv", other, "text/csv").run()
    assert len(calls) == 2


def test_an_import_row_like_someone_on_file_is_listed_for_review_before_importing(demo):
    with read_session(demo) as session:
        known = session.exec(select(Participant).where(Participant.lead_id == "BUR-0003")).one()
    at = signed_in(demo, "pm", "pages/caseload_import.py")
    row = import_row("BUR-0901", legal_name=known.legal_name, date_of_birth="1901-02-03")
    at.file_uploader[0].upload("caseload.csv", csv_bytes([row]), "text/csv").run()
    assert not at.exception
    assert "1 row(s) may be people already recorded" in at.warning[0].value
    matches = at.dataframe[-1].value  # PROTOCOL B14: the one matcher's band and reason
    assert list(matches["May be"]) == ["BUR-0003"] and list(matches["Match"]) == ["strong"]
    assert "date of birth differs" in matches["Why"][0]
