"""What one session's items are built from, read once, and the sections of a participant item and
of a referral candidate item: allowed fields only (services.staffing.content says which).

Never case notes, goal wording or contact notes; plan domains and service categories about
treatment or health are left out (42 CFR Part 2; PROTOCOL C4). Under the privacy curtain free
text never shows (issue 11). A participant item is built only when a release covers every
attending organization (PROTOCOL C3); a referral candidate carries no participant data (S5).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import (
    ActionItem,
    AgendaItem,
    Contact,
    Participant,
    PlanGoal,
    PlanGoalChange,
    Service,
    StaffingSession,
    StatusChange,
    Submission,
    User,
)
from services.staffing.consent import consent_problem
from services.staffing.items import _urgent_item_ids
from services.staffing.review import _submitters
from services.staffing.suggested import DEADLINE_LABELS, _open_deadlines, _previous_session_day

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
# Free text under the privacy curtain (issue 11): never shown, never name-swapped.
CURTAINED = "free text hidden by the privacy curtain"


def is_restricted_topic(label: str) -> bool:
    """True for a plan domain or service category about treatment or health.

    >>> is_restricted_topic("Treatment (chemical dependency)"), is_restricted_topic("housing")
    (True, False)
    """
    return bool(RESTRICTED_TOPIC.search(label or ""))


def _section(label: str, lines=(), metrics=(), rows=()) -> dict:
    return {"label": label, "lines": list(lines), "metrics": list(metrics), "rows": list(rows)}


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
