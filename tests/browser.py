"""Helpers for the real-browser tests: a Streamlit server per fixture and a Debian Chromium.

Playwright's sync API is driven directly against /usr/bin/chromium (never `playwright install`:
no browser is ever downloaded). tests/test_browser.py uses these; pytest.ini keeps this module
out of doctest collection.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
RUNNING = "[data-testid='stApp'][data-test-script-state='running']"
HEALTH_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200 and response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@contextmanager
def app_server(db_url: str, env_overrides: dict[str, str] | None = None) -> Iterator[str]:
    """Run `streamlit run app.py` on a free port against db_url; yield its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "LEAD_MODE": "demo",
        "LEAD_COOKIE_KEY": secrets.token_urlsafe(36),  # 48 characters
        **(env_overrides or {}),
    }
    log_fd, log_name = tempfile.mkstemp(prefix="lead-streamlit-", suffix=".log")
    log_path = Path(log_name)
    python = ROOT / ".venv" / "bin" / "python"
    command = [
        str(python) if python.exists() else sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
    ]
    with os.fdopen(log_fd, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while not _healthy(f"{base}/_stcore/health"):
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {process.returncode}: {_tail(log_path)}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit not healthy after {HEALTH_TIMEOUT_S} s")
            time.sleep(0.25)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if "Traceback" in log_path.read_text(errors="replace"):  # keep it for the reader
            shutil.copy(log_path, SHOTS.parent / f"server-{port}.log")
        log_path.unlink(missing_ok=True)


def _tail(path: Path, chars: int = 2000) -> str:
    return path.read_text(errors="replace")[-chars:]


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_idle(page, pause_ms: int = 400, timeout_ms: int = 45_000) -> None:
    """Let a rerun start, then wait until the script is not running."""
    page.wait_for_timeout(pause_ms)
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def click_and_wait(locator, start_timeout_ms: int = 5_000) -> None:
    """Click, wait for the rerun it causes to start (on a busy machine it can take seconds),
    then for the script to finish."""
    page = locator.page
    locator.click()
    try:
        page.wait_for_selector(RUNNING, timeout=start_timeout_ms)
    except PlaywrightTimeoutError:
        pass  # a fast rerun may start and end between two polls
    wait_idle(page, pause_ms=200)


def dismiss_page_not_found(page) -> None:
    """A deep link to a page this session has not registered shows a dialog; close it."""
    if page.get_by_text("Page not found").count():
        page.keyboard.press("Escape")
        page.wait_for_timeout(200)


def sign_in_form(page):
    return page.get_by_role("button", name="Sign in")


def submit_sign_in(page, username: str, password: str) -> None:
    """Fill and submit the sign-in form on the current page; wait for the rerun."""
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    click_and_wait(page.get_by_role("button", name="Sign in"))


def sign_in(page, base: str, username: str, password: str) -> None:
    """Open the home page, sign in and wait until the sidebar says who is signed in."""
    page.goto(base + "/")
    wait_idle(page)
    dismiss_page_not_found(page)
    submit_sign_in(page, username, password)
    page.get_by_text("Signed in as").first.wait_for()
    wait_idle(page)


def settle(page, pause_ms: int = 1500) -> None:
    """Wait out the cookie component's round trip: it may trigger one more rerun."""
    wait_idle(page)
    page.wait_for_timeout(pause_ms)
    wait_idle(page)


def sign_out(page) -> None:
    click_and_wait(page.get_by_role("button", name="Sign out"))
    sign_in_form(page).first.wait_for()
    settle(page, 1000)


def session_cookie(context, name: str = "lead_session", timeout_s: float = 20.0) -> dict:
    """The app's session cookie once the sidebar's cookie manager has written it."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = [c for c in context.cookies() if c["name"] == name]
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no {name} cookie after {timeout_s} s")
        time.sleep(0.2)


_MAIN_HEIGHT = """() => {
    const main = document.querySelector("[data-testid='stMain']");
    if (main) main.scrollTo(0, 0);
    return Math.max(main ? main.scrollHeight : 0, window.innerHeight);
}"""


def shot(page, name: str, *, full_page: bool = False) -> Path:
    """Screenshot SHOTS/<name>.png from the top of the page.

    Streamlit scrolls inside its main element, not the document, so Playwright's own full_page
    sees one screen only: for a full page, grow the viewport to the content's height instead.
    """
    path = SHOTS / f"{name}.png"
    height = page.evaluate(_MAIN_HEIGHT)
    size = page.viewport_size
    if full_page and size and height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height})
        page.wait_for_timeout(500)
        page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size(size)
        page.wait_for_timeout(200)
    else:
        page.wait_for_timeout(100)
        page.screenshot(path=str(path))
    return path


SMALL_TAP_TARGETS_JS = """() => {
  const sel = "button, a[href], input:not([type=hidden]), textarea, [role=combobox], [role=tab]";
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
    if (el.matches("input[type=radio], input[type=checkbox]")) continue;  // the label is the target
    if (el.matches("a") && el.closest("p, li, h1, h2, h3, h4, h5, h6")) continue;  // inline text
    if (el.matches("a[href^='#']")) continue;  // skip link (on focus) and heading anchors
    if (r.height < 44 || r.width < 44) {
      const name = el.getAttribute("aria-label") || el.innerText || el.getAttribute("data-testid");
      const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
      out.push(`${el.tagName} "${(name || "").trim().slice(0, 30)}" ${size}`);
    }
  }
  return out;
}"""


def small_tap_targets(page) -> list[str]:
    """Controls a finger would find smaller than 44 x 44 px (issue 8; WCAG 2.5.5)."""
    return page.evaluate(SMALL_TAP_TARGETS_JS)


@contextmanager
def demo_database(template: str, folder: Path, name: str) -> Iterator[str]:
    """A copy of conftest's migrated `template` seeded with the demo, for a browser story's
    server: a file in `folder` on SQLite, database `name` on PostgreSQL (dropped afterwards)."""
    from sqlalchemy import create_engine, text

    import services.access.auth
    from demo.seed import seed_demo
    from services.core.db import make_engine

    pg_url = os.environ.get("LEAD_TEST_PG_URL")
    if pg_url:
        name = f"{name}_{os.getpid()}"
        admin = create_engine(f"{pg_url}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template.rsplit('/', 1)[-1]}"))
        url = f"{pg_url}/{name}"
    else:
        path = folder / "lead.db"
        shutil.copy(template.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    engine = make_engine(url)
    original_cost = services.access.auth.BCRYPT_COST
    services.access.auth.BCRYPT_COST = 4  # fast sign-ins for the demo users
    try:
        assert seed_demo(engine)
    finally:
        services.access.auth.BCRYPT_COST = original_cost
        engine.dispose()
    try:
        yield url
    finally:
        if pg_url:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin.dispose()
