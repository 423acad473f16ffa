"""The three contract functions answer by the import paths CONTRACTS.md promises, without loading
Streamlit, pandas or a database driver. Their rules are tested in tests/rules/."""

import subprocess
import sys
from pathlib import Path

from services.deadlines import alerts_for
from services.eligibility import screen
from services.reports import suppress

ROOT = Path(__file__).resolve().parent.parent


def test_the_screen_answers_by_its_contract_path():
    result = screen({"referral_type": "arrest", "date": "2026-03-01", "offense": "burglary_1"})
    assert result["eligible"] is False
    assert result["reasons"] == ["B1"]


def test_the_deadlines_answer_by_their_contract_path():
    case = {"referral_type": "arrest", "referral_date": "2026-03-01"}
    alerts = alerts_for(case, "2026-04-01")
    assert [(a["rule"], a["due"], a["overdue"]) for a in alerts] == [
        ("T4", "2026-03-31", True),
        ("T5", "2026-04-07", False),
    ]


def test_suppression_answers_by_its_contract_path():
    assert suppress({"a": 5, "b": 20, "c": 30, "total": 55}) == {
        "a": None,
        "b": None,
        "c": 30,
        "total": 55,
    }


def test_importing_the_contract_modules_loads_no_streamlit_pandas_or_database_module():
    heavy = ["streamlit", "pandas", "sqlmodel", "sqlalchemy", "sqlite3", "numpy", "holidays"]
    code = (
        "import sys, services.eligibility, services.deadlines, services.reports;"
        f" print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
