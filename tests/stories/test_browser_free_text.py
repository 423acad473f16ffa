"""Real browser: a partner's clinical reason needs the confirmation; the PM sees the flag; the
curtain shows who sent it, not the text (SECURITY 29; issues 11, 12).

BPD sends a name from a phone (390x844) with "in detox" in the reason: the form names the
organizations that will read it and refuses the reason until "This is not clinical information"
is ticked. The project manager's Agenda (1920x1080) lists the flagged words with who confirmed
them; under the privacy curtain the Presenter shows "Reason given by BPD, routine". Screenshots
go to test-artifacts/screenshots/ (free-text-*.png).
"""

from __future__ import annotations

import pytest
from browser import shot, sign_in, wait_idle
from sqlmodel import select

from demo.seed import DEMO_PASSWORD
from models import Submission, User
from services.access.auth import CurrentUser
from services.core.clock import local_today
from services.core.db import read_session
from services.staffing import confirm_match, next_session_taking_names, pickable_participants
from services.staffing.text import clinical_flags

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
REASON = "In detox since Monday; asked officers about LEAD"
ERROR = "[data-testid='stAlertContentError']"
SUCCESS = "[data-testid='stAlertContentSuccess']"


@pytest.fixture(scope="module")
def engine(module_engine):
    return module_engine  # conftest's: the demo in this module's database, served by `server`


def _user(engine, username: str) -> CurrentUser:
    with read_session(engine) as session:
        u = session.exec(select(User).where(User.username == username)).one()
    code = {"pm": "PDA", "bpd": "BPD"}[username]
    return CurrentUser(u.id, u.username, u.display_name, u.role, u.organization_id, code, 0)


def _open(page, link: str, heading: str) -> None:
    page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_role("link", name=link, exact=True).click()
    wait_idle(page, 1000, 60_000)
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)


def test_a_clinical_reason_needs_the_confirmation_and_the_curtain_hides_it(
    server, chromium, engine
):
    today = local_today("America/Los_Angeles")
    bpd_user, pm_user = _user(engine, "bpd"), _user(engine, "pm")
    person = pickable_participants(engine, bpd_user, today)[0]

    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.set_default_timeout(60_000)
    sign_in(phone, server, "bpd", DEMO_PASSWORD)
    _open(phone, "Submit names", "Submit names")
    if phone.locator("[data-testid='stSidebar'][data-collapsed='false']").count():
        phone.get_by_role("button", name="Collapse sidebar").click(force=True)
    phone.locator("[data-testid='stSidebar'][data-collapsed='true']").wait_for(state="attached")
    phone.get_by_text("Who reads this: the project manager;").wait_for()
    phone.get_by_label("Person's name", exact=True).fill(person["label"].split(" · ")[-1])
    phone.get_by_label("Why discuss this person (required, brief)").fill(REASON)
    phone.get_by_role("button", name="Send the name").click()
    wait_idle(phone, 1000)
    error = phone.locator(ERROR).first
    error.wait_for()
    assert "Reason mentions detox" in error.inner_text()
    shot(phone, "free-text-01-submit-refused-phone", full_page=True)
    with read_session(engine) as session:
        assert session.exec(select(Submission).where(Submission.reason == REASON)).first() is None

    # What was typed stays, to be rewritten or confirmed (the form once cleared on refusal).
    assert phone.get_by_label("Why discuss this person (required, brief)").input_value() == REASON
    phone.get_by_test_id("stCheckbox").get_by_text("This is not clinical").click()
    phone.get_by_role("button", name="Send the name").click()
    wait_idle(phone, 1000)
    phone.locator(SUCCESS).first.wait_for()
    assert phone.get_by_label("Why discuss this person (required, brief)").input_value() == ""
    shot(phone, "free-text-02-submit-confirmed-phone")
    with read_session(engine) as session:
        sent = session.exec(select(Submission).where(Submission.reason == REASON)).one()
    confirm_match(engine, pm_user, submission_id=sent.id, participant_id=person["id"], today=today)

    room = chromium.new_context(viewport=SCREEN).new_page()
    room.set_default_timeout(60_000)
    sign_in(room, server, "pm", DEMO_PASSWORD)
    room.get_by_role("link", name="Agenda", exact=True).click()
    wait_idle(room, 1000, 60_000)
    flags = clinical_flags(engine, pm_user, session_id=sent.session_id)
    assert [f["Flagged words"] for f in flags if f["What"] == "Reason sent (from BPD)"] == ["detox"]
    heading = f"Likely clinical wording partners will read ({len(flags)})"
    room.get_by_role("heading", name=heading).wait_for()  # the table itself is a canvas
    shot(room, "free-text-03-agenda-flags-1920", full_page=True)

    session_id = next_session_taking_names(engine, today=today)["id"]
    assert session_id == sent.session_id
    room.get_by_role("link", name="Presenter", exact=True).click()
    wait_idle(room, 1000, 60_000)
    room.get_by_text("Privacy curtain: LEAD ids only").click()
    wait_idle(room, 1000)
    for _ in range(30):  # to the person's item, one Next at a time
        if room.get_by_text("Reason given by BPD, routine").count():
            break
        room.get_by_role("button", name="Next").click()
        wait_idle(room, 800)
    room.get_by_text("Reason given by BPD, routine").first.wait_for()
    body = room.inner_text("[data-testid='stMain']")
    assert "detox" not in body and REASON not in body
    shot(room, "free-text-04-presenter-curtain-1920x1080")
