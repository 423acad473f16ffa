"""Staffing sessions: the calendar, partners' names, the agenda, outcomes and action items.

PROTOCOL M1 (sessions recur: the operational workgroup every `workgroup_interval_days`, staffing
sessions every `staffing_interval_days`), M2 (partners send names with a brief reason before a
cut-off of `submission_cutoff_business_days` business days), M3 (standing items), M4 (the
workgroup informs, never decides charges) and C3 (only a person whose active release of
information covers every attending organization may be discussed).

SECURITY 5: a submission answers the same way whatever is known about the person; the consent
check runs only when the project manager builds the agenda, and partners never see why a name
was held. What an agenda item may show is decided in `services.staffing.content`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from models import (
    ActionItem,
    AgendaItem,
    Contact,
    Organization,
    OrgKind,
    Participant,
    ParticipantStatus,
    Referral,
    Release,
    Role,
    StaffingSession,
    Submission,
    User,
)
from services.access.auth import CurrentUser
from services.access.policy import PARTNER_ROLES, release_state
from services.core import audit
from services.core.alert import REFERRAL_DATE_KEYS, make_alert
from services.core.clock import local_time_text, local_today, utcnow
from services.core.db import bump_version, read_session, write_session
from services.core.errors import Problems, StaleEditError, ValidationError, too_long
from services.core.free_text import record_confirmation, require_confirmation
from services.core.site import get_settings
from services.core.text import strip_controls
from services.participants import general_releases
from services.participants import search as search_participants
from services.referrals import MATCH_COLUMNS
from services.reports.memo import AuditKeyedCache
from services.rules import calendar, catalog, matching
from services.rules import consent as consent_rules
from services.rules.deadlines import open_obligations
from services.rules.matching import Names

# --- Vocabulary ---------------------------------------------------------------------------------

SESSION_KINDS = {"workgroup": "Operational workgroup", "staffing": "Staffing session"}
URGENCIES = ("routine", "soon", "urgent")
# Who may send names (PROTOCOL M2: "partners"; case management staff may add their own
# participants). Community representatives raise areas of concern, never persons (M3, M6).
SUBMITTER_ROLES = PARTNER_ROLES | {Role.case_manager, Role.clinical_supervisor}
# What a submitter sees of their own submission: never why it was held (SECURITY 5).
STATUS_FOR_SUBMITTER = {
    "submitted": "Received",
    "on_agenda": "On the agenda",
    "held": "Held",
    "carried": "Carried over to a later session",
}
# SECURITY 5: until the session, a partner's submission reads the same whoever the person is
# ("Held" would say the name is not a discussable participant); from the session day the
# partner, who attends, may read whether the person was on the agenda.
PARTNER_STATUS_BEFORE_SESSION = "Received"
PARTNER_STATUS_AFTER_SESSION = {"on_agenda": "On the agenda"}
PARTNER_STATUS_NOT_DISCUSSED = "Not on the agenda"
INBOX_STATUSES = ("submitted", "carried")
# Organizations that attend by default; the LEAD team itself (provider, PDA) needs no release.
DEFAULT_ATTENDING = ("BPD", "KCSO", "DOC", "KCPAO", "BCA", "PDA", "CMP")
LEAD_TEAM_KINDS = (OrgKind.provider, OrgKind.defender)

ACTION_ITEMS_TITLE = "Open action items from earlier sessions"
# PROTOCOL M3: what every session reviews besides participants, in agenda order.
STANDING_TITLES = (
    "Referral criteria",
    "Program capacity",
    "Operational efficiency and effectiveness",
    "Community concerns",
)
STANDING_MINUTES = {ACTION_ITEMS_TITLE: 5, **dict.fromkeys(STANDING_TITLES, 5)}
PARTICIPANT_MINUTES = 5
RESCINDED_TITLE = "Releases of information rescinded since the last session"

MAX_NAME = 120
MAX_REASON = 300
MAX_HOLD_REASON = 200
MAX_PLACE = 200
MAX_NOTES = 2000
MAX_ACTION = 500
MAX_ITEM_MINUTES = 120
CANDIDATE_KIND = "candidate"  # a referral candidate: not a participant, shown by the name typed
CANDIDATE_LABEL = "Referral candidate (not a participant)"
URGENT_MARK = "▲ URGENT"  # a mark and a word, never colour alone
MATCH_LIMIT = 5

SUBMITTED_MESSAGE = (
    "Thank you. Your name for discussion was received for the {kind} on {day}. "
    "The project manager reviews every name before the session; your list below shows "
    "where it stands."
)
NOT_A_PARTICIPANT = (
    "Not matched to a LEAD participant: only participants can be discussed (PROTOCOL C3)."
)
CONSENT_HELD = (
    "No active release of information covers {orgs} on {day}: the person cannot be discussed "
    "at this session (PROTOCOL C3)."
)
# --- Pure rules ---------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _wa_holidays(year: int) -> frozenset[date]:
    # Washington State holidays, observed days included (python-holidays cites each statute).
    return frozenset(holidays.US(subdiv="WA", years=year))


class _WashingtonHolidays:
    """Washington State holidays as a container of dates (`day in WA_HOLIDAYS`), built per year
    on first use: what `services.rules.calendar` takes as its holidays."""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and day in _wa_holidays(day.year)


WA_HOLIDAYS = _WashingtonHolidays()


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a Washington State holiday.

    >>> is_business_day(date(2026, 11, 27))  # Native American Heritage Day (WA)
    False
    """
    return calendar.is_business_day(day, WA_HOLIDAYS)


def submission_cutoff(session_on: date, business_days: int) -> date:
    """The last day names are taken for a session: N business days before it (PROTOCOL M2).

    Weekends and Washington State holidays are skipped; the session day itself never counts.

    >>> submission_cutoff(date(2026, 12, 3), 2)  # a Thursday: names due the Tuesday
    datetime.date(2026, 12, 1)
    >>> submission_cutoff(date(2026, 11, 30), 2)  # Monday after Thanksgiving (Thu, Fri off)
    datetime.date(2026, 11, 24)
    """
    return calendar.business_days_before(session_on, business_days, WA_HOLIDAYS)


def meeting_day(nominal: date) -> date:
    """A meeting falling on a weekend or holiday moves to the next business day."""
    return calendar.next_business_day(nominal, WA_HOLIDAYS)


def next_occurrence(anchor: date, after: date, interval_days: int) -> date:
    """The next meeting of a series anchored on `anchor`, strictly after `after` (PROTOCOL M1).

    The series keeps to its grid (anchor + k x interval), so a meeting moved by a holiday does
    not shift the ones after it.

    >>> next_occurrence(date(2026, 11, 12), date(2026, 11, 30), 14)  # Thanksgiving moved it
    datetime.date(2026, 12, 10)
    """
    if interval_days < 1:
        raise ValueError("interval_days: expected 1 or more")
    steps = max(0, (after - anchor).days // interval_days + 1)
    day = meeting_day(anchor + timedelta(days=steps * interval_days))
    while day <= after:
        steps += 1
        day = meeting_day(anchor + timedelta(days=steps * interval_days))
    return day


def running_times(starts_at: str, minutes: list[int]) -> list[tuple[str, str]]:
    """Each item's estimated start and end (HH:MM) from the session's start and time boxes.

    >>> running_times("10:00", [5, 15, 50])
    [('10:00', '10:05'), ('10:05', '10:20'), ('10:20', '11:10')]
    """
    hours, mins = (int(part) for part in starts_at.split(":"))
    clock = hours * 60 + mins
    times = []
    for length in minutes:
        start, clock = clock, clock + length
        times.append((_hhmm(start), _hhmm(clock)))
    return times


def _hhmm(total_minutes: int) -> str:
    total_minutes %= 24 * 60
    return f"{total_minutes // 60:02d}:{total_minutes % 60:02d}"


def timer_state(started_at: datetime | None, now: datetime, minutes: int) -> dict:
    """The presenter's timer against an item's time box.

    >>> from datetime import UTC
    >>> t = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    >>> timer_state(t, t + timedelta(minutes=6, seconds=5), 5)["text"]
    'Over time: 06:05 of 5 minutes (01:05 over)'
    """
    box = max(minutes, 0) * 60
    elapsed = int((now - started_at).total_seconds()) if started_at else 0
    elapsed = max(elapsed, 0)
    over = elapsed > box
    fraction = min(elapsed / box, 1.0) if box else 1.0
    clock = f"{elapsed // 60:02d}:{elapsed % 60:02d}"
    if over:
        extra = elapsed - box
        text = f"Over time: {clock} of {minutes} minutes ({extra // 60:02d}:{extra % 60:02d} over)"
    else:
        left = box - elapsed
        text = f"Time: {clock} of {minutes} minutes ({left // 60:02d}:{left % 60:02d} left)"
    return {"elapsed_s": elapsed, "over": over, "fraction": fraction, "text": text}


def consent_gaps(releases: list[dict], org_codes: list[str], days: list[date]) -> list[str]:
    """Attending organizations NOT covered by an active release on every given day (C3)."""
    return [
        org
        for org in org_codes
        if any(release_state(releases, org, day) != "active" for day in days)
    ]


def _typed(query: dict) -> Names:
    """A submitted person (name, alias, dob) as the one matcher reads it."""
    alias = query.get("alias") or ""
    return Names(query.get("name") or "", "", (alias,) if alias.strip() else (), query.get("dob"))


def prepare_candidates(candidates: list[dict]) -> matching.People:
    """The participants prepared once for the one matcher (PROTOCOL B14), keyed by position."""
    return matching.People.of(
        (
            n,
            Names(p["legal_name"] or "", p["preferred_name"] or "", tuple(p["aliases"]), p["dob"]),
        )
        for n, p in enumerate(candidates)
    )


def rank_matches(
    query: dict,
    candidates: list[dict],
    limit: int = MATCH_LIMIT,
    people: matching.People | None = None,
) -> list[dict]:
    """Participants who may be a submitted person, strong matches first, each with its reasons.

    `query`: name, alias, dob. `candidates`: id, lead_id, legal_name, preferred_name, aliases,
    dob; `people`: the same prepared once (`prepare_candidates`) when many names are ranked.
    The band and reason are the one matcher's (services.rules.matching), as on New referral.
    """
    people = people if people is not None else prepare_candidates(candidates)
    return [
        {**candidates[n], "score": hit.score, "band": hit.band, "why": hit.reason}
        for n, hit in people.find(_typed(query), limit)
    ]


def likely_duplicates(people: list[dict]) -> list[list[int]]:
    """Groups of submissions whose typed names likely mean one person: a strong match by the one
    matcher. `people`: id, name, alias, dob. Groups keep the order given (the inbox's: urgent
    first), so a group's first id leads it.

    >>> likely_duplicates([
    ...     {"id": 1, "name": "Jordan Fake-Person", "alias": "", "dob": date(1990, 4, 21)},
    ...     {"id": 2, "name": "Casey Example", "alias": "", "dob": None},
    ...     {"id": 3, "name": "Jordan Fakeperson", "alias": "", "dob": date(1990, 4, 12)},
    ... ])
    [[1, 3]]
    """
    index = matching.People.of((p["id"], _typed(p)) for p in people)
    group = {p["id"]: p["id"] for p in people}

    def leader(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    order = {p["id"]: n for n, p in enumerate(people)}
    for person in people:
        for other, hit in index.find(_typed(person)):
            if other != person["id"] and hit.band == "strong":
                a, b = sorted((leader(person["id"]), leader(other)), key=order.get)
                group[b] = a
    groups: dict[int, list[int]] = {}
    for p in people:
        groups.setdefault(leader(p["id"]), []).append(p["id"])
    return [ids for ids in groups.values() if len(ids) > 1]


def display_name(preferred: str, legal: str) -> str:
    """Preferred first name and the last name's initial: "Avery S." (never the full name).

    >>> display_name("Avery", "Avery Q. Sample")
    'Avery S.'
    """
    first = (preferred or legal or "").split()
    last = (legal or "").split()
    initial = last[-1][0].upper() + "." if len(last) > 1 else ""
    return " ".join(part for part in (first[0] if first else "", initial) if part)


# --- Helpers ------------------------------------------------------------------------------------


def _require_pm(user: CurrentUser) -> None:
    if user.role != Role.project_manager:
        raise PermissionError("Only the project manager builds agendas and records outcomes.")


def _text(value: str | None, label: str, max_len: int, *, required: bool = False) -> str:
    value = strip_controls(value or "").strip()
    if required and not value:
        raise ValidationError(f"{label}: required.")
    if too_long(label, value, max_len):  # SECURITY 33: say so, never cut it
        raise ValidationError(too_long(label, value, max_len))
    return value


def session_label(row: StaffingSession) -> str:
    """E.g. 'Operational workgroup · Thu 3 Dec 2026 · 10:00'."""
    return f"{SESSION_KINDS.get(row.kind, row.kind)} · {_day(row.on)} · {row.starts_at}"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _local_day(at: datetime, time_zone: str) -> date:
    # Stored times are naive UTC (models.py).
    return local_today(time_zone, at if at.tzinfo else at.replace(tzinfo=UTC))


def _releases(session: Session, ids: list[int]) -> dict[int, list[dict]]:
    """General releases by participant (C3): a treatment-information release (C4) is not
    consent to discuss the person at a session."""
    return {pid: [] for pid in ids} | general_releases(session, list(ids))


def _orgs_needing_release(session: Session, row: StaffingSession) -> list[str]:
    """Attending organizations outside the LEAD team (the provider and PDA hold the record)."""
    team = set(
        session.exec(select(Organization.code).where(col(Organization.kind).in_(LEAD_TEAM_KINDS)))
    )
    return [code for code in row.attending_org_codes if code not in team]


def consent_problem(session: Session, row: StaffingSession, participant_id: int, today: date):
    """None when the person may be discussed at this session, else the reason (PM only)."""
    return consent_problems(session, row, [participant_id], today)[participant_id]


def consent_problems(
    session: Session, row: StaffingSession, participant_ids: list[int], today: date
) -> dict[int, str | None]:
    """`consent_problem` for many people with one read of their releases."""
    releases = _releases(session, sorted(set(participant_ids)))
    orgs = _orgs_needing_release(session, row)
    days = sorted({today, max(today, row.on)})
    problems = {}
    for pid in participant_ids:
        gaps = consent_gaps(releases[pid], orgs, days)
        problems[pid] = (
            CONSENT_HELD.format(orgs=", ".join(gaps), day=days[-1].isoformat()) if gaps else None
        )
    return problems


def _items(session: Session, session_id: int) -> list[AgendaItem]:
    return list(
        session.exec(
            select(AgendaItem)
            .where(AgendaItem.session_id == session_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        )
    )


def _renumber(session: Session, items: list[AgendaItem]) -> None:
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            session.add(item)


def _agenda_changed(
    session: Session, row: StaffingSession, user: CurrentUser, what: str, now: datetime
) -> None:
    """Bump the agenda's versions; after finalizing every change is a new, audited version."""
    bump_version(row, now, user.username)
    outcome = "ok"
    if row.finalized_at is not None:
        row.agenda_version += 1
        outcome = f"version {row.agenda_version} after finalizing"  # audit outcome: 32 chars
    session.add(row)
    audit.append(
        session,
        actor=user.actor,
        action="agenda.change",
        subject=f"session {row.on}",
        outcome=outcome,
        purpose=what,
        now=now,
    )


def _check_version(row, expected_version: int) -> None:
    if row.version != expected_version:
        raise StaleEditError.for_row(row)


def _get(session: Session, model, row_id: int | None, label: str):
    row = session.get(model, row_id) if row_id is not None else None
    if row is None:
        raise ValidationError(f"{label}: not found (it may have been removed). Reload the page.")
    return row


def _insert_position(items: list[AgendaItem], urgent_ids: set[int] | None = None) -> int:
    """New participant items go before the trailing standing items (M3 review comes last);
    given `urgent_ids`, an urgent item goes after the leading standing items and the urgent
    items already there (urgent first, issue 11)."""
    position = len(items)
    while position > 0 and items[position - 1].kind == "standing":
        if items[position - 1].title == ACTION_ITEMS_TITLE:
            break
        position -= 1
    if urgent_ids is None:
        return position
    first = 0
    while first < position and (items[first].kind == "standing" or items[first].id in urgent_ids):
        first += 1
    return first


def _urgent_item_ids(session: Session, session_id: int) -> set[int]:
    """Items holding a name sent as urgent."""
    sent = session.exec(
        select(Submission.agenda_item_id, Submission.participant_id).where(
            Submission.session_id == session_id,
            Submission.status == "on_agenda",
            Submission.urgency == "urgent",
        )
    ).all()
    by_participant = {i.participant_id: i.id for i in _items(session, session_id)}
    return {item_id or by_participant.get(pid) for item_id, pid in sent} - {None}


def _urgent_first(session: Session, row: StaffingSession, item: AgendaItem) -> None:
    """Move an item holding an urgent name up to the urgent block (never down)."""
    urgent = _urgent_item_ids(session, row.id)
    if item.id not in urgent:
        return
    items = _items(session, row.id)
    others = [i for i in items if i.id != item.id]
    at = _insert_position(others, urgent - {item.id})
    if items.index(item) > at:
        _renumber(session, others[:at] + [item] + others[at:])


def _add_item(session: Session, row: StaffingSession, item: AgendaItem) -> AgendaItem:
    items = _items(session, row.id)
    at = _insert_position(items)
    item.session_id = row.id
    item.position = at + 1
    session.add(item)
    session.flush()
    _renumber(session, items[:at] + [item] + items[at:])
    return item


# --- Sessions -----------------------------------------------------------------------------------


def _validate_session(kind: str, starts_at: str, place: str, orgs: list[str], known: set[str]):
    if kind not in SESSION_KINDS:
        raise ValidationError(f"Kind: choose one of {', '.join(SESSION_KINDS.values())}.")
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", starts_at or ""):
        raise ValidationError("Start time: use HH:MM, e.g. 10:00.")
    place = _text(place, "Place", MAX_PLACE)
    orgs = list(dict.fromkeys(orgs or []))
    if not orgs:
        raise ValidationError("Attending organizations: choose at least one.")
    unknown = [o for o in orgs if o not in known]
    if unknown:
        raise ValidationError(f"Attending organizations: unknown {', '.join(unknown)}.")
    return place, orgs


def _new_session(
    session: Session,
    *,
    kind: str,
    on: date,
    starts_at: str,
    place: str,
    orgs: list[str],
    cutoff_days: int,
    now: datetime,
    username: str,
) -> StaffingSession:
    row = StaffingSession(
        kind=kind,
        on=on,
        starts_at=starts_at,
        place=place,
        attending_org_codes=orgs,
        cutoff_on=submission_cutoff(on, cutoff_days),
        updated_at=now,
        updated_by=username,
    )
    session.add(row)
    session.flush()
    # Every agenda starts with the open action items and ends with the M3 standing items.
    for position, title in enumerate((ACTION_ITEMS_TITLE, *STANDING_TITLES), start=1):
        session.add(
            AgendaItem(
                session_id=row.id,
                position=position,
                kind="standing",
                title=title,
                minutes=STANDING_MINUTES[title],
            )
        )
    session.flush()
    return row


def schedule_session(
    engine: Engine,
    user: CurrentUser,
    *,
    kind: str,
    on: date,
    starts_at: str,
    place: str,
    attending_org_codes: list[str],
    today: date,
    now: datetime | None = None,
) -> int:
    """Schedule one session (its cut-off computed, standing items in place); returns its id."""
    _require_pm(user)
    now = now or utcnow()
    settings = get_settings(engine)
    if on < today:
        raise ValidationError("Date: it cannot be in the past.")
    with write_session(engine) as session:
        known = set(session.exec(select(Organization.code)))
        place, orgs = _validate_session(kind, starts_at, place, attending_org_codes, known)
        clash = session.exec(
            select(StaffingSession).where(StaffingSession.kind == kind, StaffingSession.on == on)
        ).first()
        if clash:
            raise ValidationError(f"Date: a {SESSION_KINDS[kind].lower()} is already on {on}.")
        row = _new_session(
            session,
            kind=kind,
            on=on,
            starts_at=starts_at,
            place=place,
            orgs=orgs,
            cutoff_days=settings.submission_cutoff_business_days,
            now=now,
            username=user.username,
        )
        audit.append(
            session,
            actor=user.actor,
            action="session.schedule",
            subject=f"session {on}",
            purpose=SESSION_KINDS[kind],
            now=now,
        )
        return row.id


def update_session(
    engine: Engine,
    user: CurrentUser,
    *,
    session_id: int,
    expected_version: int,
    starts_at: str,
    place: str,
    attending_org_codes: list[str],
    now: datetime | None = None,
) -> None:
    """Change a session's time, place or attending organizations (version-checked, audited)."""
    _require_pm(user)
    now = now or utcnow()
    with write_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        _check_version(row, expected_version)
        known = set(session.exec(select(Organization.code)))
        place, orgs = _validate_session(row.kind, starts_at, place, attending_org_codes, known)
        row.starts_at, row.place, row.attending_org_codes = starts_at, place, orgs
        _agenda_changed(session, row, user, "session details", now)


def _series_next(
    session: Session, kind: str, settings, today: date, now: datetime
) -> StaffingSession | None:
    """Create the next meeting of a series, on its grid, after its latest one and not in the
    past (PROTOCOL M1); None when the series has no session yet."""
    rows = list(
        session.exec(
            select(StaffingSession)
            .where(StaffingSession.kind == kind)
            .order_by(col(StaffingSession.on))
        )
    )
    if not rows:
        return None
    interval = (
        settings.workgroup_interval_days if kind == "workgroup" else settings.staffing_interval_days
    )
    latest = rows[-1]
    return _new_session(
        session,
        kind=kind,
        on=next_occurrence(rows[0].on, max(latest.on, today - timedelta(days=1)), interval),
        starts_at=latest.starts_at,
        place=latest.place,
        orgs=list(latest.attending_org_codes),
        cutoff_days=settings.submission_cutoff_business_days,
        now=now,
        username="system",
    )


def _extend_series(session: Session, settings, today: date, now: datetime) -> bool:
    kinds = list(session.exec(select(StaffingSession.kind).distinct()))
    for kind in sorted(kinds):
        _series_next(session, kind, settings, today, now)
    return bool(kinds)


def _accepting(session: Session, today: date):
    return session.exec(
        select(StaffingSession)
        .where(StaffingSession.on >= today, col(StaffingSession.finalized_at).is_(None))
        .where(StaffingSession.cutoff_on >= today)
        .order_by(col(StaffingSession.on), col(StaffingSession.id))
    ).first()


NO_SESSION = (
    "Session: no staffing session is scheduled yet. Ask the project manager to schedule one."
)


def _session_taking_names(
    session: Session, today: date, settings, now: datetime
) -> StaffingSession:
    """The next session still taking names (PROTOCOL M2): its cut-off not passed, not finalized.

    A name sent after a session's cut-off goes to the following one; each series is extended
    on its grid when no scheduled session is taking names.
    """
    for _ in range(6):
        row = _accepting(session, today)
        if row is not None:
            return row
        if not _extend_series(session, settings, today, now):
            break
    raise ValidationError(NO_SESSION)


def _following_session(
    session: Session, row: StaffingSession, settings, today: date, now: datetime
) -> StaffingSession:
    """The next session after this one that is not final (where carried-over names go)."""
    for _ in range(6):
        following = session.exec(
            select(StaffingSession)
            .where(StaffingSession.on > row.on, col(StaffingSession.finalized_at).is_(None))
            .order_by(col(StaffingSession.on), col(StaffingSession.id))
        ).first()
        if following is not None:
            return following
        if not _extend_series(session, settings, max(today, row.on), now):
            break
    raise ValidationError(NO_SESSION)


def list_sessions(engine: Engine, *, today: date, past: int = 6) -> list[dict]:
    """Upcoming sessions (soonest first) and the last few past ones (newest first)."""
    with read_session(engine) as session:
        rows = list(session.exec(select(StaffingSession).order_by(col(StaffingSession.on))))
        counts = dict(
            session.exec(
                select(Submission.session_id, func.count())
                .where(col(Submission.status).in_(INBOX_STATUSES))
                .group_by(Submission.session_id)
            ).all()
        )
    upcoming = [r for r in rows if r.on >= today]
    earlier = [r for r in rows if r.on < today][::-1][:past]
    return [_session_dict(r, today, counts.get(r.id, 0)) for r in upcoming + earlier]


def _session_dict(row: StaffingSession, today: date, inbox: int = 0) -> dict:
    return {
        "id": row.id,
        "kind": row.kind,
        "kind_label": SESSION_KINDS.get(row.kind, row.kind),
        "on": row.on,
        "starts_at": row.starts_at,
        "place": row.place,
        "attending": list(row.attending_org_codes),
        "cutoff_on": row.cutoff_on,
        "taking_names": row.finalized_at is None and today <= row.cutoff_on,
        "finalized_at": row.finalized_at,
        "agenda_version": row.agenda_version,
        "version": row.version,
        "label": session_label(row),
        "inbox": inbox,
        "past": row.on < today,
    }


def get_session(engine: Engine, session_id: int, today: date) -> dict:
    with read_session(engine) as session:
        return _session_dict(_get(session, StaffingSession, session_id, "Session"), today)


def default_session_id(sessions: list[dict]) -> int | None:
    """The session to open first: the next upcoming one, else the latest past one."""
    upcoming = [s for s in sessions if not s["past"]]
    if upcoming:
        return upcoming[0]["id"]
    return sessions[0]["id"] if sessions else None


def next_session_taking_names(engine: Engine, *, today: date) -> dict | None:
    """Where a name sent today goes (read-only; None when nothing is scheduled ahead)."""
    with read_session(engine) as session:
        row = _accepting(session, today)
        return _session_dict(row, today) if row else None


# --- Submissions (partners and case management staff) -----------------------------------------


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


# --- Agenda building (project manager) ----------------------------------------------------------


def _candidates(session: Session) -> list[dict]:
    rows = session.exec(select(*MATCH_COLUMNS).order_by(Participant.lead_id))
    return [
        {
            "id": pid,
            "lead_id": lead_id,
            "legal_name": legal,
            "preferred_name": preferred,
            "aliases": list(aliases or []),
            "dob": dob,
            "status": status.value if isinstance(status, ParticipantStatus) else status,
        }
        for pid, lead_id, legal, preferred, aliases, dob, status in rows
    ]


def _candidate_label(p: dict) -> str:
    born = f" · born {p['dob']}" if p["dob"] else ""
    return f"{p['lead_id']} · {p['legal_name']} ({p['preferred_name']}){born} · {p['status']}"


def _submission_row(sub: Submission, submitters: dict[str, str], time_zone: str) -> dict:
    at = sub.at if sub.at.tzinfo else sub.at.replace(tzinfo=UTC)
    return {
        "id": sub.id,
        "session_id": sub.session_id,
        "sent": local_time_text(at, time_zone),
        "organization": sub.organization_code,
        "submitted_by": submitters.get(sub.submitted_by, sub.submitted_by),
        "name": sub.person_name,
        "alias": sub.person_alias,
        "dob": sub.person_dob,
        "reason": sub.reason,
        "urgency": sub.urgency,
        "status": sub.status,
        "participant_id": sub.participant_id,
        "held_reason": sub.held_reason,
    }


def _submitters(session: Session) -> dict[str, str]:
    return dict(session.exec(select(User.username, User.display_name)).all())


AGENDA_WORK = AuditKeyedCache()  # the inbox's matches and the suggestions, per state of the data


def inbox(engine: Engine, user: CurrentUser, *, session_id: int) -> list[dict]:
    """Names waiting for the PM, urgent first, each with ranked participant suggestions.

    Computed once per state of the data (`services.reports.memo`): matching reads every
    participant."""
    _require_pm(user)
    return AGENDA_WORK.get(engine, ("inbox", session_id), lambda: _inbox(engine, session_id))


def _inbox(engine: Engine, session_id: int) -> list[dict]:
    with read_session(engine) as session:
        subs = list(
            session.exec(
                select(Submission).where(
                    Submission.session_id == session_id,
                    col(Submission.status).in_(INBOX_STATUSES),
                )
            )
        )
        if not subs:  # nothing to match: do not read every participant's names
            return []
        people = _candidates(session)
        submitters = _submitters(session)
    time_zone = get_settings(engine).time_zone
    by_id = {p["id"]: p for p in people}
    index = prepare_candidates(people)
    order = {u: i for i, u in enumerate(reversed(URGENCIES))}
    subs.sort(key=lambda s: (order.get(s.urgency, 9), s.at, s.id))
    rows = []
    for sub in subs:
        row = _submission_row(sub, submitters, time_zone)
        typed = {"name": sub.person_name, "alias": sub.person_alias, "dob": sub.person_dob}
        ranked = rank_matches(typed, people, people=index)
        if sub.participant_id in by_id:  # the submitter picked a participant from their list
            picked = by_id[sub.participant_id]
            ranked = [
                {**picked, "score": 1.0, "band": "strong", "why": "picked by the submitter"}
            ] + [r for r in ranked if r["id"] != picked["id"]]
        # Only a strong match is preselected; otherwise the agenda page asks the PM to choose.
        row["confident"] = bool(ranked) and ranked[0]["band"] == "strong"
        row["suggestions"] = [
            {
                "participant_id": r["id"],
                "band": r["band"],
                "label": f"{_candidate_label(r)} · {r['band']} match ({r['why']})",
            }
            for r in ranked
        ]
        rows.append(row)
    return _mark_duplicates(rows)


def _mark_duplicates(rows: list[dict]) -> list[dict]:
    """Each typed name's likely duplicates (`together` on the group's first row, `same_as` on the
    others): the PM places or holds them as one. Picked participants need no guessing."""
    typed = [
        {"id": r["id"], "name": r["name"], "alias": r["alias"], "dob": r["dob"]}
        for r in rows
        if r["participant_id"] is None
    ]
    by_id = {r["id"]: r for r in rows}
    for row in rows:
        row["together"], row["same_as"] = [], None
    for first, *others in likely_duplicates(typed):
        by_id[first]["together"] = others
        for other in others:
            by_id[other]["same_as"] = first
    return rows


def held_submissions(engine: Engine, user: CurrentUser, *, session_id: int) -> list[dict]:
    """Held names with the reason: for the project manager's eyes only."""
    _require_pm(user)
    with read_session(engine) as session:
        subs = session.exec(
            select(Submission)
            .where(Submission.session_id == session_id, Submission.status == "held")
            .order_by(col(Submission.at))
        ).all()
        submitters = _submitters(session)
    time_zone = get_settings(engine).time_zone
    return [_submission_row(s, submitters, time_zone) for s in subs]


def late_submissions(engine: Engine, user: CurrentUser, *, session_id: int) -> list[dict]:
    """Names sent after this session's cut-off (filed for a later one) the PM may pull in."""
    _require_pm(user)
    with read_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        later = session.exec(
            select(Submission)
            .join(StaffingSession, col(StaffingSession.id) == col(Submission.session_id))
            .where(
                StaffingSession.on > row.on,
                col(Submission.status).in_(INBOX_STATUSES),
            )
            .order_by(col(Submission.at))
        ).all()
        submitters = _submitters(session)
        settings = get_settings(engine)
    late = [s for s in later if _local_day(s.at, settings.time_zone) > row.cutoff_on]
    return [_submission_row(s, submitters, settings.time_zone) for s in late]


def pull_in(
    engine: Engine,
    user: CurrentUser,
    *,
    submission_id: int,
    session_id: int,
    now: datetime | None = None,
) -> None:
    """Take a name sent after the cut-off into this session anyway (PM's call, PROTOCOL M2)."""
    _require_pm(user)
    now = now or utcnow()
    with write_session(engine) as session:
        sub = _get(session, Submission, submission_id, "Submission")
        row = _get(session, StaffingSession, session_id, "Session")
        if sub.status not in INBOX_STATUSES:
            raise ValidationError("Submission: it was already handled.")
        sub.session_id = row.id
        session.add(sub)
        audit.append(
            session,
            actor=user.actor,
            action="submission.pull_in",
            subject=f"session {row.on}",
            now=now,
        )


def _why_lines(session: Session, row: StaffingSession, participant_id: int, item: AgendaItem):
    """Every reason and submitter for one person, plus why the item was suggested."""
    keep = [line for line in item.why.splitlines() if line.startswith("Suggested: ")]
    subs = session.exec(
        select(Submission).where(
            Submission.session_id == row.id,
            Submission.participant_id == participant_id,
            Submission.status == "on_agenda",
        )
    ).all()
    return "\n".join(keep + _reason_lines(session, list(subs)))


def _reason_lines(session: Session, subs: list[Submission]) -> list[str]:
    names = _submitters(session)
    return [
        f"{s.organization_code} ({names.get(s.submitted_by, s.submitted_by)}, {s.urgency}): "
        f"{s.reason}"
        for s in sorted(subs, key=lambda s: (s.at, s.id))
    ]


def _subs(session: Session, ids: list[int]) -> tuple[list[Submission], StaffingSession]:
    """The submissions (one session, none placed yet) and their session."""
    subs = [_get(session, Submission, sid, "Submission") for sid in dict.fromkeys(ids)]
    row = _get(session, StaffingSession, subs[0].session_id, "Session")
    if any(s.session_id != row.id for s in subs):
        raise ValidationError("Submissions: handle names of one session together.")
    if any(s.status == "on_agenda" for s in subs):
        raise ValidationError("Submission: it is already on the agenda.")
    return subs, row


def confirm_match(
    engine: Engine,
    user: CurrentUser,
    *,
    submission_id: int,
    participant_id: int | None,
    today: date,
    lead_id: str = "",
    together: list[int] | tuple = (),
    now: datetime | None = None,
) -> dict:
    """Confirm who a name is and place it on the agenda, merged with other names for the person.

    `lead_id`, when given, names the participant instead of `participant_id` (someone the
    suggestions missed). `together`: likely duplicates of the name (`likely_duplicates`), placed
    or held with it. Not a participant, or no active release covering every attending
    organization outside the LEAD team: the name is held and the reason kept for the PM only
    (PROTOCOL C3).
    """
    _require_pm(user)
    now = now or utcnow()
    with write_session(engine) as session:
        if lead_id.strip():
            participant_id = session.exec(
                select(Participant.id).where(Participant.lead_id == lead_id.strip().upper())
            ).first()
            if participant_id is None:
                raise ValidationError(f"LEAD id: no participant {lead_id.strip().upper()}.")
        subs, row = _subs(session, [submission_id, *together])
        results = [_confirm(session, user, row, sub, participant_id, today, now) for sub in subs]
    if len(results) == 1:
        return results[0]
    return {**results[0], "message": f"{results[0]['message']} {len(results)} names together."}


def _confirm(
    session: Session,
    user: CurrentUser,
    row: StaffingSession,
    sub: Submission,
    participant_id: int | None,
    today: date,
    now: datetime,
) -> dict:
    subject = "not a participant"
    if participant_id is None:
        problem = NOT_A_PARTICIPANT
    else:
        participant = _get(session, Participant, participant_id, "Participant")
        subject = participant.lead_id
        problem = consent_problem(session, row, participant_id, today)
    sub.participant_id = participant_id
    if problem:
        sub.status, sub.held_reason = "held", problem
        session.add(sub)
        audit.append(
            session,
            actor=user.actor,
            action="submission.hold",
            subject=subject,
            outcome="held",
            purpose=f"agenda for session {row.on}",
            now=now,
        )
        return {"placed": False, "message": f"Held: {problem}"}
    item = session.exec(
        select(AgendaItem).where(
            AgendaItem.session_id == row.id, AgendaItem.participant_id == participant_id
        )
    ).first()
    merged = item is not None
    if item is None:
        item = _add_item(
            session,
            row,
            AgendaItem(
                kind="participant",
                participant_id=participant_id,
                title=subject,
                minutes=PARTICIPANT_MINUTES,
            ),
        )
    sub.status, sub.held_reason, sub.agenda_item_id = "on_agenda", "", item.id
    session.add(sub)
    session.flush()
    item.why = _why_lines(session, row, participant_id, item)
    bump_version(item, now, user.username)
    session.add(item)
    _urgent_first(session, row, item)
    _agenda_changed(session, row, user, f"{subject} placed", now)
    verb = "Merged into" if merged else "Placed on the agenda as"
    return {"placed": True, "message": f"{verb} item {item.position} ({subject})."}


def place_candidate(
    engine: Engine,
    user: CurrentUser,
    *,
    submission_id: int,
    together: list[int] | tuple = (),
    now: datetime | None = None,
) -> dict:
    """Place a person who is not a participant as a referral candidate item (PROTOCOL S5: the
    PM knows of every candidate): shown by the name typed, marked as not a participant, with
    the reasons sent and no participant data. `together`: likely duplicates placed with it."""
    _require_pm(user)
    now = now or utcnow()
    with write_session(engine) as session:
        subs, row = _subs(session, [submission_id, *together])
        first = subs[0]
        item = _add_item(
            session,
            row,
            AgendaItem(
                kind=CANDIDATE_KIND,
                title=(first.person_name or first.person_alias)[:MAX_NAME],
                minutes=PARTICIPANT_MINUTES,
            ),
        )
        for sub in subs:
            sub.status, sub.held_reason = "on_agenda", ""
            sub.participant_id, sub.agenda_item_id = None, item.id
            session.add(sub)
        session.flush()
        item.why = "\n".join(_reason_lines(session, subs))
        item.updated_at, item.updated_by = now, user.username
        session.add(item)
        _urgent_first(session, row, item)
        _agenda_changed(session, row, user, "referral candidate placed", now)
        position = item.position
    names = f" {len(subs)} names together." if len(subs) > 1 else ""
    return {
        "placed": True,
        "message": f"Placed as item {position}: a referral candidate, not a participant.{names}",
    }


def hold_submission(
    engine: Engine,
    user: CurrentUser,
    *,
    submission_id: int,
    reason: str,
    together: list[int] | tuple = (),
    now: datetime | None = None,
) -> None:
    """Hold a name back for a reason of the PM's own (kept from the submitter); `together`: its
    likely duplicates, held with it."""
    _require_pm(user)
    now = now or utcnow()
    reason = _text(reason, "Reason for holding", MAX_HOLD_REASON, required=True)
    with write_session(engine) as session:
        try:
            subs, row = _subs(session, [submission_id, *together])
        except ValidationError as exc:
            if "already on the agenda" in str(exc):
                raise ValidationError("Submission: remove its agenda item first.") from exc
            raise
        for sub in subs:
            sub.status, sub.held_reason = "held", f"Held by the project manager: {reason}"
            session.add(sub)
            audit.append(
                session,
                actor=user.actor,
                action="submission.hold",
                subject=f"session {row.on}",
                outcome="held",
                now=now,
            )


def carry_submission(
    engine: Engine,
    user: CurrentUser,
    *,
    submission_id: int,
    today: date,
    now: datetime | None = None,
) -> None:
    """Move a name to the next session (status 'carried over')."""
    _require_pm(user)
    now = now or utcnow()
    settings = get_settings(engine)
    with write_session(engine) as session:
        sub = _get(session, Submission, submission_id, "Submission")
        row = _get(session, StaffingSession, sub.session_id, "Session")
        if sub.status == "on_agenda":
            raise ValidationError("Submission: remove its agenda item first.")
        target = _following_session(session, row, settings, today, now)
        sub.session_id, sub.status, sub.held_reason = target.id, "carried", ""
        session.add(sub)
        audit.append(
            session,
            actor=user.actor,
            action="submission.carry",
            subject=f"session {target.on}",
            now=now,
        )


def agenda(engine: Engine, user: CurrentUser, *, session_id: int, today: date) -> dict:
    """The agenda with running times and, per participant item, whether consent still holds."""
    _require_pm(user)
    with read_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        items = _items(session, session_id)
        pids = [i.participant_id for i in items if i.participant_id]
        people = {
            p.id: p for p in session.exec(select(Participant).where(col(Participant.id).in_(pids)))
        }
        problems = {pid: consent_problem(session, row, pid, today) for pid in pids}
        urgent = _urgent_item_ids(session, session_id)
    times = running_times(row.starts_at, [i.minutes for i in items])
    rows = []
    for item, (start, end) in zip(items, times, strict=True):
        person = people.get(item.participant_id)
        rows.append(
            {
                "id": item.id,
                "position": item.position,
                "kind": item.kind,
                "title": _title(item, person),
                "why": item.why,
                "minutes": item.minutes,
                "start": start,
                "end": end,
                "prep_notes": item.prep_notes,
                "summary": item.summary,
                "decisions": item.decisions,
                "curtain_text": item.curtain_text,
                "version": item.version,
                "participant_id": item.participant_id,
                "consent": problems.get(item.participant_id) if item.participant_id else None,
                "urgent": item.id in urgent,
            }
        )
    return {
        "session": _session_dict(row, today),
        "items": rows,
        "ends_at": times[-1][1] if times else row.starts_at,
        "total_minutes": sum(i.minutes for i in items),
    }


def _title(item: AgendaItem, person: Participant | None) -> str:
    if item.kind == CANDIDATE_KIND:
        return f"{CANDIDATE_LABEL}: {item.title}"
    if person is None:
        return item.title
    return f"{person.lead_id} · {display_name(person.preferred_name, person.legal_name)}"


def agenda_rows(view: dict) -> list[dict]:
    """The agenda as table rows for the PM (prep notes shown as present or not, never exported)."""
    return [
        {
            "#": i["position"],
            "Urgent": URGENT_MARK if i["urgent"] else "",
            "Time": f"{i['start']}-{i['end']}",
            "Minutes": i["minutes"],
            "Kind": i["kind"],
            "Item": i["title"],
            "Consent": "—"
            if not i["participant_id"]
            else ("✓ ok" if i["consent"] is None else "✕ withheld (C3)"),
            "Why": i["why"],
            "Prep notes": "✎ yes" if i["prep_notes"] else "",
        }
        for i in view["items"]
    ]


def move_item(
    engine: Engine,
    user: CurrentUser,
    *,
    item_id: int,
    direction: int,
    expected_version: int,
    now: datetime | None = None,
) -> None:
    """Move an item up (-1) or down (+1); `expected_version` is the session's."""
    _require_pm(user)
    if direction not in (-1, 1):
        raise ValidationError("Direction: up or down.")
    now = now or utcnow()
    with write_session(engine) as session:
        item = _get(session, AgendaItem, item_id, "Agenda item")
        row = _get(session, StaffingSession, item.session_id, "Session")
        _check_version(row, expected_version)
        items = _items(session, row.id)
        index = [i.id for i in items].index(item.id)
        other = index + direction
        if not 0 <= other < len(items):
            raise ValidationError("Order: the item is already at that end of the agenda.")
        items[index], items[other] = items[other], items[index]
        _renumber(session, items)
        _agenda_changed(session, row, user, "order", now)


def update_item(
    engine: Engine,
    user: CurrentUser,
    *,
    item_id: int,
    expected_version: int,
    minutes: int,
    prep_notes: str,
    now: datetime | None = None,
) -> None:
    """Time box and private preparation notes (never presented or exported)."""
    _require_pm(user)
    now = now or utcnow()
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_ITEM_MINUTES:
        raise ValidationError(f"Minutes: from 1 to {MAX_ITEM_MINUTES}.")
    prep_notes = _text(prep_notes, "Preparation notes", MAX_NOTES)
    with write_session(engine) as session:
        item = _get(session, AgendaItem, item_id, "Agenda item")
        _check_version(item, expected_version)
        row = _get(session, StaffingSession, item.session_id, "Session")
        changed_minutes = item.minutes != minutes
        item.minutes, item.prep_notes = minutes, prep_notes
        bump_version(item, now, user.username)
        session.add(item)
        _agenda_changed(session, row, user, "time box" if changed_minutes else "notes", now)


def remove_item(
    engine: Engine,
    user: CurrentUser,
    *,
    item_id: int,
    expected_version: int,
    now: datetime | None = None,
) -> None:
    """Take an item off the agenda; its names go back to the inbox. Outcomes keep it."""
    _require_pm(user)
    now = now or utcnow()
    with write_session(engine) as session:
        item = _get(session, AgendaItem, item_id, "Agenda item")
        row = _get(session, StaffingSession, item.session_id, "Session")
        _check_version(row, expected_version)
        has_actions = session.exec(
            select(ActionItem.id).where(ActionItem.agenda_item_id == item.id)
        ).first()
        if has_actions or item.summary or item.decisions:
            raise ValidationError("Item: it has recorded outcomes, so it stays on the agenda.")
        placed = Submission.agenda_item_id == item.id
        if item.participant_id:
            placed = placed | (Submission.participant_id == item.participant_id)
        for sub in session.exec(
            select(Submission).where(
                Submission.session_id == row.id, placed, Submission.status == "on_agenda"
            )
        ):
            sub.status, sub.agenda_item_id = "submitted", None
            session.add(sub)
        session.flush()
        session.delete(item)
        session.flush()
        _renumber(session, _items(session, row.id))
        _agenda_changed(session, row, user, "item removed", now)


def finalize(
    engine: Engine,
    user: CurrentUser,
    *,
    session_id: int,
    expected_version: int,
    today: date,
    now: datetime | None = None,
) -> int:
    """Lock the agenda (version 1); names still in the inbox are carried to the next session."""
    _require_pm(user)
    now = now or utcnow()
    settings = get_settings(engine)
    with write_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        _check_version(row, expected_version)
        if row.finalized_at is not None:
            raise ValidationError("Agenda: it is already final.")
        leftovers = list(
            session.exec(
                select(Submission).where(
                    Submission.session_id == row.id,
                    col(Submission.status).in_(INBOX_STATUSES),
                )
            )
        )
        if leftovers:
            target = _following_session(session, row, settings, today, now)
            for sub in leftovers:
                sub.session_id, sub.status = target.id, "carried"
                session.add(sub)
        row.finalized_at = now
        row.agenda_version = 1
        bump_version(row, now, user.username)
        session.add(row)
        audit.append(
            session,
            actor=user.actor,
            action="agenda.finalize",
            subject=f"session {row.on}",
            outcome="version 1",
            purpose=f"{len(leftovers)} name(s) carried over to the next session",
            now=now,
        )
        return len(leftovers)


# --- Suggestions -----------------------------------------------------------------------------


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


# --- Outcomes and action items ------------------------------------------------------------------


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
