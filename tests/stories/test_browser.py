"""Real-browser tests: Debian Chromium against a running `streamlit run app.py`.

One seeded demo database and one server per module (the deep-link test starts its own, fresh
server). The sign-in, cookie and lockout paths need a real browser: AppTest cannot run the
authenticator's cookie component. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from browser import (
    ROOT,
    app_server,
    click_and_wait,
    dismiss_page_not_found,
    session_cookie,
    settle,
    shot,
    sign_in,
    sign_in_form,
    sign_out,
    small_tap_targets,
    submit_sign_in,
    wait_idle,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlmodel import select

from demo.seed import DEMO_PASSWORD
from models import AuditEvent, Participant, User
from services.access.auth import SIGN_IN_FAILED
from services.access.policy import PAGES
from services.core.clock import utcnow
from services.core.db import read_session, write_session

pytestmark = pytest.mark.browser

DEEP_LINK_TABS = 4  # tabs open at once in the deep-link test
ERROR_ALERT = "[data-testid='stAlertContentError'] [data-testid='stMarkdownContainer']"


def _seeded_identifiers(engine) -> tuple[list[str], list[str], list[str]]:
    """Seeded text that must not show before sign-in: (anywhere, whole words, usernames)."""
    with read_session(engine) as session:
        participants = list(session.exec(select(Participant)))
        users = list(session.exec(select(User)))
    assert participants and users
    anywhere = [p.lead_id for p in participants] + [p.legal_name for p in participants]
    anywhere += [u.display_name for u in users]
    names = sorted({p.preferred_name for p in participants})
    usernames = sorted({u.username for u in users})
    return anywhere, names, usernames


def _audit_count(engine, username: str, outcome: str) -> int:
    with read_session(engine) as session:
        rows = session.exec(
            select(AuditEvent.id).where(
                AuditEvent.username == username,
                AuditEvent.action == "sign_in",
                AuditEvent.outcome == outcome,
            )
        )
        return len(list(rows))


def _error_text(page) -> str:
    alert = page.locator(ERROR_ALERT)
    try:
        alert.first.wait_for()
    except PlaywrightTimeoutError:
        shot(page, "06-FAILED-no-error-message")
        raise
    assert alert.count() == 1
    return alert.inner_text().strip()


def _gate(page):
    return sign_in_form(page).or_(page.get_by_text("Sign in required"))


def _assert_no_data(page, path, anywhere, names, usernames) -> None:
    assert _gate(page).count() >= 1, f"/{path}: neither the sign-in form nor 'Sign in required'"
    assert page.get_by_text("Signed in as").count() == 0, path
    html, body = page.content(), page.inner_text("body")
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "BUR-" not in html, path
    for value in anywhere:
        assert value not in html and value not in body, f"/{path} shows {value!r}"
    for name in names:
        assert not re.search(rf"\b{re.escape(name)}\b", body), f"/{path} shows {name!r}"
    # Usernames such as "community" are also page names in the legacy sidebar list, so they
    # are looked for in the page itself, not the navigation.
    for username in usernames:
        assert not re.search(rf"\b{re.escape(username)}\b", main), f"/{path} shows {username!r}"


# --- tests -------------------------------------------------------------------------------------


def test_a_user_signs_in_sees_today_and_the_demo_banner_and_signs_out(server, new_page):
    page = new_page()
    page.goto(server + "/")
    settle(page)  # the first reruns briefly empty the sign-in slot
    page.get_by_role("textbox", name="Password").wait_for()
    shot(page, "01-sign-in-form")
    submit_sign_in(page, "pm", DEMO_PASSWORD)
    page.get_by_text("Signed in as").first.wait_for()
    wait_idle(page)
    page.get_by_role("heading", name="Today").first.wait_for()
    assert page.get_by_text("synthetic people only").count() == 1
    assert page.get_by_test_id("stSidebar").get_by_text("Pat Demo-Manager").count() == 1
    shot(page, "02-pm-today-after-sign-in")

    sign_out(page)
    # Not asserted: "You are signed out." shows for a moment only (the cookie component's
    # rerun pops it; see the report).
    assert page.get_by_text("Signed in as").count() == 0
    assert page.get_by_role("textbox", name="Username").is_visible()
    shot(page, "03-signed-out")

    # The sidebar may still list the signed-out user's pages; following one shows no data.
    stale = page.get_by_role("link", name="Participants", exact=True)
    if stale.count():
        click_and_wait(stale)
        settle(page, 1000)
        sign_in_form(page).first.wait_for()
        assert page.get_by_role("heading", name="Participants").count() == 0
        assert "BUR-00" not in page.content()


def test_a_cookie_keeps_a_signed_in_user_and_the_page_across_a_reload(server, new_page):
    page = new_page()
    sign_in(page, server, "cm1", DEMO_PASSWORD)
    cookie = session_cookie(page.context)
    click_and_wait(page.get_by_role("link", name="Participants", exact=True))
    page.get_by_role("heading", name="Participants").first.wait_for()

    page.reload()
    settle(page)
    page.get_by_text("Signed in as").first.wait_for()
    assert page.get_by_test_id("stSidebar").get_by_text("Casey Demo-Casework").count() == 1
    assert sign_in_form(page).count() == 0
    assert page.url.rstrip("/").endswith("/participants")
    page.get_by_role("heading", name="Participants").first.wait_for()

    # The same cookie in a fresh browser opens a deep link signed in and shows data: the
    # control for the replay test below (which must fail only because of the sign-out).
    other = new_page(cookies=[cookie])
    other.goto(server + "/participants")
    settle(other)
    other.get_by_text("Signed in as").first.wait_for()
    assert sign_in_form(other).count() == 0
    other.get_by_role("heading", name="Participants").first.wait_for()
    other.wait_for_function("document.body.innerHTML.includes('BUR-00')")  # data is shown
    shot(other, "04-cookie-in-fresh-browser-before-sign-out")


def test_a_cookie_replayed_after_sign_out_does_not_sign_in(server, new_page):
    page = new_page()
    sign_in(page, server, "supervisor", DEMO_PASSWORD)
    cookie = session_cookie(page.context)
    sign_out(page)

    replay = new_page(cookies=[cookie])
    replay.goto(server + "/participants")
    settle(replay)
    dismiss_page_not_found(replay)
    sign_in_form(replay).first.wait_for()
    shot(replay, "05-cookie-replay-after-sign-out")
    assert replay.get_by_text("Signed in as").count() == 0
    assert "BUR-00" not in replay.content()
    assert "BUR-00" not in replay.inner_text("body")
    assert "Sam Demo-Supervisor" not in replay.content()


def _alg_none_cookie(username: str) -> str:
    """A session cookie forged without the key: `alg: none`, no signature (SECURITY 31)."""
    import base64
    import json

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    exp = (utcnow() + timedelta(hours=1)).timestamp()
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'username': username, 'exp_date': exp})}."


def test_a_forged_alg_none_cookie_leaves_the_sign_in_form_working(server, new_page):
    cookie = {"name": "lead_session", "value": _alg_none_cookie("pm"), "url": server}
    page = new_page(cookies=[cookie])
    page.goto(server + "/")
    wait_idle(page)
    dismiss_page_not_found(page)
    sign_in_form(page).first.wait_for()
    shot(page, "05b-forged-alg-none-cookie-shows-sign-in")
    assert page.get_by_text("Signed in as").count() == 0
    submit_sign_in(page, "pm", DEMO_PASSWORD)
    page.get_by_text("Signed in as").first.wait_for()


def test_lockout_refuses_the_right_password_and_ends_by_itself(server, new_page, module_engine):
    page = new_page()
    page.goto(server + "/")
    wait_idle(page)

    def cm2() -> User:
        with read_session(module_engine) as session:
            return session.exec(select(User).where(User.username == "cm2")).one()

    with write_session(module_engine) as session:  # a clean start, also when retried
        user = session.exec(select(User).where(User.username == "cm2")).one()
        user.failed_logins, user.first_failed_at, user.locked_until = 0, None, None
        session.add(user)

    def attempt(username: str, password: str, *, processed) -> str:
        """Submit once; the rerun it caused has recorded it; return the message shown."""
        submit_sign_in(page, username, password)
        assert processed(), f"{username}'s sign-in attempt was not recorded"
        return _error_text(page)

    before = _audit_count(module_engine, "(unknown)", "failed")
    unknown_message = attempt(
        "nobody-here",
        "some wrong password",
        processed=lambda: _audit_count(module_engine, "(unknown)", "failed") > before,
    )
    wrong_message = attempt("cm2", "not the password 1", processed=lambda: cm2().failed_logins == 1)
    assert unknown_message == wrong_message
    assert wrong_message == SIGN_IN_FAILED.replace("**", "")

    for failures in range(2, 6):  # the fifth failure locks the account
        message = attempt(
            "cm2",
            f"not the password {failures}",
            processed=lambda n=failures: cm2().failed_logins == n,
        )
        assert message == wrong_message
    assert cm2().locked_until is not None and cm2().locked_until > utcnow()

    refused = _audit_count(module_engine, "cm2", "refused: locked")
    message = attempt(
        "cm2",
        DEMO_PASSWORD,
        processed=lambda: _audit_count(module_engine, "cm2", "refused: locked") > refused,
    )
    assert message == wrong_message
    assert page.get_by_text("Signed in as").count() == 0
    shot(page, "06-locked-out-right-password-refused")

    # Fifteen minutes pass: move the stored lock expiry into the past instead of sleeping.
    with write_session(module_engine) as session:
        user = session.exec(select(User).where(User.username == "cm2")).one()
        user.locked_until = utcnow() - timedelta(seconds=1)
        session.add(user)

    submit_sign_in(page, "cm2", DEMO_PASSWORD)
    page.get_by_text("Signed in as").first.wait_for()
    assert page.get_by_test_id("stSidebar").get_by_text("Morgan Demo-Casework").count() == 1
    assert cm2().locked_until is None and cm2().failed_logins == 0


def test_an_anonymous_deep_link_to_every_page_on_a_fresh_server_shows_sign_in_and_no_data(
    module_db, module_engine, new_page
):
    anywhere, names, usernames = _seeded_identifiers(module_engine)
    paths = {spec.key for spec in PAGES} | {Path(spec.path).stem for spec in PAGES}
    paths |= {path.stem for path in (ROOT / "pages").glob("*.py")}  # legacy script names
    paths = sorted(paths)
    with app_server(module_db) as base:  # a new process: these are its very first requests
        first = new_page()  # one anonymous browser (one HTTP cache); each tab is a new session
        for start in range(0, len(paths), DEEP_LINK_TABS):
            batch = paths[start : start + DEEP_LINK_TABS]
            tabs = {path: first.context.new_page() for path in batch}
            for path, tab in tabs.items():
                tab.goto(f"{base}/{path}", wait_until="commit")
            for path, tab in tabs.items():
                try:
                    _gate(tab).first.wait_for(timeout=60_000)
                except PlaywrightTimeoutError:
                    shot(tab, f"07-FAILED-anonymous-deep-link-{path}")
                    pytest.fail(f"/{path}: no sign-in form and no 'Sign in required' after 60 s")
            for path, tab in tabs.items():
                settle(tab, 500)  # a later rerun (cookie component) must not show data either
                dismiss_page_not_found(tab)
                if path == "participants":
                    shot(tab, f"07-anonymous-deep-link-{path}")
                _assert_no_data(tab, path, anywhere, names, usernames)
                tab.close()


def test_the_shared_screen_shows_today_and_participants_at_1920x1080(server, new_page):
    page = new_page(viewport={"width": 1920, "height": 1080})
    sign_in(page, server, "pm", DEMO_PASSWORD)
    page.get_by_role("heading", name="Today").first.wait_for()
    shot(page, "08-shared-screen-today-1920")
    shot(page, "08-shared-screen-today-1920-full", full_page=True)

    click_and_wait(page.get_by_role("link", name="Participants", exact=True))
    page.get_by_role("heading", name="Participants").first.wait_for()
    page.get_by_text("participant(s) you may see").first.wait_for()
    wait_idle(page)
    shot(page, "09-shared-screen-participants-1920")
    shot(page, "09-shared-screen-participants-1920-full", full_page=True)


def test_a_case_manager_on_a_phone_sees_today_without_horizontal_scrolling(server, new_page):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(server + "/")
    settle(page)  # the first reruns briefly empty the sign-in slot
    page.get_by_role("textbox", name="Password").wait_for()
    shot(page, "10-phone-sign-in", full_page=True)
    submit_sign_in(page, "cm1", DEMO_PASSWORD)
    page.get_by_text("Signed in as").first.wait_for(state="attached")
    page.get_by_role("heading", name="Today").first.wait_for()
    wait_idle(page)
    shot(page, "11-phone-case-manager-today")
    shot(page, "11-phone-case-manager-today-full", full_page=True)
    scroll_width, main_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth,"
        " document.querySelector(\"[data-testid='stMain']\").scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width + 1, (scroll_width, inner_width)
    assert main_width <= inner_width + 1, (main_width, inner_width)  # Streamlit scrolls here
    assert small_tap_targets(page) == []
