"""Real browser, freshly started server: what a first visitor sees (issue 11, SECURITY 3).

Before anyone signs in, Streamlit's legacy `pages/` discovery is live: without
`client.showSidebarNavigation = false` the sign-in screen carries a sidebar naming every page
file, and the guard's "Go to sign-in" used to be a markdown link that opened a new tab.
Screenshots go to test-artifacts/screenshots/ (first-visit-*.png).
"""

from __future__ import annotations

import pytest
from browser import app_server, launch_browser, shot, wait_idle
from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.browser

ROOM = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


def _sign_in_form(page):
    page.get_by_role("textbox", name="Password").wait_for(timeout=60_000)
    wait_idle(page)


def test_a_first_visitor_sees_only_the_sign_in_form_and_the_guard_link_stays_in_the_tab(
    module_db,
):
    with app_server(module_db) as base, sync_playwright() as playwright:
        browser = launch_browser(playwright)
        context = browser.new_context(viewport=ROOM)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(base + "/")  # the very first request this server answers
        _sign_in_form(page)
        shot(page, "first-visit-01-sign-in-1920")
        assert page.get_by_test_id("stSidebarNav").count() == 0
        assert page.get_by_test_id("stSidebar").count() == 0
        for file_title in ("referral new", "audit log", "site settings", "presenter"):
            assert page.get_by_text(file_title, exact=True).count() == 0, file_title

        page.goto(base + "/referral_new")  # legacy routing runs the page file on its own
        page.get_by_text("Sign in required").wait_for(timeout=60_000)
        wait_idle(page)
        shot(page, "first-visit-02-deep-link-guard-1920")
        assert page.get_by_test_id("stSidebarNav").count() == 0
        page.get_by_role("button", name="Go to sign-in").click()
        _sign_in_form(page)
        assert context.pages == [page]  # no new tab
        assert page.url.rstrip("/") == base
        assert page.get_by_text("Sign in required").count() == 0

        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto(base + "/")
        _sign_in_form(phone)
        shot(phone, "first-visit-03-sign-in-phone")
        assert phone.get_by_test_id("stSidebarNav").count() == 0
        browser.close()
