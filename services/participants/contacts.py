"""Contacts with a participant, logged from the contact log, the record and Today's quick entry.

One checked shape (`ContactCreate`) for every path; a contact keeps the participant's last
contact date current, which the no-contact alert reads (NC, a site setting). Audit rows name
the LEAD id, never the note.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import ValidationInfo, field_validator
from sqlalchemy import Engine, or_, update
from sqlmodel import SQLModel, col

from models import (
    Contact,
    ContactKind,
    Participant,
)
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import utcnow
from services.core.db import write_session
from services.core.errors import validated
from services.participants.casework import (
    CONTACT_KINDS,
    CONTACT_LOOKBACK_DAYS,
    MAX_MINUTES,
    MAX_NOTE,
    check_choice,
    check_date,
    check_text,
    load_for_change,
)

# --- Contacts ------------------------------------------------------------------------------------


class ContactCreate(SQLModel):
    """A contact as logged (contact log, Today's quick entry), checked the one way."""

    on: date
    kind: ContactKind
    minutes: int
    note: str

    @field_validator("on", mode="before")
    @classmethod
    def _recent(cls, value, info: ValidationInfo):
        today = info.context["today"]
        value = check_date("Date", value, today=today)
        if value < today - timedelta(days=CONTACT_LOOKBACK_DAYS):
            raise ValueError("Date: log contacts of the last 12 months only.")
        return value

    @field_validator("kind", mode="before")
    @classmethod
    def _listed(cls, value):
        return check_choice("Kind", value, CONTACT_KINDS)

    @field_validator("minutes", mode="before")
    @classmethod
    def _minutes(cls, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("Minutes: enter a whole number.")
        if not 0 <= value <= MAX_MINUTES:
            raise ValueError(f"Minutes: enter 0 to {MAX_MINUTES}.")
        return value

    @field_validator("note", mode="before")
    @classmethod
    def _note(cls, value):
        return check_text("Case note", value, required=False, limit=MAX_NOTE)


def log_contact(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    on: date,
    kind: str,
    minutes: int,
    note: str,
    today: date,
    now: datetime | None = None,
) -> int:
    """Log one contact and move the participant's last contact date forward.

    The last contact date changes without bumping the record's version: a contact logged in the
    field must not turn someone's open identity edit into a conflict.
    """
    data = validated(
        ContactCreate, {"on": on, "kind": kind, "minutes": minutes, "note": note}, today=today
    )
    on, kind, minutes, note = data.on, data.kind.value, data.minutes, data.note
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id)
        row = Contact(
            participant_id=participant_id,
            on=on,
            kind=kind,
            staff_id=user.id,
            minutes=minutes,
            note=note,
            at=now,
        )
        session.add(row)
        session.exec(
            update(Participant)
            .where(
                col(Participant.id) == participant_id,
                or_(
                    col(Participant.last_contact_date).is_(None),
                    col(Participant.last_contact_date) < on,
                ),
            )
            .values(last_contact_date=on)
        )
        session.flush()
        audit.append(
            session,
            actor=user.actor,
            action="contact.log",
            subject=participant.lead_id,
            purpose=f"{kind} contact",
            now=now,
        )
        return row.id
