"""Items the project manager may add, each with why: open deadlines (PROTOCOL T4, T5, S6; C3/T6
read as on Today), no contact for `no_contact_alert_days`, releases rescinded since the last
session (C3) and open action items from earlier sessions (M3).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from models import (
    ActionItem,
    AgendaItem,
    Contact,
    Participant,
    ParticipantStatus,
    Referral,
    Release,
    StaffingSession,
)
from services.access.auth import CurrentUser
from services.core.alert import REFERRAL_DATE_KEYS
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.rules import catalog
from services.rules import consent as consent_rules
from services.rules.deadlines import open_obligations
from services.staffing.consent import consent_problems
from services.staffing.items import _add_item, _agenda_changed, _get, _items, _require_pm
from services.staffing.review import AGENDA_WORK
from services.staffing.vocabulary import ACTION_ITEMS_TITLE, PARTICIPANT_MINUTES, RESCINDED_TITLE


@dataclass(frozen=True)
class Suggestion:
    key: str
    title: str
    why: list[str]
    participant_id: int | None = None
    consent: str | None = None  # None: may be discussed; else the reason it may not (PM only)


def suggestions(engine: Engine, user: CurrentUser, *, session_id: int, today: date) -> list:
    """Items the PM may add, each with why: deadlines (T4, T5, S6), no contact, rescinded
    releases, and the open action items when their standing item was removed. Computed once
    per state of the data and day (`services.reports.memo`)."""
    _require_pm(user)
    return AGENDA_WORK.get(
        engine,
        ("suggestions", session_id, today),
        lambda: _suggestions(engine, session_id=session_id, today=today),
    )


def _suggestions(engine: Engine, *, session_id: int, today: date) -> list:
    settings = get_settings(engine)
    with read_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        items = _items(session, row.id)
        on_agenda = {i.participant_id for i in items if i.participant_id}
        horizon = row.on + timedelta(days=settings.workgroup_interval_days)
        reasons: dict[int, list[str]] = {}
        lead_ids: dict[int, str] = {}
        urgency: Counter = Counter()  # most pressing first: missed deadlines, then near ones
        for pid, lead_id, rule, due, _msg in _open_deadlines(session, settings, today):
            if rule == "C3" or due > horizon:
                continue
            lead_ids[pid] = lead_id
            reasons.setdefault(pid, []).append(_deadline_text(rule, due, today))
            urgency[pid] += 3 if due < today else 2
        for pid, lead_id, last in _no_contact(session, settings, today):
            urgency[pid] += 1
            lead_ids[pid] = lead_id
            days = settings.no_contact_alert_days
            reasons.setdefault(pid, []).append(
                f"no contact since {last} (more than {days} days)"
                if last
                else f"no contact in the last {days} days"
            )
        candidates = [pid for pid in reasons if pid not in on_agenda]
        problems = consent_problems(session, row, candidates, today)
        found = [
            Suggestion(
                key=f"participant:{pid}",
                title=lead_ids[pid],
                why=reasons[pid],
                participant_id=pid,
                consent=problems[pid],
            )
            for pid in sorted(candidates, key=lambda pid: (-urgency[pid], lead_ids[pid]))
        ]
        since = _previous_session_day(session, row) or row.on - timedelta(
            days=settings.workgroup_interval_days
        )
        rescinded = session.exec(
            select(func.count())
            .select_from(Release)
            .where(col(Release.rescinded_date) > since, col(Release.rescinded_date) <= today)
        ).one()
        titles = {i.title for i in items}
        if rescinded and RESCINDED_TITLE not in titles:
            found.append(
                Suggestion(
                    key="rescinded",
                    title=RESCINDED_TITLE,
                    why=[
                        f"{rescinded} release(s) of information rescinded since {since}: those "
                        "people are no longer discussed and partners see nothing (PROTOCOL C3)."
                    ],
                )
            )
        open_actions = len(_open_actions_before(session, row))
        if open_actions and ACTION_ITEMS_TITLE not in titles:
            found.append(
                Suggestion(
                    key="actions",
                    title=ACTION_ITEMS_TITLE,
                    why=[f"{open_actions} action item(s) from earlier sessions are not done."],
                )
            )
    return found


# The open deadlines' words on the agenda and the Presenter: the catalog's titles (as on Today).
DEADLINE_LABELS = {rule: catalog.title(rule) for rule in ("T4", "T5", "C3", "S6")}


def _deadline_text(rule: str, due: date, today: date) -> str:
    days = (due - today).days
    when = (
        f"overdue since {due}"
        if days < 0
        else ("due today" if days == 0 else f"due {due} (in {days} days)")
    )
    return f"{rule} {DEADLINE_LABELS[rule]} {when}"


REFERRAL_DATES = REFERRAL_DATE_KEYS  # the dates the deadline rules read, as on Today


def _open_deadlines(session: Session, settings, today: date, participant_id: int | None = None):
    """(participant id, LEAD id, rule, due, message) for open referrals (T4, T5, C3/T6, S6)."""
    query = (
        select(
            Referral.participant_id,
            Participant.lead_id,
            Referral.referral_type,
            *(getattr(Referral, key) for key in REFERRAL_DATES),
        )
        .join(Participant, col(Participant.id) == col(Referral.participant_id))
        .where(col(Referral.closed_date).is_(None))
    )
    if participant_id is not None:
        query = query.where(Referral.participant_id == participant_id)
    rows = session.exec(query).all()
    # PROTOCOL T6/C3 as on Today: the first release signed is what the intake needed; consent is
    # lost only when every release signed has been rescinded.
    release = select(
        Release.participant_id,
        func.min(Release.signed_date),
        func.max(Release.rescinded_date),
        func.count() - func.count(Release.rescinded_date),
    ).where(col(Release.treatment_information).is_(False))  # T6/C3: the general release (C4)
    release = release.group_by(Release.participant_id)
    if participant_id is not None:
        release = release.where(Release.participant_id == participant_id)
    consent = {pid: rest for pid, *rest in session.exec(release)}
    found = []
    for pid, lead_id, referral_type, *values in rows:
        signed, rescinded, unrescinded = consent.get(pid, (None, None, 0))
        dates = dict(zip(REFERRAL_DATES, values, strict=True))
        dates["roi_signed_date"], dates["roi_rescinded_date"] = consent_rules.c3_inputs(
            signed, rescinded, unrescinded
        )
        kind = getattr(referral_type, "value", referral_type)
        for rule, due, message in open_obligations(
            kind,
            dates,
            today,
            intake_days=settings.intake_days,
            notice_days=settings.prosecutor_notice_days,
            approval_months=settings.social_contact_approval_months,
        ):
            found.append((pid, lead_id, rule, due, message))
    return found


def _no_contact(session: Session, settings, today: date):
    """Active participants without a contact for more than `no_contact_alert_days`.

    Reads only the recent contacts (the `on` index), not the whole contact history.
    """
    limit = today - timedelta(days=settings.no_contact_alert_days)
    recent = set(session.exec(select(Contact.participant_id).where(Contact.on >= limit).distinct()))
    rows = session.exec(
        select(Participant.id, Participant.lead_id, Participant.last_contact_date)
        .where(Participant.status == ParticipantStatus.active)
        .order_by(Participant.lead_id)
    )
    return [
        (pid, lead_id, last)
        for pid, lead_id, last in rows
        if pid not in recent and (last is None or last < limit)
    ]


def _previous_session_day(session: Session, row: StaffingSession) -> date | None:
    return session.exec(
        select(func.max(StaffingSession.on)).where(StaffingSession.on < row.on)
    ).one()


def _open_actions_before(session: Session, row: StaffingSession) -> list[tuple]:
    """Open action items recorded at sessions before this one: (action, its session's day)."""
    return list(
        session.exec(
            select(ActionItem, StaffingSession.on)
            .join(AgendaItem, col(AgendaItem.id) == col(ActionItem.agenda_item_id))
            .join(StaffingSession, col(StaffingSession.id) == col(AgendaItem.session_id))
            .where(col(ActionItem.done_on).is_(None), StaffingSession.on < row.on)
            .order_by(col(ActionItem.due_on), col(ActionItem.id))
        ).all()
    )


def add_suggestion(
    engine: Engine,
    user: CurrentUser,
    *,
    session_id: int,
    key: str,
    today: date,
    now: datetime | None = None,
) -> None:
    """Put a suggested item on the agenda (a person only when consent allows, PROTOCOL C3)."""
    _require_pm(user)
    now = now or utcnow()
    found = {s.key: s for s in suggestions(engine, user, session_id=session_id, today=today)}
    if key not in found:
        raise ValidationError("Suggestion: it no longer applies. Reload the page.")
    chosen = found[key]
    if chosen.consent:
        raise ValidationError(f"Suggestion: {chosen.consent}")
    with write_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        kind = "suggested" if chosen.participant_id else "standing"
        minutes = PARTICIPANT_MINUTES if chosen.participant_id else 5
        _add_item(
            session,
            row,
            AgendaItem(
                kind=kind,
                participant_id=chosen.participant_id,
                title=chosen.title,
                why="\n".join(f"Suggested: {w}" for w in chosen.why),
                minutes=minutes,
                updated_at=now,
                updated_by=user.username,
            ),
        )
        _agenda_changed(session, row, user, f"{chosen.title} added", now)
