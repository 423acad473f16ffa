"""Builders for the participant, casework and caseload tests (and their figures)."""

from __future__ import annotations

import csv
import io
from datetime import date

from models import (
    Contact,
    HousingChange,
    Intake,
    Participant,
    PlanGoal,
    Referral,
    ReferralType,
    Release,
    Role,
    Service,
    StatusChange,
)
from services.core.clock import utcnow
from services.core.db import write_session
from services.participants import COLUMN_NAMES
from tests.factories import days, make_participant, make_user

TODAY = date(2026, 11, 27)

# One participant per consent state as seen by BPD, DOC and KCPAO (the partner users' orgs).
CONSENT_SETUP = {
    "none": None,
    "pending": {"signed": TODAY + days(3)},
    "active": {"signed": TODAY - days(30), "expires": TODAY + days(300)},
    "expired": {"signed": TODAY - days(400), "expires": TODAY - days(1)},
    "rescinded": {"signed": TODAY - days(30), "rescinded": TODAY - days(2)},
}
ROLE_USERS = {
    Role.project_manager: "pm",
    Role.case_manager: "cm",
    Role.clinical_supervisor: "sup",
    Role.law_enforcement: "bpd",
    Role.corrections: "doc",
    Role.prosecutor: "kcpao",
    Role.community: "comm",
}
PARTNER_ORGS = ["BPD", "KCPAO", "DOC"]


def marker(field: str, lead_id: str) -> str:
    """A value found nowhere else, so its presence on screen proves the field was shown."""
    return f"{field.upper()}-{lead_id}-MARK"


def make_staff(engine) -> dict[Role, object]:
    return {role: make_user(engine, name, role) for role, name in ROLE_USERS.items()}


def full_story(engine, person: Participant, release: dict | None, cm_id: int) -> None:
    """Every field of the record filled with a marker value (or a recognisable row)."""
    lead = person.lead_id
    now = utcnow()
    with write_session(engine) as session:
        p = session.get(Participant, person.id)
        for name in (
            "legal_name",
            "case_notes",
            "substance_use",
            "mental_health",
            "criminal_history",
        ):
            setattr(p, name, marker(name, lead))
        p.race_ethnicity = marker("race_ethnicity", lead)
        p.primary_language = marker("primary_language", lead)
        p.interpreter_needed = True
        p.gender_identity = marker("gender_identity", lead)
        p.housing_situation = marker("housing_situation", lead)
        p.last_contact_date = TODAY - days(3)
        session.add(p)
        # With no release for the partners, one covering only PDA still fills the releases field.
        release = release or {"signed": TODAY - days(30), "orgs": ["PDA"]}
        session.add(
            Release(
                participant_id=p.id,
                signed_date=release["signed"],
                expires_date=release.get("expires"),
                rescinded_date=release.get("rescinded"),
                covered_org_codes=release.get("orgs", PARTNER_ORGS),
                purpose=marker("releases", lead),
                created_at=now,
            )
        )
        session.add(
            Release(
                participant_id=p.id,
                signed_date=TODAY - days(10),
                expires_date=TODAY + days(100),
                covered_org_codes=[marker("treatment_releases", lead)],
                purpose="consultation",
                treatment_information=True,
                created_at=now,
            )
        )
        session.add(
            Intake(
                participant_id=p.id,
                on=TODAY - days(20),
                factors={"chemical_dependency": "need identified", "housing": "no need"},
                immediate_needs_met=marker("immediate_needs", lead),
                username="cm",
                at=now,
            )
        )
        session.add(
            PlanGoal(
                participant_id=p.id,
                domain="chemical dependency treatment",
                goal=marker("plan_goals", lead),
                status="in progress",
                started_on=TODAY - days(15),
                status_on=TODAY - days(5),
            )
        )
        for category, provider in (
            ("housing", marker("services", lead)),
            ("mental health treatment", marker("treatment_services", lead)),
        ):
            session.add(
                Service(
                    participant_id=p.id,
                    category=category,
                    provider=provider,
                    start_on=TODAY - days(10),
                    funding="new_capacity",
                    cost_cents=1000,
                    username="cm",
                    at=now,
                )
            )
        session.add(
            Contact(
                participant_id=p.id,
                on=TODAY - days(3),
                kind="field",
                staff_id=cm_id,
                minutes=15,
                note=marker("contact_notes", lead),
                at=now,
            )
        )
        session.add(
            StatusChange(
                participant_id=p.id,
                on=TODAY - days(20),
                status="active",
                reason=marker("status_history", lead),
                username="cm",
                at=now,
            )
        )
        session.add(
            HousingChange(
                participant_id=p.id,
                on=TODAY - days(20),
                situation=marker("housing_history", lead),
                username="cm",
                at=now,
            )
        )
        # An arrest referral past its intake deadline: T4 and T5 are open deadlines.
        session.add(
            Referral(
                participant_id=p.id,
                referral_type=ReferralType.arrest,
                referral_date=TODAY - days(35),
                created_at=now,
            )
        )


def matrix_world(engine) -> tuple[dict, dict]:
    """Seven users (one per role) and five fully filled participants (one per consent state)."""
    staff = make_staff(engine)
    people = {}
    for i, (state, release) in enumerate(CONSENT_SETUP.items(), start=1):
        person = make_participant(
            engine,
            f"BUR-{i:04d}",
            name=f"Person{state.title()}",
            case_manager=staff[Role.case_manager],
            aliases=[f"Alias{state.title()}"],
        )
        full_story(engine, person, release, staff[Role.case_manager].id)
        people[state] = person
    return staff, people


def csv_bytes(rows: list[list], header: list[str] | None = None, *, bom: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header if header is not None else COLUMN_NAMES)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def import_row(lead_id: str, **values) -> list[str]:
    """One template row with sensible defaults; override any column by name."""
    base = {
        "lead_id": lead_id,
        "legal_name": f"Imported {lead_id} Sample",
        "preferred_name": "Imported",
        "aliases": "",
        "date_of_birth": "1990-05-17",
        "status": "active",
        "case_manager": "",
        "referral_type": "arrest",
        "referral_date": "2026-01-05",
        "intake_date": "2026-01-20",
        "last_contact_date": "2026-11-01",
        "race_ethnicity": "declined",
        "primary_language": "English",
        "interpreter_needed": "no",
        "gender_identity": "",
        "housing_situation": "emergency shelter",
    }
    base.update(values)
    return [base[name] for name in COLUMN_NAMES]


def xlsx_bytes(rows: list[list], header: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(header if header is not None else COLUMN_NAMES))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
