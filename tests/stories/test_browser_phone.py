"""Real browser, issue 11 on a phone (390x844): a case manager in the field uses Today, opens a
record from a search in one tap and sends a name for discussion; nothing scrolls sideways, every
control is at least 44 px, and a tap on a sidebar link closes the sidebar. Then the same Today on
the 1920x1080 room screen. Screenshots: test-artifacts/screenshots/phone-*.png.
"""

from __future__ import annotations

import pytest
from browser import (
    SHOTS,
    dismiss_page_not_found,
    painted,
    shot,
    small_tap_targets,
    submit_sign_in,
    wait_for_animations,
    wait_idle,
)
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ROOM = {"width": 1920, "height": 1080}
SIDEBAR = "[data-testid='stSidebar']"
# A card, not its button (both carry their key as a class).
CARD = "[class*='st-key-today_cards_']:not([class*='st-key-today_cards_do_'])"
WIDTHS = "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
# The widest element inside the main area: a table or a row of cards wider than the screen scrolls
# inside stMain, which document.scrollWidth does not see.
MAIN_SCROLL = """() => {
  const main = document.querySelector("[data-testid='stMain']");
  return [main.scrollWidth, main.clientWidth];
}"""


def open_as(chromium, base: str, username: str, viewport: dict, **options):
    context = chromium.new_context(viewport=viewport, **options)
    page = context.new_page()
    page.set_default_timeout(60_000)  # a shared, busy machine
    page.goto(base + "/")
    wait_idle(page, 400, 60_000)
    dismiss_page_not_found(page)
    submit_sign_in(page, username, DEMO_PASSWORD)
    page.get_by_text("Signed in as").wait_for(state="attached", timeout=90_000)
    wait_idle(page, 1000, 60_000)
    return page


def phone(chromium, base: str, username: str):
    return open_as(chromium, base, username, PHONE, is_mobile=True, has_touch=True)


def fits_the_phone(page) -> None:
    """No sideways scroll, in the document or inside the main area; every target 44 px."""
    document, body, inner = page.evaluate(WIDTHS)
    assert max(document, body) <= inner + 1, (document, body, inner)
    content, visible = page.evaluate(MAIN_SCROLL)
    assert content <= visible + 1, (content, visible)
    assert small_tap_targets(page) == []


def sidebar_link(page, title: str) -> None:
    """Open the sidebar with the menu button, tap a link, wait for the page."""
    page.get_by_test_id("stExpandSidebarButton").click()
    page.locator(f"{SIDEBAR}[data-collapsed='false']").wait_for()
    page.locator(SIDEBAR).get_by_role("link", name=title, exact=True).click()
    wait_idle(page, 800, 60_000)
    page.get_by_role("heading", name=title).first.wait_for()


def test_today_on_a_phone_is_a_list_of_cards_whose_action_opens_its_form_in_the_card(
    server, chromium
):
    page = phone(chromium, server, "cm1")
    page.get_by_role("heading", name="Today").first.wait_for()
    cards = page.locator(CARD).filter(has_text="Do it now")
    cards.first.wait_for()
    shot(page, "phone-01-today")
    fits_the_phone(page)
    # The counts: one line (the four numbers do not wrap onto a second line).
    counts = page.locator(".st-key-today_counts p")
    line = float(counts.evaluate("p => parseFloat(getComputedStyle(p).lineHeight)"))
    assert counts.bounding_box()["height"] < 1.5 * line
    # A card: who and what first, then the due date, then its one action, one card per line.
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert first["y"] < PHONE["height"] - 100  # the first deadline on the first screen
    assert second["y"] >= first["y"] + first["height"]
    assert first["x"] + first["width"] <= PHONE["width"]
    text = cards.first.inner_text()
    assert text.index(" · ") < text.index("due ") < text.index("Do it now")
    shot(page, "phone-02-today-cards", full_page=True)

    cards.first.get_by_role("button", name="Do it now").click()
    wait_idle(page, 800, 60_000)
    opened = page.locator(CARD).filter(has_text="Hide the form")
    expect(opened.locator("[data-testid='stForm']").first).to_be_visible()
    opened.scroll_into_view_if_needed()
    wait_for_animations(page)
    painted(page)
    page.screenshot(path=str(SHOTS / "phone-03-today-card-form-open.png"))  # here, not the top
    fits_the_phone(page)
    page.context.close()


def test_a_tap_on_a_sidebar_link_closes_the_sidebar_and_a_search_row_opens_the_record(
    server, chromium
):
    page = phone(chromium, server, "cm1")
    sidebar_link(page, "Participants")
    expect(page.locator(f"{SIDEBAR}[data-collapsed='true']")).to_have_count(1)
    search = page.get_by_role("textbox", name="Search by name, alias or LEAD id")
    search.fill("BUR-0002")
    search.press("Enter")
    wait_idle(page, 800, 60_000)
    row = page.get_by_role("button", name="BUR-0002")
    row.wait_for()
    shot(page, "phone-04-participants-search")
    fits_the_phone(page)

    row.click()  # one tap
    wait_idle(page, 800, 60_000)
    heading = page.get_by_role("heading", level=1).filter(has_text="BUR-0002")
    heading.wait_for()
    assert " · BUR-0002" in heading.inner_text()  # "<preferred name> · BUR-0002"
    shot(page, "phone-05-record")
    fits_the_phone(page)
    shot(page, "phone-06-record-full", full_page=True)

    sidebar_link(page, "Submit names")
    expect(page.locator(f"{SIDEBAR}[data-collapsed='true']")).to_have_count(1)
    shot(page, "phone-07-submit-names")
    fits_the_phone(page)
    shot(page, "phone-08-submit-names-full", full_page=True)
    page.context.close()


def test_today_in_the_room_lays_the_cards_side_by_side_and_the_sidebar_stays_open(server, chromium):
    page = open_as(chromium, server, "cm1", ROOM)
    cards = page.locator(CARD).filter(has_text="Do it now")
    cards.nth(1).wait_for()
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 1  # side by side on a wide screen
    shot(page, "phone-09-today-room")
    page.locator(SIDEBAR).get_by_role("link", name="Participants", exact=True).click()
    wait_idle(page, 800, 60_000)
    page.get_by_role("heading", name="Participants").first.wait_for()
    expect(page.locator(f"{SIDEBAR}[data-collapsed='false']")).to_have_count(1)
    page.context.close()
