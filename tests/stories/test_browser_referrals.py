"""Real browser: a case manager's referral story, from the cover sheet to the prosecutor notice.

Enters an arrest diversion for a new demo person, watches the screen's verdict change with the
drug grams, saves, records the initial screening, finds the intake deadline on Today; then the
clock is moved past day 30 (the referral's dates are moved back in the database), Today shows
the overdue intake and the prosecutor notice, and recording the notice closes it. Screenshots go
to test-artifacts/screenshots/referrals-*.png.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser import (
    SHOTS,
    dismiss_page_not_found,
    shot,
    submit_sign_in,
    wait_idle,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from sqlmodel import select

from demo.seed import DEMO_PASSWORD
from models import Participant, Referral
from services.core.clock import local_today
from services.core.db import make_engine, read_session, write_session

pytestmark = pytest.mark.browser

PERSON = "Jordan Testcase-Browser"


@pytest.fixture(scope="module")
def story_db(module_db):
    """conftest's demo database of this module (one server for its stories: the later ones
    only fill the form and save nothing, so the first one's referral does not reach them)."""
    return module_db


@pytest.fixture
def tab(server):
    base, browser = server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)  # a shared, busy machine
    page.goto(base + "/")
    wait_idle(page)
    dismiss_page_not_found(page)
    submit_sign_in(page, "cm1", DEMO_PASSWORD)
    page.get_by_text("Signed in as").wait_for(timeout=90_000)  # a slow, shared machine
    wait_idle(page)
    yield page
    context.close()


def choose(page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by its label (again if a rerun closed the list)."""
    for attempt in range(3):
        wait_idle(page)
        page.get_by_role("combobox", name=label, exact=True).click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
            if attempt == 2:
                raise
    wait_idle(page, grace_ms=800)


def _same(shown: str, typed: str) -> bool:
    """A number input shows 5 as "5.0"; text shows what was typed."""
    try:
        return float(shown) == float(typed)
    except ValueError:
        return shown == typed


def type_in(page, label: str, value: str) -> None:
    """Fill a text or number input and commit it (Tab), as a person would; again if a rerun
    that was still arriving (a page just opened) cleared it."""
    for _attempt in range(4):
        wait_idle(page)
        box = page.get_by_label(label, exact=True)
        try:
            box.fill(value)
            box.press("Tab")
            wait_idle(page, grace_ms=800)
            if _same(box.input_value(), value):
                return
        except PlaywrightError:  # for a moment a rerun may show the old box beside the new one
            wait_idle(page)
    raise AssertionError(f"{label!r} would not keep {value!r}")


# The officer's answers on the cover sheet (B3-B10): amenable and interested, nothing else.
ANSWERS = {
    "Amenable to diversion (B3)": "Yes",
    "Reason to believe dealing above a subsistence income (B4)": "No",
    "Exploits minors or others in a drug dealing enterprise (B5)": "No",
    "Promoting prostitution (B6)": "No",
    "A protective order prohibits contact with a current LEAD participant (B7, S4)": "No",
    "Officer or sergeant believes diversion is inconsistent with immediate victim or community "
    "safety (B8)": "No",
    "Needs immediate medical care, detox or hospital (B10)": "No",
    "Unable to give informed consent, or immediate risk to self or others (B10)": "No",
    "Says they are interested in diversion (B10)": "Yes",
}


def answer(page, label: str, option: str) -> None:
    """Answer one yes/no determination (a radio group named by its label)."""
    group = page.get_by_role("radiogroup", name=label, exact=True)
    for _attempt in range(3):
        wait_idle(page)
        group.get_by_text(option, exact=True).click()
        wait_idle(page, grace_ms=600)
        if group.get_by_role("radio", name=option, exact=True).is_checked():
            return
    raise AssertionError(f"{label!r} would not keep {option!r}")


def answer_determinations(page) -> None:
    for label, option in ANSWERS.items():
        answer(page, label, option)


def success(page, message: str):
    """The confirmation shown after a save (not the toast that repeats it)."""
    return page.get_by_test_id("stAlertContentSuccess").get_by_text(message)


HOLDS_JS = "(texts) => texts.every((t) => document.documentElement.outerHTML.includes(t))"


def page_shows(page, *texts: str, timeout_s: float = 30.0) -> str:
    """Wait until the page's HTML holds every text (tables render in a moment); return it."""
    try:
        page.wait_for_function(HOLDS_JS, arg=list(texts), timeout=timeout_s * 1000)
    except PlaywrightTimeoutError:
        shot(page, "referrals-failed-waiting", full_page=True)  # what the page showed instead
    return page.content()


def today_about(page, lead_id: str, *texts: str) -> str:
    """Filter Today to one person and wait for the texts; the filter is typed again if the
    page's first run was still arriving and cleared it."""
    for attempt in range(3):
        if attempt:
            type_in(page, "About", "")  # so that typing it again is a change the app sees
        type_in(page, "About", lead_id)
        html = page_shows(page, lead_id, *texts, timeout_s=20.0)
        if all(t in html for t in (lead_id, *texts)):
            break
    return html


def go(page, link: str) -> None:
    page.get_by_role("link", name=link, exact=True).click()
    wait_idle(page)
    page.get_by_role("heading", name=link).first.wait_for()
    wait_idle(page)


def test_a_case_manager_enters_an_arrest_diversion_and_the_clock_follows_it(tab, story_db):
    page, engine = tab, make_engine(story_db)
    go(page, "New referral")
    page.get_by_text("Choose the offense to see the screen.").wait_for()
    shot(page, "referrals-01-new-referral-empty")

    # The verdict follows the form: 5 grams is eligible, 8 grams is excluded by B2.
    choose(page, "Offense", "VUCSA: drug possession")
    choose(page, "Drug", "Other controlled substance")
    type_in(page, "Drug grams", "5")
    # No determination is pre-answered: no verdict is built on a guess until they are answered.
    expect(
        page.get_by_text("Not answered yet: no verdict until every determination")
    ).to_be_visible()
    answer_determinations(page)
    expect(page.get_by_text("Eligible: no exclusion applies.")).to_be_visible()
    shot(page, "referrals-02-screen-eligible-5-grams")
    type_in(page, "Drug grams", "8")
    expect(page.get_by_text("Excluded by 1 rule(s):")).to_be_visible()
    # In the panel, and on the line under the grams (issue 11: beside the field on a phone).
    expect(page.get_by_text("The drug amount is above 7 grams", exact=False)).to_have_count(2)
    expect(page.get_by_text("B2 excludes", exact=False)).to_be_visible()
    expect(
        page.get_by_role("button", name="Refer as a social contact instead (B13)")
    ).to_be_visible()
    shot(page, "referrals-03-screen-excluded-8-grams-b2")
    type_in(page, "Drug grams", "5")
    expect(page.get_by_text("Eligible: no exclusion applies.")).to_be_visible()

    # The rest of the cover sheet, and the person.
    type_in(page, "Referring officer", "Officer Demo-Patrol")
    type_in(page, "Supervising sergeant", "Sgt. Demo-Sergeant")
    choose(page, "Prosecutor with jurisdiction", "King County Prosecuting Attorney's Office")
    type_in(page, "Legal name", PERSON)
    page.get_by_role("button", name="Save referral").click()
    wait_idle(page)
    page.get_by_role("heading", name="Referrals").first.wait_for()
    expect(success(page, "Referral saved for BUR-0031 (screen: eligible).")).to_be_visible()
    expect(page.get_by_role("heading", name="Referral of BUR-0031")).to_be_visible()
    shot(page, "referrals-04-saved-and-opened", full_page=True)

    # The initial screening, in place.
    page.get_by_role("button", name="Record the initial screening").last.click()
    wait_idle(page)
    expect(success(page, "Record the initial screening: saved for BUR-0031.")).to_be_visible()
    with read_session(engine) as session:
        person = session.exec(select(Participant).where(Participant.legal_name == PERSON)).one()
        referral = session.exec(select(Referral).where(Referral.participant_id == person.id)).one()
    assert (person.lead_id, referral.stage, referral.screen_eligible) == (
        "BUR-0031",
        "screened",
        True,
    )
    today = local_today("America/Los_Angeles")
    assert referral.initial_screening_date == today

    # Today: the intake deadline (and the soft 24-48 hour reminder) for the new person.
    go(page, "Today")
    due = (today + timedelta(days=30)).isoformat()
    body = today_about(page, "BUR-0031", due, "Record the intake", "Schedule the intake")
    assert "BUR-0031" in body and due in body and "Record the intake" in body
    assert "Schedule the intake" in body
    shot(page, "referrals-05-today-intake-deadline")

    # Move the clock past day 30: the referral and its screening happened 31 days ago.
    with write_session(engine) as session:
        row = session.get(Referral, referral.id)
        row.referral_date = today - timedelta(days=31)
        row.initial_screening_date = today - timedelta(days=31)
        session.add(row)
    page.reload()
    wait_idle(page)
    page.get_by_role("heading", name="Today").first.wait_for()
    deadline = (today - timedelta(days=1)).isoformat()
    notice_by = (today + timedelta(days=6)).isoformat()
    body = today_about(page, "BUR-0031", "Record the prosecutor notice", notice_by, deadline)
    assert "Record the prosecutor notice" in body and notice_by in body and deadline in body
    shot(page, "referrals-06-today-overdue-intake-and-prosecutor-notice")

    # Record the notice in place: the T5 alert closes.
    choose(page, "Deadline", f"BUR-0031 · T5 · Record the prosecutor notice (due {notice_by})")
    page.get_by_role("button", name="Record the prosecutor notice").click()
    wait_idle(page)
    expect(success(page, "Recorded: record the prosecutor notice for BUR-0031.")).to_be_visible()
    with read_session(engine) as session:
        row = session.get(Referral, referral.id)
    assert (row.prosecutor_notified_date, row.prosecutor_notice_office) == (today, "KCPAO")
    options = page.get_by_role("combobox", name="Deadline")
    options.click()
    assert (
        page.get_by_role(
            "option", name=f"BUR-0031 · T5 · Record the prosecutor notice (due {notice_by})"
        ).count()
        == 0
    )
    assert (
        page.get_by_role(
            "option", name=f"BUR-0031 · T4 · Record the intake (due {deadline})"
        ).count()
        == 1
    )
    page.keyboard.press("Escape")
    shot(page, "referrals-07-notice-recorded-t5-closed")
    engine.dispose()


# --- The verdict beside the fields, on a phone and on the room's screen (issue 11) ---------------

PHONE = {"width": 390, "height": 844}
ROOM = {"width": 1920, "height": 1080}


@pytest.fixture
def server(server, chromium):
    """conftest's server (asked for by the same name) and the module's Chromium."""
    return server, chromium


def open_new_referral(browser, base: str, viewport: dict, **options):
    """A signed-in case manager on New referral (on a phone the links sit behind the menu)."""
    page = browser.new_context(viewport=viewport, **options).new_page()
    page.set_default_timeout(60_000)  # a shared, busy machine
    page.goto(base + "/")
    wait_idle(page)
    dismiss_page_not_found(page)
    submit_sign_in(page, "cm1", DEMO_PASSWORD)
    page.get_by_text("Signed in as").wait_for(state="attached", timeout=90_000)
    wait_idle(page)
    if viewport["width"] < 640:
        page.get_by_test_id("stExpandSidebarButton").click()
    go(page, "New referral")
    if page.locator("[data-testid='stSidebar'][data-collapsed='false']").count() and (
        viewport["width"] < 640
    ):
        page.get_by_role("button", name="Collapse sidebar").click(force=True)
        wait_idle(page)
    return page


def in_view(page, locator) -> dict:
    """The element's box, asserted to lie inside the viewport as the person sees it now."""
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, box
    return box


def screenshot_as_seen(page, name: str) -> None:
    """The viewport as scrolled now (tests/browser.shot scrolls back to the top first)."""
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_on_a_phone_the_screens_verdict_sits_next_to_the_field_that_changed_it(server):
    base, browser = server
    page = open_new_referral(browser, base, PHONE, is_mobile=True, has_touch=True)
    choose(page, "Offense", "VUCSA: drug possession")
    choose(page, "Drug", "Other controlled substance")
    type_in(page, "Drug grams", "8")
    grams = in_view(page, page.get_by_label("Drug grams", exact=True))
    excluded = page.get_by_text("B2 excludes", exact=False)
    verdict = in_view(page, excluded)
    assert 0 < verdict["y"] - grams["y"] < 250  # just below the field, not a screen away
    screenshot_as_seen(page, "referrals-phone-01-b2-beside-the-grams")

    type_in(page, "Drug grams", "5")
    expect(page.get_by_text("B1, B2: no exclusion.")).to_be_visible()
    in_view(page, page.get_by_text("B1, B2: no exclusion."))
    expect(excluded).to_have_count(0)
    # The determinations say they wait for answers, right under them; then the verdict follows.
    waiting = page.get_by_text("9 determination(s); the screen waits for them.")
    waiting.scroll_into_view_if_needed()
    in_view(page, waiting)
    screenshot_as_seen(page, "referrals-phone-02-determinations-not-answered-yet")
    answer_determinations(page)
    answer(
        page,
        "Officer or sergeant believes diversion is inconsistent with immediate victim or "
        "community safety (B8)",
        "Yes",
    )
    b8 = page.get_by_text("B8 excludes", exact=False)
    b8.scroll_into_view_if_needed()
    last = page.get_by_role("radiogroup", name="Says they are interested in diversion (B10)")
    assert 0 < in_view(page, b8)["y"] - in_view(page, last)["y"] < 250
    screenshot_as_seen(page, "referrals-phone-03-b8-beside-the-determinations")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner + 1  # nothing wider than the phone
    page.context.close()


def test_on_the_rooms_screen_the_panel_and_the_fields_agree(server, story_db):
    base, browser = server
    engine = make_engine(story_db)
    with read_session(engine) as session:
        known = session.exec(select(Participant).where(Participant.lead_id == "BUR-0003")).one()
    engine.dispose()
    page = open_new_referral(browser, base, ROOM)
    choose(page, "Offense", "VUCSA: drug possession")
    choose(page, "Drug", "Other controlled substance")
    type_in(page, "Drug grams", "8")
    # The panel and the line under the grams say the same, both in view.
    expect(page.get_by_text("Excluded by 1 rule(s):")).to_be_visible()
    in_view(page, page.get_by_text("Excluded by 1 rule(s):"))
    in_view(page, page.get_by_text("B2 excludes", exact=False))
    screenshot_as_seen(page, "referrals-room-01-panel-and-fields-agree")
    # Further down the sheet the panel stays in view, still waiting for no answers.
    answer_determinations(page)
    in_view(page, page.get_by_text("Excluded by 1 rule(s):"))
    expect(page.get_by_text("Not answered yet: ", exact=False)).to_have_count(0)

    # A strong match of the person: no default choice until the person picks one.
    type_in(page, "Legal name", known.legal_name)
    choice = page.get_by_role("combobox", name="This referral is for", exact=True)
    choice.scroll_into_view_if_needed()
    html = page_shows(page, "Choose: an earlier participant, or a new person")
    assert "Choose: an earlier participant, or a new person" in html  # no default: the prompt
    choose(page, "This referral is for", "A new person")
    expect(page.get_by_role("combobox", name="Why is this a new person?")).to_be_visible()
    screenshot_as_seen(page, "referrals-room-02-strong-match-asks-why")
    page.context.close()
