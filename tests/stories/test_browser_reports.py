"""Real browser: the project manager publishes a quarter and downloads its handout; a community
representative then sees the published figures and nothing else (PROTOCOL M6, SECURITY 23).

One seeded demo database and one server for the module; screenshots at 1920x1080 go to
test-artifacts/screenshots/ (the handout's pages too, when poppler's pdftoppm is installed).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from browser import SHOTS, shot, sign_in, wait_idle
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from demo.seed import DEMO_PASSWORD
from services.access.policy import pages_for
from services.core.clock import local_today
from services.reports.report_back import published, recent_periods
from tests.checks_reports import found_in, identifiers

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def engine(module_engine):
    return module_engine  # conftest's: the demo in this module's database, served by `server`


def _page(chromium, server: str, username: str):
    """A fresh browser signed in as `username` (patient: this machine is often busy)."""
    context = chromium.new_context(viewport=SCREEN, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    for _attempt in range(3):
        try:
            sign_in(page, server, username, DEMO_PASSWORD)
            return page
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"{username} could not sign in")


def _render_pdf_pages(pdf_path, prefix: str) -> list:
    """The handout's pages as PNGs to look at (skipped where poppler is not installed)."""
    if not shutil.which("pdftoppm"):
        return []
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf_path), str(SHOTS / prefix)], check=True)
    return sorted(SHOTS.glob(f"{prefix}*.png"))


def test_the_pm_publishes_a_quarter_and_a_community_representative_sees_only_it(
    server, chromium, engine
):
    quarter = recent_periods(local_today("America/Los_Angeles"), "quarter", 1)[0]
    earlier = [s["label"] for s in published(engine)]
    assert quarter.label not in earlier  # the demo publishes the quarter before

    pm = _page(chromium, server, "pm")
    pm.get_by_role("link", name="Report-back").click()
    wait_idle(pm, 1500)
    pm.get_by_text("Preview: not published yet").wait_for()
    shot(pm, "report-01-pm-preview-1920")
    publish = pm.get_by_role("button", name=f"Publish {quarter.label}")
    assert publish.is_disabled()
    pm.get_by_text("I have checked these figures and the summary.").click()
    wait_idle(pm)
    publish.click()
    wait_idle(pm, 1500)
    pm.get_by_text(f"Published {quarter.label}: community representatives see it.").first.wait_for()
    assert [s["label"] for s in published(engine)][0] == quarter.label

    pm.get_by_role("tab", name="Published reports").click()
    wait_idle(pm)
    pm.get_by_text(f"How LEAD is going: {quarter.label}").last.wait_for()
    shot(pm, "report-02-pm-published-1920")
    with pm.expect_download(timeout=120_000) as download:
        pm.get_by_role("button", name="Download the printable handout (PDF)").last.click()
    pdf_path = SHOTS.parent / "report-back-handout.pdf"
    download.value.save_as(pdf_path)
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") >= 2
    _render_pdf_pages(pdf_path, "report-03-handout-page")
    pm.context.close()

    rep = _page(chromium, server, "community")
    rep.get_by_role("heading", name="Report-back").wait_for()
    rep.get_by_text(f"How LEAD is going: {quarter.label}").wait_for()
    wait_idle(rep, 1000)
    shot(rep, "report-04-community-home-1920")
    nav = rep.locator("[data-testid='stSidebar']").get_by_role("link")
    links = {name.split("\n")[-1].strip() for name in nav.all_inner_texts()}  # icon, then title
    assert links == {spec.title for spec in pages_for("community")}
    assert links == {"Report-back", "Glossary", "My account"}
    assert rep.get_by_text("Preview").count() == 0
    assert rep.get_by_role("tab", name="Build and publish").count() == 0
    assert rep.get_by_role("button", name=re.compile("^Publish")).count() == 0
    body = rep.inner_text("body")
    assert found_in(body, identifiers(engine)) == []
    assert "BUR-" not in rep.content()
    shot(rep, "report-05-community-home-1920-full", full_page=True)
    rep.context.close()
