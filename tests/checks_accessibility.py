"""WCAG 2.1 AA checks with axe-core in a real browser (issue 8).

`axe_scan` signs in as each role, opens each page that role may open through the sidebar and
runs axe-core (bundled by axe-playwright-python: nothing is downloaded). Serious and critical
violations count; moderate and minor are reported, not counted.
"""

from __future__ import annotations

COUNTED_IMPACTS = ("serious", "critical")


def _open(page, title: str) -> None:
    from tests.browser import wait_for_animations, wait_idle

    page.locator("[data-testid='stSidebar']").get_by_role("link", name=title, exact=True).click()
    wait_idle(page)
    wait_for_animations(page)  # the fade of stale elements ends before contrast is measured


def axe_scan(base: str, users_by_role: dict, *, every_role: bool = True) -> dict:
    """Run axe on every (page, role) pair; with every_role False, each page once."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from demo.seed import DEMO_PASSWORD
    from services.access.policy import pages_for
    from tests.browser import launch_browser, settle, sign_in

    axe = Axe()
    scanned: set[str] = set()
    pairs = 0
    violations: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        for role, username in users_by_role.items():
            todo = [p for p in pages_for(role) if every_role or p.key not in scanned]
            if not todo:
                continue
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            sign_in(page, base, username, DEMO_PASSWORD)
            settle(page, 500)  # the cookie component's round trip
            for spec in todo:
                _open(page, spec.title)
                result = axe.run(page)
                pairs += 1
                scanned.add(spec.key)
                for v in result.response["violations"]:
                    if v["impact"] in COUNTED_IMPACTS:
                        targets = [n["target"] for n in v["nodes"][:2]]
                        violations.append(f"{spec.key} as {role.value}: {v['id']} {targets}")
            context.close()
        browser.close()
    return {
        "pages": len(scanned),
        "roles": len(users_by_role),
        "pairs": pairs,
        "violations": violations,
    }


def demo_users_by_role() -> dict:
    from demo.seed import DEMO_USERS

    users = {}
    for username, _, role, _ in DEMO_USERS:
        users.setdefault(role, username)
    return users


def figures(fresh) -> list[tuple[str, str, bool]]:
    from demo.seed import seed_demo
    from services.core.db import make_engine
    from tests.browser import app_server

    url = fresh()
    engine = make_engine(url)
    seed_demo(engine)
    engine.dispose()
    with app_server(url) as base:
        result = axe_scan(base, demo_users_by_role())
    for line in result["violations"]:
        print(f"  violation: {line}")
    count = len(result["violations"])
    return [
        (
            "accessibility",
            f"{result['pages']} pages x {result['roles']} roles, {count} serious violations",
            count == 0,
        )
    ]
