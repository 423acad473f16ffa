"""What an agenda item may show on the shared screen and in exports: allowed fields only.

One builder serves the presenter, the agenda and the minutes, so nothing can be shown in one
that is kept out of the others. A participant item carries the preferred first name and last
initial (none under the privacy curtain), LEAD id, case manager, status, plan domains and their
progress, open deadlines, what happened since the last session (counts, statuses, domains and
categories) and the submitted reasons. It never reads case notes, substance use, mental health,
criminal history, contact notes, goal wording, status or withdrawal reasons, intake factors,
referral offenses or preparation notes, and leaves out plan domains and service categories about
treatment or health (42 CFR Part 2; PROTOCOL C4).

Every value but `heading` and the section labels is data: pages show it with st.text or
st.dataframe only. `heading` is built from fixed words and a LEAD id checked against a strict
pattern, so it may be set in large type.

This module builds an item and serves the presenter and the exports; the sections come from
`services.staffing.sections` (a participant, a referral candidate) and
`services.staffing.standing` (the standing items, PROTOCOL M3).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import ActionItem, AgendaItem, Participant, StaffingSession
from services.access.auth import CurrentUser
from services.core import audit
from services.core.audit import AuditWriteError
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.site import get_settings
from services.staffing.items import _get, _items, _require_pm
from services.staffing.rules import display_name, running_times
from services.staffing.sections import (
    _candidate_sections,
    _Context,
    _owner,
    _participant_sections,
    _section,
)
from services.staffing.standing import _standing_sections
from services.staffing.vocabulary import (
    ACTION_ITEMS_TITLE,
    CANDIDATE_KIND,
    CANDIDATE_LABEL,
    RESCINDED_TITLE,
    SESSION_KINDS,
    STANDING_TITLES,
    _day,
    session_label,
)

LEAD_ID = re.compile(r"[A-Z0-9][A-Z0-9-]{1,15}")
KIND_LABELS = {
    "participant": "Participant",
    "suggested": "Suggested participant",
    "standing": "Standing item",
    CANDIDATE_KIND: CANDIDATE_LABEL,
}
WITHHELD = (
    "This person can no longer be discussed at this session: no active release of information "
    "covers every attending organization (PROTOCOL C3)."
)
# The only keys an item may carry; tests/checks_staffing.py holds the builder to them.
ITEM_KEYS = frozenset(
    {
        "item_id",
        "position",
        "count",
        "kind",
        "kind_label",
        "heading",
        "name",
        "minutes",
        "start",
        "end",
        "withheld",
        "urgent",
        "sections",
        "participant_ids",
        "summary",
        "decisions",
        "actions",
    }
)
SECTION_KEYS = frozenset({"label", "lines", "metrics", "rows"})


def _safe_lead_id(lead_id: str) -> str | None:
    return lead_id if LEAD_ID.fullmatch(lead_id or "") else None


def _heading(item: AgendaItem, person: Participant | None) -> str:
    if item.kind == CANDIDATE_KIND:
        return CANDIDATE_LABEL
    if person is not None:
        return _safe_lead_id(person.lead_id) or "Participant"
    if item.title in (ACTION_ITEMS_TITLE, RESCINDED_TITLE, *STANDING_TITLES):
        return item.title
    return "Agenda item"


def _build(
    ctx: _Context, item: AgendaItem, count: int, times: tuple[str, str], curtain: bool
) -> dict:
    person = ctx.session.get(Participant, item.participant_id) if item.participant_id else None
    ctx.curtain = curtain
    content = {
        "item_id": item.id,
        "position": item.position,
        "count": count,
        "kind": item.kind,
        "kind_label": KIND_LABELS.get(item.kind, "Item"),
        "heading": _heading(item, person),
        "name": None,
        "minutes": item.minutes,
        "start": times[0],
        "end": times[1],
        "withheld": False,
        "urgent": item.id in ctx.urgent,
        "sections": [],
        "participant_ids": [],
    }
    if person is not None and ctx.consent(person.id):
        content.update(heading="Item withheld", sections=[_section("Withheld", [WITHHELD])])
        content["withheld"] = True
        return content
    if person is not None:
        if not curtain:
            content["name"] = display_name(person.preferred_name, person.legal_name)
        content["sections"] = _participant_sections(ctx, item, person, curtain)
        content["participant_ids"] = [person.id]
        return content
    if item.kind == CANDIDATE_KIND:
        content["name"] = None if curtain else item.title
        content["sections"] = _candidate_sections(ctx, item, curtain)
        return content
    sections, named = _standing_sections(ctx, item)
    content["sections"], content["participant_ids"] = sections, named
    return content


def _load(session: Session, session_id: int, today: date, settings):
    row = _get(session, StaffingSession, session_id, "Session")
    items = _items(session, session_id)
    times = running_times(row.starts_at, [i.minutes for i in items])
    return row, items, times, _Context(session, row, today, settings)


# --- The presenter ------------------------------------------------------------------------------


def presenter_outline(engine: Engine, user: CurrentUser, *, session_id: int, today: date) -> dict:
    """The session and its items' positions and time boxes (no participant data)."""
    _require_pm(user)
    with read_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        items = _items(session, session_id)
    times = running_times(row.starts_at, [i.minutes for i in items])
    return {
        "label": session_label(row),
        "finalized": row.finalized_at is not None,
        "agenda_version": row.agenda_version,
        "count": len(items),
        "minutes": [i.minutes for i in items],
        "total_minutes": sum(i.minutes for i in items),
        "ends_at": times[-1][1] if times else row.starts_at,
    }


def presenter_item(
    engine: Engine,
    user: CurrentUser,
    *,
    session_id: int,
    index: int,
    today: date,
    curtain: bool,
    now: datetime | None = None,
) -> dict:
    """One item for the shared screen, audited with purpose "staffing session <date>".

    Raises AuditWriteError when the audit row cannot be written: then nothing is shown.
    """
    _require_pm(user)
    now = now or utcnow()
    settings = get_settings(engine)
    with read_session(engine) as session:
        row, items, times, ctx = _load(session, session_id, today, settings)
        if not items:
            raise IndexError("the agenda has no items")
        index = min(max(index, 0), len(items) - 1)
        item = items[index]
        content = _build(ctx, item, len(items), times[index], curtain)
        subject = (
            ctx.lead_ids.get(item.participant_id, "")
            if content["participant_ids"] == [item.participant_id]
            else f"session {row.on} item {item.position}"
        )
    outcome = "withheld (C3)" if content["withheld"] else ("curtain" if curtain else "ok")
    try:
        with write_session(engine) as session:
            stored = session.get(AgendaItem, item.id)
            if stored is not None and stored.presented_at is None:
                stored.presented_at = now
                session.add(stored)
            audit.append(
                session,
                actor=user.actor,
                action="agenda.present",
                subject=subject,
                outcome=outcome,
                purpose=f"staffing session {row.on}",
                now=now,
            )
    except Exception as exc:
        raise AuditWriteError("The audit trail could not be written.") from exc
    return content


# --- Exports ------------------------------------------------------------------------------------


def session_document(
    engine: Engine, user: CurrentUser, *, session_id: int, kind: str, today: date
) -> dict:
    """The agenda or the minutes as plain data for services.reports.exports (never preparation
    notes)."""
    _require_pm(user)
    if kind not in ("agenda", "minutes"):
        raise ValueError("kind: agenda or minutes")
    settings = get_settings(engine)
    with read_session(engine) as session:
        row, items, times, ctx = _load(session, session_id, today, settings)
        built = []
        named: list[int] = []
        for item, span in zip(items, times, strict=True):
            content = _build(ctx, item, len(items), span, curtain=False)
            if item.participant_id and not content["withheld"]:  # minimum necessary: the why
                content["sections"] = [
                    s for s in content["sections"] if s["label"] == "Why it is on the agenda"
                ]
            named += content["participant_ids"]
            if kind == "minutes" and not content["withheld"]:
                content["summary"] = item.summary
                content["decisions"] = item.decisions
                content["actions"] = [
                    f"{a.text} (owner: {_owner(a, ctx.users)}; due {a.due_on}"
                    + (f"; done {a.done_on})" if a.done_on else ")")
                    for a in session.exec(
                        select(ActionItem)
                        .where(ActionItem.agenda_item_id == item.id)
                        .order_by(col(ActionItem.id))
                    )
                ]
                named += [
                    a
                    for a in session.exec(
                        select(ActionItem.participant_id).where(
                            ActionItem.agenda_item_id == item.id
                        )
                    )
                    if a
                ]
            built.append(content)
    title = "Agenda" if kind == "agenda" else "Minutes"
    return {
        "kind": kind,
        "title": f"{title}: {SESSION_KINDS.get(row.kind, row.kind)}, {_day(row.on)}",
        "session_id": row.id,
        "session_on": row.on,
        "starts_at": row.starts_at,
        "place": row.place,
        "attending": list(row.attending_org_codes),
        "version": row.agenda_version,
        "finalized": row.finalized_at is not None,
        "ends_at": times[-1][1] if times else row.starts_at,
        "notice": settings.redisclosure_notice,
        "items": built,
        "participant_ids": sorted(set(named)),
    }
