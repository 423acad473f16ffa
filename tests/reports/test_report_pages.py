"""AppTest of the report pages: a community representative sees published snapshots and
nothing else; the project manager publishes, keeps the community log and prepares the BHRD
report (PROTOCOL M5, M6; SECURITY 2, 3, 23)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from models import CommunityConcern, CommunityMeeting, Disclosure, ReportSnapshot, Role
from services.access.policy import PAGES, can_open
from services.core.clock import local_today
from services.core.db import read_session
from services.reports.report_back import Period, publish, recent_periods
from tests.checks import rendered_text
from tests.checks_reports import found_in, identifiers
from tests.factories import make_user, sign_in
from tests.factories_reports import add_people
from tests.support import open_app as open_as

ROOT = Path(__file__).resolve().parents[2]
Q2 = Period("quarter", date(2026, 4, 1), date(2026, 6, 30))
COMMUNITY_PAGES = {"report_back", "glossary", "account"}


@pytest.fixture
def people(app_env, engine):
    make_user(engine, "pm", Role.project_manager)
    make_user(engine, "rep", Role.community)
    add_people(engine, 14, referred=date(2026, 5, 4), intake=date(2026, 5, 11))
    return engine


def test_a_community_representative_lands_on_report_back_and_can_open_nothing_else(people):
    at = open_as(people, "rep")
    assert at.title[0].value == "Report-back"
    for page in PAGES:
        if page.key in COMMUNITY_PAGES:
            continue
        assert not can_open(Role.community, page.key), page.key
        with pytest.raises(ValueError):  # not in the navigation: never runs
            at.switch_page(page.path).run()


def test_a_community_representative_sees_only_published_figures(people):
    at = open_as(people, "rep")
    assert "Nothing has been published yet." in [i.value for i in at.info]
    assert not at.tabs and not at.checkbox  # no preview, nothing to publish
    assert [b.label for b in at.button] == ["Sign out"]

    publish(people, sign_in(people, "pm"), Q2, today=date(2026, 11, 1))
    add_people(people, 20, referred=date(2026, 8, 3), first_number=3001)  # not published
    at = open_as(people, "rep")
    text = rendered_text(at)
    assert "How LEAD is going: April to June 2026" in text
    assert "Between April and June 2026, 14 people were referred to LEAD" in text
    assert "July to September 2026" not in text and "Preview" not in text
    assert [s.label for s in at.selectbox] == ["Published report"]
    assert found_in(text, identifiers(people)) == []


def test_the_project_manager_previews_and_publishes_a_quarter(people):
    at = open_as(people, "pm", "pages/report_back.py")
    period = [s for s in at.selectbox if s.label == "Which one"][0]
    period.select_index(1).run()  # the quarter before last (the default is the last one)
    assert "Preview: not published yet" in at.info[0].value
    publish_button = [b for b in at.button if b.label.startswith("Publish ")][0]
    assert publish_button.disabled  # until the figures are confirmed as checked
    at.checkbox[0].check().run()
    [b for b in at.button if b.label.startswith("Publish ")][0].click().run()
    assert not at.exception
    with read_session(people) as session:
        snapshot = session.exec(select(ReportSnapshot)).one()
    assert any(s.value.startswith(f"Published {snapshot.label}") for s in at.success)
    assert found_in(rendered_text(at), identifiers(people)) == []


def test_the_project_manager_records_a_meeting_and_a_concern_and_moves_it_on(people):
    at = open_as(people, "pm", "pages/community_log.py")
    fields = {t.label: t for t in at.text_input}
    fields["Place"].input("Demo Library community room")
    at.text_area[0].input("<script>alert(1)</script> asked about the park")
    at.number_input[0].set_value(21)
    [b for b in at.button if b.label == "Record the meeting"][0].click().run()
    assert "Meeting recorded." in [s.value for s in at.success]
    meetings = at.dataframe[-1].value
    assert list(meetings["Feedback"]) == ["<script>alert(1)</script> asked about the park"]
    assert all("<script>" not in m.value for m in at.markdown)

    fields = {t.label: t for t in at.text_input}
    fields["Area (a hot spot, e.g. a park entrance or a block)"].input("Demo Park entrance")
    fields["Behaviour seen there"].input("Needles near the play area")
    [b for b in at.button if b.label == "Add the concern"][0].click().run()
    assert "Concern added; it is open." in [s.value for s in at.success]
    [s for s in at.selectbox if s.label == "New status"][0].select("in progress")
    [b for b in at.button if b.label == "Save the status"][0].click().run()
    with read_session(people) as session:
        assert session.exec(select(CommunityConcern.status)).one() == "in progress"
        assert session.exec(select(CommunityMeeting.attendance)).one() == 21


def test_the_project_manager_prepares_the_bhrd_csv_and_a_disclosure_is_recorded(people):
    last_month = recent_periods(local_today("America/Los_Angeles"), "month", 1)[0]
    add_people(
        people,
        3,
        referred=last_month.start,
        intake=last_month.start + timedelta(days=2),
        first_number=5001,
    )
    # Served last month (the default): these 3 and the 14 active since May 2026.
    at = open_as(people, "pm", "pages/funder_reports.py")
    assert "**17 participants**" in " ".join(m.value for m in at.markdown)
    [b for b in at.button if b.label == "Prepare the CSV file"][0].click().run()
    assert not at.exception
    assert "BHRD CSV file prepared; disclosures recorded." in [t.value for t in at.toast]
    with read_session(people) as session:
        assert len(list(session.exec(select(Disclosure)))) == 17
    assert at.get("download_button")
