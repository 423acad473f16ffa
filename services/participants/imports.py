"""Import an existing caseload from CSV or XLSX: check every row, then write (SECURITY 7, 21).

The app offers a CSV template. An upload is checked whole before anything is written: size,
binary content, UTF-8, headers (unknown, duplicate, missing), then every row (dates, choices,
duplicates within the file and against the database, formula-leading cells). Errors carry the
spreadsheet row number (the header is row 1) and can be downloaded as a CSV. Nothing is written
unless every row is valid, and then everything is written in one transaction. The columns and
limits are services.participants.import_columns', reading the file import_reading's.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

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
from services.participants.import_columns import (
    COLUMN_NAMES,
    CONTROL,
    ISO_DATE,
    LEAD_ID,
    MAX_CELL,
    MAX_ERRORS,
    REQUIRED,
    ImportCheck,
    column_letter,
    neutralise,
)
from services.participants.import_reading import read_table
from services.rules import matching
from services.rules.matching import Names

# --- Checking the rows -------------------------------------------------------------------------


def _header(cells: list, check: ImportCheck) -> list[str] | None:
    names = [str(c).strip().lower() if c is not None else "" for c in cells]
    while names and not names[-1]:
        names.pop()
    seen: dict[str, int] = {}
    for index, name in enumerate(names, start=1):
        letter = column_letter(index)
        if not name:
            check.error(1, letter, f"Header: column {letter} has no name.")
        elif name in seen:
            check.error(
                1,
                name,
                f"Header: '{name}' appears twice"
                f" (columns {column_letter(seen[name])} and {letter}).",
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


def _check_cells(cells: dict[str, str | date], row: int, check: ImportCheck) -> None:
    """Each cell on its own: no formula, not too long, no control characters (SECURITY 7)."""
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


def _check_row(
    cells: dict[str, str | date], row: int, check: ImportCheck, today: date, managers: dict
) -> dict | None:
    before = len(check.errors)
    _check_cells(cells, row, check)
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
            _write(session, user, check.rows, today, now)
    except IntegrityError:
        # Someone added one of these LEAD ids between the check and the write: nothing was saved.
        refused = ImportCheck()
        refused.error(
            0, "lead_id", "lead_id: one of these LEAD ids was added meanwhile; check again."
        )
        return refused
    check.written = len(check.rows)
    return check


def _write(
    session: Session, user: CurrentUser, rows: list[dict], today: date, now: datetime
) -> None:
    """The checked rows as participants, each with its status, housing, referral and audit row."""
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
        for r in rows
    ]
    session.add_all(people)
    session.flush()  # one batch of inserts gives every participant its id
    for r, participant in zip(rows, people, strict=True):
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
    for r in rows:
        audit.append(
            session,
            actor=user.actor,
            action="participant.import",
            subject=r["lead_id"],
            purpose=f"caseload import, row {r['row']}",
            now=now,
        )
