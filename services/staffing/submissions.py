"""Names sent for discussion by partners and case management staff, and what they read back.

PROTOCOL M2 (a name with a brief reason before the cut-off). SECURITY 5: the answer is the same
whoever the person is, and a submitter never reads why a name was held; SECURITY 29: likely
clinical wording needs the submitter's confirmation.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from models import Role, StaffingSession, Submission
from services.access.auth import CurrentUser
from services.access.policy import PARTNER_ROLES
from services.core import audit
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import Problems
from services.core.free_text import record_confirmation, require_confirmation
from services.core.site import get_settings
from services.participants import search as search_participants
from services.staffing.items import _text
from services.staffing.sessions import _session_taking_names
from services.staffing.vocabulary import (
    MAX_NAME,
    MAX_REASON,
    PARTNER_STATUS_AFTER_SESSION,
    PARTNER_STATUS_BEFORE_SESSION,
    PARTNER_STATUS_NOT_DISCUSSED,
    SESSION_KINDS,
    STATUS_FOR_SUBMITTER,
    SUBMITTED_MESSAGE,
    SUBMITTER_ROLES,
    URGENCIES,
    _day,
    _local_day,
)


def pickable_participants(engine: Engine, user: CurrentUser, today: date) -> list[dict]:
    """Participants this user may see (partners: an active release covering their organization)."""
    if user.role not in SUBMITTER_ROLES:
        return []
    rows = search_participants(engine, user, "", today)
    return [
        {"id": r["id"], "label": f"{r['LEAD id']} · {r['Name']}".strip(" ·")}
        for r in rows
        if r["LEAD id"]
    ]


def submit_name(
    engine: Engine,
    user: CurrentUser,
    *,
    person_name: str = "",
    person_alias: str = "",
    person_dob: date | None = None,
    participant_id: int | None = None,
    reason: str,
    urgency: str = "routine",
    today: date,
    not_clinical: bool = False,
    now: datetime | None = None,
) -> str:
    """Send a name for discussion; the answer is the same whoever the person is (SECURITY 5).

    The reason is read by every attending organization: likely clinical wording needs
    `not_clinical`, the submitter's confirmation, stored and audited (SECURITY 29).
    """
    if user.role not in SUBMITTER_ROLES:
        raise PermissionError("This role does not send names for discussion.")
    now = now or utcnow()
    name, alias, reason, flagged = _checked_submission(
        engine,
        user,
        person_name=person_name,
        person_alias=person_alias,
        person_dob=person_dob,
        participant_id=participant_id,
        reason=reason,
        urgency=urgency,
        today=today,
        not_clinical=not_clinical,
    )
    settings = get_settings(engine)
    with write_session(engine) as session:
        row = _session_taking_names(session, today, settings, now)
        sub = Submission(
            session_id=row.id,
            submitted_by=user.username,
            organization_code=user.organization_code,
            person_name=name,
            person_alias=alias,
            person_dob=person_dob,
            participant_id=participant_id,
            reason=reason,
            urgency=urgency,
            at=now,
        )
        session.add(sub)
        session.flush()
        record_confirmation(
            session,
            user,
            kind="submission",
            record_id=sub.id,
            session_id=row.id,
            phrases=flagged,
            subject=f"session {row.on}",
            now=now,
        )
        audit.append(
            session,
            actor=user.actor,
            action="submission.create",
            subject=f"session {row.on}",
            purpose="name for discussion (PROTOCOL M2)",
            now=now,
        )
        kind, day = SESSION_KINDS[row.kind].lower(), _day(row.on)
    return SUBMITTED_MESSAGE.format(kind=kind, day=day)


def _checked_submission(
    engine: Engine,
    user: CurrentUser,
    *,
    person_name: str,
    person_alias: str,
    person_dob: date | None,
    participant_id: int | None,
    reason: str,
    urgency: str,
    today: date,
    not_clinical: bool,
) -> tuple[str, str, str, list[str]]:
    """The name, alias and reason as stored, and the clinical phrases confirmed; every problem
    refused at once."""
    problems = Problems()  # every problem at once, not one per try (SECURITY 33)
    name = problems.check(_text, person_name, "Name", MAX_NAME)
    alias = problems.check(_text, person_alias, "Alias", MAX_NAME)
    reason = problems.check(_text, reason, "Reason", MAX_REASON, required=True)
    flagged = problems.check(require_confirmation, {"Reason": reason or ""}, not_clinical)
    if urgency not in URGENCIES:
        problems.add(f"Urgency: choose one of {', '.join(URGENCIES)}.")
    if person_dob is not None and not (date(1900, 1, 1) <= person_dob <= today):
        problems.add("Date of birth: it must be a past date after 1900.")
    if participant_id is not None:
        # Only someone from the user's own list (never a probe of other ids).
        picks = {p["id"]: p["label"] for p in pickable_participants(engine, user, today)}
        if participant_id not in picks:
            problems.add("Person: choose someone from the list, or type a name.")
        else:
            name = picks[participant_id][:MAX_NAME]
    elif not (person_name or "").strip() and not (person_alias or "").strip():
        problems.add(
            "Name: type the person's name or an alias, or pick a participant from the list."
        )
    problems.refuse_if_any()
    return name, alias, reason, flagged


def submission_status(status: str, role: Role | str, session_on: date, today: date) -> str:
    """What a submitter reads of a submission's state (SECURITY 5).

    Provider staff read the real state; a partner reads one neutral status until the session.

    >>> submission_status("held", Role.law_enforcement, date(2026, 12, 10), date(2026, 12, 9))
    'Received'
    >>> submission_status("held", Role.case_manager, date(2026, 12, 10), date(2026, 12, 9))
    'Held'
    >>> submission_status("on_agenda", Role.prosecutor, date(2026, 12, 10), date(2026, 12, 10))
    'On the agenda'
    """
    if role not in PARTNER_ROLES:
        return STATUS_FOR_SUBMITTER.get(status, "Received")
    if today < session_on:
        return PARTNER_STATUS_BEFORE_SESSION
    return PARTNER_STATUS_AFTER_SESSION.get(status, PARTNER_STATUS_NOT_DISCUSSED)


def my_submissions(engine: Engine, user: CurrentUser, *, today: date) -> list[dict]:
    """The user's own submissions with a status, newest first; never why one was held."""
    time_zone = get_settings(engine).time_zone
    with read_session(engine) as session:
        rows = session.exec(
            select(Submission, StaffingSession)
            .join(StaffingSession, col(StaffingSession.id) == col(Submission.session_id))
            .where(Submission.submitted_by == user.username)
            .order_by(col(Submission.at).desc(), col(Submission.id).desc())
        ).all()
    return [
        {
            "Sent": _local_day(sub.at, time_zone).isoformat(),
            "Session": _day(row.on),
            "Person": " / ".join(
                p for p in (sub.person_name, sub.person_alias, _iso(sub.person_dob)) if p
            ),
            "Reason": sub.reason,
            "Urgency": sub.urgency,
            "Status": submission_status(sub.status, user.role, row.on, today),
        }
        for sub, row in rows
    ]


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""
