"""Checks for issue 4 shared by its tests and `make figures` (scripts/figures.py).

- access_matrix: every role x every field of the record x every release state, on real rows.
- import_bad_files: a corpus of bad CSV/XLSX files, each refused with 0 rows written.
- edit_races: two editors of one participant at once; the later save must get a conflict.
"""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func
from sqlmodel import select

from models import Participant, Role
from services.access.policy import ALL_FIELDS, CONSENT_STATES, visible_fields
from services.core.db import make_engine, read_session
from services.core.errors import StaleEditError
from services.participants import view_record
from tests.factories import make_participant, sign_in
from tests.factories_participants import (
    ROLE_USERS,
    TODAY,
    csv_bytes,
    import_row,
    make_staff,
    marker,
    matrix_world,
    xlsx_bytes,
)

# How to tell that a field is on screen: its unique marker value, or its label / section.
MARKED = {
    "legal_name",
    "case_notes",
    "substance_use",
    "mental_health",
    "criminal_history",
    "race_ethnicity",
    "primary_language",
    "gender_identity",
    "housing_situation",
    "housing_history",
    "status_history",
    "releases",
    "treatment_releases",
    "immediate_needs",
    "plan_goals",
    "services",
    "treatment_services",
    "contact_notes",
}
LABELLED = {
    "lead_id": "LEAD id",
    "preferred_name": "Preferred name",
    "aliases": "Aliases",
    "date_of_birth": "Date of birth",
    "status": "Status",
    "case_manager": "Case manager",
    "case_manager_contact": "How to reach the case manager",
    "last_contact_date": "Last contact",
    "interpreter_needed": "Interpreter needed",
    "intake_date": "In-depth intake",
}
SECTIONS = {
    "plan_domains": "plan_domains",
    "open_deadlines": "open_deadlines",
    "intake_factors": "intakes",
    "contacts": "contacts",
}


def shown(field: str, record, person) -> bool:
    text = record.shown_text()
    if field in MARKED:
        return marker(field, person.lead_id) in text
    if field in LABELLED:
        value = {
            "lead_id": person.lead_id,
            "preferred_name": person.preferred_name,
            "aliases": (person.aliases or [""])[0],
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        }.get(field)
        return LABELLED[field] in record.fields or bool(value and value in text)
    return SECTIONS[field] in record.sections


def access_matrix(engine, today: date = TODAY) -> dict:
    """Walk every role x field x release state through the audited record view.

    A leak is a field shown that the policy does not allow (or, for a partner, any record shown
    outside an active release); a miss is an allowed field not shown (proves the check can see).
    """
    assert set(MARKED) | set(LABELLED) | set(SECTIONS) == set(ALL_FIELDS)
    staff, people = matrix_world(engine)
    cells = leaks = misses = 0
    details: list[str] = []
    for role, username in ROLE_USERS.items():
        user = sign_in(engine, username)
        for state in CONSENT_STATES:
            person = people[state]
            record = view_record(engine, user, person.id, today, purpose="access matrix")
            allowed = visible_fields(role, state)
            if not record.allowed and (record.fields or record.sections):
                leaks += 1
                details.append(f"{role.value}/{state}: denied view carries data")
            for field in ALL_FIELDS:
                cells += 1
                on_screen = shown(field, record, person)
                if on_screen and field not in allowed:
                    leaks += 1
                    details.append(f"{role.value}/{state}/{field}: shown, not allowed")
                elif field in allowed and not on_screen:
                    misses += 1
                    details.append(f"{role.value}/{state}/{field}: allowed, not shown")
            if role == Role.community and record.allowed:
                leaks += 1
    return {"cells": cells, "leaks": leaks, "misses": misses, "details": details}


# --- Import corpus ------------------------------------------------------------------------------

GOOD = [import_row("BUR-0101"), import_row("BUR-0102", legal_name="Second Sample")]


def bad_files() -> dict[str, tuple[str, bytes]]:
    """Name -> (file name, bytes): each must be refused whole."""
    header = list(csv_bytes([]).decode("utf-8-sig").strip().split(","))
    many_good = [import_row(f"BUR-{i:04d}", legal_name=f"Bulk {i} Sample") for i in range(200, 250)]
    return {
        "wrong-header": ("a.csv", csv_bytes(GOOD, ["id", *header[1:]])),
        "duplicate-header": ("a.csv", csv_bytes([r + ["x"] for r in GOOD], [*header, "status"])),
        "missing-required-column": (
            "a.csv",
            csv_bytes([r[1:] for r in GOOD], header[1:]),
        ),
        "bad-date-format": (
            "a.csv",
            csv_bytes([import_row("BUR-0101", date_of_birth="17/05/1990")]),
        ),
        "impossible-date": (
            "a.csv",
            csv_bytes([import_row("BUR-0101", referral_date="2026-02-30")]),
        ),
        "future-date": (
            "a.csv",
            csv_bytes([import_row("BUR-0101", last_contact_date="2031-01-01")]),
        ),
        "duplicate-lead-id": ("a.csv", csv_bytes([import_row("BUR-0101"), import_row("BUR-0101")])),
        "duplicate-person": (
            "a.csv",
            csv_bytes(
                [
                    import_row("BUR-0101", legal_name="Same Person Sample"),
                    import_row("BUR-0103", legal_name="same person sample"),
                ]
            ),
        ),
        "duplicate-of-existing": ("a.csv", csv_bytes([import_row("BUR-0001")])),
        "non-utf8": ("a.csv", csv_bytes(GOOD).replace(b"Imported", "Impörted".encode("latin-1"))),
        "binary-png": ("a.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
        "zip-named-csv": ("a.csv", xlsx_bytes(GOOD)),
        "oversize": ("a.csv", csv_bytes(GOOD) + b"x" * 1_100_000),
        "too-many-rows": (
            "a.csv",
            csv_bytes([import_row(f"BUR-{i}", legal_name=f"N{i}") for i in range(10000, 15002)]),
        ),
        "formula-equals": (
            "a.csv",
            csv_bytes([import_row("BUR-0101", legal_name="=HYPERLINK(1)")]),
        ),
        "formula-plus": ("a.csv", csv_bytes([import_row("BUR-0101", preferred_name="+1+1")])),
        "formula-minus": ("a.csv", csv_bytes([import_row("BUR-0101", aliases="-2+3")])),
        "formula-at": ("a.csv", csv_bytes([import_row("BUR-0101", primary_language="@SUM(A1)")])),
        "formula-tab": ("a.csv", csv_bytes([import_row("BUR-0101", legal_name="\tTab Sample")])),
        "bad-status": ("a.csv", csv_bytes([import_row("BUR-0101", status="graduated")])),
        "unknown-case-manager": (
            "a.csv",
            csv_bytes([import_row("BUR-0101", case_manager="nobody")]),
        ),
        "one-bad-row-among-50": (
            "a.csv",
            csv_bytes(
                many_good[:25]
                + [import_row("BUR-0999", date_of_birth="1990-13-01")]
                + many_good[25:]
            ),
        ),
        "empty-file": ("a.csv", b""),
        "header-only": ("a.csv", csv_bytes([])),
        "xlsx-wrong-header": ("a.xlsx", xlsx_bytes(GOOD, ["id", *header[1:]])),
        "xlsx-formula": ("a.xlsx", xlsx_bytes([import_row("BUR-0101", legal_name="=1+1")])),
        "xlsx-not-a-workbook": ("a.xlsx", b"PK\x03\x04" + b"\x00" * 200),
        "wrong-extension": ("a.txt", csv_bytes(GOOD)),
    }


def import_bad_files(engine) -> dict:
    """Import every bad file; count refusals and participants written (target: all, 0)."""
    from services.participants.imports import import_caseload

    make_staff(engine)
    make_participant(engine, "BUR-0001", name="Existing")
    importer = sign_in(engine, ROLE_USERS[Role.clinical_supervisor])

    def count() -> int:
        with read_session(engine) as session:
            return session.exec(select(func.count()).select_from(Participant)).one()

    before = count()
    refused, accepted, reasons = 0, [], {}
    for name, (filename, data) in bad_files().items():
        result = import_caseload(engine, importer, filename=filename, data=data, today=TODAY)
        if result.written == 0 and result.errors:
            refused += 1
            reasons[name] = result.errors[0]
        else:
            accepted.append(name)
    written = count() - before
    # The control: a good file is accepted, so the refusals above are not a blanket "no".
    good = import_caseload(engine, importer, filename="good.csv", data=csv_bytes(GOOD), today=TODAY)
    return {
        "files": len(bad_files()),
        "refused": refused,
        "written": written,
        "accepted": accepted,
        "reasons": reasons,
        "control_written": good.written,
    }


# --- Edit races -----------------------------------------------------------------------------------


def _race(engine, participant_id: int, editors: tuple, r: int) -> tuple[bool, bool]:
    """One race from one version; returns (a conflict was shown, a silent overwrite happened)."""
    from services.participants import record_housing, update_identity

    with read_session(engine) as session:
        before = session.get(Participant, participant_id)
    version = before.version

    def identity(user, name: str):
        def save() -> None:
            update_identity(
                engine,
                user,
                participant_id=participant_id,
                expected_version=version,
                values={"legal_name": before.legal_name, "preferred_name": name},
                today=TODAY,
            )

        return save, lambda p: p.preferred_name == name

    def housing(user, situation: str):
        def save() -> None:
            record_housing(
                engine,
                user,
                participant_id=participant_id,
                expected_version=version,
                situation=situation,
                on=TODAY,
                today=TODAY,
            )

        def won(p) -> bool:
            return p.housing_situation == situation and p.preferred_name == before.preferred_name

        return save, won

    first, second = editors
    # Even races: two identity edits; odd races: an identity edit against a housing change.
    actions = {
        "a": identity(first, f"Racer A{r}"),
        "b": identity(second, f"Racer B{r}")
        if r % 2 == 0
        else housing(second, "vehicle" if before.housing_situation != "vehicle" else "unknown"),
    }
    gate = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def run(key: str) -> None:
        gate.wait()
        try:
            actions[key][0]()
            outcome[key] = "saved"
        except StaleEditError:
            outcome[key] = "conflict"
        except Exception as exc:  # any other failure is reported, not hidden
            outcome[key] = f"error: {type(exc).__name__}"

    threads = [threading.Thread(target=run, args=(k,)) for k in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with read_session(engine) as session:
        stored = session.get(Participant, participant_id)
    saved = [k for k, v in outcome.items() if v == "saved"]
    conflict = sorted(outcome.values()) == ["conflict", "saved"]
    # Silent overwrite: both saves went through, or what is stored is not the winner's alone.
    silent = len(saved) > 1 or (
        len(saved) == 1 and (not actions[saved[0]][1](stored) or stored.version != version + 1)
    )
    return conflict, silent


def edit_races(engine, races: int = 30) -> dict:
    """Two editors save one participant from the same version at the same moment, `races` times.

    Exactly one save may win; the other must raise StaleEditError, and the stored record must be
    the winner's change alone (counted as a silent overwrite otherwise).
    """
    staff = make_staff(engine)
    editors = (
        sign_in(engine, ROLE_USERS[Role.case_manager]),
        sign_in(engine, ROLE_USERS[Role.clinical_supervisor]),
    )
    person = make_participant(
        engine, "BUR-0500", name="Racer", case_manager=staff[Role.case_manager]
    )
    results = [_race(engine, person.id, editors, r) for r in range(races)]
    return {
        "races": races,
        "conflicts": sum(c for c, _ in results),
        "silent": sum(s for _, s in results),
    }


# --- Figures ------------------------------------------------------------------------------------


def figures(fresh) -> list[tuple[str, str, bool]]:
    out = []
    engine = make_engine(fresh())
    matrix = access_matrix(engine)
    engine.dispose()
    out.append(
        (
            "access-matrix",
            f"{matrix['cells']} cells checked, {matrix['leaks']} leaks",
            matrix["leaks"] == 0 and matrix["misses"] == 0,
        )
    )
    engine = make_engine(fresh())
    imports = import_bad_files(engine)
    engine.dispose()
    out.append(
        (
            "import-bad-files",
            f"{imports['refused']} files rejected, {imports['written']} rows written",
            imports["refused"] == imports["files"]
            and imports["written"] == 0
            and imports["control_written"] == len(GOOD),
        )
    )
    engine = make_engine(fresh())
    races = edit_races(engine)
    engine.dispose()
    out.append(
        (
            "edit-races",
            f"{races['races']} races, {races['silent']} silent overwrites",
            races["silent"] == 0 and races["conflicts"] == races["races"],
        )
    )
    return out
