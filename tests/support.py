"""AppTest openers shared by the page tests: the app as a signed-in user, on a page.

One place builds the AppTest, signs the user in (a real server session, as the sign-in form
would make) and switches to the page, so every page test opens the app the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from tests.factories import sign_in

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT_S = 120  # a ceiling for one script run on a shared 2-core machine, not a pace


def app_test() -> AppTest:
    """The app's entry point, not yet run (signed out unless the caller sets a session)."""
    return AppTest.from_file(APP, default_timeout=TIMEOUT_S)


def open_app(
    engine,
    username: str | None = None,
    page: str | None = None,
    *,
    session_id: int | None = None,
    state: dict[str, Any] | None = None,
) -> AppTest:
    """Run the app signed in as `username` (or with an existing `session_id`), with extra
    session `state`, then switch to `page` ("pages/x.py"); opening must raise nothing."""
    at = app_test()
    if username is not None:
        session_id = sign_in(engine, username).session_id
    if session_id is not None:
        at.session_state["lead_session_id"] = session_id
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def open_record(engine, username: str, participant_id: int) -> AppTest:
    """The participant record page for one participant, as `username`."""
    at = open_app(engine, username)
    at.session_state["participant_id"] = participant_id  # as a tap on a search result sets it
    at.switch_page("pages/participant.py").run()
    assert not at.exception, at.exception
    return at
