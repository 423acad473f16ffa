"""The caseload import's columns and limits: the template, its guide, the errors file.

What an upload may hold (SECURITY 7: size, rows, columns, cell length), the template's columns
in order with what goes in each, `ImportCheck` (what a check found), and the errors CSV with
formula-leading cells neutralised (SECURITY 21).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from models import (
    ParticipantStatus,
)
from services.core.text import looks_like_formula
from services.participants.identity import GENDER_IDENTITIES, HOUSING_SITUATIONS, RACE_ETHNICITY

MAX_BYTES = 1_000_000  # 1 MB: a caseload of thousands fits easily
MAX_UNZIPPED_BYTES = 20_000_000  # an XLSX is a zip: refuse "zip bombs" before opening it
MAX_ROWS = 5000
# The template has 16 columns. A sheet is refused, before any cell is converted, when its
# dimension reaches past this: 16,384 sparse columns cost seconds per read (issue 12 item 13).
MAX_COLUMNS = 50
MAX_CELL = 200
MAX_ERRORS = 500
LEAD_ID = re.compile(r"[A-Z]{2,5}-\d{1,6}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# (column, required, what goes in it): the template's header, in order.
COLUMNS = (
    ("lead_id", True, "LEAD id such as BUR-0042: capital letters, a hyphen, digits; unique"),
    ("legal_name", True, "legal name"),
    ("preferred_name", True, "the name the person goes by"),
    ("aliases", False, "other names, separated by semicolons"),
    ("date_of_birth", False, "YYYY-MM-DD"),
    ("status", True, "referred, active, inactive or exited"),
    ("case_manager", False, "username of an enabled case manager"),
    ("referral_type", False, "arrest, social_contact or doc (with referral_date)"),
    ("referral_date", False, "YYYY-MM-DD (with referral_type)"),
    ("intake_date", False, "YYYY-MM-DD, the in-depth intake (needs a referral)"),
    ("last_contact_date", False, "YYYY-MM-DD"),
    ("race_ethnicity", False, "one of the listed options, or declined"),
    ("primary_language", False, "free text, or declined"),
    ("interpreter_needed", False, "yes, no, or blank"),
    ("gender_identity", False, "one of the listed options, or declined"),
    ("housing_situation", False, "one of the listed options"),
)
COLUMN_NAMES = tuple(name for name, _, _ in COLUMNS)
REQUIRED = frozenset(name for name, required, _ in COLUMNS if required)


@dataclass
class ImportCheck:
    """The outcome of checking a file: clean rows ready to write, or row-numbered errors."""

    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    written: int = 0
    # Rows that may be people already recorded (the one matcher, PROTOCOL B14): for review.
    matches: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def error(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"Row": row, "Column": column, "Error": message})


def column_guide() -> list[dict]:
    """The template's columns explained, for the import page."""
    options = {
        "status": ", ".join(s.value for s in ParticipantStatus),
        "race_ethnicity": "; ".join(o for o in RACE_ETHNICITY if o),
        "gender_identity": "; ".join(o for o in GENDER_IDENTITIES if o),
        "housing_situation": "; ".join(HOUSING_SITUATIONS),
    }
    return [
        {
            "Column": name,
            "Required": "yes" if required else "no",
            "What goes in it": what,
            "Allowed values": options.get(name, ""),
        }
        for name, required, what in COLUMNS
    ]


def template_csv() -> bytes:
    """The header row the import expects (UTF-8 with a byte-order mark, which Excel honours)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(COLUMN_NAMES)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def neutralise(value) -> str:
    """A cell that a spreadsheet would run as a formula gets a leading quote (SECURITY 7).

    >>> neutralise("=HYPERLINK(1)"), neutralise("fine")
    ("'=HYPERLINK(1)", 'fine')
    """
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text


def errors_csv(errors: list[dict]) -> bytes:
    """The errors as a downloadable CSV: Row, Column, Error (every cell neutralised)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Row", "Column", "Error"])
    for e in errors:
        writer.writerow([neutralise(e["Row"]), neutralise(e["Column"]), neutralise(e["Error"])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def column_letter(index: int) -> str:
    """A spreadsheet column's letters: 1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
