"""The participant record: search, the audited view filtered field by field, identity edits.

Provider staff (project manager, case managers, clinical supervisor) see their agency's records.
Police, sheriff, corrections and prosecutors see a participant only under an active release of
information covering their organization (PROTOCOL C3), and then only partner-safe fields.
Community representatives never see a person's record (SECURITY 1-3, 8, 20). Which field goes
to whom is services/access/policy.py's one table; this module only fills the fields it allows,
and does not even read the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine, String, cast, func, or_, update
from sqlmodel import Session, col, select

from models import (
    ActionItem,
    Contact,
    HousingChange,
    Intake,
    Organization,
    OrgKind,
    Participant,
    ParticipantStatus,
    PlanGoal,
    PlanGoalChange,
    Referral,
    Release,
    Role,
    Service,
    StatusChange,
    User,
)
from services.access.auth import CurrentUser
from services.access.policy import (
    ASSIGNERS,
    CASEWORK_EDITORS,
    IDENTITY_EDITORS,
    PARTNER_ROLES,
    PROVIDER_ROLES,
    release_state,
    visible_fields,
)
from services.core import audit
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import StaleEditError, ValidationError, site_zone
from services.core.site import get_settings
from services.core.text import strip_controls
from services.participants.casework import (
    FACTOR_ANSWERS,
    FUNDING,
    INTAKE_FACTORS,
    TREATMENT_DOMAINS,
    check_date,
    check_text,
    general_releases,
    load_for_change,
    public_domain,
)
from services.rules import consent as consent_rules
from services.rules.consent import release_status
from services.rules.deadlines import open_obligations

MAX_QUERY_LENGTH = 80
MAX_SEARCH_ROWS = 500
MAX_CONTACT_ROWS = 200

FIELD_LABELS = {
    "lead_id": "LEAD id",
    "preferred_name": "Preferred name",
    "legal_name": "Legal name",
    "aliases": "Aliases",
    "date_of_birth": "Date of birth",
    "status": "Status",
    "case_manager": "Case manager",
    "case_manager_contact": "How to reach the case manager",
    "last_contact_date": "Last contact",
    "race_ethnicity": "Race and ethnicity",
    "primary_language": "Primary language",
    "interpreter_needed": "Interpreter needed",
    "gender_identity": "Gender identity",
    "housing_situation": "Housing situation",
    "intake_date": "In-depth intake",
    "case_notes": "Case notes",
    "substance_use": "Substance use",
    "mental_health": "Mental health",
    "criminal_history": "Criminal history",
}
SECTION_LABELS = {
    "plan_domains": "Individual Intervention Plan (IIP): domains and status",
    "open_deadlines": "Open deadlines",
    "releases": "Releases of information (ROI)",
    "treatment_releases": "Treatment-information releases (PROTOCOL C4)",
    "intakes": "In-depth intakes",
    "plan_goals": "Individual Intervention Plan (IIP) goals",
    "plan_history": "Goal history",
    "services": "Services",
    "treatment_services": "Treatment services",
    "contacts": "Contacts",
    "status_history": "Status history",
    "housing_history": "Housing over time",
    "timeline": "Timeline",
}

# Vocabularies for identity and status (all demographics optional, "declined" allowed).
STATUS_REASON_REQUIRED = frozenset({ParticipantStatus.inactive, ParticipantStatus.exited})
HOUSING_SITUATIONS = (
    "unsheltered",
    "vehicle",
    "emergency shelter",
    "transitional housing",
    "staying with others",
    "permanent housing",
    "institution (jail, hospital, treatment)",
    "unknown",
    "declined",
)
RACE_ETHNICITY = (
    "",
    "American Indian or Alaska Native",
    "Asian",
    "Black or African American",
    "Hispanic or Latino/a/e",
    "Middle Eastern or North African",
    "Native Hawaiian or Pacific Islander",
    "White",
    "Multiracial",
    "Another race or ethnicity",
    "declined",
)
GENDER_IDENTITIES = (
    "",
    "woman",
    "man",
    "non-binary",
    "transgender woman",
    "transgender man",
    "two-spirit",
    "another identity",
    "declined",
)
INTERPRETER = {"": None, "yes": True, "no": False}

# Which open deadlines concern which partner (PROTOCOL T4, T5, S6; M4 the prosecutor decides).
DEADLINE_AUDIENCE = {
    "T4": frozenset({OrgKind.police, OrgKind.sheriff, OrgKind.corrections, OrgKind.prosecutor}),
    "T5": frozenset({OrgKind.prosecutor}),
    "S6": frozenset({OrgKind.police, OrgKind.sheriff}),
    "C3": frozenset(),
}


@dataclass(frozen=True)
class RecordView:
    """What one user may see of one participant; `allowed` False means show nothing.

    `fields` holds single values by label; `sections` holds tables by section key (rows are plain
    dicts; keys starting with "_" carry ids and versions for edit forms, not for display).
    `edits` names the changes this user may make: identity, casework, assign.
    """

    allowed: bool
    consent: str
    fields: dict[str, str] = field(default_factory=dict)
    sections: dict[str, list[dict]] = field(default_factory=dict)
    participant_id: int | None = None
    version: int | None = None
    values: dict = field(default_factory=dict)
    edits: frozenset[str] = frozenset()

    def who(self) -> str:
        """Whose record this is, as this viewer may see it: the preferred name (else the legal
        name, when visible) and the LEAD id; e.g. "Avery · BUR-0007". Empty when denied."""
        name = self.fields.get("Preferred name") or self.fields.get("Legal name") or ""
        return " · ".join(part for part in (name, self.fields.get("LEAD id", "")) if part)

    def shown_text(self) -> str:
        """Everything this view would put on screen, as one string (for leak checks)."""
        parts = [f"{k}: {v}" for k, v in self.fields.items()]
        for name, rows in self.sections.items():
            parts.append(name)
            for row in rows:
                parts += [f"{k}: {v}" for k, v in row.items() if not k.startswith("_")]
        return "\n".join(parts)


# --- Who sees whom --------------------------------------------------------------------------


def _release_dicts(releases) -> list[dict]:
    return [
        {
            "signed_date": r.signed_date,
            "expires_date": r.expires_date,
            "rescinded_date": r.rescinded_date,
            "covered_org_codes": list(r.covered_org_codes),
            "treatment_information": r.treatment_information,
        }
        for r in releases
    ]


def _agency_ok(user: CurrentUser, organization_id: int) -> bool:
    # The project manager administers the site; case management staff see their agency's records.
    return user.role == Role.project_manager or organization_id == user.organization_id


def fields_for(user: CurrentUser, organization_id: int, consent: str) -> frozenset[str]:
    """The policy's fields for this user and record (empty: the user sees nothing)."""
    if user.role in PROVIDER_ROLES and not _agency_ok(user, organization_id):
        return frozenset()
    return visible_fields(user.role, consent)


def validate_query(query: str) -> str:
    query = (query or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationError(f"Search: use at most {MAX_QUERY_LENGTH} characters.")
    return query.casefold()


def _matches(lead_id: str, names: list[str], needle: str) -> bool:
    if not needle:
        return True
    if lead_id.casefold() == needle:
        return True
    return any(needle in name.casefold() for name in names)


def search(engine: Engine, user: CurrentUser, query: str, today: date) -> list[dict]:
    """Participants this user may see whose LEAD id equals, or a name or alias contains, query.

    Matching is done in Python on plain strings: `%`, `_` and quotes are ordinary characters.
    Reads plain columns only (no notes); partners' candidates are narrowed by their releases
    first. At most MAX_SEARCH_ROWS rows come back, in LEAD id order.
    """
    needle = validate_query(query)
    if user.role not in PROVIDER_ROLES | PARTNER_ROLES:
        return []
    columns = (
        Participant.id,
        Participant.lead_id,
        Participant.preferred_name,
        Participant.legal_name,
        Participant.aliases,
        Participant.status,
        Participant.case_manager_id,
        Participant.organization_id,
        Participant.last_contact_date,
    )
    with read_session(engine) as session:
        query_ = select(*columns).order_by(Participant.lead_id)
        releases: dict[int, list[dict]] = {}
        if user.role in PARTNER_ROLES:
            releases = general_releases(session, None)
            shared = [
                pid
                for pid, rows in releases.items()
                if release_state(rows, user.organization_code, today) == "active"
            ]
            if not shared:
                return []
            query_ = query_.where(col(Participant.id).in_(shared))
        elif user.role != Role.project_manager:
            query_ = query_.where(Participant.organization_id == user.organization_id)
        # Narrow in SQL, decide in Python: the rows above are already the ones this user may
        # see, so an empty search needs only the first page, and a search only candidates.
        if not needle:
            query_ = query_.limit(MAX_SEARCH_ROWS)
        elif _prefilter_safe(needle):
            query_ = query_.where(_candidates(needle, engine.dialect.name))
        managers = _names(session)
        results = []
        # Streamed, not .all(): an empty search stops reading at MAX_SEARCH_ROWS (issue 7: all
        # 10,000 rows were loaded to show the first 500).
        for pid, lead_id, preferred, legal, aliases, status, cm_id, org_id, last in session.exec(
            query_
        ):
            consent = release_state(releases.get(pid, []), user.organization_code, today)
            allowed = fields_for(user, org_id, consent)
            if "lead_id" not in allowed:
                continue
            # Partners match on what they may see: the LEAD id and the preferred name.
            names = [preferred, legal, *aliases] if "legal_name" in allowed else [preferred]
            if not _matches(lead_id, names, needle):
                continue
            results.append(
                {
                    "id": pid,
                    "LEAD id": lead_id,
                    "Name": preferred,
                    "Status": getattr(status, "value", status),
                    "Case manager": managers.get(cm_id, "unassigned"),
                    "Last contact": last.isoformat() if last else "none recorded",
                }
            )
            if len(results) >= MAX_SEARCH_ROWS:
                break
    return results


def _prefilter_safe(needle: str) -> bool:
    """SQL lower() agrees with str.casefold() on ASCII text (JSON text escapes quotes).

    The one gap: a stored letter that casefolds into ASCII (ß -> ss) is found by its own
    spelling, not by the ASCII one; every other search is exactly the Python match.
    """
    return needle.isascii() and '"' not in needle and "\\" not in needle


def _candidates(needle: str, dialect: str):
    """SQL: rows whose LEAD id or any name could match (a literal substring, never a pattern)."""
    find = func.instr if dialect == "sqlite" else func.strpos
    texts = (
        Participant.preferred_name,
        Participant.legal_name,
        cast(Participant.aliases, String),
    )
    return or_(
        func.lower(Participant.lead_id) == needle,
        *[find(func.lower(text_), needle) > 0 for text_ in texts],
    )


def _names(session: Session) -> dict[int, str]:
    return dict(session.exec(select(User.id, User.display_name)).all())


# --- The record ----------------------------------------------------------------------------


def view_record(
    engine: Engine, user: CurrentUser, participant_id: int, today: date, purpose: str
) -> RecordView:
    """The record as this user may see it, audited; raises AuditWriteError if the audit fails.

    A denied view carries no identifier and writes one audit row saying why.
    """
    with read_session(engine) as session:
        participant = session.get(Participant, participant_id)
        releases = general_releases(session, [participant_id]) if participant else {}
        consent = release_state(releases.get(participant_id, []), user.organization_code, today)
        allowed = fields_for(user, participant.organization_id, consent) if participant else None
        view = (
            _build(session, engine, user, participant, allowed, consent, today) if allowed else None
        )
    if participant is None:
        audit.record(engine, actor=user.actor, action="participant.view", outcome="not found")
        return RecordView(allowed=False, consent="none")
    if view is None:
        audit.record(
            engine,
            actor=user.actor,
            action="participant.view",
            subject=participant.lead_id,
            outcome=f"denied ({consent} release)",
            purpose=purpose,
        )
        return RecordView(allowed=False, consent=consent)
    audit.record(
        engine,
        actor=user.actor,
        action="participant.view",
        subject=participant.lead_id,
        purpose=purpose,
    )
    return view


def _build(
    session: Session,
    engine: Engine,
    user: CurrentUser,
    p: Participant,
    allowed: frozenset[str],
    consent: str,
    today: date,
) -> RecordView:
    staff = session.exec(select(User.id, User.username, User.display_name)).all()
    names = {uid: name for uid, _, name in staff}
    by_username = {username: name for _, username, name in staff}

    def who(username: str) -> str:
        return by_username.get(username, username)

    manager = names.get(p.case_manager_id)
    org = session.get(Organization, p.organization_id)
    values = {
        "lead_id": p.lead_id,
        "preferred_name": p.preferred_name,
        "legal_name": p.legal_name,
        "aliases": ", ".join(p.aliases),
        "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else "",
        "status": p.status.value,
        "case_manager": manager or "unassigned",
        "case_manager_contact": f"{manager}, {org.name if org else 'case management provider'}"
        " (through the LEAD case management office)"
        if manager
        else "",
        "last_contact_date": p.last_contact_date.isoformat()
        if p.last_contact_date
        else "none recorded",
        "race_ethnicity": p.race_ethnicity,
        "primary_language": p.primary_language,
        "interpreter_needed": {True: "yes", False: "no", None: ""}[p.interpreter_needed],
        "gender_identity": p.gender_identity,
        "housing_situation": p.housing_situation,
        "case_notes": p.case_notes,
        "substance_use": p.substance_use,
        "mental_health": p.mental_health,
        "criminal_history": p.criminal_history,
    }
    sections: dict[str, list[dict]] = {}
    timeline: list[dict] = []

    if {"intake_date", "intake_factors"} & allowed:
        intakes = list(
            session.exec(
                select(Intake)
                .where(Intake.participant_id == p.id)
                .order_by(col(Intake.on).desc(), col(Intake.id).desc())
            )
        )
        values["intake_date"] = intakes[0].on.isoformat() if intakes else "not recorded"
        if "intake_factors" in allowed:
            sections["intakes"] = [
                _intake_row(i, "immediate_needs" in allowed) | {"By": who(i.username)}
                for i in intakes
            ]
            timeline += [
                _event(i.on, i.at, "In-depth intake", _intake_summary(i), who(i.username))
                for i in intakes
            ]
        else:
            timeline += [
                _event(i.on, i.at, "In-depth intake", "", who(i.username)) for i in intakes
            ]

    if {"plan_domains", "plan_goals"} & allowed:
        goals = list(
            session.exec(
                select(PlanGoal)
                .where(PlanGoal.participant_id == p.id)
                .order_by(col(PlanGoal.started_on), col(PlanGoal.id))
            )
        )
        if "plan_domains" in allowed:
            sections["plan_domains"] = [
                {
                    "Domain": public_domain(g.domain),
                    "Status": g.status,
                    "Since": g.status_on.isoformat(),
                }
                for g in goals
            ]
        if "plan_goals" in allowed:
            sections["plan_goals"] = [
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
                    session.exec(
                        select(PlanGoalChange)
                        .where(col(PlanGoalChange.goal_id).in_([g.id for g in goals]))
                        .order_by(col(PlanGoalChange.on).desc(), col(PlanGoalChange.id).desc())
                    )
                )
                if goals
                else []
            )
            by_id = {g.id: g for g in goals}
            sections["plan_history"] = [
                {
                    "Date": c.on.isoformat(),
                    "Goal": by_id[c.goal_id].goal,
                    "Status": c.status,
                    "By": who(c.username),
                }
                for c in changes
            ]
            timeline += [
                _event(
                    c.on,
                    c.at,
                    "Plan goal",
                    f"{by_id[c.goal_id].domain}: {c.status}",
                    who(c.username),
                )
                for c in changes
            ]
        else:
            timeline += [
                _event(
                    g.status_on,
                    g.updated_at,
                    "Plan goal",
                    f"{public_domain(g.domain)}: {g.status}",
                    "",
                )
                for g in goals
            ]

    if "open_deadlines" in allowed:
        sections["open_deadlines"] = _deadlines(session, engine, user, p, today)

    if {"releases", "treatment_releases"} & allowed:
        rows = list(
            session.exec(
                select(Release)
                .where(Release.participant_id == p.id)
                .order_by(col(Release.signed_date).desc(), col(Release.id).desc())
            )
        )
        for kind_field, treatment in (("releases", False), ("treatment_releases", True)):
            if kind_field not in allowed:
                continue
            chosen = [r for r in rows if r.treatment_information is treatment]
            sections[kind_field] = [_release_row(r, today) for r in chosen]
            for r in chosen:
                what = "Treatment-information release" if treatment else "Release of information"
                timeline.append(
                    _event(
                        r.signed_date,
                        r.created_at,
                        f"{what} signed",
                        f"{r.kind}; expires {r.expires_date}",
                        who(r.created_by),
                    )
                )
                if r.rescinded_date:
                    timeline.append(_event(r.rescinded_date, None, f"{what} rescinded", "", ""))

    if {"services", "treatment_services"} & allowed:
        services = list(
            session.exec(
                select(Service)
                .where(Service.participant_id == p.id)
                .order_by(col(Service.start_on).desc(), col(Service.id).desc())
            )
        )
        for key, treatment in (("services", False), ("treatment_services", True)):
            if key not in allowed:
                continue
            chosen = [s for s in services if (s.category in TREATMENT_DOMAINS) is treatment]
            sections[key] = [_service_row(s) for s in chosen]
            for s in chosen:
                timeline.append(
                    _event(
                        s.start_on,
                        s.at,
                        "Service started",
                        f"{s.category} at {s.provider}",
                        who(s.username),
                    )
                )
                if s.withdrawn_on:
                    timeline.append(
                        _event(
                            s.withdrawn_on,
                            None,
                            "Service withdrawn (PROTOCOL P3)",
                            f"{s.category}: {s.withdrawal_reason}",
                            "",
                        )
                    )
                elif s.end_on and s.end_on <= today:
                    timeline.append(_event(s.end_on, None, "Service ended", s.category, ""))

    if "contacts" in allowed:
        notes = "contact_notes" in allowed
        contacts = list(
            session.exec(
                select(Contact)
                .where(Contact.participant_id == p.id)
                .order_by(col(Contact.on).desc(), col(Contact.id).desc())
                .limit(MAX_CONTACT_ROWS)
            )
        )
        sections["contacts"] = [
            {
                "Date": c.on.isoformat(),
                "Kind": c.kind,
                "Staff": names.get(c.staff_id, ""),
                "Minutes": c.minutes,
                **({"Case note": c.note} if notes else {}),
            }
            for c in contacts
        ]
        timeline += [
            _event(
                c.on,
                c.at,
                f"Contact ({c.kind}, {c.minutes} min)",
                c.note if notes else "",
                names.get(c.staff_id, ""),
            )
            for c in contacts
        ]

    if "status_history" in allowed:
        changes = list(
            session.exec(
                select(StatusChange)
                .where(StatusChange.participant_id == p.id)
                .order_by(col(StatusChange.on).desc(), col(StatusChange.id).desc())
            )
        )
        sections["status_history"] = [
            {
                "Date": c.on.isoformat(),
                "Status": c.status,
                "Reason": c.reason,
                "By": who(c.username),
            }
            for c in changes
        ]
        timeline += [
            _event(c.on, c.at, f"Status: {c.status}", c.reason, who(c.username)) for c in changes
        ]

    if "housing_history" in allowed:
        moves = list(
            session.exec(
                select(HousingChange)
                .where(HousingChange.participant_id == p.id)
                .order_by(col(HousingChange.on).desc(), col(HousingChange.id).desc())
            )
        )
        sections["housing_history"] = [
            {"Date": h.on.isoformat(), "Housing situation": h.situation, "By": who(h.username)}
            for h in moves
        ]
        timeline += [_event(h.on, h.at, "Housing", h.situation, who(h.username)) for h in moves]

    if user.role in PROVIDER_ROLES:
        timeline.sort(key=lambda e: (e["_on"], e["_at"]), reverse=True)
        sections["timeline"] = timeline
    fields = {FIELD_LABELS[name]: values[name] for name in FIELD_LABELS if name in allowed}
    edits = set()
    if user.role in IDENTITY_EDITORS:
        edits.add("identity")
    if user.role in CASEWORK_EDITORS:
        edits.add("casework")
    if user.role in ASSIGNERS:
        edits.add("assign")
    editable_values = (
        {
            "legal_name": p.legal_name,
            "preferred_name": p.preferred_name,
            "aliases": list(p.aliases),
            "date_of_birth": p.date_of_birth,
            "race_ethnicity": p.race_ethnicity,
            "primary_language": p.primary_language,
            "interpreter_needed": p.interpreter_needed,
            "gender_identity": p.gender_identity,
            "housing_situation": p.housing_situation,
            "status": p.status.value,
            "case_manager_id": p.case_manager_id,
        }
        if edits
        else {}
    )
    return RecordView(
        allowed=True,
        consent=consent,
        fields=fields,
        sections=sections,
        participant_id=p.id,
        version=p.version if edits else None,
        values=editable_values,
        edits=frozenset(edits),
    )


def _event(on: date, at: datetime | None, what: str, detail: str, by: str) -> dict:
    return {
        "_on": on,
        "_at": (at.replace(tzinfo=None) if at else datetime.min),
        "Date": on.isoformat(),
        "What": what,
        "Detail": detail,
        "By": by,
    }


def _intake_row(intake: Intake, needs: bool) -> dict:
    row = {"Date": intake.on.isoformat()}
    for key, label in INTAKE_FACTORS.items():
        row[label] = intake.factors.get(key, "not asked")
    if needs:
        row["Immediate needs met"] = intake.immediate_needs_met
    row["By"] = intake.username
    return row


def _intake_summary(intake: Intake) -> str:
    identified = [
        label
        for key, label in INTAKE_FACTORS.items()
        if intake.factors.get(key) == FACTOR_ANSWERS[0]
    ]
    return "needs identified: " + (", ".join(identified) if identified else "none")


def _release_row(release: Release, today: date) -> dict:
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


def _service_row(service: Service) -> dict:
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


def _deadlines(
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


# --- Identity, assignment, status, housing ----------------------------------------------------


def _save(
    session: Session,
    user: CurrentUser,
    participant_id: int,
    expected_version: int,
    now: datetime,
    **values,
) -> None:
    """One conditional UPDATE: a save based on a stale read changes nothing (SECURITY 25)."""
    result = session.exec(
        update(Participant)
        .where(col(Participant.id) == participant_id, col(Participant.version) == expected_version)
        .values(**values, version=expected_version + 1, updated_at=now, updated_by=user.username)
    )
    if result.rowcount != 1:
        by, at = session.exec(
            select(Participant.updated_by, Participant.updated_at).where(
                Participant.id == participant_id
            )
        ).one()
        raise StaleEditError(by, at, site_zone(session))


def _clean_identity(values: dict, today: date) -> dict:
    clean = {
        "legal_name": check_text(
            "Legal name", values.get("legal_name", ""), required=True, limit=120
        ),
        "preferred_name": check_text(
            "Preferred name", values.get("preferred_name", ""), required=True, limit=120
        ),
        "primary_language": check_text(
            "Primary language", values.get("primary_language", ""), required=False, limit=60
        ),
    }
    aliases = values.get("aliases") or []
    if isinstance(aliases, str):
        aliases = aliases.split(";")
    aliases = [strip_controls(a).strip() for a in aliases if a and a.strip()]
    if len(aliases) > 20 or any(len(a) > 120 for a in aliases):
        raise ValidationError("Aliases: at most 20, each under 120 characters.")
    clean["aliases"] = list(dict.fromkeys(aliases))
    dob = values.get("date_of_birth")
    if dob is not None:
        if not isinstance(dob, date) or dob > today:
            raise ValidationError("Date of birth: it cannot be in the future.")
        if dob.year < 1900:
            raise ValidationError("Date of birth: check the year.")
    clean["date_of_birth"] = dob
    for key, label, options in (
        ("race_ethnicity", "Race and ethnicity", RACE_ETHNICITY),
        ("gender_identity", "Gender identity", GENDER_IDENTITIES),
    ):
        value = values.get(key) or ""
        if value not in options:
            raise ValidationError(f"{label}: choose one of the listed options (or declined).")
        clean[key] = value
    interpreter = values.get("interpreter_needed")
    if interpreter not in (True, False, None):
        raise ValidationError("Interpreter needed: yes, no, or not recorded.")
    clean["interpreter_needed"] = interpreter
    return clean


def update_identity(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    expected_version: int,
    values: dict,
    today: date,
    now: datetime | None = None,
) -> None:
    """Save identity and demographics; a stale form raises StaleEditError, nothing saved."""
    clean = _clean_identity(values, today)
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id, IDENTITY_EDITORS)
        before = {k: getattr(participant, k) for k in clean}
        _save(session, user, participant_id, expected_version, now, **clean)
        changed = sorted(k for k in clean if clean[k] != before[k])
        audit.append(
            session,
            actor=user.actor,
            action="participant.edit",
            subject=participant.lead_id,
            purpose="changed: " + (", ".join(changed) or "nothing"),
            now=now,
        )


def case_managers(engine: Engine, organization_id: int) -> list[dict]:
    """Enabled case managers of an agency, for pickers."""
    with read_session(engine) as session:
        rows = session.exec(
            select(User.id, User.display_name)
            .where(
                User.role == Role.case_manager,
                User.organization_id == organization_id,
                col(User.disabled).is_(False),
            )
            .order_by(User.display_name)
        ).all()
    return [{"id": uid, "name": name} for uid, name in rows]


def assign_case_manager(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    expected_version: int,
    case_manager_id: int | None,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id, ASSIGNERS)
        if case_manager_id is not None:
            manager = session.get(User, case_manager_id)
            if (
                manager is None
                or manager.role != Role.case_manager
                or manager.disabled
                or manager.organization_id != participant.organization_id
            ):
                raise ValidationError(
                    "Case manager: choose an enabled case manager of the agency holding the record."
                )
        _save(session, user, participant_id, expected_version, now, case_manager_id=case_manager_id)
        audit.append(
            session,
            actor=user.actor,
            action="participant.assign",
            subject=participant.lead_id,
            purpose="case manager assigned" if case_manager_id else "case manager removed",
            now=now,
        )


def _has_intake(session: Session, participant_id: int) -> bool:
    if session.exec(select(Intake.id).where(Intake.participant_id == participant_id)).first():
        return True
    return (
        session.exec(
            select(Referral.id).where(
                Referral.participant_id == participant_id,
                col(Referral.intake_completed_date).is_not(None),
            )
        ).first()
        is not None
    )


def set_status(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    expected_version: int,
    status: str,
    on: date,
    reason: str,
    today: date,
    now: datetime | None = None,
) -> None:
    """Change the status with its date and reason; history is kept in StatusChange.

    Active needs the in-depth intake and a signed release (PROTOCOL T6). Inactive and exited need
    a reason; exit is the case manager's judgment that no clinical benefit is derived (P3).
    """
    try:
        new = ParticipantStatus(status)
    except ValueError:
        raise ValidationError("Status: choose referred, active, inactive or exited.") from None
    on = check_date("Status date", on, today=today)
    reason = check_text("Reason", reason, required=new in STATUS_REASON_REQUIRED, limit=300)
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id)
        if participant.status == new:
            raise ValidationError(f"Status: the participant is already {new.value}.")
        if new == ParticipantStatus.active:
            release = session.exec(
                select(Release.id).where(
                    Release.participant_id == participant_id,
                    col(Release.treatment_information).is_(False),
                    col(Release.rescinded_date).is_(None),
                    col(Release.signed_date) <= on,
                )
            ).first()
            if release is None or not _has_intake(session, participant_id):
                raise ValidationError(
                    "Status: a person becomes an active participant only once the in-depth "
                    "intake is recorded and a release of information is signed (PROTOCOL T6)."
                )
        _save(session, user, participant_id, expected_version, now, status=new)
        session.add(
            StatusChange(
                participant_id=participant_id,
                on=on,
                status=new.value,
                reason=reason,
                username=user.username,
                at=now,
            )
        )
        audit.append(
            session,
            actor=user.actor,
            action="participant.status",
            subject=participant.lead_id,
            purpose=f"status {participant.status.value} -> {new.value}",
            now=now,
        )


def record_housing(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    expected_version: int,
    situation: str,
    on: date,
    today: date,
    now: datetime | None = None,
) -> None:
    """A housing situation from a date; the record shows the latest one."""
    if situation not in HOUSING_SITUATIONS:
        raise ValidationError("Housing situation: choose one of the listed options.")
    on = check_date("Housing date", on, today=today)
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id)
        latest = session.exec(
            select(HousingChange.on)
            .where(HousingChange.participant_id == participant_id)
            .order_by(col(HousingChange.on).desc())
        ).first()
        session.add(
            HousingChange(
                participant_id=participant_id,
                on=on,
                situation=situation,
                username=user.username,
                at=now,
            )
        )
        # An older entry fills in history; only the newest sets the current situation.
        current = situation if latest is None or on >= latest else participant.housing_situation
        _save(session, user, participant_id, expected_version, now, housing_situation=current)
        audit.append(
            session,
            actor=user.actor,
            action="participant.housing",
            subject=participant.lead_id,
            purpose="housing situation recorded",
            now=now,
        )


def organization_codes(engine: Engine) -> list[str]:
    with read_session(engine) as session:
        return list(session.exec(select(Organization.code).order_by(Organization.code)))
