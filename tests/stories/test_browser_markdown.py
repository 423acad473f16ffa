"""Real browser: a site setting full of markdown shows literally in New referral's label
(SECURITY 32): no bold, colour, KaTeX, link, image (and no request to its host), icon, emoji
or logo, at 1920x1080 and on a 390x844 phone. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from browser import launch_browser, shot, sign_in, wait_idle
from playwright.sync_api import sync_playwright
from sqlmodel import select

from demo.seed import DEMO_PASSWORD
from models import SiteSettings
from services.core.db import make_engine, write_session

pytestmark = pytest.mark.browser

PAYLOADS = (
    "**b**",
    ":red[x]",
    "$x^2$",
    "[l](http://e.x)",
    "![](http://e.x/p.png)",
    "www.e.x",
    ":material/home:",
    ":smile:",
    ":streamlit:",
)
LABEL = "[data-testid='stWidgetLabel']:has-text('Inside the catchment area')"
MARKUP = "a, img, strong, em, code, .katex, [data-testid='stIconMaterial'], span[style*='color']"


@pytest.fixture(scope="module")
def module_db(module_db):
    """conftest's demo database (asked for by the same name), its catchment area set to the
    payloads before `server` starts on it."""
    engine = make_engine(module_db)
    with write_session(engine) as session:
        settings = session.exec(select(SiteSettings)).one()
        settings.catchment_area = " ".join(PAYLOADS)
        session.add(settings)
    engine.dispose()
    return module_db


def test_a_markdown_catchment_area_shows_literally_in_the_new_referral_label(server):
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        page.set_default_timeout(45_000)
        beacons: list[str] = []
        page.on("request", lambda request: "e.x" in request.url and beacons.append(request.url))
        sign_in(page, server, "cm1", DEMO_PASSWORD)
        page.get_by_role("link", name="New referral").click()
        wait_idle(page, 1000)
        label = page.locator(LABEL).first
        label.wait_for()
        label.scroll_into_view_if_needed()
        shot(page, "markdown-label-room")
        text = label.inner_text().replace("\N{WORD JOINER}", "")  # invisible, breaks :streamlit:
        for payload in PAYLOADS:
            assert payload in text, payload
        assert label.locator(MARKUP).count() == 0, label.inner_html()
        assert "\N{SMILING FACE WITH OPEN MOUTH AND SMILING EYES}" not in text
        page.set_viewport_size({"width": 390, "height": 844})
        wait_idle(page, 500)
        label.scroll_into_view_if_needed()
        shot(page, "markdown-label-phone")
        assert label.locator(MARKUP).count() == 0
        assert beacons == []
        context.close()
        browser.close()
