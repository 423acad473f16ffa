"""The sections of one participant's record, each read only when the viewer may see it.

Intakes (PROTOCOL T4), the Individual Intervention Plan (P1), releases of information (C3, C4),
services and their funding and withdrawal (P2, P3), contacts, status and housing history, and
the open deadlines (T4, T5, C3/T6, S6; partners see those concerning their organization). Each
`add_*` function reads one section for a `Reading` and adds its table and timeline events to
`Parts`; services.participants.record puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import (
    ActionItem,
    Contact,
    HousingChange,
    Intake,
    Organization,
    OrgKind,
    Participant,
    PlanGoal,
    PlanGoalChange,
    Referral,
    Release,
    Service,
    StatusChange,
    User,
)
from services.access.auth import CurrentUser
from services.access.policy import PARTNER_ROLES
from services.core.site import get_settings
from services.participants.casework import (
    FACTOR_ANSWERS,
    FUNDING,
    INTAKE_FACTORS,
    TREATMENT_DOMAINS,
    public_domain,
)
from services.rules import consent as consent_rules
from services.rules.consent import release_status
from services.rules.deadlines import open_obligations

MAX_CONTACT_ROWS = 200

# Which open deadlines concern which partner (PROTOCOL T4, T5, S6; M4 the prosecutor decides).
DEADLINE_AUDIENCE = {
    "T4": frozenset({OrgKind.police, OrgKind.sheriff, OrgKind.corrections, OrgKind.prosecutor}),
    "T5": frozenset({OrgKind.prosecutor}),
    "S6": frozenset({OrgKind.police, OrgKind.sheriff}),
    "C3": frozenset(),
}


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


# --- Rows -----------------------------------------------------------------------------------


def event(on: date, at: datetime | None, what: str, detail: str, by: str) -> dict:
    return {
        "_on": on,
        "_at": (at.replace(tzinfo=None) if at else datetime.min),
        "Date": on.isoformat(),
        "What": what,
        "Detail": detail,
        "By": by,
    }


def intake_row(intake: Intake, needs: bool) -> dict:
    row = {"Date": intake.on.isoformat()}
    for key, label in INTAKE_FACTORS.items():
        row[label] = intake.factors.get(key, "not asked")
    if needs:
        row["Immediate needs met"] = intake.immediate_needs_met
    row["By"] = intake.username
    return row


def intake_summary(intake: Intake) -> str:
    identified = [
        label
        for key, label in INTAKE_FACTORS.items()
        if intake.factors.get(key) == FACTOR_ANSWERS[0]
    ]
    return "needs identified: " + (", ".join(identified) if identified else "none")


def release_row(release: Release, today: date) -> dict:
    state = release_status(
        {
            "signed_date": release.signed_date,
            "expires_date": release.expires_date,
            "rescinded_date": release.rescinded_date,
        },
        today,
    )
    return {
        "_id": release.id,
        "State today": state,
        "Kind": release.kind,
        "Signed": release.signed_date.isoformat(),
        "Expires": release.expires_date.isoformat() if release.expires_date else "",
        "Rescinded": release.rescinded_date.isoformat() if release.rescinded_date else "",
        "Covers": ", ".join(release.covered_org_codes),
        "Purpose": release.purpose,
        "Memorialised by": release.memorialised_by,
        "Recorded by": release.created_by,
    }


def service_row(service: Service) -> dict:
    return {
        "_id": service.id,
        "_open": service.withdrawn_on is None,
        "Type": service.category,
        "Provider": service.provider,
        "Start": service.start_on.isoformat(),
        "End": service.end_on.isoformat() if service.end_on else "",
        "Cost": f"${service.cost_cents / 100:,.2f}",
        "Funding (PROTOCOL P2)": FUNDING.get(service.funding, service.funding),
        "Withdrawn (PROTOCOL P3)": service.withdrawn_on.isoformat() if service.withdrawn_on else "",
        "Withdrawal reason": service.withdrawal_reason,
    }


def deadline_rows(
    session: Session, engine: Engine, user: CurrentUser, p: Participant, today: date
) -> list[dict]:
    """Open deadlines of this person: all for provider staff, those concerning a partner's org."""
    settings = get_settings(engine)
    org_kind = session.exec(
        select(Organization.kind).where(Organization.id == user.organization_id)
    ).first()
    partner = user.role in PARTNER_ROLES
    general = [
        r
        for r in session.exec(select(Release).where(Release.participant_id == p.id))
        if not r.treatment_information
    ]
    signed, rescinded = consent_rules.c3_inputs(
        min((r.signed_date for r in general), default=None),
        max((r.rescinded_date for r in general if r.rescinded_date), default=None),
        sum(1 for r in general if not r.rescinded_date),
    )
    rows = []
    for referral in session.exec(select(Referral).where(Referral.participant_id == p.id)):
        dates = {
            "referral_date": referral.referral_date,
            "initial_screening_date": referral.initial_screening_date,
            "intake_completed_date": referral.intake_completed_date,
            "intake_extended_to": referral.intake_extended_to,
            "roi_signed_date": signed,
            "roi_rescinded_date": rescinded,
            "prosecutor_notified_date": referral.prosecutor_notified_date,
            "social_contact_approved_date": referral.social_contact_approved_date,
            "reassessed_date": referral.reassessed_date,
            "closed_date": referral.closed_date,
        }
        kind = getattr(referral.referral_type, "value", referral.referral_type)
        for rule, due, message in open_obligations(
            kind,
            dates,
            today,
            intake_days=settings.intake_days,
            notice_days=settings.prosecutor_notice_days,
            approval_months=settings.social_contact_approval_months,
        ):
            if partner:
                if org_kind not in DEADLINE_AUDIENCE[rule]:
                    continue
                office = referral.prosecutor_office
                if rule == "T5" and office and office != user.organization_code:
                    continue
            rows.append({"Due": due.isoformat(), "Rule": rule, "What is owed": message})
    items = select(ActionItem).where(
        ActionItem.participant_id == p.id, col(ActionItem.done_on).is_(None)
    )
    if partner:
        items = items.where(ActionItem.owner_org_code == user.organization_code)
    for item in session.exec(items):
        rows.append(
            {
                "Due": item.due_on.isoformat(),
                "Rule": "action item",
                "What is owed": f"{item.owner_org_code or 'Team'}: {item.text}",
            }
        )
    rows.sort(key=lambda r: r["Due"])
    return rows
