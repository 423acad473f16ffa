"""The rule catalog: every protocol id once, every citation resolves, every form exists, and
Today, the glossary and docs/rules.md read it instead of spelling the rules again."""

import re
from datetime import date
from pathlib import Path

import pytest

from models import Role, SiteSettingsBase
from scripts import rules_doc
from services import today as alerts
from services.access.policy import ROLE_LABELS
from services.rules import catalog
from services.rules.catalog import BY_ID, GLOSSARY, RULES

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL_SOURCES = (ROOT / "docs" / "protocol.md", Path("/work/shared/domain/PROTOCOL.md"))
CODE_DIRS = ("services", "pages", "ui", "scripts", "tests", "demo")
PLANNED = {
    catalog.ELIGIBILITY,
    catalog.DEADLINES,
    catalog.CONSENT,
    catalog.MATCHING,
    catalog.SUPPRESSION,
}


def protocol_ids() -> list[str]:
    """The ids PROTOCOL.md defines: each is bold where it is defined (`**B2 Drug amount**`)."""
    source = next((p for p in PROTOCOL_SOURCES if p.exists()), None)
    if source is None:
        pytest.skip("no copy of PROTOCOL.md here (docs/protocol.md is added with the docs)")
    return re.findall(r"\*\*([A-Z]\d+)\b", source.read_text(encoding="utf-8"))


def code_files():
    for folder in CODE_DIRS:
        yield from sorted((ROOT / folder).rglob("*.py"))
    yield from (ROOT / name for name in ("app.py", "models.py"))


# "PROTOCOL T4", "PROTOCOL T4, T5, C3/T6, S6", "PROTOCOL B1-B14, S1-S4", "PROTOCOL M3 and C3".
CITATION = re.compile(r"PROTOCOL ((?:[A-Z]\d{1,2}(?:\s*(?:-|/|,|and)\s*(?=[A-Z]\d))?)+)")


def cited_ids() -> dict[str, set[str]]:
    cited: dict[str, set[str]] = {}
    for path in code_files():
        for run in CITATION.findall(path.read_text(encoding="utf-8")):
            for rule_id in re.findall(r"[A-Z]\d{1,2}", run):
                cited.setdefault(rule_id, set()).add(str(path.relative_to(ROOT)))
    return cited


def test_every_protocol_id_is_in_the_catalog_exactly_once():
    ids = protocol_ids()
    assert len(ids) == len(set(ids)) == 44  # B1-B14, S1-S7, T1-T6, C1-C4, V1, P1-P4, M1-M8
    in_catalog = [r.id for r in RULES if r.protocol]
    assert sorted(in_catalog) == sorted(ids)
    assert len([r.id for r in RULES]) == len(BY_ID)  # no id twice, protocol or not


def test_every_protocol_id_cited_in_code_is_in_the_catalog():
    unknown = {rule_id: files for rule_id, files in cited_ids().items() if rule_id not in BY_ID}
    assert unknown == {}
    assert {"T4", "C3", "V1", "M5"} <= set(cited_ids())  # the scan finds citations at all


def test_the_citation_scan_reads_lists_and_ranges():
    found = CITATION.findall("# PROTOCOL T4, T5, C3/T6, S6 and PROTOCOL B1-B14, SECURITY 22")
    assert [re.findall(r"[A-Z]\d{1,2}", run) for run in found] == [
        ["T4", "T5", "C3", "T6", "S6"],
        ["B1", "B14"],
    ]


def test_every_rule_names_a_role_settings_and_modules_that_exist():
    assert set(catalog.ROLES) == {r.value for r in Role}
    settings = set(SiteSettingsBase.model_fields)
    for rule in RULES:
        assert rule.who_acts in catalog.ROLES, rule.id
        assert set(rule.settings) <= settings, rule.id
        assert rule.title and rule.text and rule.action and rule.modules, rule.id
        for module in rule.modules:
            assert (ROOT / module).exists() or module in PLANNED, (rule.id, module)


def _form_keys() -> list[re.Pattern]:
    """Every st.form key in pages/ and ui/, an f-string's fields as wildcards."""
    keys = []
    for path in [*(ROOT / "pages").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]:
        for key in re.findall(r"\.form\(\s*f?\"([^\"]+)\"", path.read_text(encoding="utf-8")):
            parts = re.split(r"\{[^}]*\}", key)
            keys.append(re.compile(".+".join(re.escape(p) for p in parts)))
        # A record page's forms: `p.key("rec_release")` adds the form round (ui/participant/).
        for key in re.findall(r"\.form\(\s*\w+\.key\(\s*\"([^\"]+)\"", path.read_text()):
            keys.append(re.compile(re.escape(key) + "_.+"))
    return keys


def _ui_text() -> str:
    paths = [*(ROOT / "pages").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]
    return "\n".join(p.read_text(encoding="utf-8") for p in paths)


def test_every_page_and_form_named_as_a_closing_action_exists():
    keys, text = _form_keys(), _ui_text()
    for rule in RULES:
        if rule.recorded_on is None:
            continue
        assert (ROOT / rule.recorded_on.page).is_file(), rule.id
        form = rule.recorded_on.form
        if form is None:
            continue
        # A form key (its round suffix aside), or the label of the button that saves.
        as_key = any(k.fullmatch(form) or k.fullmatch(f"{form}_0") for k in keys)
        assert as_key or f'"{form}"' in text, (rule.id, form)


def test_a_made_up_form_is_caught():
    keys = _form_keys()
    assert any(k.fullmatch("rec_release_0") for k in keys)
    assert not any(k.fullmatch("no_such_form") or k.fullmatch("no_such_form_0") for k in keys)


def test_todays_owners_actions_and_calendar_titles_come_from_the_catalog():
    for rule_id in alerts.ALERT_RULES:
        entry = catalog.rule(rule_id)
        assert alerts.CLOSING_ACTIONS[rule_id] == entry.action
        assert alerts.OWNERS[rule_id] == ROLE_LABELS[Role(entry.who_acts)]
        alert = alerts.make_alert(
            rule_id, "BUR-0001", date(2026, 1, 5), date(2026, 1, 1), "", "", ""
        )
        assert alerts.calendar_event_text(alert)[0] == f"{rule_id} BUR-0001: {entry.title}"
    for rule_id, page_key in alerts.CLOSES_ON.items():
        assert alerts.PAGE_KEY_BY_PATH[catalog.rule(rule_id).recorded_on.page] == page_key


def test_no_rule_title_or_action_of_todays_alerts_is_spelled_again_in_code():
    words = {catalog.rule(r).title for r in alerts.ALERT_RULES}
    words |= {catalog.rule(r).action for r in alerts.ALERT_RULES} - {"Log a contact"}
    catalog_files = set((ROOT / "services" / "rules").glob("catalog*.py"))  # the catalog's modules
    for folder in ("services", "pages", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            if path in catalog_files:
                continue
            text = path.read_text(encoding="utf-8")
            assert [w for w in words if f'"{w}"' in text] == [], path


def test_docs_rules_md_is_the_catalog_as_generated():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_doc.render()
    assert all(f"| {rule.id} | {rule.title} |" in rules_doc.render() for rule in RULES)


def test_the_glossary_spells_no_rule_window_or_threshold():
    page = (ROOT / "pages" / "glossary.py").read_text(encoding="utf-8")
    code = "\n".join(line for line in page.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"\b[BSTCVPM]\d{1,2}\b", code)  # no rule ids
    assert not re.search(r"\d", code)  # no windows or thresholds
    assert all(not re.search(r"\b\d+ (days?|months?|hours?|grams?)\b", t.meaning) for t in GLOSSARY)
    assert {r for t in GLOSSARY for r in t.rules} <= set(BY_ID)


@pytest.mark.db
def test_the_glossary_shows_every_rule_and_the_settings_in_force(app_env, engine):

    from models import SiteSettings
    from services.core.db import write_session
    from services.core.site import SETTING_LABELS
    from tests.checks import rendered_text
    from tests.factories import make_user
    from tests.support import open_app

    make_user(engine, "cy1", Role.community)
    with write_session(engine) as session:
        session.get(SiteSettings, 1).intake_days = 21
    at = open_app(engine, "cy1", "pages/glossary.py")
    text = rendered_text(at)
    for rule in RULES:
        assert f"{rule.id} · {rule.title}" in text
    assert f"{SETTING_LABELS['intake_days']}: 21" in text
    assert "Who acts: Case manager" in text and "KCPAO:" in text
