"""One site's organizations, offices and places live in the site's data, not in the code (issue 13).

The code reads the prosecutor offices, the default attendees, the LEAD id prefix and the funder
from the database; only the demo data, the site settings' defaults (models.py) and the default
organizations (services/core/site.py) name Burien's partners. The protocol's own words
(services/rules/, quoting PROTOCOL.md) may name them too.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from models import Organization, OrgKind, Role
from services import referrals as R
from services.core.audit import SYSTEM
from services.core.db import write_session
from services.core.errors import ValidationError
from services.core.site import get_settings, update_settings
from services.staffing import default_attending
from tests.factories import make_participant, make_user
from tests.factories_referrals import NOW, TODAY, arrest_sheet, person, referral, team
from tests.support import open_app

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("services", "ui", "pages")
EXEMPT = ("services/rules/",)  # the protocol's own words quote PROTOCOL.md
ONE_SITE = re.compile(r"\b(Burien|King County|KCPAO|BCA|BPD|KCSO)\b")


def _docstring_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def _default_data_lines(tree: ast.Module) -> set[int]:
    """The lines of services/core/site.py's DEFAULT_ORGANIZATIONS (the site's default data)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "DEFAULT_ORGANIZATIONS" for t in node.targets
        ):
            return set(range(node.lineno, node.end_lineno + 1))
    return set()


def one_site_names_in_code(source: str, relative: str) -> list[str]:
    """Each 'file:line: name' where code (not a comment or docstring) names one site."""
    tree = ast.parse(source)
    skipped = _docstring_lines(tree)
    if relative == "services/core/site.py":
        skipped |= _default_data_lines(tree)
    hits = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE):
            continue
        if token.start[0] in skipped:
            continue
        for found in ONE_SITE.finditer(token.string):
            hits.append(f"{relative}:{token.start[0]}: {found.group()}")
    return hits


def scanned_files() -> list[Path]:
    files = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if not path.relative_to(ROOT).as_posix().startswith(EXEMPT):
                files.append(path)
    return files


def test_no_code_of_services_ui_or_pages_names_one_sites_organizations_or_places():
    hits = [
        hit
        for path in scanned_files()
        for hit in one_site_names_in_code(path.read_text(), path.relative_to(ROOT).as_posix())
    ]
    assert hits == []


def test_the_scan_finds_a_site_name_in_code_but_not_in_comments_or_docstrings():
    source = (
        '"""Burien in a docstring."""\n'
        "# KCPAO in a comment\n"
        'OFFICE = "King County"  # BPD\n'
        "def f():\n"
        '    """BCA in a docstring."""\n'
        '    return "BCA" + "ABCAB"\n'
    )
    assert one_site_names_in_code(source, "services/sample.py") == [
        "services/sample.py:3: King County",
        "services/sample.py:6: BCA",
    ]


# --- Another site: its own prosecutor offices, partners and LEAD id prefix ---------------------

OTHER_OFFICES = {"SCP": "Sample County Prosecutor", "STA": "Sample Town Attorney"}


def another_sites_prosecutors(engine) -> None:
    """The site's prosecutor offices become Sample County's (the defaults' are renamed)."""
    with write_session(engine) as session:
        rows = session.exec(
            select(Organization)
            .where(Organization.kind == OrgKind.prosecutor)
            .order_by(Organization.code)
        ).all()
        for row, (code, name) in zip(rows, OTHER_OFFICES.items(), strict=True):
            row.code, row.name = code, name
            session.add(row)


def test_another_sites_prosecutor_offices_are_the_referral_forms_choices(app_env, engine):
    another_sites_prosecutors(engine)
    make_user(engine, "cm.site", Role.case_manager)
    at = open_app(engine, "cm.site", "pages/referral_new.py")
    choice = at.selectbox(key="rn_prosecutor")
    assert list(choice.options) == list(OTHER_OFFICES.values())


def test_another_sites_prosecutor_offices_are_named_when_the_office_is_refused(engine):
    another_sites_prosecutors(engine)
    users = team(engine)
    with pytest.raises(ValidationError) as refused:
        referral(engine, users["cma"], arrest_sheet(prosecutor_office="KCPAO"))
    assert (
        "Prosecutor with jurisdiction: choose Sample County Prosecutor or Sample Town Attorney."
        in str(refused.value)
    )
    saved = referral(engine, users["cma"], arrest_sheet(prosecutor_office="STA"))
    rid = saved["referral_id"]
    version = R.referral_detail(engine, users["cma"], rid, TODAY, purpose="test")["version"]
    notices = R.record_left_before_screening(
        engine, users["cma"], referral_id=rid, expected_version=version, today=TODAY, now=NOW
    )
    assert "Prosecutor with jurisdiction: Sample Town Attorney, by phone or email." in notices
    with pytest.raises(ValidationError, match="choose Sample County Prosecutor or Sample Town"):
        R.record_prosecutor_notice(  # PROTOCOL T5: the office notified is one of the site's
            engine,
            users["cma"],
            referral_id=rid,
            expected_version=version + 1,
            on=TODAY,
            office="BCA",
            method="phone",
            today=TODAY,
            now=NOW,
        )


def test_a_session_is_attended_by_default_by_every_partner_but_the_community(engine):
    with write_session(engine) as session:
        session.add(Organization(code="SPD", name="Sample Police", kind=OrgKind.police))
        session.add(Organization(code="SCR", name="Sample Residents", kind=OrgKind.community))
    attending = default_attending(engine)
    assert "SPD" in attending and "SCR" not in attending
    with write_session(engine) as session:
        kinds = dict(session.exec(select(Organization.code, Organization.kind)).all())
    assert {kinds[code] for code in attending} == set(OrgKind) - {OrgKind.community}


def set_prefix(engine, prefix: str) -> None:
    version = get_settings(engine).version
    update_settings(
        engine,
        actor=SYSTEM,
        expected_version=version,
        changes={"lead_id_prefix": prefix},
        now=NOW,
    )


def test_a_site_whose_prefix_is_ken_gives_ken_lead_ids(engine):
    make_participant(engine, "BUR-0005")  # another prefix does not count
    set_prefix(engine, "KEN")
    users = team(engine)
    assert referral(engine, users["cma"])["lead_id"] == "KEN-0001"
    second = referral(engine, users["cma"], who=person("Casey Example", date(1980, 2, 3)))
    assert second["lead_id"] == "KEN-0002"


@pytest.mark.parametrize(
    "prefix",
    [
        pytest.param("K", id="one-letter-is-too-short"),
        pytest.param("KENTUC", id="six-letters-are-too-long"),
        pytest.param("ken", id="small-letters-are-refused"),
        pytest.param("K3N", id="a-digit-is-refused"),
    ],
)
def test_a_lead_id_prefix_is_two_to_five_capital_letters(engine, prefix):
    with pytest.raises(ValidationError, match="lead_id_prefix"):
        set_prefix(engine, prefix)
    assert get_settings(engine).lead_id_prefix == "BUR"
