"""Caseload import: template, whole-file checks, one transaction (SECURITY 7, 21)."""

import csv
import io

import pytest
from sqlmodel import func, select

from models import AuditEvent, HousingChange, Participant, Referral, Role, StatusChange
from services.core.db import read_session
from services.core.errors import ValidationError
from services.participants import (
    COLUMN_NAMES,
    MAX_COLUMNS,
    check_file,
    column_guide,
    errors_csv,
    import_caseload,
    import_reading,
    template_csv,
)
from tests.checks_participants import GOOD, bad_files, import_bad_files
from tests.factories import make_user, sign_in
from tests.factories_participants import TODAY, csv_bytes, import_row, xlsx_bytes


@pytest.fixture
def importer(engine):
    make_user(engine, "sup", Role.clinical_supervisor)
    make_user(engine, "cm1", Role.case_manager)
    make_user(engine, "bpd", Role.law_enforcement)
    return sign_in(engine, "sup")


def people(engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(Participant)).one()


def test_the_template_is_the_header_the_import_expects():
    text = template_csv().decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == list(COLUMN_NAMES)
    assert [row["Column"] for row in column_guide()] == list(COLUMN_NAMES)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_valid_file_is_written_whole_with_referrals_history_and_audit(engine, importer, kind):
    rows = [
        import_row("BUR-0101", case_manager="CM1", aliases="A. One; Ace"),
        import_row("BUR-0102", legal_name="Second Sample", referral_type="", referral_date="",
                   intake_date="", status="referred", housing_situation=""),
    ]  # fmt: skip
    data = csv_bytes(rows) if kind == "csv" else xlsx_bytes(rows)
    result = import_caseload(engine, importer, filename=f"c.{kind}", data=data, today=TODAY)
    assert (result.errors, result.written, people(engine)) == ([], 2, 2)
    with read_session(engine) as session:
        first = session.exec(select(Participant).where(Participant.lead_id == "BUR-0101")).one()
        assert first.aliases == ["A. One", "Ace"] and first.case_manager_id is not None
        assert first.last_contact_date.isoformat() == "2026-11-01"
        referral = session.exec(select(Referral)).one()
        assert referral.intake_completed_date.isoformat() == "2026-01-20"
        assert session.exec(select(func.count()).select_from(StatusChange)).one() == 2
        assert session.exec(select(func.count()).select_from(HousingChange)).one() == 1
        audits = session.exec(
            select(AuditEvent.subject).where(AuditEvent.action == "participant.import")
        ).all()
    assert sorted(audits) == ["BUR-0101", "BUR-0102"]


def test_every_bad_file_is_refused_with_row_numbered_errors_and_nothing_written(engine):
    """The corpus behind FIGURE import-bad-files; `accepted` names any file let through."""
    result = import_bad_files(engine)
    assert result["accepted"] == []
    assert set(result["reasons"]) == set(bad_files())
    assert all({"Row", "Column", "Error"} == set(e) for e in result["reasons"].values())
    assert (result["refused"], result["written"]) == (result["files"], 0)
    assert result["control_written"] == len(GOOD)


def test_one_bad_row_names_its_spreadsheet_row_and_blocks_all_the_others(engine, importer):
    rows = [import_row(f"BUR-{i:04d}", legal_name=f"Row {i} Sample") for i in range(1, 6)]
    rows[2] = import_row("BUR-0003", legal_name="Row 3 Sample", intake_date="2025-12-31")
    result = check_file(engine, importer, filename="c.csv", data=csv_bytes(rows), today=TODAY)
    assert result.errors == [
        {
            "Row": 4,
            "Column": "intake_date",
            "Error": "intake_date: it cannot be before the referral_date.",
        }
    ]
    assert result.rows == []


def test_a_blank_line_is_skipped_but_numbering_follows_the_sheet(engine, importer):
    data = csv_bytes([import_row("BUR-0001"), ["" for _ in COLUMN_NAMES], import_row("BUR-0001")])
    result = check_file(engine, importer, filename="c.csv", data=data, today=TODAY)
    assert result.errors[0]["Row"] == 4 and "also on row 2" in result.errors[0]["Error"]


def test_the_errors_file_neutralises_formulas(engine, importer):
    payload = errors_csv([{"Row": 2, "Column": "=cmd", "Error": "@SUM(A1) -1 +1"}])
    rows = list(csv.reader(io.StringIO(payload.decode("utf-8-sig"))))
    assert rows == [["Row", "Column", "Error"], ["2", "'=cmd", "'@SUM(A1) -1 +1"]]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("cell", [' =HYPERLINK("http://x","y")', "   +1", "\u00a0@SUM(A1)"])
def test_a_formula_behind_leading_spaces_is_refused_not_imported(engine, importer, kind, cell):
    rows = [import_row("BUR-0001", primary_language=cell)]
    data = csv_bytes(rows) if kind == "csv" else xlsx_bytes(rows)
    result = import_caseload(engine, importer, filename=f"c.{kind}", data=data, today=TODAY)
    assert (result.written, people(engine)) == (0, 0)
    assert [(e["Row"], e["Column"]) for e in result.errors] == [(2, "primary_language")]
    assert "runs as a formula" in result.errors[0]["Error"]


def test_the_errors_file_neutralises_a_formula_behind_a_space(engine, importer):
    payload = errors_csv([{"Row": 2, "Column": " =cmd", "Error": "ok"}])
    rows = list(csv.reader(io.StringIO(payload.decode("utf-8-sig"))))
    assert rows[1] == ["2", "' =cmd", "ok"]


def _sheet_with_a_far_cell(row: int, column: int) -> bytes:
    """The template with one good row and one cell far out (a tiny file, a huge dimension)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMN_NAMES))
    sheet.append(import_row("BUR-0001"))
    sheet.cell(row=row, column=column, value="x")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        pytest.param(2, 16_000, "up to column WQJ (column 16,000)", id="sixteen-thousand-columns"),
        pytest.param(1_048_576, 1, "down to row 1,048,576", id="a-million-rows"),
    ],
)
def test_a_workbook_too_wide_or_too_long_is_refused_by_its_dimension_before_reading_cells(
    engine, importer, monkeypatch, row, column, message
):
    converted = []
    monkeypatch.setattr(import_reading, "_cell_text", lambda v: converted.append(v) or v)
    data = _sheet_with_a_far_cell(row, column)
    assert len(data) < 10_000
    result = import_caseload(engine, importer, filename="c.xlsx", data=data, today=TODAY)
    assert (result.written, people(engine), converted) == (0, 0, [])
    assert [(e["Row"], e["Column"]) for e in result.errors] == [(0, "file")]
    assert message in result.errors[0]["Error"]


def test_a_csv_row_with_a_value_past_the_fiftieth_column_is_refused_with_its_row_and_column(
    engine, importer
):
    wide = import_row("BUR-0002") + [""] * 16_000 + ["x"]
    data = csv_bytes([import_row("BUR-0001"), wide])
    result = import_caseload(engine, importer, filename="c.csv", data=data, today=TODAY)
    assert (result.written, people(engine)) == (0, 0)
    assert result.errors == [
        {
            "Row": 3,
            "Column": "file",
            "Error": "File: row 3 has a value in column WRA (column 16,017); at most 50 columns "
            "are read.",
        }
    ]


def test_a_csv_with_trailing_empty_cells_past_the_fiftieth_column_is_read(engine, importer):
    data = csv_bytes([import_row("BUR-0001") + [""] * 16_000])
    result = import_caseload(engine, importer, filename="c.csv", data=data, today=TODAY)
    assert (result.errors, result.written) == ([], 1)


def test_a_workbook_within_fifty_columns_is_read(engine, importer):
    data = _sheet_with_a_far_cell(2, MAX_COLUMNS)
    result = check_file(engine, importer, filename="c.xlsx", data=data, today=TODAY)
    assert [e["Column"] for e in result.errors] == ["file"]
    assert "more cells than header columns" in result.errors[0]["Error"]


@pytest.mark.parametrize("who", ["cm1", "bpd"])
def test_only_supervisors_and_the_project_manager_import(engine, importer, who):
    with pytest.raises(ValidationError, match="only a clinical supervisor"):
        check_file(
            engine, sign_in(engine, who), filename="c.csv", data=csv_bytes(GOOD), today=TODAY
        )
