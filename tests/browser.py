"""Helpers for the real-browser tests: a Streamlit server per fixture and a Debian Chromium.

Playwright's sync API is driven directly against /usr/bin/chromium (never `playwright install`:
no browser is ever downloaded). tests/stories/test_browser.py uses these; pytest.ini keeps this
module out of doctest collection.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
HEALTH_TIMEOUT_S = 60
GRACE_MS = 1000  # how long an input may take to start the rerun it causes, if it causes one
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
    env["PYTHONUNBUFFERED"] = "1"  # its "URL:" line arrives when it is printed
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    listening = threading.Event()
    pump = threading.Thread(
        target=_copy_log, args=(process, os.fdopen(log_fd, "wb"), listening), daemon=True
    )
    pump.start()
    base = f"http://127.0.0.1:{port}"
    try:
        # Streamlit prints its URL once the server listens (or the pump sees it exit).
        if not listening.wait(HEALTH_TIMEOUT_S):
            raise TimeoutError(f"streamlit not listening after {HEALTH_TIMEOUT_S} s")
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}: {_tail(log_path)}")
        if not _healthy(f"{base}/_stcore/health"):
            raise RuntimeError(f"streamlit listens but is not healthy: {_tail(log_path)}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        pump.join(STOP_TIMEOUT_S)
        if "Traceback" in log_path.read_text(errors="replace"):  # keep it for the reader
            shutil.copy(log_path, SHOTS.parent / f"server-{port}.log")
        log_path.unlink(missing_ok=True)


def _copy_log(process: subprocess.Popen, log, listening: threading.Event) -> None:
    """Copy the server's output to its log; set `listening` at its "URL:" line or its end."""
    with log:
        for line in process.stdout:
            log.write(line)
            log.flush()
            if b"URL:" in line:
                listening.set()
    listening.set()


def _tail(path: Path, chars: int = 2000) -> str:
    return path.read_text(errors="replace")[-chars:]


# Every page of a browser from launch_browser records, from its first moment, what waits need:
# when the script last started running (a MutationObserver on stApp's script state sees every
# start, even a run too short for a poll), the last user input, and the last custom-component
# value (the cookie manager's round trip reruns the script with no input in this document), and
# which component frames have spoken at all (a component sends its value before its height).
WATCH_JS = """(() => {
  if (window.__lead) return;
  const lead = (window.__lead = { runs: 0, lastRun: -1, lastInput: 0, lastChange: 0,
                                  spoke: new WeakSet() });
  const mark = (key) => { const now = performance.now(); lead[key] = now; lead.lastChange = now; };
  new MutationObserver((records) => {
    for (const r of records) {
      const state = r.target.getAttribute("data-test-script-state");
      if (state === r.oldValue) continue;
      if (state === "running") { lead.runs += 1; mark("lastRun"); } else mark("lastIdle");
    }
  }).observe(document, { subtree: true, attributes: true, attributeOldValue: true,
                         attributeFilter: ["data-test-script-state"] });
  for (const type of ["pointerdown", "keydown", "input", "change"])
    addEventListener(type, () => mark("lastInput"), true);
  addEventListener("message", (event) => {
    const type = (event.data && event.data.type) || "";
    if (!String(type).startsWith("streamlit:")) return;
    if (event.source) lead.spoke.add(event.source);
    if (type === "streamlit:setComponentValue") mark("lastInput");
  }, true);
})()"""

# Idle: the script is not running and has not changed state for STABLE_MS (a run that ends in
# st.rerun starts again at once), every component frame has spoken (so its value, if it has
# one, is in), and the script has run since the last input (or that input, older than the
# grace, started no run: a tab, an expander, typing before Enter).
STABLE_MS = 150
_IDLE_JS = """([grace, stable]) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const lead = window.__lead;
  if (!lead) return true;
  const now = performance.now();
  if (now - lead.lastChange < stable) return false;
  const frames = document.querySelectorAll("iframe[data-testid='stCustomComponentV1']");
  if (![...frames].every((f) => lead.spoke.has(f.contentWindow))) return false;
  return lead.lastRun >= lead.lastInput || now - lead.lastInput >= grace;
}"""

# Still: idle, and nothing (a run, an input, a component value) has happened for `quiet` ms.
_STILL_JS = """([quiet]) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const lead = window.__lead;
  return !lead || performance.now() - lead.lastChange >= quiet;
}"""

_TWO_FRAMES_JS = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def launch_browser(playwright):
    """Debian's Chromium; every context it makes (and so every page) runs WATCH_JS."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    make_context = browser.new_context

    def new_context(**options):
        context = make_context(**options)
        context.add_init_script(WATCH_JS)
        return context

    browser.new_context = new_context
    return browser


def _watch(page) -> None:
    """A page from another browser: start watching now (what already ran is not seen)."""
    if not page.evaluate("() => Boolean(window.__lead)"):
        page.evaluate(WATCH_JS)


def wait_idle(page, grace_ms: int = GRACE_MS, timeout_ms: int = 45_000) -> None:
    """Wait until the rerun the last input caused has finished (or, if none starts within
    grace_ms of that input, until the script is not running)."""
    _watch(page)
    page.wait_for_function(_IDLE_JS, arg=[grace_ms, STABLE_MS], timeout=timeout_ms, polling=50)


_ANIMATIONS_DONE_JS = """() => document.getAnimations().every(
  (a) => a.playState !== "running" || a.effect.getComputedTiming().iterations === Infinity)"""


def wait_for_animations(page, timeout_ms: int = 30_000) -> None:
    """Wait until every finite CSS transition and animation has ended (Streamlit fades stale
    elements out during a run and back in after it; contrast is measured after the fade)."""
    page.wait_for_function(_ANIMATIONS_DONE_JS, timeout=timeout_ms, polling=100)


def painted(page) -> None:
    """Wait until the browser has laid out and painted what just changed (two frames)."""
    page.evaluate(_TWO_FRAMES_JS)


def click_and_wait(locator, start_timeout_ms: int = 5_000) -> None:
    """Click, then wait for the rerun it causes (on a busy machine it can take seconds to
    start) to finish."""
    locator.click()
    wait_idle(locator.page, grace_ms=start_timeout_ms)


def dismiss_page_not_found(page) -> None:
    """A deep link to a page this session has not registered shows a dialog; close it."""
    dialog = page.get_by_text("Page not found")
    if dialog.count():
        page.keyboard.press("Escape")
        dialog.first.wait_for(state="hidden")


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


def settle(page, quiet_ms: int = 1500, timeout_ms: int = 60_000) -> None:
    """Wait out the cookie component's round trip (it may rerun the script once more): until
    the app has been idle, with no run, input or component value, for quiet_ms."""
    wait_idle(page)
    page.wait_for_function(_STILL_JS, arg=[quiet_ms], timeout=timeout_ms, polling=100)


def sign_out(page) -> None:
    click_and_wait(page.get_by_role("button", name="Sign out"))
    sign_in_form(page).first.wait_for()
    settle(page, 1000)


_HAS_COOKIE_JS = "(name) => document.cookie.split('; ').some((c) => c.startsWith(name + '='))"


def session_cookie(context, name: str = "lead_session", timeout_s: float = 20.0) -> dict:
    """The app's session cookie once the sidebar's cookie manager has written it (from
    JavaScript, so the page's document.cookie shows it)."""
    page = context.pages[-1]
    page.wait_for_function(_HAS_COOKIE_JS, arg=name, timeout=timeout_s * 1000)
    found = [c for c in context.cookies() if c["name"] == name]
    assert found, f"no {name} cookie in the context although the page has one"
    return found[0]


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
        page.evaluate(_TWO_FRAMES_JS)  # laid out and painted at the new size
        page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size(size)
        page.evaluate(_TWO_FRAMES_JS)
    else:
        page.evaluate(_TWO_FRAMES_JS)
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
