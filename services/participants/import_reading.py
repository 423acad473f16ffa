"""Reading an uploaded caseload file, CSV or XLSX, into rows of text and dates (SECURITY 7).

Size, binary content and UTF-8 are checked first; an XLSX is refused before it is opened when
it unzips too large ("zip bombs") and before any cell is converted when its dimension reaches
too far (issue 12 item 13). Problems go into the `ImportCheck`; nothing is written here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import date, datetime

from services.participants.import_columns import (
    COLUMNS,
    CONTROL,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNZIPPED_BYTES,
    ImportCheck,
    column_letter,
)


def _read_csv(data: bytes, check: ImportCheck) -> list[list] | None:
    if b"\x00" in data:
        check.error(0, "file", "File: it holds binary data, not CSV text.")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        check.error(
            line,
            "file",
            f"File: row {line} is not UTF-8 text. Save the sheet as 'CSV UTF-8' and try again.",
        )
        return None
    if CONTROL.search(text):
        line = text[: CONTROL.search(text).start()].count("\n") + 1
        check.error(line, "file", f"File: row {line} holds control characters (binary data?).")
        return None
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), strict=True)]
    except csv.Error as exc:
        check.error(0, "file", f"File: not a well-formed CSV ({exc}).")
        return None


def _read_xlsx(data: bytes, check: ImportCheck) -> list[list] | None:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                check.error(0, "file", "File: the workbook unpacks to more than 20 MB.")
                return None
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        too_big = _oversize_sheet(sheet.max_row, sheet.max_column)
        # At most MAX_COLUMNS cells per row whatever the file claims (a missing or false
        # dimension cannot make a row 16,384 cells wide).
        rows = (
            []
            if too_big
            else [
                list(r)
                for r in sheet.iter_rows(
                    values_only=True, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS
                )
            ]
        )
        book.close()
    except Exception:  # any parse failure is the same answer: not a workbook we can read
        check.error(0, "file", "File: not a readable XLSX workbook.")
        return None
    if too_big:
        check.error(0, "file", too_big)
        return None
    return rows


def _oversize_sheet(max_row: int | None, max_column: int | None) -> str:
    """Why a sheet is too big to read, from its stated dimension (read-only openpyxl), or "".

    >>> _oversize_sheet(3, 16384)[:60]
    'File: the sheet has cells up to column XFD (column 16,384); '
    >>> _oversize_sheet(1048576, 16)[:62]
    'File: the sheet has cells down to row 1,048,576; at most 5,000'
    >>> _oversize_sheet(None, None), _oversize_sheet(5001, 50)
    ('', '')
    """
    if max_column and max_column > MAX_COLUMNS:
        return (
            f"File: the sheet has cells up to column {column_letter(max_column)} (column "
            f"{max_column:,}); the template has {len(COLUMNS)} columns and at most {MAX_COLUMNS} "
            f"are read. Delete the columns after {column_letter(MAX_COLUMNS)} and save again."
        )
    if max_row and max_row > MAX_ROWS + 1:
        return (
            f"File: the sheet has cells down to row {max_row:,}; at most {MAX_ROWS:,} rows "
            f"below the header are read. Delete the rows after row {MAX_ROWS + 1:,} (even empty "
            "but formatted ones) or split the file."
        )
    return ""


def upload_key(filename: str, data: bytes) -> str:
    """Names one upload (its name and a SHA-256 of its bytes): a page checks each upload once."""
    return f"{filename}:{hashlib.sha256(data).hexdigest()}"


def _cell_text(value) -> str | date:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def read_table(filename: str, data: bytes, check: ImportCheck) -> list[list] | None:
    """The file's rows as lists of cells, or None with the reason in `check`."""
    if not data:
        check.error(0, "file", "File: it is empty.")
        return None
    if len(data) > MAX_BYTES:
        check.error(0, "file", f"File: larger than {MAX_BYTES // 1_000_000} MB.")
        return None
    name = (filename or "").lower()
    is_zip = data[:4] == b"PK\x03\x04"
    if name.endswith(".xlsx"):
        if not is_zip:
            check.error(0, "file", "File: named .xlsx but it is not an XLSX workbook.")
            return None
        rows = _read_xlsx(data, check)
    elif name.endswith(".csv"):
        if is_zip:
            check.error(0, "file", "File: named .csv but it is a zip or workbook (binary).")
            return None
        rows = _read_csv(data, check)
    else:
        check.error(0, "file", "File: upload a .csv or .xlsx file.")
        return None
    if rows is None:
        return None
    if len(rows) > MAX_ROWS + 1:
        check.error(0, "file", f"File: more than {MAX_ROWS:,} rows; split it into smaller files.")
        return None
    for number, row in enumerate(rows, start=1):  # a CSV of commas: cap before converting
        if len(row) > MAX_COLUMNS:
            extra = next((i for i, c in enumerate(row[MAX_COLUMNS:]) if c not in ("", None)), None)
            if extra is not None:
                column = MAX_COLUMNS + extra + 1
                check.error(
                    number,
                    "file",
                    f"File: row {number} has a value in column {column_letter(column)} (column "
                    f"{column:,}); at most {MAX_COLUMNS} columns are read.",
                )
                return None
            del row[MAX_COLUMNS:]
    return [[_cell_text(c) for c in row] for row in rows]
