"""The docs tell the truth: the README stays short and points into docs/, every link resolves,
every PROTOCOL and SECURITY citation in the code resolves inside the repository, and what the
docs say about pages, roles, rules and commands matches the code."""

import re
from pathlib import Path

import pytest

from models import Role, SiteSettingsBase
from services.access.policy import (
    PAGE_BY_KEY,
    PAGES,
    PARTNER_ROLES,
    PROVIDER_ROLES,
    can_open,
    pages_for,
)
from services.rules.catalog import BY_ID, RULES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
CODE_DIRS = ("services", "ui", "pages", "tests", "scripts", "demo")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def doc_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


# Verbatim copies of the project's shared PROTOCOL.md, SECURITY.md and CONTRACTS.md: they define
# the ids and contracts, and keep the shared text as written (its own example citation, the
# contract's old module path).
COPIES = {DOCS / "protocol.md", DOCS / "security-requirements.md", DOCS / "contracts.md"}


def citing_files() -> list[Path]:
    """The code and the docs, less the copies that define the ids."""
    return code_files() + [doc for doc in doc_files() if doc not in COPIES]


def code_files() -> list[Path]:
    files = [ROOT / "app.py", ROOT / "models.py"]
    for folder in CODE_DIRS:
        files += sorted((ROOT / folder).rglob("*.py"))
    return files


def test_the_readme_is_under_200_lines():
    assert len(read(README).splitlines()) < 200


# --- Links --------------------------------------------------------------------------------------

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(m) for m in re.findall(r"^#+ (.+)$", read(path), re.M)}


def test_every_relative_link_in_the_readme_and_docs_resolves_to_a_file():
    checked = 0
    for doc in doc_files():
        for target in LINK.findall(read(doc)):
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            name, _, anchor = target.partition("#")
            path = (doc.parent / name).resolve() if name else doc
            assert path.is_file(), f"{doc.relative_to(ROOT)} links to missing {target}"
            if anchor and path.suffix == ".md":
                assert anchor in anchors(path), f"{doc.relative_to(ROOT)}: no heading #{anchor}"
            checked += 1
    assert checked > 20  # the README's links into docs/ are among them


def test_the_readme_links_to_every_doc():
    readme = read(README)
    for doc in sorted(DOCS.glob("*.md")):
        assert f"](docs/{doc.name})" in readme, doc.name


# --- Citations resolve inside the repository ----------------------------------------------------

# The same shapes as tests/rules/test_catalog.py: "PROTOCOL T4", "PROTOCOL T4, T5, C3/T6, S6",
# "PROTOCOL B1-B14, S1-S4", "PROTOCOL M3 and C3".
PROTOCOL_CITATION = re.compile(r"PROTOCOL ((?:[A-Z]\d{1,2}(?:\s*(?:-|/|,|and)\s*(?=[A-Z]\d))?)+)")
SECURITY_CITATION = re.compile(r"SECURITY (\d{1,2}(?:\s*(?:-|,|and)\s*\d{1,2})*)")


def test_every_protocol_id_cited_in_the_code_and_docs_is_defined_in_docs_protocol():
    defined = set(re.findall(r"\*\*([A-Z]\d+)\b", read(DOCS / "protocol.md")))
    assert len(defined) == 44  # B1-B14, S1-S7, T1-T6, C1-C4, V1, P1-P4, M1-M8
    cited: dict[str, str] = {}
    for path in citing_files():
        for run in PROTOCOL_CITATION.findall(read(path)):
            for rule_id in re.findall(r"[A-Z]\d{1,2}", run):
                cited.setdefault(rule_id, str(path.relative_to(ROOT)))
    assert {"T4", "T5", "C3", "B14", "M2"} <= set(cited)  # the search finds citations
    missing = {rule_id: where for rule_id, where in cited.items() if rule_id not in defined}
    assert not missing, f"cited but not in docs/protocol.md: {missing}"


def security_numbers(run: str) -> set[int]:
    numbers: set[int] = set()
    for part in re.split(r"\s*(?:,|and)\s*", run):
        low, _, high = part.partition("-")
        numbers |= set(range(int(low), int(high or low) + 1))
    return numbers


def test_every_security_item_cited_in_the_code_and_docs_is_in_docs_security_requirements():
    text = read(DOCS / "security-requirements.md")
    defined = {int(n) for n in re.findall(r"^(\d+)\. ", text, re.M)}
    assert defined == set(range(1, 34))
    cited: dict[int, str] = {}
    for path in citing_files():
        for run in SECURITY_CITATION.findall(read(path)):
            for number in security_numbers(run):
                cited.setdefault(number, str(path.relative_to(ROOT)))
    assert {1, 5, 22, 32, 33} <= set(cited)  # the search finds citations
    missing = {n: where for n, where in cited.items() if n not in defined}
    assert not missing, f"cited but not in docs/security-requirements.md: {missing}"


def test_a_range_of_security_items_counts_every_item_in_it():
    assert security_numbers("1-3") == {1, 2, 3}
    assert security_numbers("22-23, 30") == {22, 23, 30}
    assert security_numbers("12 and 14") == {12, 14}


# --- The README's rule map ----------------------------------------------------------------------


def rule_map() -> list[tuple[list[str], list[str]]]:
    """(rule ids, modules) for each row of the README's "Where each rule lives" table."""
    section = read(README).split("## Where each rule lives", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| ") or cells[0] in ("rules", "---"):
            continue
        match = re.match(r"([A-Z]{1,2})(\d+)?(?:-[A-Z](\d+))?\b", cells[0])
        if match is None:
            ids = []
        elif match[2] is None:
            ids = [match[1]]
        else:
            ids = [f"{match[1]}{n}" for n in range(int(match[2]), int(match[3] or match[2]) + 1)]
        rows.append((ids, re.findall(r"`([^`]+)`", cells[1])))
    return rows


def test_every_module_named_in_the_readme_rule_map_exists():
    rows = rule_map()
    assert len(rows) >= 10
    for _ids, modules in rows:
        assert modules
        for module in modules:
            assert (ROOT / module).is_file(), module


def test_the_readme_rule_map_names_the_catalog_module_of_every_rule():
    mapped: dict[str, list[str]] = {}
    for ids, modules in rule_map():
        for rule_id in ids:
            assert rule_id not in mapped, f"{rule_id} is in two rows"
            mapped[rule_id] = modules
    assert set(mapped) == {rule.id for rule in RULES}
    for rule_id, modules in mapped.items():
        assert set(modules) == set(BY_ID[rule_id].modules), rule_id


# --- Pages and roles ----------------------------------------------------------------------------

# The words the "who" column uses, and the roles each stands for.
ROLE_WORDS = {
    "everyone": frozenset(Role),
    "provider staff": PROVIDER_ROLES,
    "partners": PARTNER_ROLES,
    "project manager": frozenset({Role.project_manager}),
    "case manager": frozenset({Role.case_manager}),
    "clinical supervisor": frozenset({Role.clinical_supervisor}),
    "law enforcement": frozenset({Role.law_enforcement}),
    "corrections": frozenset({Role.corrections}),
    "prosecutor": frozenset({Role.prosecutor}),
    "community representative": frozenset({Role.community}),
}
TITLES = {page.title: page for page in PAGES}


def roles_named(who: str) -> frozenset[Role]:
    who = re.sub(r"\([^)]*\)", "", who).lower()
    roles: frozenset[Role] = frozenset()
    for words, named in ROLE_WORDS.items():
        if words in who:
            roles |= named
    return roles


def page_rows() -> list[tuple[str, str, str]]:
    """(doc, page title, who) for every row of a "| page | who | ..." table in the docs."""
    rows = []
    for doc in doc_files():
        in_table = False
        for line in read(doc).splitlines():
            if line.startswith("| page | who |"):
                in_table = True
            elif not line.startswith("|"):
                in_table = False
            elif in_table:
                title = re.match(r"\|\s*\*\*([^*]+)\*\*", line)
                if title:
                    rows.append((doc.name, title[1], line.split("|")[2].strip()))
    return rows


def test_the_docs_say_who_may_open_each_page_exactly_as_the_policy_table_does():
    rows = page_rows()
    assert {title for _doc, title, _who in rows} == set(TITLES)
    for doc, title, who in rows:
        assert roles_named(who) == TITLES[title].roles, f"{doc}: {title}: {who!r}"


def test_the_community_log_is_the_project_managers_where_community_concerns_are_recorded():
    """Issue 13: the README said community representatives raise concerns through the
    report-back log, which only the project manager can open."""
    text = " ".join(read(DOCS / "pages.md").split())
    said = re.search(r"Community representatives open (.+?) only", text)
    assert said, "docs/pages.md says which pages community representatives open"
    opens = set(re.findall(r"\*\*([^*]+)\*\*", said[1]))
    assert opens == {page.title for page in pages_for(Role.community)}
    never = re.search(r"They do not open (.+?)[.:;]", text)
    assert never and "Community log" in never[1]
    for title in re.findall(r"\*\*([^*]+)\*\*", never[1]):
        assert not can_open(Role.community, TITLES[title].key), title
    assert "the project manager records each one on the **Community log**" in text
    assert PAGE_BY_KEY["community_log"].roles == {Role.project_manager}
    for doc in doc_files():
        assert "through the report-back log" not in " ".join(read(doc).split()), doc.name


def test_a_who_cell_names_the_roles_it_says():
    assert roles_named("provider staff; partners under a release") == (
        PAGE_BY_KEY["participants"].roles
    )
    assert roles_named("project manager, community representatives (their home page)") == {
        Role.project_manager,
        Role.community,
    }
    assert roles_named("project manager (or a note taker signed in with that role)") == {
        Role.project_manager
    }


# --- Where each statement now lives (these checks read the README before issue 13) --------------


def test_docs_name_every_page_and_setting():
    pages = read(DOCS / "pages.md")
    for page in PAGES:
        assert f"**{page.title}**" in pages, page.title
    settings = read(DOCS / "settings.md")
    for name in SiteSettingsBase.model_fields:
        assert f"`{name}`" in settings, name


def test_the_readme_and_operations_doc_name_the_commands_and_environment():
    readme = read(README)
    for command in ("make run", "make test", "make figures", "make bench", "make soak"):
        assert command in readme, command
    operations = read(DOCS / "operations.md")
    for command in (
        "make run",
        "make test",
        "make figures",
        "DATABASE_URL",
        "LEAD_COOKIE_KEY",
        "LEAD_AUDIT_KEY",
        "LEAD_MODE",
        "python -m services.ops.admin create-user",
        "verify-audit",
        "services.ops.admin backup",
        "services.ops.admin restore",
    ):
        assert command in operations, command


def test_the_readme_documents_the_contract_functions_by_their_import_paths():
    readme = read(README)
    for signature in (
        "services.eligibility.screen(case",
        "services.deadlines.alerts_for(case",
        "services.reports.suppress(table",
    ):
        assert signature in readme, signature


# --- Code the docs name --------------------------------------------------------------------------

CODE_PATH = re.compile(r"`((?:services|ui|pages|demo|scripts|tests|migrations)/[\w./-]*)`")


def test_every_file_and_folder_of_the_code_the_docs_name_exists():
    named = 0
    for doc in doc_files():
        if doc in COPIES:
            continue
        for path in CODE_PATH.findall(read(doc)):
            module = re.sub(r"\.\w+$", ".py", path)  # `services/core/db.write_session`
            assert (ROOT / path).exists() or (ROOT / module).is_file(), (
                f"{doc.relative_to(ROOT)} names missing {path}"
            )
            named += 1
    assert named > 50


SHARED = Path("/work/shared")
SHARED_ORIGINALS = {
    "protocol.md": SHARED / "domain" / "PROTOCOL.md",
    "security-requirements.md": SHARED / "guides" / "SECURITY.md",
    "contracts.md": SHARED / "domain" / "CONTRACTS.md",
}


@pytest.mark.parametrize("name", sorted(SHARED_ORIGINALS))
def test_each_copy_of_a_shared_file_still_holds_its_text(name):
    original = SHARED_ORIGINALS[name]
    if not original.exists():
        pytest.skip(f"{original} is not on this machine")
    copy = read(DOCS / name)
    assert copy.startswith("<!-- A verbatim copy")
    assert copy.split("-->\n\n", 1)[1] == read(original)
