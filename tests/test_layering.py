"""Imports go one way between the areas (issue 13): rules are pure, pages and ui sit on top,
demo data and Today are leaves, and the module import graph has no cycle."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"app", "demo", "migrations", "models", "pages", "scripts", "services", "tests", "ui"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[str]:
    """Every module a file imports, at any depth (function-level too), relative ones resolved.

    `from package import name` yields `package.name` when that is a module, else `package`."""
    package = list(path.relative_to(ROOT).parent.parts)  # a package's __init__ is in it
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.append(submodule if is_module(submodule) else base)
    return found


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def files(*where: str) -> list[Path]:
    found = []
    for name in where:
        path = ROOT / name
        found += [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))
    return found


def top(name: str) -> str:
    return name.split(".")[0]


def test_the_checks_see_the_area_packages():
    """Guards the globs below: a moved tree would otherwise make every check pass on nothing."""
    names = {module_name(path) for path in files("services", "demo")}
    assert {"services.core.db", "services.staffing.content", "services.today", "demo.seed"} <= names
    assert "services.referrals" in imports(ROOT / "services" / "today" / "closing.py")
    assert "services.staffing.content" in imports(ROOT / "services" / "reports" / "exports.py")


def test_rules_import_only_the_standard_library():
    """services/rules/ is pure (no database, no clock); only the matcher has two libraries."""
    rules = files("services/rules") if (ROOT / "services" / "rules").is_dir() else []
    if not rules:
        pytest.skip("services/rules/ does not exist on this branch yet")
    for path in rules:
        allowed = set(sys.stdlib_module_names) | {"__future__"}
        if path.name == "matching.py":
            allowed |= {"rapidfuzz", "jellyfish"}
        for name in imports(path):
            if name.startswith("services.rules"):
                continue
            assert top(name) in allowed, f"{path.relative_to(ROOT)} imports {name}"


def test_no_service_or_demo_module_imports_streamlit():
    for path in files("services", "demo"):
        bad = {top(name) for name in imports(path)} & {"streamlit", "streamlit_authenticator"}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize(
    ("where", "allowed"),
    [("pages", {"services", "ui", "models"}), ("ui", {"services", "ui", "models"})],
)
def test_pages_and_ui_import_only_services_ui_and_models_of_ours(where, allowed):
    for path in files(where):
        ours = {top(name) for name in imports(path)} & FIRST_PARTY
        assert ours <= allowed, f"{path.relative_to(ROOT)} imports {ours - allowed}"


def test_only_the_operator_commands_scripts_and_tests_import_demo():
    for path in files("services", "ui", "pages", "app.py", "models.py", "migrations"):
        if path == ROOT / "services" / "ops" / "admin.py":
            continue
        bad = sorted({name for name in imports(path) if top(name) == "demo"})
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_only_pages_the_app_and_ui_import_today():
    """Today gathers obligations from the areas; no service, demo or migration imports it back
    (the screens, pages and their ui components, read it)."""
    for path in files("services", "demo", "models.py", "migrations"):
        if path.is_relative_to(ROOT / "services" / "today"):
            continue
        bad = sorted({name for name in imports(path) if name.startswith("services.today")})
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def import_graph() -> dict[str, set[str]]:
    paths = files("services", "ui", "demo", "models.py")
    nodes = {module_name(path) for path in paths}
    return {module_name(path): {name for name in imports(path) if name in nodes} for path in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path that returns to its start, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following) :], following]
            elif not state.get(following):
                state[following] = 1
                path.append(following)
                stack.append(iter(sorted(graph[following])))
    return None


def test_the_cycle_finder_reports_a_cycle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_module_import_graph_has_no_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)
