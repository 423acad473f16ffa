"""Real browser at 1920x1080: the presenter's room mode on the wall screen (issue 11).

A session with an urgent participant item (long enough to need two screens) and a referral
candidate; the project manager switches to room mode and steps through every screen. Each
screen: no sidebar, header or demo banner; body text at least 32 px; nothing below the screen
(no vertical scroll) and no label cut short; only Previous, Next, the curtain, the timer and
"Exit room mode". Screenshots go to test-artifacts/screenshots/ (room-*.png).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser import app_server, launch_browser, shot, wait_idle
from playwright.sync_api import sync_playwright
from sqlmodel import delete, select

from demo.seed import DEMO_PASSWORD
from models import ActionItem, AgendaItem, Participant, Release, StaffingSession, Submission
from services.access.policy import release_state
from services.core.clock import local_today, utcnow
from services.core.db import make_engine, read_session, write_session
from services.staffing import (
    _new_session,
    confirm_match,
    inbox,
    meeting_day,
    place_candidate,
    submit_name,
)
from tests.factories import sign_in

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}
ORGS = ["BPD", "KCPAO", "PDA", "CMP"]
REASONS = (
    "Sleeping in the library entry every morning this week; staff asked officers to help find "
    "a shelter bed before the cold weather arrives and to check in with the case manager",
    "Missed a court date on Monday; the prosecutor's office asks whether the plan still holds "
    "and who will bring the participant to the next hearing",
    "Seen at the transit center daily asking about LEAD; wants to talk with outreach staff",
)
SCREEN_JS = """() => {
    const main = document.querySelector("[data-testid='stMain']");
    const visible = (sel) => [...document.querySelectorAll(sel)].filter(
        e => e.getBoundingClientRect().height > 0 && getComputedStyle(e).display !== "none");
    const px = (sel) => visible("[data-testid='stMain'] " + sel).map(
        e => parseFloat(getComputedStyle(e).fontSize));
    const truncated = [...main.querySelectorAll("*")].filter(e =>
        e.children.length === 0 && e.textContent.trim() && e.scrollWidth > e.clientWidth + 1
        && ["ellipsis", "clip"].includes(getComputedStyle(e).textOverflow)
        && getComputedStyle(e).overflow !== "visible").map(e => e.textContent.trim());
    const bottoms = visible("[data-testid='stMain'] [data-testid='stElementContainer']").map(
        e => e.getBoundingClientRect().bottom);
    return {
        text: px("[data-testid='stText']"),
        paragraphs: px("[data-testid='stMarkdownContainer'] p"),
        scroll: main.scrollHeight - main.clientHeight,
        bottom: Math.max(...bottoms),
        sidebar: visible("[data-testid='stSidebar']").length,
        header: visible("[data-testid='stHeader']").length,
        banner: visible(".st-key-lead_demo_banner").length,
        buttons: visible("[data-testid='stMain'] button").map(
            b => (b.querySelector("[data-testid='stMarkdownContainer']") || b).innerText.trim()),
        truncated: truncated,
    };
}"""


def _agenda(url: str) -> str:
    """A fresh session: an urgent participant (two partners' reasons, so two screens) and a
    referral candidate. Returns the participant's LEAD id."""
    engine = make_engine(url)
    today = local_today("America/Los_Angeles")
    with write_session(engine) as session:
        for model in (ActionItem, Submission, AgendaItem, StaffingSession):
            session.exec(delete(model))
        _new_session(
            session,
            kind="workgroup",
            on=meeting_day(today + timedelta(days=7)),
            starts_at="10:00",
            place="Burien City Hall, room 2 (demo)",
            orgs=ORGS,
            cutoff_days=2,
            now=utcnow(),
            username="pm",
        )
    with read_session(engine) as session:
        releases: dict[int, list[dict]] = {}
        for r in session.exec(select(Release)):
            releases.setdefault(r.participant_id, []).append(r.model_dump())
        person = next(
            p
            for p in session.exec(select(Participant).order_by(Participant.lead_id))
            if all(
                release_state(releases.get(p.id, []), org, today) == "active"
                for org in ("BPD", "KCPAO")
            )
        )
    bpd, kcpao, pm = (sign_in(engine, u) for u in ("bpd", "kcpao", "pm"))
    for user, reason in ((bpd, REASONS[0]), (kcpao, REASONS[1])):
        submit_name(
            engine,
            user,
            participant_id=None,
            person_name=person.legal_name,
            reason=reason,
            urgency="urgent",
            today=today,
        )
    submit_name(engine, bpd, person_name="Jordan Fake-Person", reason=REASONS[2], today=today)
    row = engine and inbox(engine, pm, session_id=_session_id(engine))
    for sub in row:
        if sub["name"] == "Jordan Fake-Person":
            place_candidate(engine, pm, submission_id=sub["id"])
        else:
            confirm_match(
                engine, pm, submission_id=sub["id"], participant_id=person.id, today=today
            )
    engine.dispose()
    return person.lead_id


def _session_id(engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(StaffingSession.id)).first()


def _check_screen(page, name: str) -> dict:
    wait_idle(page, 600)
    page.mouse.move(1900, 1060)  # no hover marks on the screenshot
    shot(page, name)
    screen = page.evaluate(SCREEN_JS)
    assert screen["sidebar"] == screen["header"] == screen["banner"] == 0, screen
    assert screen["text"] and min(screen["text"]) >= 32, screen["text"]
    assert min(screen["paragraphs"]) >= 32, screen["paragraphs"]
    assert screen["scroll"] <= 1, f"{name}: the item scrolls by {screen['scroll']} px"
    assert screen["bottom"] <= SCREEN["height"], f"{name}: runs to {screen['bottom']} px"
    assert screen["truncated"] == [], screen["truncated"]
    assert set(screen["buttons"]) <= {"Previous", "Next", "Restart the timer", "Exit room mode"}
    return screen


def test_room_mode_shows_each_item_on_whole_screens_in_large_type(module_db):
    lead_id = _agenda(module_db)
    with app_server(module_db) as base, sync_playwright() as playwright:
        browser = launch_browser(playwright)
        page = browser.new_context(viewport=SCREEN).new_page()
        page.set_default_timeout(60_000)
        page.goto(base + "/")
        wait_idle(page)
        page.get_by_role("textbox", name="Username").fill("pm")
        page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Signed in as").wait_for()
        wait_idle(page)
        page.get_by_role("link", name="Presenter", exact=True).click()
        page.get_by_role("button", name="Room mode").click()
        page.get_by_role("button", name="Exit room mode").wait_for()
        seen = []
        for n in range(12):
            main = page.inner_text("[data-testid='stMain']")
            seen.append(main)
            _check_screen(page, f"room-{n + 1:02d}-1920x1080")
            next_button = page.get_by_role("button", name="Next")
            if next_button.is_disabled():
                break
            next_button.click()
            wait_idle(page, 800)
        person = [s for s in seen if lead_id in s]
        assert len(person) == 2, "the participant's item takes two screens"
        assert "part 1 of 2" in person[0] and "part 2 of 2" in person[1]
        assert "▲ URGENT" in person[0]
        assert all(reason[:40] in "\n".join(person) for reason in REASONS[:2])
        candidate = next(s for s in seen if "Referral candidate (not a participant)" in s)
        assert "Jordan Fake-Person" in candidate and "Not a LEAD participant" in candidate
        page.get_by_role("button", name="Exit room mode").click()
        page.get_by_role("button", name="Room mode").wait_for()
        page.get_by_test_id("stSidebar").wait_for(state="visible")
        browser.close()
