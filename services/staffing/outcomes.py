"""Outcomes and action items: an item's summary and decisions, tasks with an owner and a due date,
and the owners' lists and Today alerts.

PROTOCOL M3, M4 (the workgroup informs, never decides charges) and C3 (an action about a person
goes only to owners the release covers; a partner sees the person only while a release covers
their organization); SECURITY 29 (likely clinical wording confirmed and audited).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import (
    ActionItem,
    AgendaItem,
    Organization,
    OrgKind,
    Participant,
    Role,
    StaffingSession,
    User,
)
from services.access.auth import CurrentUser
from services.access.policy import PARTNER_ROLES, release_state
from services.core import audit
from services.core.alert import make_alert
from services.core.clock import utcnow
from services.core.db import bump_version, read_session, write_session
from services.core.errors import ValidationError
from services.core.free_text import record_confirmation, require_confirmation
from services.staffing.consent import _releases
from services.staffing.items import _check_version, _get, _require_pm, _text
from services.staffing.vocabulary import LEAD_TEAM_KINDS, MAX_ACTION, MAX_NOTES, _day


def save_outcome(
    engine: Engine,
    user: CurrentUser,
    *,
    item_id: int,
    expected_version: int,
    summary: str,
    decisions: str,
    not_clinical: bool = False,
    now: datetime | None = None,
) -> None:
    """A short, non-clinical summary and the decisions of one item (PROTOCOL M3, M4).

    The minutes go to every attending organization: likely clinical wording needs
    `not_clinical`, stored and audited (SECURITY 29).
    """
    _require_pm(user)
    now = now or utcnow()
    summary = _text(summary, "Summary", MAX_NOTES)
    decisions = _text(decisions, "Decisions", MAX_NOTES)
    if not summary and not decisions:
        raise ValidationError("Outcome: write a summary or the decisions; it is empty.")
    flagged = require_confirmation({"Summary": summary, "Decisions": decisions}, not_clinical)
    with write_session(engine) as session:
        item = _get(session, AgendaItem, item_id, "Agenda item")
        _check_version(item, expected_version)
        row = _get(session, StaffingSession, item.session_id, "Session")
        item.summary, item.decisions = summary, decisions
        bump_version(item, now, user.username)
        session.add(item)
        participant = session.get(Participant, item.participant_id) if item.participant_id else None
        subject = participant.lead_id if participant else f"session {row.on}"
        audit.append(
            session,
            actor=user.actor,
            action="agenda.outcome",
            subject=subject,
            purpose=f"staffing session {row.on}",
            now=now,
        )
        record_confirmation(
            session,
            user,
            kind="outcome",
            record_id=item.id,
            session_id=row.id,
            phrases=flagged,
            subject=subject,
            now=now,
        )


def owner_choices(engine: Engine) -> dict:
    """Who may own an action item: organizations and enabled users (community excluded)."""
    with read_session(engine) as session:
        orgs = list(
            session.exec(
                select(Organization.code)
                .where(Organization.kind != OrgKind.community)
                .order_by(Organization.code)
            )
        )
        users = session.exec(
            select(User.id, User.display_name, Organization.code)
            .join(Organization, col(Organization.id) == col(User.organization_id))
            .where(col(User.disabled).is_(False), User.role != Role.community)
            .order_by(User.display_name)
        ).all()
    return {"orgs": orgs, "users": [{"id": i, "label": f"{n} ({c})"} for i, n, c in users]}


def add_action_item(
    engine: Engine,
    user: CurrentUser,
    *,
    item_id: int,
    text: str,
    owner_org_code: str = "",
    owner_user_id: int | None = None,
    due_on: date,
    today: date,
    not_clinical: bool = False,
    now: datetime | None = None,
) -> int:
    """A task decided at the session: owner organization or user, due date. Shows on the owner's
    Today (or Submit names) page and on every later agenda until done; likely clinical wording
    needs `not_clinical`, stored and audited (SECURITY 29)."""
    _require_pm(user)
    now = now or utcnow()
    text = _text(text, "Action", MAX_ACTION, required=True)
    flagged = require_confirmation({"Action": text}, not_clinical)
    if not owner_org_code and owner_user_id is None:
        raise ValidationError("Owner: choose an organization or a person.")
    if due_on < today:
        raise ValidationError("Due date: it cannot be in the past.")
    choices = owner_choices(engine)
    if owner_org_code and owner_org_code not in choices["orgs"]:
        raise ValidationError("Owner organization: choose one from the list.")
    if owner_user_id is not None and owner_user_id not in {u["id"] for u in choices["users"]}:
        raise ValidationError("Owner: choose an enabled user from the list.")
    with write_session(engine) as session:
        item = _get(session, AgendaItem, item_id, "Agenda item")
        row = _get(session, StaffingSession, item.session_id, "Session")
        if item.participant_id:
            _owner_covered(session, item.participant_id, owner_org_code, owner_user_id, today)
        action = ActionItem(
            agenda_item_id=item.id,
            participant_id=item.participant_id,
            text=text,
            owner_org_code=owner_org_code,
            owner_user_id=owner_user_id,
            due_on=due_on,
            created_by=user.username,
            at=now,
        )
        session.add(action)
        session.flush()
        participant = session.get(Participant, item.participant_id) if item.participant_id else None
        subject = participant.lead_id if participant else f"session {row.on}"
        audit.append(
            session,
            actor=user.actor,
            action="action_item.create",
            subject=subject,
            purpose=f"staffing session {row.on}",
            now=now,
        )
        record_confirmation(
            session,
            user,
            kind="action",
            record_id=action.id,
            session_id=row.id,
            phrases=flagged,
            subject=subject,
            now=now,
        )
        return action.id


def _owner_covered(
    session: Session, participant_id: int, org_code: str, user_id: int | None, today: date
) -> None:
    """An action about a person goes only to owners their release covers (PROTOCOL C3)."""
    codes = {org_code} if org_code else set()
    if user_id is not None:
        codes.add(
            session.exec(
                select(Organization.code)
                .join(User, col(User.organization_id) == col(Organization.id))
                .where(User.id == user_id)
            ).one()
        )
    team = set(
        session.exec(select(Organization.code).where(col(Organization.kind).in_(LEAD_TEAM_KINDS)))
    )
    releases = _releases(session, [participant_id])[participant_id]
    uncovered = sorted(
        code for code in codes - team if release_state(releases, code, today) != "active"
    )
    if uncovered:
        raise ValidationError(
            f"Owner: no active release of information covers {', '.join(uncovered)} for this "
            "person (PROTOCOL C3); choose an owner the release covers."
        )


def _may_close(user: CurrentUser, action: ActionItem) -> bool:
    return (
        user.role == Role.project_manager
        or action.owner_user_id == user.id
        or (action.owner_org_code and action.owner_org_code == user.organization_code)
    )


def mark_action_done(
    engine: Engine,
    user: CurrentUser,
    *,
    action_id: int,
    on: date,
    today: date,
    now: datetime | None = None,
) -> None:
    """Close an action item (its owner, or the project manager)."""
    now = now or utcnow()
    if on > today:
        raise ValidationError("Done on: it cannot be in the future.")
    with write_session(engine) as session:
        action = _get(session, ActionItem, action_id, "Action item")
        if not _may_close(user, action):
            raise ValidationError("Action item: only its owner or the project manager closes it.")
        if action.done_on is not None:
            raise ValidationError("Action item: it is already done.")
        action.done_on = on
        session.add(action)
        participant = (
            session.get(Participant, action.participant_id) if action.participant_id else None
        )
        audit.append(
            session,
            actor=user.actor,
            action="action_item.done",
            subject=participant.lead_id if participant else f"action item {action.id}",
            now=now,
        )


def _owner_label(action: ActionItem, users: dict[int, str]) -> str:
    if action.owner_user_id is not None:
        name = users.get(action.owner_user_id, "a user")
        return f"{name} ({action.owner_org_code})" if action.owner_org_code else name
    return action.owner_org_code


def session_action_items(engine: Engine, user: CurrentUser, *, session_id: int) -> list[dict]:
    """Action items recorded at one session (PM)."""
    _require_pm(user)
    with read_session(engine) as session:
        rows = session.exec(
            select(ActionItem, AgendaItem)
            .join(AgendaItem, col(AgendaItem.id) == col(ActionItem.agenda_item_id))
            .where(AgendaItem.session_id == session_id)
            .order_by(col(AgendaItem.position), col(ActionItem.id))
        ).all()
        users = dict(session.exec(select(User.id, User.display_name)).all())
        leads = _lead_ids(session, [a.participant_id for a, _on in rows])
    return [
        {
            "id": a.id,
            "Item": i.position,
            "About": leads.get(a.participant_id, "") if a.participant_id else i.title,
            "Action": a.text,
            "Owner": _owner_label(a, users),
            "Due": a.due_on.isoformat(),
            "Done": a.done_on.isoformat() if a.done_on else "open",
        }
        for a, i in rows
    ]


def open_action_items(
    engine: Engine, user: CurrentUser, *, session_id: int, earlier_only: bool = False
) -> list[dict]:
    """Open action items of this session and every earlier one (or the earlier ones only)."""
    _require_pm(user)
    with read_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        rows = session.exec(
            select(ActionItem, StaffingSession.on)
            .join(AgendaItem, col(AgendaItem.id) == col(ActionItem.agenda_item_id))
            .join(StaffingSession, col(StaffingSession.id) == col(AgendaItem.session_id))
            .where(col(ActionItem.done_on).is_(None), StaffingSession.on <= row.on)
            .where(StaffingSession.id != row.id if earlier_only else True)
            .order_by(col(ActionItem.due_on), col(ActionItem.id))
        ).all()
        users = dict(session.exec(select(User.id, User.display_name)).all())
        leads = _lead_ids(session, [a.participant_id for a, _on in rows])
    return [
        {
            "id": a.id,
            "label": f"Due {a.due_on} · {_owner_label(a, users)} · "
            f"{leads.get(a.participant_id, 'the workgroup')}: {a.text} (from {_day(on)})",
        }
        for a, on in rows
    ]


def _owned_open(session: Session, user: CurrentUser):
    return session.exec(
        select(ActionItem, StaffingSession.on)
        .join(AgendaItem, col(AgendaItem.id) == col(ActionItem.agenda_item_id))
        .join(StaffingSession, col(StaffingSession.id) == col(AgendaItem.session_id))
        .where(col(ActionItem.done_on).is_(None))
        .where(
            (ActionItem.owner_user_id == user.id)
            | (ActionItem.owner_org_code == user.organization_code)
        )
        .order_by(col(ActionItem.due_on), col(ActionItem.id))
    ).all()


WITHHELD_FOR_PARTNER = "a participant (no release covering your organization)"


def _lead_ids(session: Session, participant_ids) -> dict[int, str]:
    """The LEAD ids of these participants only (not all 10,000): one IN query per 500 ids."""
    ids = sorted({pid for pid in participant_ids if pid is not None})
    leads: dict[int, str] = {}
    for start in range(0, len(ids), 500):  # IN lists of a size every database takes
        chunk = ids[start : start + 500]
        leads.update(
            session.exec(
                select(Participant.id, Participant.lead_id).where(col(Participant.id).in_(chunk))
            ).all()
        )
    return leads


def _abouts(
    session: Session, user: CurrentUser, participant_ids, today: date
) -> dict[int | None, str]:
    """Each participant's LEAD id, if this user may see that participant (partners: a release).

    One IN query for all the ids (not a query per action item); None is the workgroup.
    """
    ids = sorted({pid for pid in participant_ids if pid is not None})
    leads = _lead_ids(session, ids)
    releases = _releases(session, list(leads)) if user.role in PARTNER_ROLES else {}
    about: dict[int | None, str] = {None: "the workgroup"}
    for pid in ids:
        if pid not in leads:
            about[pid] = "a participant"
        elif pid in releases and (
            release_state(releases[pid], user.organization_code, today) != "active"
        ):
            about[pid] = WITHHELD_FOR_PARTNER
        else:
            about[pid] = leads[pid]
    return about


def my_action_items(engine: Engine, user: CurrentUser, *, today: date) -> list[dict]:
    """Open action items owned by the user or their organization, soonest due first."""
    rows = []
    with read_session(engine) as session:
        owned = _owned_open(session, user)
        abouts = _abouts(session, user, [action.participant_id for action, _on in owned], today)
        for action, on in owned:
            about = abouts[action.participant_id]
            withheld = about == WITHHELD_FOR_PARTNER  # the release lapsed after the session
            rows.append(
                {
                    "id": action.id,
                    "Due": action.due_on.isoformat(),
                    "From session": _day(on),
                    "About": about,
                    "Action": "Ask the project manager (details withheld, PROTOCOL C3)"
                    if withheld
                    else action.text,
                    "Owner": "you" if action.owner_user_id == user.id else action.owner_org_code,
                }
            )
    return rows


def action_item_alerts(engine: Engine, user: CurrentUser, today: date) -> list:
    """Today's alerts for open action items owned by the user or their organization."""
    with read_session(engine) as session:
        owned = _owned_open(session, user)
        abouts = _abouts(session, user, [action.participant_id for action, _on in owned], today)
        return [
            make_alert(
                "Action item",
                abouts[action.participant_id],
                action.due_on,
                today,
                "you" if action.owner_user_id == user.id else action.owner_org_code,
                "Mark it done",  # on Today, in place (or on Session outcomes / Submit names)
                f"From the {_day(on)} session: {action.text}",
                action_id=action.id,
            )
            for action, on in owned
        ]
