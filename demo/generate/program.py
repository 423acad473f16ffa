"""Program-level rows: coverage, staffing sessions, community meetings, snapshots, the audit.

Staffing sessions every 28 days and workgroups every 14 (PROTOCOL M1) with partners' names and
reasons (M2), agenda, standing items (M3) and action items; case managers covering for each
other; quarterly community meetings with concerns about places, never people (M6), and the last
four quarters published through services.reports.report_back; accountings of disclosure
(42 CFR 2.25); a handful of audit rows, appended one by one through the chain.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from demo.generate.people import Person, at_time
from demo.generate.users import Users
from demo.generate.vocabulary import (
    CONCERN_AREAS,
    CONCERN_BEHAVIOURS,
    GENERATOR_VERSION,
    PARTNER_SUBMITTERS,
)
from models import (
    ActionItem,
    AgendaItem,
    CommunityConcern,
    CommunityMeeting,
    Coverage,
    Disclosure,
    ReportSnapshot,
    StaffingSession,
    Submission,
)
from services.core import audit
from services.core.audit import SYSTEM
from services.core.db import write_session
from services.core.site import get_settings
from services.staffing import submission_cutoff


def add_coverage(writer, rng, users: Users, start, today) -> None:
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


def add_staffing(writer, rng, people, users: Users, start, today, settings) -> None:
    """PROTOCOL M1-M3: sessions, partners' names with reasons, agenda and action items."""
    engaged = sorted((p for p in people if p.intake_date), key=lambda p: p.intake_date)
    for day, kind in _session_days(start, today, settings):
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
            org = _submitted(writer, rng, session_id, day, past, person)
            if org:  # on the agenda
                position += 1
                _discussed(
                    writer, rng, users, (session_id, day, past), person, org, position, today
                )
        _standing_items(writer, session_id, position)


def _session_days(start: date, today: date, settings) -> list[tuple[date, str]]:
    """PROTOCOL M1: staffing sessions and workgroups at their intervals, one period ahead."""
    sessions = []
    for kind, every in (
        ("staffing", settings.staffing_interval_days),
        ("workgroup", settings.workgroup_interval_days),
    ):
        day = start + timedelta(days=every)
        while day <= today + timedelta(days=every):
            sessions.append((day, kind))
            day += timedelta(days=every)
    return sorted(sessions)


def _submitted(writer, rng, session_id, day, past, person: Person) -> str | None:
    """PROTOCOL M2: one partner's name with a reason; the partner's code if put on the agenda."""
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
    return org if on_agenda else None


def _discussed(writer, rng, users, meeting, person, org, position, today) -> None:
    """The person's agenda item (summarised once the session is past) and its action items."""
    session_id, day, past = meeting
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


def _standing_items(writer, session_id, position: int) -> None:
    """PROTOCOL M3: the standing items close every agenda."""
    for title in ("Program capacity", "Community concerns"):
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


def add_community(writer, rng, start, today) -> None:
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


def publish_snapshots(engine: Engine, today: date) -> int:
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


def add_disclosures(writer, rng, people, users, today) -> None:
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


def add_audit_rows(engine: Engine, participants: int, seed: int, today: date) -> None:
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
