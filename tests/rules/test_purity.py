"""The rule core stays pure: standard library only (and its own sibling modules), no database,
no clock, no Streamlit; and every docstring example in it holds."""

import ast
import doctest
import importlib
import sys
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[2] / "services" / "rules"
MODULES = sorted(path.stem for path in RULES.glob("*.py") if path.stem != "__init__")
# Issue 13: the one person matcher (matching.py) may use these two libraries.
ALLOWED_THIRD_PARTY = {"rapidfuzz", "jellyfish"}


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("." if node.level else node.module)
    return names


@pytest.mark.parametrize("name", MODULES)
def test_a_rule_module_imports_only_the_standard_library_and_other_rules(name):
    for module in imports_of(RULES / f"{name}.py"):
        top = module.split(".")[0]
        inside = module == "." or module.startswith("services.rules")
        allowed = top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY or inside
        assert allowed, f"services/rules/{name}.py imports {module}"


@pytest.mark.parametrize("name", MODULES)
def test_a_rule_module_reads_no_clock(name):
    text = (RULES / f"{name}.py").read_text()
    for call in ("date.today(", "datetime.now(", "datetime.utcnow(", "time.time("):
        assert call not in text, f"services/rules/{name}.py calls {call}: pass today in"


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_hold(name):
    module = importlib.import_module(f"services.rules.{name}")
    assert doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
