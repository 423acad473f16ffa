"""Stored text never reaches a widget label, caption, heading, help or message as markdown
(SECURITY 19, 32): every page, opened as the project manager and as a case manager over data
whose site settings and participant names are markdown payloads, shows them escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from models import Participant, SiteSettings, User
from services.db import write_session
from services.demo import seed_demo
from services.policy import PAGES, can_open
from tests.factories import sign_in
from ui.text import plain

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = (
    "**b**",
    ":red[x]",
    "$x^2$",
    "[l](http://e.x)",
    "![](http://e.x/p.png)",
    "www.e.x",
    ":material/home:",
)
PAYLOAD = " ".join(PAYLOADS)
# Proto fields Streamlit renders as markdown; st.text, st.code, tables and option lists are
# plain text and are not looked at.
MARKDOWN_FIELDS = frozenset({"body", "label", "help", "text", "caption"})
PLAIN_ELEMENTS = frozenset({"text", "code", "dataframe", "json"})
# Options are markdown in radios and button groups (selectbox options are plain text).
MARKDOWN_OPTIONS = {"radio": "options", "button_group": "content"}


def markdown_strings(at) -> list[str]:
    """Every string of the run that Streamlit renders as markdown."""
    found: list[str] = []

    def fields(message, names) -> None:
        for field, value in message.ListFields():
            items = list(value) if field.is_repeated else [value]
            for item in items:
                if field.type == field.TYPE_MESSAGE:
                    fields(item, names)
                elif field.name in names and isinstance(item, str):
                    found.append(item)

    def walk(node) -> None:
        proto, kind = getattr(node, "proto", None), getattr(node, "type", None)
        if proto is not None and kind not in PLAIN_ELEMENTS:
            fields(proto, MARKDOWN_FIELDS | {MARKDOWN_OPTIONS.get(kind, "body")})
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def unescaped(strings: list[str]) -> list[str]:
    return [f"{payload!r} in {s!r}" for s in strings for payload in PAYLOADS if payload in s]


@pytest.fixture
def payload_world(app_env, engine):
    """The demo, with every text site setting, participant 1's names, a user's display name
    and an organization's name set to markdown payloads; participant 1 is cm1's."""
    seed_demo(engine, participants=12)
    with write_session(engine) as session:
        settings = session.exec(select(SiteSettings)).one()
        settings.name = settings.catchment_area = settings.redisclosure_notice = PAYLOAD
        cm1 = session.exec(select(User).where(User.username == "cm1")).one()
        cm2 = session.exec(select(User).where(User.username == "cm2")).one()
        cm2.display_name = PAYLOAD
        person = session.get(Participant, 1)
        person.legal_name = person.preferred_name = PAYLOAD
        person.aliases = [PAYLOAD]
        person.case_manager_id = cm1.id
        session.add_all([settings, cm2, person])
    return engine


@pytest.mark.parametrize("username", ["pm", "cm1"])
def test_stored_markdown_is_shown_escaped_on_every_page(payload_world, username):
    """SECURITY 32: bold, colour, KaTeX, links, images, autolinks and icons stay literal."""
    current = sign_in(payload_world, username)
    opened, leaks, escaped = [], [], set()
    for page in PAGES:
        if not can_open(current.role, page.key):
            continue
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["lead_session_id"] = current.session_id
        at.session_state["participant_id"] = 1
        at.run()
        at.switch_page(page.path).run()
        assert not at.exception, f"{page.key}: {at.exception}"
        opened.append(page.key)
        strings = markdown_strings(at)
        leaks += [f"{page.key}: {leak}" for leak in unescaped(strings)]
        if any(plain(PAYLOAD) in s for s in strings):
            escaped.add(page.key)
    assert {"referral_new", "participant"} <= set(opened)
    assert leaks == []
    assert "referral_new" in escaped  # the catchment area's label: the payloads did get there
