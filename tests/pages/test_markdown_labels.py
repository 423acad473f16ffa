"""Stored text never reaches a widget label, caption, heading, help or message as markdown
(SECURITY 19, 32): every page, opened as the project manager and as a case manager over data
whose site settings and participant names are markdown payloads, shows them escaped."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlmodel import select

from demo.seed import seed_demo
from models import Participant, SiteSettings, User
from services.access.policy import PAGES, can_open
from services.core.db import write_session
from tests.factories import sign_in
from tests.support import open_app
from ui.text import plain

ROOT = Path(__file__).resolve().parents[2]
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


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        pytest.param("**b**", r"\*\*b\*\*", id="bold"),
        pytest.param(":red[x]", r"\:red\[x\]", id="colour-directive"),
        pytest.param("$x^2$", r"\$x^2\$", id="katex"),
        pytest.param("[l](http://e.x)", "\\[l\\](http\u2060\\:\\/\\/e.x)", id="link"),
        pytest.param(
            "![](http://e.x/p.png)", "!\\[\\](http\u2060\\:\\/\\/e.x\\/p.png)", id="image"
        ),
        pytest.param("www.e.x", "www\u2060.e.x", id="www-autolink"),
        pytest.param("a@e.x", "a\\@\u2060e.x", id="email-autolink"),
        pytest.param("<http://e.x>", "\\<http\u2060\\:\\/\\/e.x\\>", id="angle-autolink"),
        pytest.param(":material/home:", r"\:material\/home:", id="material-icon"),
        pytest.param(":smile:", r"\:smile\:", id="emoji-shortcode"),
        pytest.param(":streamlit:", "\\:\u2060streamlit:", id="logo-shortcode"),
        pytest.param("&#58;red[x]", r"\&#58;red\[x\]", id="entity"),
        pytest.param("# Title", r"\# Title", id="heading"),
        pytest.param("- item", r"\- item", id="list"),
        pytest.param("1. item", r"1\. item", id="numbered-list"),
        pytest.param("a\nb", "a b", id="line-break"),
        pytest.param("Reason: required (BUR-0013).", "Reason: required (BUR-0013).", id="prose"),
        pytest.param("at 10:30", r"at 10\:30", id="a-time-keeps-its-look"),
    ],
)
def test_plain_makes_markdown_literal_and_leaves_ordinary_sentences_alone(typed, shown):
    assert plain(typed) == shown


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
        at = open_app(
            payload_world,
            page=page.path,
            session_id=current.session_id,
            state={"participant_id": 1},
        )
        opened.append(page.key)
        strings = markdown_strings(at)
        leaks += [f"{page.key}: {leak}" for leak in unescaped(strings)]
        if any(plain(PAYLOAD) in s for s in strings):
            escaped.add(page.key)
    assert {"referral_new", "participant"} <= set(opened)
    assert leaks == []
    assert "referral_new" in escaped  # the catchment area's label: the payloads did get there


# --- Static: no markdown call in pages/ or ui/ puts stored text in unescaped ----------------

# Streamlit calls whose text (first argument, label, help, body, text, caption) is markdown.
MARKDOWN_CALLS = frozenset(
    "markdown caption title header subheader success error warning info toast button "
    "form_submit_button download_button link_button checkbox toggle radio selectbox "
    "multiselect text_input text_area number_input date_input time_input slider select_slider "
    "expander popover metric page_link progress file_uploader segmented_control pills".split()
)
MARKDOWN_KEYWORDS = frozenset({"label", "help", "body", "text", "caption"})
# Fields and keys that hold stored or typed text (site settings, people, users, sessions).
STORED_TEXT = frozenset(
    "catchment_area redisclosure_notice name display_name legal_name preferred_name aliases "
    "alias subject action message place note notes lead_id username by what heading "
    "blocked_by area audience provider goal submitted_by organization consent".split()
)


def _stored_leaves(expression: ast.expr) -> set[str]:
    """Attribute names and string keys an expression reads, outside plain(...)."""
    if isinstance(expression, ast.Call) and getattr(expression.func, "id", None) == "plain":
        return set()
    leaves: set[str] = set()
    if isinstance(expression, ast.Attribute):
        leaves.add(expression.attr)
    if isinstance(expression, ast.Subscript) and isinstance(expression.slice, ast.Constant):
        leaves.add(str(expression.slice.value))
    if isinstance(expression, ast.Call) and getattr(expression.func, "id", None) == "str":
        leaves.add("str()")  # an exception's message may quote what was typed
    for child in ast.iter_child_nodes(expression):
        if isinstance(child, ast.expr):
            leaves |= _stored_leaves(child)
    return leaves & (STORED_TEXT | {"str()"})


def unescaped_calls(source: str) -> list[str]:
    """`line: expression` for stored text reaching a markdown argument without plain()."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in MARKDOWN_CALLS:
            continue
        texts = node.args[:1] + [k.value for k in node.keywords if k.arg in MARKDOWN_KEYWORDS]
        for text in texts:
            parts = (
                [v.value for v in text.values if isinstance(v, ast.FormattedValue)]
                if (isinstance(text, ast.JoinedStr))
                else [text]
            )
            for part in parts:
                if _stored_leaves(part):
                    found.append(f"{node.lineno}: {ast.unparse(part)}")
    return found


def test_the_static_check_finds_stored_text_in_a_label_without_plain():
    source = (
        'st.selectbox(f"Inside ({settings.catchment_area})?", [])\n'
        "st.error(str(exc))\n"
        'st.success(f"Saved {plain(person.legal_name)}")\n'
        "st.text(f\"Place: {info['place']}\")\n"
    )
    assert unescaped_calls(source) == ["1: settings.catchment_area", "2: str(exc)"]


def test_no_page_puts_stored_text_in_a_label_heading_or_message_without_plain():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")])
        for line in unescaped_calls(path.read_text())
    ]
    assert found == []
