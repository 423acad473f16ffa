"""The sections of one participant's record, each read only when the viewer may see it.

Intakes (PROTOCOL T4), the Individual Intervention Plan (P1), releases of information (C3, C4),
services and their funding and withdrawal (P2, P3), contacts, status and housing history, and
the open deadlines (T4, T5, C3/T6, S6; partners see those concerning their organization). Each
`add_*` function reads one section for a `Reading` and adds its table and timeline events to
`Parts` (the rows themselves: services.participants.record_rows); services.participants.record
puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import (
    Contact,
    HousingChange,
    Intake,
    Participant,
    PlanGoal,
    PlanGoalChange,
    Release,
    Service,
    StatusChange,
    User,
)
from services.access.auth import CurrentUser
from services.participants.casework import (
    TREATMENT_DOMAINS,
    public_domain,
)
from services.participants.record_rows import (
    deadline_rows,
    event,
    intake_row,
    intake_summary,
    release_row,
    service_row,
)

MAX_CONTACT_ROWS = 200


@dataclass(frozen=True)
class Reading:
    """One record being read: the session, the viewer, the person, the fields allowed, today.

    `names` maps staff ids, `by_username` usernames, to display names (for "By" columns).
    """

    session: Session
    engine: Engine
    user: CurrentUser
    p: Participant
    allowed: frozenset[str]
    today: date
    names: dict[int, str]
    by_username: dict[str, str]

    def who(self, username: str) -> str:
        return self.by_username.get(username, username)


@dataclass
class Parts:
    """What the sections add up to: tables by section key, timeline events, the intake date."""

    sections: dict[str, list[dict]] = field(default_factory=dict)
    timeline: list[dict] = field(default_factory=list)
    intake_date: str | None = None


def add_intakes(r: Reading, parts: Parts) -> None:
    """PROTOCOL T4: the in-depth intakes; their factors only for those who may see them."""
    if not {"intake_date", "intake_factors"} & r.allowed:
        return
    intakes = list(
        r.session.exec(
            select(Intake)
            .where(Intake.participant_id == r.p.id)
            .order_by(col(Intake.on).desc(), col(Intake.id).desc())
        )
    )
    parts.intake_date = intakes[0].on.isoformat() if intakes else "not recorded"
    if "intake_factors" in r.allowed:
        parts.sections["intakes"] = [
            intake_row(i, "immediate_needs" in r.allowed) | {"By": r.who(i.username)}
            for i in intakes
        ]
        parts.timeline += [
            event(i.on, i.at, "In-depth intake", intake_summary(i), r.who(i.username))
            for i in intakes
        ]
    else:
        parts.timeline += [
            event(i.on, i.at, "In-depth intake", "", r.who(i.username)) for i in intakes
        ]


def add_plan(r: Reading, parts: Parts) -> None:
    """PROTOCOL P1: the plan's domains (public words), or its goals and their history."""
    if not {"plan_domains", "plan_goals"} & r.allowed:
        return
    goals = list(
        r.session.exec(
            select(PlanGoal)
            .where(PlanGoal.participant_id == r.p.id)
            .order_by(col(PlanGoal.started_on), col(PlanGoal.id))
        )
    )
    if "plan_domains" in r.allowed:
        parts.sections["plan_domains"] = [
            {
                "Domain": public_domain(g.domain),
                "Status": g.status,
                "Since": g.status_on.isoformat(),
            }
            for g in goals
        ]
    if "plan_goals" in r.allowed:
        _add_plan_goals(r, parts, goals)
    else:
        parts.timeline += [
            event(
                g.status_on,
                g.updated_at,
                "Plan goal",
                f"{public_domain(g.domain)}: {g.status}",
                "",
            )
            for g in goals
        ]


def _add_plan_goals(r: Reading, parts: Parts, goals: list[PlanGoal]) -> None:
    parts.sections["plan_goals"] = [
        {
            "_id": g.id,
            "_version": g.version,
            "Domain": g.domain,
            "Goal (participant's words)": g.goal,
            "Status": g.status,
            "Started": g.started_on.isoformat(),
            "Status since": g.status_on.isoformat(),
        }
        for g in goals
    ]
    changes = (
        list(
            r.session.exec(
                select(PlanGoalChange)
                .where(col(PlanGoalChange.goal_id).in_([g.id for g in goals]))
                .order_by(col(PlanGoalChange.on).desc(), col(PlanGoalChange.id).desc())
            )
        )
        if goals
        else []
    )
    by_id = {g.id: g for g in goals}
    parts.sections["plan_history"] = [
        {
            "Date": c.on.isoformat(),
            "Goal": by_id[c.goal_id].goal,
            "Status": c.status,
            "By": r.who(c.username),
        }
        for c in changes
    ]
    parts.timeline += [
        event(
            c.on,
            c.at,
            "Plan goal",
            f"{by_id[c.goal_id].domain}: {c.status}",
            r.who(c.username),
        )
        for c in changes
    ]


def add_deadlines(r: Reading, parts: Parts) -> None:
    if "open_deadlines" in r.allowed:
        parts.sections["open_deadlines"] = deadline_rows(r.session, r.engine, r.user, r.p, r.today)


def add_releases(r: Reading, parts: Parts) -> None:
    """PROTOCOL C3, C4: general releases and treatment-information releases, kept apart."""
    if not {"releases", "treatment_releases"} & r.allowed:
        return
    rows = list(
        r.session.exec(
            select(Release)
            .where(Release.participant_id == r.p.id)
            .order_by(col(Release.signed_date).desc(), col(Release.id).desc())
        )
    )
    for kind_field, treatment in (("releases", False), ("treatment_releases", True)):
        if kind_field not in r.allowed:
            continue
        chosen = [x for x in rows if x.treatment_information is treatment]
        parts.sections[kind_field] = [release_row(x, r.today) for x in chosen]
        what = "Treatment-information release" if treatment else "Release of information"
        for x in chosen:
            parts.timeline.append(
                event(
                    x.signed_date,
                    x.created_at,
                    f"{what} signed",
                    f"{x.kind}; expires {x.expires_date}",
                    r.who(x.created_by),
                )
            )
            if x.rescinded_date:
                parts.timeline.append(event(x.rescinded_date, None, f"{what} rescinded", "", ""))


def add_services(r: Reading, parts: Parts) -> None:
    """PROTOCOL P2, P3: services (treatment ones apart), started, withdrawn or ended."""
    if not {"services", "treatment_services"} & r.allowed:
        return
    services = list(
        r.session.exec(
            select(Service)
            .where(Service.participant_id == r.p.id)
            .order_by(col(Service.start_on).desc(), col(Service.id).desc())
        )
    )
    for key, treatment in (("services", False), ("treatment_services", True)):
        if key not in r.allowed:
            continue
        chosen = [s for s in services if (s.category in TREATMENT_DOMAINS) is treatment]
        parts.sections[key] = [service_row(s) for s in chosen]
        for s in chosen:
            parts.timeline.append(
                event(
                    s.start_on,
                    s.at,
                    "Service started",
                    f"{s.category} at {s.provider}",
                    r.who(s.username),
                )
            )
            if s.withdrawn_on:
                parts.timeline.append(
                    event(
                        s.withdrawn_on,
                        None,
                        "Service withdrawn (PROTOCOL P3)",
                        f"{s.category}: {s.withdrawal_reason}",
                        "",
                    )
                )
            elif s.end_on and s.end_on <= r.today:
                parts.timeline.append(event(s.end_on, None, "Service ended", s.category, ""))


def add_contacts(r: Reading, parts: Parts) -> None:
    """The latest MAX_CONTACT_ROWS contacts; their notes only for those who may read them."""
    if "contacts" not in r.allowed:
        return
    notes = "contact_notes" in r.allowed
    contacts = list(
        r.session.exec(
            select(Contact)
            .where(Contact.participant_id == r.p.id)
            .order_by(col(Contact.on).desc(), col(Contact.id).desc())
            .limit(MAX_CONTACT_ROWS)
        )
    )
    parts.sections["contacts"] = [
        {
            "Date": c.on.isoformat(),
            "Kind": c.kind,
            "Staff": r.names.get(c.staff_id, ""),
            "Minutes": c.minutes,
            **({"Case note": c.note} if notes else {}),
        }
        for c in contacts
    ]
    parts.timeline += [
        event(
            c.on,
            c.at,
            f"Contact ({c.kind}, {c.minutes} min)",
            c.note if notes else "",
            r.names.get(c.staff_id, ""),
        )
        for c in contacts
    ]


def add_status_history(r: Reading, parts: Parts) -> None:
    if "status_history" not in r.allowed:
        return
    changes = list(
        r.session.exec(
            select(StatusChange)
            .where(StatusChange.participant_id == r.p.id)
            .order_by(col(StatusChange.on).desc(), col(StatusChange.id).desc())
        )
    )
    parts.sections["status_history"] = [
        {
            "Date": c.on.isoformat(),
            "Status": c.status,
            "Reason": c.reason,
            "By": r.who(c.username),
        }
        for c in changes
    ]
    parts.timeline += [
        event(c.on, c.at, f"Status: {c.status}", c.reason, r.who(c.username)) for c in changes
    ]


def add_housing_history(r: Reading, parts: Parts) -> None:
    if "housing_history" not in r.allowed:
        return
    moves = list(
        r.session.exec(
            select(HousingChange)
            .where(HousingChange.participant_id == r.p.id)
            .order_by(col(HousingChange.on).desc(), col(HousingChange.id).desc())
        )
    )
    parts.sections["housing_history"] = [
        {"Date": h.on.isoformat(), "Housing situation": h.situation, "By": r.who(h.username)}
        for h in moves
    ]
    parts.timeline += [event(h.on, h.at, "Housing", h.situation, r.who(h.username)) for h in moves]


# In the order the record has always listed them (the timeline keeps it for same-time events).
SECTIONS = (
    add_intakes,
    add_plan,
    add_deadlines,
    add_releases,
    add_services,
    add_contacts,
    add_status_history,
    add_housing_history,
)


def staff_names(session: Session) -> tuple[dict[int, str], dict[str, str]]:
    """Display names of all staff, by user id and by username."""
    staff = session.exec(select(User.id, User.username, User.display_name)).all()
    return {uid: name for uid, _, name in staff}, {username: name for _, username, name in staff}
