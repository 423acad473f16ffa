"""The shape of the app: imports go one way, config is hardened. That the docs tell the truth
(the README, docs/): tests/test_docs.py."""

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_services_and_models_never_import_streamlit_or_the_ui():
    services = sorted((ROOT / "services").rglob("*.py"))
    assert ROOT / "services" / "core" / "db.py" in services  # the area packages are searched
    for path in [ROOT / "models.py", *services, *sorted((ROOT / "demo").rglob("*.py"))]:
        bad = imported_modules(path) & {"streamlit", "streamlit_authenticator", "ui", "pages"}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_contract_modules_are_import_light():
    """The contract modules only re-export the pure rule core (tests/rules/test_purity.py)."""
    for name in ("eligibility.py", "deadlines.py", "reports/__init__.py"):
        tree = ast.parse((ROOT / "services" / name).read_text())
        imports = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
        assert imports, name
        for node in imports:
            assert isinstance(node, ast.ImportFrom), (name, ast.unparse(node))
            assert node.module.startswith("services.rules."), (name, node.module)


def test_pages_hold_no_sql_or_commits():
    for path in sorted((ROOT / "pages").glob("*.py")):
        text = path.read_text()
        assert "sqlmodel" not in text and "sqlalchemy" not in text, path.name
        assert ".commit(" not in text and not re.search(r"(?<!\w)select\(", text), path.name


def test_no_raw_html_rendering_anywhere():
    """Plain text only; the exceptions are ui/style.py's constant stylesheet and script."""
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")]:
        text = path.read_text()
        if path.name == "style.py":
            assert re.findall(r"st\.(?:sidebar\.)?html\((.*)\)", text) == [
                'f"<script>{CLOSE_SIDEBAR_JS}</script>", unsafe_allow_javascript=True',
                'f"<style>{TOUCH_CSS}</style>"',
                'f"<style>{ROOM_CSS}</style>"',
            ]
            assert "unsafe_allow_html" not in text
            continue
        assert not re.search(r"unsafe_allow_html\s*=\s*True|st\.html\(", text), path.name


def test_streamlit_config_is_hardened():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["client"]["disableDataExport"] is True  # no unlogged table downloads
    assert config["theme"]["baseFontSize"] >= 20  # the wall display
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableStaticServing"] is False
    assert config["server"]["maxUploadSize"] <= 10
    assert config["browser"]["gatherUsageStats"] is False
    assert config["runner"]["magicEnabled"] is False


def test_requirements_are_exact_pins_and_streamlit_is_patched():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-r")):
                assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.]*", line), line
    streamlit = re.search(
        r"^streamlit==(\d+)\.(\d+)", (ROOT / "requirements.txt").read_text(), re.M
    )
    assert (int(streamlit[1]), int(streamlit[2])) >= (1, 54)


def test_every_date_field_is_the_one_ui_component_with_wide_bounds():
    """SECURITY 33: st.date_input keeps its old value when a typed date is outside its bounds;
    only ui/fields.date_field (1900-2100, the service checks the rule) may call it."""
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")]:
        if path.name == "fields.py":
            continue
        assert "date_input(" not in path.read_text(), f"{path.name}: use ui.fields.date_field"


def test_no_text_box_silently_cuts_a_paste_at_max_chars():
    """SECURITY 33: `max_chars` drops the rest of a paste without a word; the service refuses
    an over-long text with its length instead, and the box keeps it."""
    for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")]:
        assert "max_chars" not in path.read_text(), path.name


PAGE_LINES, UI_MODULE_LINES = 150, 500
RULE_ID = re.compile(r"\b(?:B1[0-4]|[BCEMPSTV][1-9])\b")  # PROTOCOL rule ids, e.g. "T5"
# Issue 13's catalog step (services/rules/catalog.py) makes these two read the rule wording from
# the catalog; until it lands they still name rule ids. Remove each once it reads the catalog.
RULE_IDS_PENDING_CATALOG = {"glossary.py", "today.py"}


def test_pages_are_thin_and_ui_modules_stay_small():
    """Issue 13: a page lays out sections; forms and repeated widgets are ui components."""
    long = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for folder, limit in (("pages", PAGE_LINES), ("ui", UI_MODULE_LINES))
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (lines := len(path.read_text().splitlines())) > limit
    ]
    assert long == []


def rule_ids_in_code(source: str) -> list[str]:
    """Rule ids in a module's strings (comments and the module's docstring may cite them)."""
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree, clean=False)
    return [
        f"{node.lineno}: {match}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if node.value != docstring
        for match in RULE_ID.findall(node.value)
    ]


def test_the_rule_id_check_sees_strings_but_not_comments_or_the_docstring():
    source = (
        '"""Today (PROTOCOL T4-T6)."""\n'
        "x = 1  # PROTOCOL T5\n"
        'if rule == "T5":\n'
        '    st.text(f"S5 {x}")\n'
    )
    assert rule_ids_in_code(source) == ["3: T5", "4: S5"]


def test_no_page_names_a_rule_id_in_its_code():
    """Rules live in services (and their wording in the catalog): a page lays them out."""
    found = [
        f"{path.name}:{hit}"
        for path in sorted((ROOT / "pages").glob("*.py"))
        if path.name not in RULE_IDS_PENDING_CATALOG
        for hit in rule_ids_in_code(path.read_text())
    ]
    assert found == []
