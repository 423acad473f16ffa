"""Import an existing caseload from CSV or XLSX (SECURITY 7, 21).

The app offers a CSV template. An upload is checked whole before anything is written: size,
binary content, UTF-8, headers (unknown, duplicate, missing), then every row (dates, choices,
duplicates within the file and against the database, formula-leading cells). Errors carry the
spreadsheet row number (the header is row 1) and can be downloaded as a CSV. Nothing is written
unless every row is valid, and then everything is written in one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from models import (
    HousingChange,
    Participant,
    ParticipantStatus,
    Referral,
    ReferralType,
    Role,
    StatusChange,
    User,
)
from services.access.auth import CurrentUser
from services.access.policy import IMPORTERS
from services.core import audit
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import ValidationError
from services.core.site import provider_organization_id
from services.core.text import looks_like_formula
from services.participants.identity import GENDER_IDENTITIES, HOUSING_SITUATIONS, RACE_ETHNICITY
from services.rules import matching
from services.rules.matching import Names

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


# --- Reading the file -------------------------------------------------------------------------


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
            f"File: the sheet has cells up to column {_letter(max_column)} (column "
            f"{max_column:,}); the template has {len(COLUMNS)} columns and at most {MAX_COLUMNS} "
            f"are read. Delete the columns after {_letter(MAX_COLUMNS)} and save again."
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
                    f"File: row {number} has a value in column {_letter(column)} (column "
                    f"{column:,}); at most {MAX_COLUMNS} columns are read.",
                )
                return None
            del row[MAX_COLUMNS:]
    return [[_cell_text(c) for c in row] for row in rows]


# --- Checking the rows -------------------------------------------------------------------------


def _header(cells: list, check: ImportCheck) -> list[str] | None:
    names = [str(c).strip().lower() if c is not None else "" for c in cells]
    while names and not names[-1]:
        names.pop()
    seen: dict[str, int] = {}
    for index, name in enumerate(names, start=1):
        letter = _letter(index)
        if not name:
            check.error(1, letter, f"Header: column {letter} has no name.")
        elif name in seen:
            check.error(
                1,
                name,
                f"Header: '{name}' appears twice (columns {_letter(seen[name])} and {letter}).",
            )
        elif name not in COLUMN_NAMES:
            check.error(
                1, name, f"Header: unknown column '{neutralise(name)[:40]}' (column {letter})."
            )
        seen.setdefault(name, index)
    for name in COLUMN_NAMES:
        if name in REQUIRED and name not in seen:
            check.error(1, name, f"Header: the required column '{name}' is missing.")
    return None if check.errors else names


def _letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _date(value, row: int, column: str, check: ImportCheck, today: date) -> date | None:
    if value in ("", None):
        return None
    if isinstance(value, date):
        parsed = value
    elif not ISO_DATE.fullmatch(value.strip()):
        check.error(row, column, f"{column}: use YYYY-MM-DD, e.g. 2026-03-01.")
        return None
    else:
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            check.error(row, column, f"{column}: not a real date.")
            return None
    if parsed > today:
        check.error(row, column, f"{column}: it cannot be in the future.")
        return None
    if parsed.year < 1900:
        check.error(row, column, f"{column}: check the year.")
        return None
    return parsed


def _choice(value: str, options, row: int, column: str, check: ImportCheck) -> str:
    value = value.strip()
    if value and value not in options:
        check.error(row, column, f"{column}: not one of the allowed values (see the guide).")
        return ""
    return value


def _check_row(
    cells: dict[str, str | date], row: int, check: ImportCheck, today: date, managers: dict
) -> dict | None:
    before = len(check.errors)
    for column, value in cells.items():
        if isinstance(value, str):
            if looks_like_formula(value):  # also behind leading spaces (SECURITY 7)
                check.error(
                    row,
                    column,
                    f"{column}: starts with '{(value.lstrip() or value)[0]!s}'"
                    " which a spreadsheet runs as a formula; remove that character.",
                )
            elif len(value) > MAX_CELL:
                check.error(row, column, f"{column}: use at most {MAX_CELL} characters.")
            elif CONTROL.search(value):
                check.error(row, column, f"{column}: holds control characters.")
    if len(check.errors) > before:
        return None
    text = {k: v.strip() if isinstance(v, str) else v for k, v in cells.items()}
    for column in REQUIRED:
        if not text.get(column):
            check.error(row, column, f"{column}: required.")
    lead_id = str(text.get("lead_id") or "")
    if lead_id and not LEAD_ID.fullmatch(lead_id):
        check.error(row, "lead_id", "lead_id: use capital letters, a hyphen and digits (BUR-0042).")
    status = str(text.get("status") or "")
    if status and status not in {s.value for s in ParticipantStatus}:
        check.error(row, "status", "status: use referred, active, inactive or exited.")
    dates = {
        c: _date(text.get(c, ""), row, c, check, today)
        for c in ("date_of_birth", "referral_date", "intake_date", "last_contact_date")
    }
    referral_type = str(text.get("referral_type") or "")
    if referral_type and referral_type not in {t.value for t in ReferralType}:
        check.error(row, "referral_type", "referral_type: use arrest, social_contact or doc.")
    if bool(referral_type) != bool(text.get("referral_date")):
        check.error(row, "referral_date", "referral_date: give it together with referral_type.")
    if text.get("intake_date") and not text.get("referral_date"):
        check.error(row, "intake_date", "intake_date: give the referral it completes too.")
    if (
        dates["intake_date"]
        and dates["referral_date"]
        and dates["intake_date"] < dates["referral_date"]
    ):
        check.error(row, "intake_date", "intake_date: it cannot be before the referral_date.")
    manager = str(text.get("case_manager") or "").lower()
    if manager and manager not in managers:
        check.error(row, "case_manager", "case_manager: not an enabled case manager's username.")
    interpreter = str(text.get("interpreter_needed") or "").lower()
    if interpreter not in ("", "yes", "no"):
        check.error(row, "interpreter_needed", "interpreter_needed: use yes, no, or leave blank.")
    race = _choice(
        str(text.get("race_ethnicity") or ""), RACE_ETHNICITY, row, "race_ethnicity", check
    )
    gender = _choice(
        str(text.get("gender_identity") or ""), GENDER_IDENTITIES, row, "gender_identity", check
    )
    housing = _choice(
        str(text.get("housing_situation") or ""),
        HOUSING_SITUATIONS,
        row,
        "housing_situation",
        check,
    )
    if len(check.errors) > before:
        return None
    aliases = [a.strip() for a in str(text.get("aliases") or "").split(";") if a.strip()]
    return {
        "row": row,
        "lead_id": lead_id,
        "legal_name": str(text["legal_name"]),
        "preferred_name": str(text["preferred_name"]),
        "aliases": list(dict.fromkeys(aliases)),
        "date_of_birth": dates["date_of_birth"],
        "status": ParticipantStatus(status),
        "case_manager_id": managers.get(manager),
        "referral_type": ReferralType(referral_type) if referral_type else None,
        "referral_date": dates["referral_date"],
        "intake_date": dates["intake_date"],
        "last_contact_date": dates["last_contact_date"],
        "race_ethnicity": race,
        "primary_language": str(text.get("primary_language") or ""),
        "interpreter_needed": {"yes": True, "no": False}.get(interpreter),
        "gender_identity": gender,
        "housing_situation": housing,
    }


def check_file(
    engine: Engine, user: CurrentUser, *, filename: str, data: bytes, today: date
) -> ImportCheck:
    """Check a whole file; returns the clean rows or every error found (nothing is written)."""
    if user.role not in IMPORTERS:
        raise ValidationError("Import: only a clinical supervisor or the project manager.")
    check = ImportCheck()
    table = read_table(filename, data, check)
    if table is None:
        return check
    while table and not any(str(c).strip() for c in table[-1] if c is not None):
        table.pop()
    if not table:
        check.error(0, "file", "File: it is empty.")
        return check
    names = _header(table[0], check)
    if names is None:
        return check
    if len(table) == 1:
        check.error(2, "file", "File: it has a header but no rows.")
        return check
    with read_session(engine) as session:
        org_id = provider_organization_id(session, user.organization_id, "Import")
        managers = dict(
            session.exec(
                select(func.lower(User.username), User.id).where(
                    User.role == Role.case_manager,
                    col(User.disabled).is_(False),
                    User.organization_id == org_id,
                )
            ).all()
        )
    first_row = {}
    seen_person: dict[tuple, int] = {}
    for number, cells in enumerate(table[1:], start=2):
        if not any(str(c).strip() for c in cells if c is not None):
            continue  # a blank line
        if len(cells) > len(names) and any(str(c).strip() for c in cells[len(names) :]):
            check.error(number, "file", f"Row {number}: more cells than header columns.")
            continue
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(names)}
        clean = _check_row(values, number, check, today, managers)
        if clean is None:
            continue
        if clean["lead_id"] in first_row:
            check.error(
                number,
                "lead_id",
                f"lead_id: {clean['lead_id']} is also on row {first_row[clean['lead_id']]}.",
            )
            continue
        first_row[clean["lead_id"]] = number
        person = (matching.name_key(clean["legal_name"]), clean["date_of_birth"])
        if clean["date_of_birth"] and person in seen_person:
            check.error(
                number,
                "legal_name",
                f"legal_name: the same name and date of birth as row {seen_person[person]}.",
            )
            continue
        seen_person.setdefault(person, number)
        clean["organization_id"] = org_id
        check.rows.append(clean)
    _against_database(engine, check)
    if check.errors:
        check.rows = []
    return check


def _row_names(r: dict) -> Names:
    return Names(r["legal_name"], r["preferred_name"], tuple(r["aliases"]), r["date_of_birth"])


def _against_database(engine: Engine, check: ImportCheck) -> None:
    """Duplicates of people already in the database: the same LEAD id, or by the one matcher the
    same name and birth date (refused). Other strong or possible matches are listed for review."""
    if not check.rows:
        return
    ids = [r["lead_id"] for r in check.rows]
    with read_session(engine) as session:
        taken = set()
        for start in range(0, len(ids), 500):
            taken |= set(
                session.exec(
                    select(Participant.lead_id).where(
                        col(Participant.lead_id).in_(ids[start : start + 500])
                    )
                )
            )
        people = matching.People.of(
            (lead, Names(legal or "", preferred or "", tuple(aliases or ()), dob))
            for lead, legal, preferred, aliases, dob in session.connection().execute(
                select(
                    Participant.lead_id,
                    Participant.legal_name,
                    Participant.preferred_name,
                    Participant.aliases,
                    Participant.date_of_birth,
                )
            )
        )
    for r in check.rows:
        if r["lead_id"] in taken:
            check.error(r["row"], "lead_id", f"lead_id: {r['lead_id']} is already in the database.")
        found = database_matches(people, r)
        existing = [lead for lead, hit in found if hit.name_score == 1.0 and hit.dob == "same"]
        if existing:
            check.error(
                r["row"],
                "legal_name",
                f"legal_name: the same name and date of birth as {existing[0]}, already recorded.",
            )
        elif found and len(check.matches) < MAX_ERRORS:
            lead, hit = found[0]
            check.matches.append(
                {"Row": r["row"], "May be": lead, "Match": hit.band, "Why": hit.reason}
            )


def database_matches(people: matching.People, row: dict) -> list[tuple[str, matching.Match]]:
    """(LEAD id, match) of the people on file who may be this checked row, strong first."""
    return people.find(_row_names(row), limit=3)


# --- Writing ---------------------------------------------------------------------------------


def import_caseload(
    engine: Engine,
    user: CurrentUser,
    *,
    filename: str,
    data: bytes,
    today: date,
    now: datetime | None = None,
) -> ImportCheck:
    """Check the file again and, only if every row is valid, write all of it in one transaction.

    Returns the check: `written` is the number of participants created (0 when refused).
    """
    check = check_file(engine, user, filename=filename, data=data, today=today)
    if not check.ok:
        if not check.errors:
            check.error(0, "file", "File: no rows to import.")
        return check
    now = now or utcnow()
    try:
        with write_session(engine) as session:
            people = [
                Participant(
                    lead_id=r["lead_id"],
                    legal_name=r["legal_name"],
                    preferred_name=r["preferred_name"],
                    aliases=r["aliases"],
                    date_of_birth=r["date_of_birth"],
                    status=r["status"],
                    case_manager_id=r["case_manager_id"],
                    organization_id=r["organization_id"],
                    last_contact_date=r["last_contact_date"],
                    race_ethnicity=r["race_ethnicity"],
                    primary_language=r["primary_language"],
                    interpreter_needed=r["interpreter_needed"],
                    gender_identity=r["gender_identity"],
                    housing_situation=r["housing_situation"],
                    created_at=now,
                    updated_at=now,
                    updated_by=user.username,
                )
                for r in check.rows
            ]
            session.add_all(people)
            session.flush()  # one batch of inserts gives every participant its id
            for r, participant in zip(check.rows, people, strict=True):
                session.add(
                    StatusChange(
                        participant_id=participant.id,
                        on=today,
                        status=r["status"].value,
                        reason="imported caseload",
                        username=user.username,
                        at=now,
                    )
                )
                if r["housing_situation"]:
                    session.add(
                        HousingChange(
                            participant_id=participant.id,
                            on=today,
                            situation=r["housing_situation"],
                            username=user.username,
                            at=now,
                        )
                    )
                if r["referral_type"] is not None:
                    session.add(
                        Referral(
                            participant_id=participant.id,
                            referral_type=r["referral_type"],
                            referral_date=r["referral_date"],
                            intake_completed_date=r["intake_date"],
                            stage="intake_completed" if r["intake_date"] else "referred",
                            created_at=now,
                        )
                    )
            session.flush()
            # One audit row per person created, so each record's history names the import.
            for r in check.rows:
                audit.append(
                    session,
                    actor=user.actor,
                    action="participant.import",
                    subject=r["lead_id"],
                    purpose=f"caseload import, row {r['row']}",
                    now=now,
                )
    except IntegrityError:
        # Someone added one of these LEAD ids between the check and the write: nothing was saved.
        refused = ImportCheck()
        refused.error(
            0, "lead_id", "lead_id: one of these LEAD ids was added meanwhile; check again."
        )
        return refused
    check.written = len(check.rows)
    return check
