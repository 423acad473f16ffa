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
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from models import (
    ActionItem,
    AgendaItem,
    CommunityConcern,
    Contact,
    Participant,
    ParticipantStatus,
    PlanGoal,
    PlanGoalChange,
    Referral,
    ReferralType,
    Role,
    Service,
    StaffingSession,
    StatusChange,
    Submission,
    User,
)
from services.access.auth import CurrentUser
from services.core import audit
from services.core.audit import AuditWriteError
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.site import get_settings
from services.staffing.consent import consent_problem
from services.staffing.items import _get, _items, _require_pm, _urgent_item_ids
from services.staffing.review import _submitters
from services.staffing.rules import display_name, running_times
from services.staffing.suggested import (
    DEADLINE_LABELS,
    _open_actions_before,
    _open_deadlines,
    _previous_session_day,
)
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
CANDIDATE_NOTE = (
    "Shown by the name a partner typed: no participant record exists or is shown. Social "
    "contact referral criteria: PROTOCOL S1-S5; the project manager follows every candidate "
    "to its resolution (S5)."
)
# Plan domains and service categories that would reveal treatment or health (PROTOCOL C4).
RESTRICTED_TOPIC = re.compile(
    r"treat|chemical|substance|mental|medic|health|detox|recover|\bsud\b|psych|counsel|"
    r"therap|drug|alcohol|opioid|rehab|clinic|hospital|dental",
    re.IGNORECASE,
)
WITHHELD = (
    "This person can no longer be discussed at this session: no active release of information "
    "covers every attending organization (PROTOCOL C3)."
)
EFFICIENCY_DAYS = 90
# Free text under the privacy curtain (issue 11): never shown, never name-swapped.
CURTAINED = "free text hidden by the privacy curtain"
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


def is_restricted_topic(label: str) -> bool:
    """True for a plan domain or service category about treatment or health.

    >>> is_restricted_topic("Treatment (chemical dependency)"), is_restricted_topic("housing")
    (True, False)
    """
    return bool(RESTRICTED_TOPIC.search(label or ""))


def _section(label: str, lines=(), metrics=(), rows=()) -> dict:
    return {"label": label, "lines": list(lines), "metrics": list(metrics), "rows": list(rows)}


def _safe_lead_id(lead_id: str) -> str | None:
    return lead_id if LEAD_ID.fullmatch(lead_id or "") else None


# --- Loading ------------------------------------------------------------------------------------


class _Context:
    """What every item of one session needs, read once."""

    def __init__(self, session: Session, row: StaffingSession, today: date, settings) -> None:
        self.session, self.row, self.today, self.settings = session, row, today, settings
        previous = _previous_session_day(session, row)
        self.since = previous or row.on - timedelta(days=settings.workgroup_interval_days)
        self.until = max(today, self.since)
        self.users = dict(session.exec(select(User.id, User.display_name)).all())
        self.submitters = _submitters(session)
        self.lead_ids = dict(session.exec(select(Participant.id, Participant.lead_id)).all())
        self.urgent = _urgent_item_ids(session, row.id)
        self._consent: dict[int, str | None] = {}
        self.curtain = False  # set per item by _build

    def consent(self, participant_id: int) -> str | None:
        if participant_id not in self._consent:
            self._consent[participant_id] = consent_problem(
                self.session, self.row, participant_id, self.today
            )
        return self._consent[participant_id]


def _in_window(column, ctx: _Context):
    return (column > ctx.since) & (column <= ctx.until)


def _participant_sections(ctx: _Context, item: AgendaItem, person: Participant, curtain: bool):
    session = ctx.session
    pid = person.id
    status = getattr(person.status, "value", person.status)
    who = [f"LEAD id: {person.lead_id}", f"Status: {status}"]
    manager = ctx.users.get(person.case_manager_id)
    who.append(f"Case manager: {manager}" if manager else "Case manager: unassigned")
    reasons = _reasons(ctx, item, pid, curtain)
    goals = list(session.exec(select(PlanGoal).where(PlanGoal.participant_id == pid)))
    by_domain: dict[str, Counter] = {}
    for goal in goals:
        if not is_restricted_topic(goal.domain):
            by_domain.setdefault(goal.domain, Counter())[goal.status] += 1
    plan = [
        f"{domain}: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        for domain, counts in sorted(by_domain.items())
    ]
    deadlines = [
        f"{rule} {DEADLINE_LABELS.get(rule, rule)}: "
        + (f"overdue since {due}" if due < ctx.today else f"due {due}")
        for _pid, _lead, rule, due, _msg in sorted(
            _open_deadlines(session, ctx.settings, ctx.today, pid), key=lambda d: d[3]
        )
    ]
    since_lines, metrics = _since_last_session(ctx, pid, {g.id: g.domain for g in goals})
    actions = [
        f"Due {a.due_on} · {_owner(a, ctx.users)}: {CURTAINED if curtain else a.text}"
        for a in session.exec(
            select(ActionItem)
            .where(ActionItem.participant_id == pid, col(ActionItem.done_on).is_(None))
            .order_by(col(ActionItem.due_on))
        )
    ]
    return [
        _section("Who", who),
        _section("Why it is on the agenda", reasons or ["No reason recorded."]),
        _section(
            "Individual Intervention Plan: domains and progress",
            plan or ["No plan goals recorded yet."],
        ),
        _section("Open deadlines", deadlines or ["None open."]),
        _section(f"Since the last session ({ctx.since})", since_lines, metrics),
        _section("Open action items", actions or ["None open."]),
    ]


def _reasons(ctx: _Context, item: AgendaItem, pid: int, curtain: bool) -> list[str]:
    """The reasons sent and why the item was suggested.

    Under the privacy curtain the free text never shows: the project manager's curtain text, or
    who sent a reason and how urgent it is (issue 11: swapping names inside the text both
    missed nicknames and named people through places, so it is not attempted).
    """
    subs = ctx.session.exec(
        select(Submission)
        .where(
            Submission.session_id == ctx.row.id,
            Submission.participant_id == pid,
            Submission.status == "on_agenda",
        )
        .order_by(col(Submission.at))
    ).all()
    if curtain and item.curtain_text:
        reasons = [item.curtain_text]
    elif curtain:
        reasons = [f"Reason given by {s.organization_code}, {s.urgency}" for s in subs]
    else:
        reasons = [
            f"{s.organization_code} ({ctx.submitters.get(s.submitted_by, '')}, {s.urgency}): "
            f"{s.reason}"
            for s in subs
        ]
    # "Suggested:" lines are the app's own words (deadlines, contact gaps): no names in them.
    return reasons + [
        line.removeprefix("Suggested: ")
        for line in item.why.splitlines()
        if line.startswith("Suggested: ")
    ]


def _since_last_session(ctx: _Context, pid: int, goal_domains: dict[int, str]):
    session = ctx.session
    contacts = session.exec(
        select(func.count())
        .select_from(Contact)
        .where(Contact.participant_id == pid, _in_window(col(Contact.on), ctx))
    ).one()
    statuses = session.exec(
        select(StatusChange.status, StatusChange.on)
        .where(StatusChange.participant_id == pid, _in_window(col(StatusChange.on), ctx))
        .order_by(col(StatusChange.on))
    ).all()
    achieved = []
    if goal_domains:
        achieved = [
            goal_domains[goal_id]
            for goal_id, on in session.exec(
                select(PlanGoalChange.goal_id, PlanGoalChange.on).where(
                    col(PlanGoalChange.goal_id).in_(list(goal_domains)),
                    PlanGoalChange.status == "achieved",
                    _in_window(col(PlanGoalChange.on), ctx),
                )
            ).all()
        ]
    services = list(session.exec(select(Service).where(Service.participant_id == pid)))
    started = [s.category for s in services if ctx.since < s.start_on <= ctx.until]
    withdrawn = [
        s.category for s in services if s.withdrawn_on and ctx.since < s.withdrawn_on <= ctx.until
    ]
    lines = [f"Status changed to {status} on {on}" for status, on in statuses]
    lines += [f"Goal achieved: {d}" for d in achieved if not is_restricted_topic(d)]
    lines += [f"Service started: {c}" for c in started if not is_restricted_topic(c)]
    lines += [f"Service withdrawn: {c}" for c in withdrawn if not is_restricted_topic(c)]
    metrics = [
        ("Contacts", str(contacts)),
        ("Status changes", str(len(statuses))),
        ("Goals achieved", str(len(achieved))),
        ("Services started", str(len(started))),
        ("Services withdrawn", str(len(withdrawn))),
    ]
    return lines, metrics


def _owner(action: ActionItem, users: dict[int, str]) -> str:
    if action.owner_user_id is not None:
        return users.get(action.owner_user_id, "a user")
    return action.owner_org_code


def _action_rows(ctx: _Context) -> tuple[list[dict], list[int]]:
    rows, named = [], []
    for action, on in _open_actions_before(ctx.session, ctx.row):
        about, text = "the workgroup", CURTAINED if ctx.curtain else action.text
        if action.participant_id and ctx.consent(action.participant_id):
            about = text = "withheld (no release covering every attending organization)"
        elif action.participant_id:
            about = ctx.lead_ids.get(action.participant_id, "a participant")
            named.append(action.participant_id)
        rows.append(
            {
                "Due": action.due_on.isoformat(),
                "Owner": _owner(action, ctx.users),
                "About": about,
                "Action": text,
                "From session": _day(on),
            }
        )
    return rows, named


def _open_actions_section(ctx: _Context) -> tuple[list[dict], list[int]]:
    rows, named = _action_rows(ctx)
    lines = [] if rows else ["No open action items from earlier sessions."]
    return [_section("Not done yet", lines, rows=rows)], named


def _referral_criteria(ctx: _Context) -> tuple[list[dict], list[int]]:
    refs = ctx.session.exec(
        select(
            Referral.referral_type, Referral.screen_eligible, Referral.override_recommended
        ).where(_in_window(col(Referral.referral_date), ctx))
    ).all()
    kinds = Counter(getattr(kind, "value", kind) for kind, _e, _o in refs)
    metrics = [
        ("Referrals since the last session", str(len(refs))),
        ("Arrest diversions", str(kinds[ReferralType.arrest.value])),
        ("Social contacts", str(kinds[ReferralType.social_contact.value])),
        ("DOC referrals", str(kinds[ReferralType.doc.value])),
        ("Screened not eligible", str(sum(e is False for _k, e, _o in refs))),
        ("Overrides recommended (B13)", str(sum(bool(o) for _k, _e, o in refs))),
    ]
    lines = [
        "Arrest diversion criteria: PROTOCOL B1-B14; social contact referrals: S1-S7.",
        "The prosecutor keeps filing authority: the workgroup informs, never decides "
        "charges (PROTOCOL M4).",
    ]
    return [_section(f"Since {ctx.since}", lines, metrics)], []


def _program_capacity(ctx: _Context) -> tuple[list[dict], list[int]]:
    """PROTOCOL M7: active participants against case managers x caseload_per_fte."""
    per = dict(
        ctx.session.exec(
            select(Participant.case_manager_id, func.count())
            .where(Participant.status == ParticipantStatus.active)
            .group_by(Participant.case_manager_id)
        ).all()
    )
    managers = ctx.session.exec(
        select(User.id, User.display_name)
        .where(User.role == Role.case_manager, col(User.disabled).is_(False))
        .order_by(User.display_name)
    ).all()
    total = sum(per.values())
    per_fte = ctx.settings.caseload_per_fte
    capacity = len(managers) * per_fte
    metrics = [
        ("Active participants", str(total)),
        ("Case managers", str(len(managers))),
        (f"Capacity ({per_fte} per case manager, M7)", str(capacity)),
        ("Capacity in use", f"{round(100 * total / capacity)}%" if capacity else "no staff"),
    ]
    rows = [
        {"Case manager": name, "Active participants": per.get(uid, 0)} for uid, name in managers
    ]
    if per.get(None):
        rows.append({"Case manager": "unassigned", "Active participants": per[None]})
    return [_section("Caseload", metrics=metrics, rows=rows)], []


def _efficiency(ctx: _Context) -> tuple[list[dict], list[int]]:
    """Intake timeliness over the last EFFICIENCY_DAYS days (PROTOCOL T4, T5)."""
    settings, today = ctx.settings, ctx.today
    arrests = ctx.session.exec(
        select(Referral.referral_date, Referral.intake_completed_date).where(
            Referral.referral_type == ReferralType.arrest,
            Referral.referral_date > today - timedelta(days=EFFICIENCY_DAYS),
        )
    ).all()
    waits = sorted((done - ref).days for ref, done in arrests if done)
    overdue = Counter(
        rule
        for _p, _l, rule, due, _m in _open_deadlines(ctx.session, settings, today)
        if due < today
    )
    metrics = [
        (f"Arrest referrals, last {EFFICIENCY_DAYS} days", str(len(arrests))),
        ("Intakes completed", str(len(waits))),
        (
            f"Within {settings.intake_days} days (T4)",
            str(sum(w <= settings.intake_days for w in waits)),
        ),
        ("Median days to intake", str(waits[len(waits) // 2]) if waits else "none"),
        ("Intake deadlines overdue now (T4)", str(overdue["T4"])),
        ("Prosecutor notices overdue now (T5)", str(overdue["T5"])),
    ]
    return [_section("Intake timeliness", metrics=metrics)], []


def _community_concerns(ctx: _Context) -> tuple[list[dict], list[int]]:
    """Open areas of concern from the report-back log (PROTOCOL M3, M6): places, never people."""
    rows = [
        {
            "Raised": c.raised_on.isoformat(),
            "Area": CURTAINED if ctx.curtain else c.area,
            "Behaviour": CURTAINED if ctx.curtain else c.behaviour,
            "Status": c.status,
        }
        for c in ctx.session.exec(
            select(CommunityConcern)
            .where(CommunityConcern.status != "resolved")
            .order_by(col(CommunityConcern.raised_on))
        )
    ]
    lines = [] if rows else ["No open community concerns in the report-back log."]
    return [_section("Open concerns from the report-back log", lines, rows=rows)], []


STANDING_BUILDERS = {
    ACTION_ITEMS_TITLE: _open_actions_section,
    "Referral criteria": _referral_criteria,
    "Program capacity": _program_capacity,
    "Operational efficiency and effectiveness": _efficiency,
    "Community concerns": _community_concerns,
}


def _standing_sections(ctx: _Context, item: AgendaItem) -> tuple[list[dict], list[int]]:
    builder = STANDING_BUILDERS.get(item.title)
    if builder is not None:
        sections, named = builder(ctx)
        if ctx.curtain and item.curtain_text:
            sections = [_section("For the room", [item.curtain_text]), *sections]
        return sections, named
    why = [line.removeprefix("Suggested: ") for line in item.why.splitlines()]
    return [_section("Why it is on the agenda", why or ["No reason recorded."])], []


def _candidate_sections(ctx: _Context, item: AgendaItem, curtain: bool) -> list[dict]:
    """A referral candidate: the reasons sent, no participant data. Under the curtain the same
    rule as a participant's reasons: the PM's curtain text, else who sent each reason and how
    urgent it is (issue 11: no name swapping inside free text)."""
    if curtain and item.curtain_text:
        why = [item.curtain_text]
    elif curtain:
        subs = ctx.session.exec(
            select(Submission)
            .where(Submission.agenda_item_id == item.id)
            .order_by(col(Submission.at))
        ).all()
        why = [f"Reason given by {s.organization_code}, {s.urgency}" for s in subs]
    else:
        why = item.why.splitlines()
    return [
        _section("Not a LEAD participant", [CANDIDATE_NOTE]),
        _section("Why it is on the agenda", why or ["No reason recorded."]),
    ]


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
