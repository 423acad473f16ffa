"""Synthetic data at scale: N participants with years of history, deterministic (issue 7).

The same seed and anchor date always give the same rows (password hashes aside: bcrypt salts
them). Every person is clearly fake ("Avery Q. Sample"); every note says "Sample". Rows are
written with bulk inserts (`session.execute(insert(Model), rows)`, one executemany per table and
chunk of participants) and explicit primary keys: no ORM object per row.

Shapes (at 10,000 participants, about eight years of history):
- referrals: ~75% arrest, ~20% social contact, ~5% DOC; ~3% still open with T4/T5 clocks
  running, ~7% closed without an intake (declined, lapsed, charges filed); intake delays mostly
  1-2 days (the T4 optimum), some up to 30, a few extended; some people referred twice (B14);
- releases of information: most cover BPD and KCPAO, renewed every two years while engaged;
  some expired, some rescinded, some treatment-information releases (C4);
- intakes, Individual Intervention Plan goals by P1 domain with their history, services with
  P2 funding (some withdrawn, P3), about 100 contacts per participant (10,000 -> 1,000,000),
  status and housing history;
- case managers at one per 25 active participants (M7), the demo's sign-ins (`pm`, `cm1`,
  `bpd`...; password `lead-demo-pass`) so a scale database can be opened in a browser;
- staffing sessions every 28 days and workgroups every 14 (M1) with partners' submissions
  (M2), agenda and action items; quarterly community meetings and concerns (M6); the last four
  quarters published through services.reports.report_back (its own figures, frozen);
- a handful of audit rows, appended one by one through the chain (never in bulk).

Generated databases are cached as data/scale-<N>.db (git-ignored) with a data/scale-<N>.json
manifest, rebuilt only when missing or when GENERATOR_VERSION changes:
`python -m services.ops.admin generate --participants 10000`.
"""

from __future__ import annotations

import json
import math
import os
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, insert, inspect, select, text
from sqlmodel import SQLModel

from demo.seed import DEMO_PASSWORD, DEMO_USERS
from models import (
    ActionItem,
    AgendaItem,
    CommunityConcern,
    CommunityMeeting,
    Contact,
    Coverage,
    Disclosure,
    HousingChange,
    Intake,
    Organization,
    Participant,
    PlanGoal,
    PlanGoalChange,
    Referral,
    ReferralEvent,
    Release,
    ReportSnapshot,
    Role,
    Service,
    StaffingSession,
    StatusChange,
    Submission,
    User,
)
from services.core import audit
from services.core.audit import SYSTEM
from services.core.clock import local_today
from services.core.config import ROOT
from services.core.db import make_engine, migrate, read_session, schema_status, write_session
from services.core.site import ensure_defaults, get_settings
from services.rules.deadlines import intake_due, prosecutor_notice_due, prosecutor_notice_owed
from services.staffing import submission_cutoff

GENERATOR_VERSION = 2  # 2: report snapshots published by services.reports.report_back
DEFAULT_SEED = 2026
SCALES = (100, 1_000, 10_000)
CONTACTS_PER_PARTICIPANT = 100
CHUNK = 500  # participants per transaction
DATA_DIR = ROOT / "data"
Progress = Callable[[float, str], None]

FIRST_NAMES = (
    "Avery Alex Blake Casey Devon Emery Finley Harper Jamie Jordan Kendall Logan Morgan Parker "
    "Quinn Reese Riley Rowan Sage Skyler Taylor Teagan"
).split()
LAST_NAMES = (
    "Sample Example Placeholder Fictional Synthetic Testcase Mockup Specimen Dummy Prototype "
    "Madeup Pretend"
).split()
INITIALS = "ABCDEFGHJKLMNPRSTVWZ"
# The demo's sign-ins (without its two case managers: cm1...cmK are made per caseload), so the
# demo password opens a scale database.
CORE_USERS = tuple(user for user in DEMO_USERS if user[2] != Role.case_manager)
PARTNER_SUBMITTERS = (("bpd", "BPD"), ("kcso", "KCSO"), ("doc", "DOC"), ("kcpao", "KCPAO"))

# Vocabularies (the same words the services use: services.participants.casework,
# services.referrals).
OFFENSES = (
    ("vucsa_possession", 30),
    ("theft_misdemeanor", 18),
    ("criminal_trespass", 14),
    ("prostitution", 6),
    ("drug_traffic_loitering", 6),
    ("property_destruction_misdemeanor", 6),
    ("vucsa_pwi", 5),
    ("vucsa_delivery", 4),
    ("unlawful_bus_conduct", 4),
    ("park_violation", 4),
    ("obstructing", 3),
)
DRUG_OFFENSES = {"vucsa_possession", "vucsa_pwi", "vucsa_delivery", "drug_traffic_loitering"}
DRUGS = ("other", "other", "marijuana", "prescription_pills")
DETERMINATIONS = {
    "amenable": True,
    "dealing_for_profit": False,
    "exploits_others": False,
    "promoting_prostitution": False,
    "protective_order_with_participant": False,
    "safety_concern": False,
    "needs_medical_care": False,
    "unable_to_consent": False,
    "interested": True,
}
VERIFICATION = ("records", "observation", "reliable_basis")
CLOSE_WITHOUT_INTAKE = (
    ("declined", "Declined", "person declined the intake"),
    ("lapsed", "Lapsed", "no intake by the deadline"),
    ("charges_filed", "Charges filed", "prosecutor filed after the notice"),
    ("no_longer_eligible", "No longer eligible", "left the catchment area"),
)
INTAKE_FACTORS = (
    "chemical_dependency",
    "mental_health",
    "housing",
    "legal_involvement",
    "employment",
    "education",
)
FACTOR_ANSWERS = ("need identified", "need identified", "no need", "declined to answer")
PLAN_DOMAINS = (
    ("housing", 30),
    ("chemical dependency treatment", 14),
    ("mental health treatment", 10),
    ("medication-assisted treatment", 6),
    ("benefits (SSI/GAU)", 12),
    ("health", 10),
    ("job training", 5),
    ("job placement", 5),
    ("education (incl. GED)", 4),
    ("legal assistance", 6),
    ("food", 5),
    ("licensing assistance", 3),
    ("child care", 2),
    ("small business counseling", 1),
    ("other", 2),
)
GOAL_PATH = ("not started", "in progress", "achieved")
CONTACT_KINDS = (
    ("field", 40),
    ("office", 20),
    ("phone", 20),
    ("text", 12),
    ("jail", 4),
    ("court", 4),
)
CONTACT_NOTES = (
    "Sample note: checked in at the usual spot, talked about the week.",
    "Sample note: went together to a benefits appointment.",
    "Sample note: missed the meeting, left a message.",
    "Sample note: brought a bus pass and a meal voucher.",
    "Sample note: reviewed plan goals, small steps agreed.",
    "Sample note: court reminder given, ride arranged.",
)
HOUSING = (
    ("unsheltered", 30),
    ("vehicle", 10),
    ("emergency shelter", 20),
    ("transitional housing", 12),
    ("staying with others", 10),
    ("permanent housing", 15),
    ("institution (jail, hospital, treatment)", 3),
)
RACE_ETHNICITY = (
    ("White", 40),
    ("Black or African American", 22),
    ("Hispanic or Latino/a/e", 12),
    ("American Indian or Alaska Native", 6),
    ("Asian", 5),
    ("Native Hawaiian or Pacific Islander", 3),
    ("Multiracial", 8),
    ("declined", 4),
)
LANGUAGES = (("English", 85), ("Spanish", 9), ("Vietnamese", 2), ("Somali", 2), ("Amharic", 2))
GENDERS = (("man", 62), ("woman", 32), ("non-binary", 3), ("transgender woman", 2), ("declined", 1))
SERVICE_PROVIDERS = (
    "Example Housing Partners",
    "Sample Recovery Services",
    "Placeholder Health Clinic",
    "Fictional Jobs Program",
    "Specimen Legal Clinic",
    "Mockup Food Bank",
)
CONCERN_AREAS = (
    "Bus stop by the Sample Street transit center",
    "Example Park north entrance",
    "Alley behind the Placeholder Avenue shops",
    "Parking lot of the Fictional Plaza",
)
CONCERN_BEHAVIOURS = (
    "Litter and discarded needles reported by businesses",
    "Loitering late at night near the entrance",
    "Shoplifting reported by store staff",
    "Noise and disputes reported by residents",
)


class GenerateError(RuntimeError):
    """The target database is not one the generator may fill (the message says why)."""


_CUMULATIVE: dict[int, tuple[list[str], list[int]]] = {}


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    """One value from a (value, weight) table."""
    table = _CUMULATIVE.get(id(weighted))
    if table is None:
        total, cumulative = 0, []
        for _value, weight in weighted:
            total += weight
            cumulative.append(total)
        table = _CUMULATIVE[id(weighted)] = ([w[0] for w in weighted], cumulative)
    return rng.choices(table[0], cum_weights=table[1])[0]


def at_time(day: date, rng: random.Random) -> datetime:
    """A UTC instant during the site's working day (Pacific time is UTC-8/-7)."""
    return datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC) + timedelta(
        minutes=rng.randrange(0, 600)
    )


def years_of_history(participants: int) -> int:
    """One year for a Burien-sized program (100), about eight for a county (10,000)."""
    return max(1, min(8, round(math.sqrt(participants) / 12.5)))


@dataclass(slots=True)
class Person:
    """The skeleton of one participant, drawn first so totals (contacts, caseloads) can scale."""

    index: int
    bucket: str  # open | closed | engaged
    referral_type: str
    referral_date: date
    intake_date: date | None = None
    end_date: date | None = None  # exit (engaged) or close (closed) date
    status: str = "referred"
    inactive_since: date | None = None
    weight: float = 0.0
    contacts: int = 0
    case_manager: int = 0  # index into the case managers
    prior_referral: bool = False
    pid: int = 0  # the participant's primary key, once written


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + n


def _person(index: int, seed: int, today: date, span_days: int) -> Person:
    rng = random.Random(seed * 1_000_003 + index)
    kind = rng.random()
    referral_type = pick(rng, (("arrest", 75), ("social_contact", 20), ("doc", 5)))
    if kind < 0.03:  # still open: the T4 clock runs, some past it (T5)
        return Person(index, "open", referral_type, today - timedelta(days=rng.randint(0, 50)))
    if kind < 0.10:  # closed without an intake
        referred = today - timedelta(days=rng.randint(45, max(46, span_days)))
        person = Person(index, "closed", referral_type, referred, status="exited")
        person.end_date = referred + timedelta(days=rng.randint(10, 40))
        person.weight = 0.0
        return person
    # Engaged: more recent referrals are more likely (the program grows).
    days_ago = 35 + int((span_days - 35) * (1 - math.sqrt(rng.random())))
    referred = today - timedelta(days=days_ago)
    delay = pick(rng, (("0-2", 55), ("3-7", 20), ("8-20", 15), ("21-30", 8), ("ext", 2)))
    low, high = {"0-2": (0, 2), "3-7": (3, 7), "8-20": (8, 20), "21-30": (21, 30)}.get(
        delay, (31, 34)
    )
    intake = referred + timedelta(days=rng.randint(low, high))
    person = Person(index, "engaged", referral_type, referred, intake_date=intake)
    person.prior_referral = rng.random() < 0.12
    duration = 30 + int(rng.expovariate(1 / (365 * 2.5)))
    end = intake + timedelta(days=duration)
    if end < today:
        person.status, person.end_date = "exited", end
    elif rng.random() < 0.1:
        person.status = "inactive"
        person.inactive_since = today - timedelta(days=rng.randint(1, min(90, days_ago - 30)))
    else:
        person.status = "active"
    engaged_days = ((person.end_date or today) - intake).days + 1
    person.weight = engaged_days * rng.uniform(0.6, 1.4)
    return person


def _skeletons(participants: int, seed: int, today: date) -> list[Person]:
    span_days = 365 * years_of_history(participants)
    people = [_person(i, seed, today, span_days) for i in range(1, participants + 1)]
    # About 100 contacts per participant in all: the engaged share the total by time engaged.
    few = {"open": 2, "closed": 3}
    reserved = 0
    for p in people:
        if p.bucket != "engaged":
            p.contacts = (p.index * 7 + seed) % (few[p.bucket] + 1)
            reserved += p.contacts
    total = CONTACTS_PER_PARTICIPANT * participants - reserved
    weights = sum(p.weight for p in people)
    for p in people:
        if p.bucket == "engaged":
            p.contacts = max(1, round(total * p.weight / weights))
    return people


def _ids(engine: Engine) -> dict[str, int]:
    """The next free primary key of every table (the generator writes explicit ids)."""
    with read_session(engine) as session:
        return {
            table.name: (session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
            for table in SQLModel.metadata.sorted_tables
            if "id" in table.c
        }


class Writer:
    """Explicit ids per table, rows buffered per table, flushed as executemany inserts."""

    ORDER = (
        User,
        Participant,
        Referral,
        ReferralEvent,
        Release,
        Intake,
        PlanGoal,
        PlanGoalChange,
        Service,
        Contact,
        StatusChange,
        HousingChange,
        Coverage,
        StaffingSession,
        Submission,
        AgendaItem,
        ActionItem,
        CommunityMeeting,
        CommunityConcern,
        ReportSnapshot,
        Disclosure,
    )

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.next_id = _ids(engine)
        self.rows: dict[type, list[dict]] = {model: [] for model in self.ORDER}
        self.counts = Counts()
        # Core executemany wants every column in every row: the models' defaults fill the gaps.
        self.defaults = {
            model: {
                name: info.get_default(call_default_factory=True)
                for name, info in model.model_fields.items()
                if name != "id" and not info.is_required()
            }
            for model in self.ORDER
        }

    def add(self, model: type, **values) -> int:
        name = model.__tablename__
        row_id = self.next_id[name]
        self.next_id[name] = row_id + 1
        self.rows[model].append({**self.defaults[model], **values, "id": row_id})
        return row_id

    def flush(self) -> None:
        with write_session(self.engine) as session:
            if self.engine.dialect.name == "sqlite":  # index pages stay in memory while building
                session.execute(text("PRAGMA cache_size = -131072"))
            for model in self.ORDER:
                rows = self.rows[model]
                if rows:  # Core executemany: no ORM bookkeeping per row
                    session.connection().execute(insert(model.__table__), rows)
                    self.counts.add(model.__tablename__, len(rows))
                    self.rows[model] = []


def _reset_sequences(engine: Engine) -> None:
    """PostgreSQL: explicit ids leave the serial sequences behind; move them past the rows."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if "id" not in table.c:
                continue
            # Table names come from the models, never from input.
            query = f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
            query += f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table.name}"), false)'  # noqa: S608
            conn.execute(text(query))


def generate(
    engine: Engine,
    *,
    participants: int,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill a migrated database that has no participants yet; return rows written per table.

    `today` anchors every date (default: the site's local today); the same seed and `today`
    give the same rows.
    """
    if participants < 1:
        raise GenerateError("Participants: give at least 1.")
    report = progress or (lambda _fraction, _label: None)
    with write_session(engine) as session:
        ensure_defaults(session)
    settings = get_settings(engine)
    today = today or local_today(settings.time_zone)
    with read_session(engine) as session:
        if session.execute(select(func.count()).select_from(Participant)).scalar():
            raise GenerateError("The database already has participants: use a new database.")
        taken = set(session.execute(select(User.username)).scalars())
        orgs = dict(session.execute(select(Organization.code, Organization.id)).all())
    if taken & {u[0] for u in CORE_USERS}:
        raise GenerateError("The database already has the demo users: use a new database.")
    from services.access.auth import hash_password  # bcrypt once for every generated user

    report(0.0, "people")
    people = _skeletons(participants, seed, today)
    start = today - timedelta(days=365 * years_of_history(participants))
    writer = Writer(engine)
    password_hash = hash_password(DEMO_PASSWORD)
    users = _users(writer, people, orgs, password_hash, start, settings.caseload_per_fte)
    writer.flush()
    chunks = range(0, len(people), CHUNK)
    for n, first in enumerate(chunks):
        for person in people[first : first + CHUNK]:
            _participant(writer, person, seed, today, orgs, users)
        writer.flush()
        report(0.9 * (n + 1) / len(chunks), "participants and contacts")
    rng = random.Random(seed * 31 + 5)
    _coverage(writer, rng, users, start, today)
    _staffing(writer, rng, people, users, start, today, settings)
    report(0.94, "staffing sessions")
    _community(writer, rng, start, today)
    _disclosures(writer, rng, people, users, today)
    writer.flush()
    report(0.95, "report-back snapshots")
    writer.counts.add("reportsnapshot", _publish_snapshots(engine, today))
    report(0.97, "audit")
    _audit(engine, participants, seed, today)
    _reset_sequences(engine)
    report(1.0, "done")
    return dict(sorted(writer.counts.rows.items()))


# --- Users -------------------------------------------------------------------------------------


@dataclass
class Users:
    ids: dict[str, int]  # username -> id
    case_managers: list[tuple[int, str]]  # (id, username)


def _users(writer, people, orgs, password_hash, start, caseload) -> Users:
    actives = sum(p.status == "active" for p in people)
    managers = max(2, math.ceil(actives / caseload))  # PROTOCOL M7: 1 FTE per 25 actives
    created = datetime(start.year, start.month, start.day, 17, tzinfo=UTC)
    ids: dict[str, int] = {}

    def user(username, name, role, org):
        ids[username] = writer.add(
            User,
            username=username,
            display_name=name,
            role=role,
            organization_id=orgs[org],
            password_hash=password_hash,
            disabled=False,
            failed_logins=0,
            sessions_valid_after=datetime(2000, 1, 1, tzinfo=UTC),
            created_at=created,
            version=1,
        )

    for username, name, role, org in CORE_USERS:
        user(username, name, role, org)
    case_managers = []
    for n in range(1, managers + 1):
        username = f"cm{n}"
        first = FIRST_NAMES[(n - 1) % len(FIRST_NAMES)]
        user(username, f"{first} Demo-Casework {n}", Role.case_manager, "CMP")
        case_managers.append((ids[username], username))
    # Actives spread evenly (25 each); everyone else keeps the manager who last had them.
    for k, person in enumerate(p for p in people if p.status == "active"):
        person.case_manager = k % managers
    for person in people:
        if person.status != "active":
            person.case_manager = (person.index * 13) % managers
    return Users(ids=ids, case_managers=case_managers)


# --- One participant and everything that hangs off them ----------------------------------------


def _participant(writer: Writer, p: Person, seed: int, today: date, orgs, users: Users) -> None:
    rng = random.Random(seed * 7919 + p.index * 104_729 + 1)
    cm_id, cm_name = users.case_managers[p.case_manager]
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    middle = rng.choice(INITIALS)
    engaged = p.bucket == "engaged"
    first_contact = p.intake_date or p.referral_date
    span = max(0, ((p.end_date or today) - first_contact).days)
    contact_days = sorted(
        first_contact + timedelta(days=rng.randint(0, span)) for _ in range(p.contacts)
    )
    housing = [pick(rng, HOUSING) for _ in range(1 + rng.randrange(4 if engaged else 1))]
    pid = writer.add(
        Participant,
        lead_id=f"BUR-{p.index:04d}",
        legal_name=f"{first} {middle}. {last}",
        preferred_name=first,
        aliases=[f"{first[0]}. {last}"] if rng.random() < 0.3 else [],
        date_of_birth=date(rng.randint(1958, 2005), rng.randint(1, 12), rng.randint(1, 28)),
        status=p.status,
        case_manager_id=cm_id,
        organization_id=orgs["CMP"],
        case_notes="Sample case notes: synthetic scale data.",
        substance_use="Sample: substance use detail (restricted)" if engaged else "",
        mental_health="Sample: mental health detail (restricted)" if engaged else "",
        criminal_history="Sample: criminal history detail (restricted)",
        last_contact_date=contact_days[-1] if contact_days else None,
        race_ethnicity=pick(rng, RACE_ETHNICITY),
        primary_language=pick(rng, LANGUAGES),
        interpreter_needed=rng.random() < 0.1,
        gender_identity=pick(rng, GENDERS),
        housing_situation=housing[-1],
        created_at=at_time(p.referral_date, rng),
        version=1,
    )
    p.pid = pid
    if p.prior_referral:
        earlier = p.referral_date - timedelta(days=rng.randint(120, 700))
        _referral(writer, rng, p, pid, earlier, orgs, cm_name, today, prior=True)
    _referral(writer, rng, p, pid, p.referral_date, orgs, cm_name, today, prior=False)
    _history(writer, rng, p, pid, cm_name, housing, today)
    if engaged:
        _releases(writer, rng, p, pid, cm_name, today)
        _casework(writer, rng, p, pid, cm_name, today)
    for day in contact_days:
        writer.add(
            Contact,
            participant_id=pid,
            on=day,
            kind=pick(rng, CONTACT_KINDS),
            staff_id=cm_id,
            minutes=rng.choice((10, 15, 20, 30, 45, 60, 90)),
            note=rng.choice(CONTACT_NOTES),
            at=at_time(day, rng),
        )


def _referral(writer, rng, p: Person, pid, referred: date, orgs, cm_name, today, *, prior):
    kind = p.referral_type
    arrest = kind == "arrest"
    offense = pick(rng, OFFENSES) if arrest else ""
    drug = rng.choice(DRUGS) if offense in DRUG_OFFENSES else ""
    referring = {"arrest": rng.choice(("BPD", "BPD", "KCSO")), "doc": "DOC"}.get(
        kind, rng.choice(("BPD", "KCSO"))
    )
    values = dict(
        participant_id=pid,
        referral_type=kind,
        referral_date=referred,
        referring_organization_id=orgs[referring],
        referring_officer=f"Officer Sample-Patrol {rng.randint(1, 40)}",
        offense=offense,
        referred_at=at_time(referred, rng),
        supervising_sergeant=f"Sergeant Example {rng.randint(1, 8)}" if arrest else "",
        prosecutor_office=rng.choice(("KCPAO", "KCPAO", "BCA")),
        drug=drug,
        drug_grams=round(rng.uniform(0.1, 6.5), 1) if drug else None,
        place=f"{rng.randint(100, 999)} Sample Way (synthetic)",
        in_catchment=True,
        victim_involved=offense == "theft_misdemeanor" and rng.random() < 0.3,
        determinations=dict(DETERMINATIONS),
        convictions=[],
        verification_basis=rng.choice(VERIFICATION) if kind == "social_contact" else "",
        last_violation_date=referred - timedelta(days=rng.randint(1, 300))
        if kind == "social_contact"
        else None,
        approving_sergeant=f"Sergeant Example {rng.randint(1, 8)}"
        if kind == "social_contact"
        else "",
        social_contact_approved_date=referred if kind == "social_contact" else None,
        screen_eligible=True,
        screen_reasons=[],
        override_recommended=False,
        incapacitated=False,
        created_at=at_time(referred, rng),
        version=1,
    )
    events = [("referred", referred, "synthetic referral"), ("screen", referred, "eligible")]
    if prior or p.bucket == "closed":
        outcome, label, reason = rng.choice(CLOSE_WITHOUT_INTAKE)
        closed = p.end_date if not prior else referred + timedelta(days=rng.randint(10, 40))
        values.update(
            initial_screening_date=referred,
            closed_date=closed,
            closed_reason=f"{label}: {reason}",
            stage="closed",
        )
        events.append(("closed", closed, f"{label} on {closed}"))
    elif p.bucket == "open":
        stage = pick(
            rng,
            (
                ("referred", 20),
                ("left_before_screening", 10),
                ("screened", 35),
                ("intake_scheduled", 35),
            ),
        )
        values["stage"] = stage
        if stage in ("screened", "intake_scheduled"):
            values["initial_screening_date"] = referred
        if stage == "intake_scheduled":
            values["intake_scheduled_date"] = referred + timedelta(days=rng.randint(1, 20))
        due = intake_due("arrest", referred, None)  # PROTOCOL T4 (the protocol's default)
        # PROTOCOL T5: the prosecutor told within the notice window, for most missed intakes.
        if arrest and prosecutor_notice_owed(due, today, None) and rng.random() < 0.6:
            notice_by = prosecutor_notice_due(due)
            notified = min(today, due + timedelta(days=rng.randint(1, (notice_by - due).days)))
            values.update(
                prosecutor_notified_date=notified,
                prosecutor_notice_office=values["prosecutor_office"],
                prosecutor_notice_method=rng.choice(("phone", "email")),
            )
            events.append(("prosecutor notified", notified, values["prosecutor_office"]))
    else:
        intake = p.intake_date
        values.update(
            initial_screening_date=referred,
            intake_scheduled_date=intake,
            intake_completed_date=intake,
            stage="participant",
        )
        if intake > intake_due("arrest", referred, None):  # PROTOCOL T4: extended by the agency
            values.update(
                intake_extended_to=referred + timedelta(days=35),
                intake_extended_by=values["supervising_sergeant"] or "Referring agency",
            )
            events.append(("intake deadline extended", referred + timedelta(days=25), ""))
        if kind == "social_contact":  # PROTOCOL S6: re-assessed every six months while engaged
            months = ((p.end_date or today) - referred).days // 183
            skip = rng.random() < 0.15  # some re-assessments are late: S6 alerts
            if months - skip >= 1:
                values["reassessed_date"] = referred + timedelta(days=183 * (months - skip))
        events += [("screened", referred, ""), ("intake completed", intake, "")]
        if p.status == "exited":  # the referral closes with the participation
            values.update(
                closed_date=p.end_date,
                closed_reason="No longer eligible: participant exited LEAD",
            )
            events.append(("closed", p.end_date, "participant exited"))
    referral_id = writer.add(Referral, **values)
    for event, day, detail in events:
        writer.add(
            ReferralEvent,
            referral_id=referral_id,
            at=at_time(day, rng),
            username=cm_name,
            event=event,
            detail=detail,
        )


def _history(writer, rng, p: Person, pid, cm_name, housing, today) -> None:
    steps = [(p.referral_date, "referred", "")]
    if p.intake_date:
        steps.append((p.intake_date, "active", "intake completed and release signed"))
    if p.inactive_since:
        steps.append((p.inactive_since, "inactive", "Sample reason: no contact for weeks"))
    if p.status == "exited":
        reason = (
            "Sample reason: referral closed without an intake"
            if p.bucket == "closed"
            else "Sample reason: goals met, moved on"
        )
        steps.append((p.end_date, "exited", reason))
    for day, status, reason in steps:
        writer.add(
            StatusChange,
            participant_id=pid,
            on=day,
            status=status,
            reason=reason,
            username=cm_name,
            at=at_time(day, rng),
        )
    first = p.intake_date or p.referral_date
    span = max(1, ((p.end_date or today) - first).days)
    for k, situation in enumerate(housing):
        day = first + timedelta(days=span * k // len(housing))
        writer.add(
            HousingChange,
            participant_id=pid,
            on=day,
            situation=situation,
            username=cm_name,
            at=at_time(day, rng),
        )


def _releases(writer, rng, p: Person, pid, cm_name, today) -> None:
    """PROTOCOL C1, T6: signed by the intake; renewed every two years while engaged."""
    codes = ["BPD", "KCPAO"] if rng.random() < 0.85 else ["KCSO", "BCA"]
    if rng.random() < 0.3:
        codes.append("KCSO" if "KCSO" not in codes else "BPD")
    if rng.random() < 0.1:
        codes.append("DOC")
    if rng.random() < 0.2 and "BCA" not in codes:
        codes.append("BCA")
    signed = p.intake_date - timedelta(days=rng.choice((0, 0, 0, 1)))
    end = p.end_date or today
    lapse = rng.random() < 0.08  # the latest release was not renewed: expired
    rescind = rng.random() < 0.03  # PROTOCOL C3
    while True:
        expires = signed + timedelta(days=730)
        last = expires >= end or (lapse and expires + timedelta(days=730) >= end)
        rescinded = (
            signed + timedelta(days=rng.randint(1, max(1, (min(end, today) - signed).days)))
            if last and rescind
            else None
        )
        verbal = rng.random() < 0.15
        writer.add(
            Release,
            participant_id=pid,
            kind="verbal" if verbal else "written",
            signed_date=signed,
            expires_date=expires,
            rescinded_date=rescinded,
            covered_org_codes=list(codes),
            purpose="LEAD coordination and staffing",
            treatment_information=False,
            memorialised_by=cm_name if verbal else "",
            created_at=at_time(signed, rng),
            created_by=cm_name,
        )
        if last:
            break
        signed = expires - timedelta(days=rng.randint(0, 14))
    if rng.random() < 0.15:  # PROTOCOL C4: a separate release for treatment information
        writer.add(
            Release,
            participant_id=pid,
            kind="written",
            signed_date=p.intake_date,
            expires_date=p.intake_date + timedelta(days=365),
            rescinded_date=None,
            covered_org_codes=["CMP"],
            purpose="Consultation with treatment providers",
            treatment_information=True,
            memorialised_by="",
            created_at=at_time(p.intake_date, rng),
            created_by=cm_name,
        )


def _casework(writer, rng, p: Person, pid, cm_name, today) -> None:
    intake = p.intake_date
    end = p.end_date or today
    writer.add(
        Intake,
        participant_id=pid,
        on=intake,
        factors={factor: rng.choice(FACTOR_ANSWERS) for factor in INTAKE_FACTORS},
        immediate_needs_met="Sample: meal voucher, bus pass and a phone charger.",
        username=cm_name,
        at=at_time(intake, rng),
    )
    span = max(1, (end - intake).days)
    for _ in range(rng.randint(2, 5)):  # PROTOCOL P1
        domain = pick(rng, PLAN_DOMAINS)
        started = intake + timedelta(days=rng.randint(1, min(60, span)))
        steps = rng.randint(1, 3)
        status = GOAL_PATH[steps - 1] if rng.random() < 0.9 else "set aside"
        status_on = min(end, started + timedelta(days=rng.randint(0, span)))
        goal_id = writer.add(
            PlanGoal,
            participant_id=pid,
            domain=domain,
            goal=f"Sample goal in the participant's words about {domain}.",
            status=status,
            started_on=started,
            status_on=status_on,
            version=steps,
            updated_at=at_time(status_on, rng),
            updated_by=cm_name,
        )
        path = [*GOAL_PATH[: steps - 1], status]
        for k, step in enumerate(path):
            day = started + (status_on - started) * k // max(1, len(path) - 1)
            writer.add(
                PlanGoalChange,
                goal_id=goal_id,
                status=step,
                on=day,
                username=cm_name,
                at=at_time(day, rng),
            )
    for _ in range(rng.randint(1, 4)):  # PROTOCOL P2, P3
        category = pick(rng, PLAN_DOMAINS)
        begin = intake + timedelta(days=rng.randint(0, span))
        stop = begin + timedelta(days=rng.randint(7, 365))
        withdrawn = begin + timedelta(days=7) if rng.random() < 0.05 else None
        writer.add(
            Service,
            participant_id=pid,
            category=category,
            provider=rng.choice(SERVICE_PROVIDERS),
            start_on=begin,
            end_on=stop if stop < today else None,
            cost_cents=rng.randrange(0, 250_000, 500),
            funding="new_capacity" if rng.random() < 0.6 else "existing_spare",
            withdrawn_on=withdrawn,
            withdrawal_reason="Sample reason: stopped attending" if withdrawn else "",
            username=cm_name,
            at=at_time(begin, rng),
        )


# --- Program-level rows ------------------------------------------------------------------------


def _coverage(writer, rng, users: Users, start, today) -> None:
    managers = users.case_managers
    for _ in range(max(1, len(managers) // 4)):
        begin = start + timedelta(days=rng.randint(0, max(1, (today - start).days - 30)))
        absent, covering = rng.sample(managers, 2)
        writer.add(
            Coverage,
            absent_id=absent[0],
            covering_id=covering[0],
            start_on=begin,
            end_on=begin + timedelta(days=rng.randint(5, 20)),
            username="supervisor",
            at=at_time(begin, rng),
        )


def _active_on(people: list[Person], day: date) -> list[Person]:
    return [
        p
        for p in people
        if p.intake_date is not None
        and p.intake_date <= day
        and (p.end_date is None or p.end_date >= day)
    ]


def _staffing(writer, rng, people, users: Users, start, today, settings) -> None:
    """PROTOCOL M1-M3: sessions, partners' names with reasons, agenda and action items."""
    engaged = sorted((p for p in people if p.intake_date), key=lambda p: p.intake_date)
    sessions = []
    for kind, every in (
        ("staffing", settings.staffing_interval_days),
        ("workgroup", settings.workgroup_interval_days),
    ):
        day = start + timedelta(days=every)
        while day <= today + timedelta(days=every):
            sessions.append((day, kind))
            day += timedelta(days=every)
    for day, kind in sorted(sessions):
        past = day < today
        session_id = writer.add(
            StaffingSession,
            kind=kind,
            on=day,
            starts_at="10:00",
            place="Sample Community Center, room B",
            attending_org_codes=["PDA", "CMP", "BPD", "KCSO", "DOC", "KCPAO", "BCA", "COMM"],
            cutoff_on=submission_cutoff(day, settings.submission_cutoff_business_days),  # M2
            finalized_at=at_time(day - timedelta(days=1), rng) if past else None,
            agenda_version=1 if past else 0,
            version=1,
        )
        active = _active_on(engaged, day)
        chosen = rng.sample(active, min(len(active), rng.randint(4, 12))) if active else []
        position = 0
        for person in chosen:
            username, org = rng.choice(PARTNER_SUBMITTERS)
            on_agenda = past or rng.random() < 0.5
            writer.add(
                Submission,
                session_id=session_id,
                submitted_by=username,
                organization_code=org,
                person_name="",
                person_alias="",
                participant_id=person.pid,
                reason="Sample reason: seen often near the transit center this month.",
                urgency="urgent" if rng.random() < 0.1 else "routine",
                status="on_agenda" if on_agenda else "submitted",
                at=at_time(day - timedelta(days=rng.randint(3, 10)), rng),
            )
            if not on_agenda:
                continue
            position += 1
            item_id = writer.add(
                AgendaItem,
                session_id=session_id,
                position=position,
                kind="participant",
                participant_id=person.pid,
                title=f"BUR-{person.index:04d}",
                why=f"Submitted by {org}: sample reason.",
                minutes=5,
                prep_notes="",
                summary="Sample summary: progress reviewed." if past else "",
                decisions="",
                presented_at=at_time(day, rng) if past else None,
                version=1,
            )
            for _ in range(rng.randint(0, 2)):
                cm_id, _cm = users.case_managers[person.case_manager]
                due = day + timedelta(days=14)
                writer.add(
                    ActionItem,
                    agenda_item_id=item_id,
                    participant_id=person.pid,
                    text="Sample action: follow up on housing paperwork.",
                    owner_org_code="CMP",
                    owner_user_id=cm_id,
                    due_on=due,
                    done_on=due - timedelta(days=rng.randint(0, 10))
                    if due < today and rng.random() < 0.85
                    else None,
                    created_by="pm",
                    at=at_time(day, rng),
                )
        for title in ("Program capacity", "Community concerns"):  # PROTOCOL M3
            position += 1
            writer.add(
                AgendaItem,
                session_id=session_id,
                position=position,
                kind="standing",
                participant_id=None,
                title=title,
                why="Standing item (PROTOCOL M3)",
                minutes=10,
                prep_notes="",
                summary="",
                decisions="",
                presented_at=None,
                version=1,
            )


def _community(writer, rng, start, today) -> None:
    """PROTOCOL M6: quarterly meetings with feedback and concerns about places, never people."""
    day = start + timedelta(days=45)
    while day < today:
        meeting_id = writer.add(
            CommunityMeeting,
            on=day,
            audience=rng.choice(("residents", "businesses", "community leaders", "mixed")),
            place="Sample Library meeting room",
            attendance=rng.randint(8, 60),
            feedback="Sample feedback: residents asked about the transit center.",
            username="pm",
            at=at_time(day, rng),
        )
        for _ in range(rng.randint(1, 3)):
            old = (today - day).days > 180
            writer.add(
                CommunityConcern,
                meeting_id=meeting_id,
                area=rng.choice(CONCERN_AREAS),
                behaviour=rng.choice(CONCERN_BEHAVIOURS),
                status="resolved" if old else rng.choice(("open", "in progress")),
                raised_on=day,
                version=1,
            )
        day += timedelta(days=91)


SNAPSHOT_QUARTERS = 4


def _publish_snapshots(engine: Engine, today: date) -> int:
    """The last four quarters published by services.reports.report_back itself (PROTOCOL M6).

    The frozen figures then have exactly the shape the report-back pages read. Should that
    service be unable to publish (it is missing or fails), the data set goes without snapshots
    rather than with figures of a made-up shape.
    """
    published_count = 0
    try:
        from services.reports import report_back

        periods = report_back.recent_periods(today, "quarter", SNAPSHOT_QUARTERS)
        threshold = get_settings(engine).suppression_threshold
        for period in reversed(periods):  # oldest first, as they would have been published
            with write_session(engine) as session:
                figures = report_back.figures_in(session, period, threshold)
                published = period.end + timedelta(days=10)
                session.add(
                    ReportSnapshot(
                        period_start=period.start,
                        period_end=period.end,
                        label=period.label,
                        figures=figures,
                        published_at=datetime(
                            published.year, published.month, published.day, 18, tzinfo=UTC
                        ),
                        published_by="pm",
                    )
                )
            published_count += 1
    except Exception:  # noqa: BLE001 - another area's service: no snapshots beats wrong ones
        pass
    return published_count


def _disclosures(writer, rng, people, users, today) -> None:
    """A few accountings of disclosure (42 CFR 2.25) for staffing summaries sent out."""
    engaged = [p for p in people if p.intake_date]
    for n, person in enumerate(engaged[:: max(1, len(engaged) // 50)]):
        day = min(today, person.intake_date + timedelta(days=30))
        writer.add(
            Disclosure,
            participant_id=person.pid,
            at=at_time(day, rng) + timedelta(seconds=n),
            recipient="KCPAO",
            description="Staffing summary (synthetic)",
            purpose="LEAD coordination and staffing",
            username="pm",
        )


def _audit(engine: Engine, participants: int, seed: int, today: date) -> None:
    """A handful of audit rows through the chain (it appends one by one, never in bulk)."""
    now = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    for action, purpose in (
        ("generate.start", f"synthetic scale data: {participants} participants, seed {seed}"),
        ("generate.participants", "participants, referrals, releases, casework, contacts"),
        ("generate.staffing", "staffing sessions, submissions, agenda and action items"),
        ("generate.reports", "community meetings and report snapshots"),
        ("generate.done", f"generator version {GENERATOR_VERSION}"),
    ):
        with write_session(engine) as session:
            audit.append(session, actor=SYSTEM, action=action, purpose=purpose, now=now)


# --- Row counts and the cache ------------------------------------------------------------------


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the database (alembic's included), by table name."""
    names = sorted(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {
            name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar()  # noqa: S608
            for name in names
        }


def cache_path(participants: int, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / f"scale-{participants}.db"


def _manifest_path(db: Path) -> Path:
    return db.with_suffix(".json")


def cached_manifest(participants: int, data_dir: Path = DATA_DIR) -> dict | None:
    path = _manifest_path(cache_path(participants, data_dir))
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def cached_database(
    participants: int,
    *,
    seed: int = DEFAULT_SEED,
    data_dir: Path = DATA_DIR,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> Path:
    """data/scale-<N>.db, built when missing or made by another generator version or seed.

    Built into a temporary file and renamed when complete, so an interrupted build never
    leaves a half database behind. A cached file is migrated to the code's head on use (new
    migrations from other areas apply to it without a rebuild).
    """
    db = cache_path(participants, data_dir)
    manifest = cached_manifest(participants, data_dir)
    fresh = (
        not rebuild
        and db.exists()
        and manifest is not None
        and manifest.get("generator_version") == GENERATOR_VERSION
        and manifest.get("audit_key_id") == audit.key_id()  # its chain verifies under this key
        and manifest.get("seed") == seed
    )
    if fresh:
        migrate(f"sqlite:///{db}")
        return db
    data_dir.mkdir(parents=True, exist_ok=True)
    building = db.with_name(db.name + ".building")
    for stale in (building, *_sidecars(building), _anchor(building)):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    url = f"sqlite:///{building}"
    migrate(url)
    engine = make_engine(url)
    today = local_today(get_settings(engine).time_zone)
    counts = generate(engine, participants=participants, seed=seed, today=today, progress=progress)
    heads = schema_status(engine)[1]
    engine.dispose()
    _checkpoint(building)
    for old in (db, *_sidecars(db), _anchor(db)):
        old.unlink(missing_ok=True)
    os.replace(building, db)
    if _anchor(building).exists():  # the audit chain's external head moves with its database
        os.replace(_anchor(building), _anchor(db))
    _manifest_path(db).write_text(
        json.dumps(
            {
                "generator_version": GENERATOR_VERSION,
                "audit_key_id": audit.key_id(),
                "seed": seed,
                "participants": participants,
                "today": today.isoformat(),
                "migration_heads": heads,
                "seconds": round(time.perf_counter() - started, 1),
                "rows": counts,
            },
            indent=2,
        )
    )
    return db


def _anchor(db: Path) -> Path:
    return audit.anchor_path(f"sqlite:///{db}") or db.with_name(db.name + audit.ANCHOR_SUFFIX)


def _sidecars(db: Path) -> tuple[Path, Path]:
    return db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")


def _checkpoint(db: Path) -> None:
    """Fold the write-ahead log into the file so it can be renamed alone."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA optimize")
    finally:
        conn.close()
    for sidecar in _sidecars(db):
        sidecar.unlink(missing_ok=True)


def text_progress(stream) -> Progress:
    """A one-line text progress bar: `[#########...........]  45% participants and contacts`."""
    started = time.perf_counter()
    last = {"shown": -1}

    def show(fraction: float, label: str) -> None:
        percent = int(fraction * 100)
        if percent == last["shown"] and fraction < 1:
            return
        last["shown"] = percent
        filled = int(fraction * 30)
        bar = "#" * filled + "." * (30 - filled)
        elapsed = time.perf_counter() - started
        end = "\n" if fraction >= 1 else ""
        stream.write(f"\r[{bar}] {percent:3d}% {label:<28} {elapsed:6.1f} s{end}")
        stream.flush()

    return show
