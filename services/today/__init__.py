"""Deadline alerts for the Today page: the contract rules applied to every open referral.

`services.rules.deadlines` decides what is owed (PROTOCOL T4, T5, C3/T6, S6); this module
gathers the referrals a user is responsible for, adds severity and who must act, and records
the closing actions (intake completed, prosecutor notified, re-assessment done).

Beyond the contract it raises: the optimal intake 24-48 hours after screening (T4, a soft
reminder), the victim objection window (V1), no contact with an active participant for N days
(NC, a site setting), the monthly BHRD report (M5) and the agenda submission cut-off of the next
staffing session (M2). `calendar_ics` turns a user's alerts into an iCalendar file (LEAD ids
only, never names).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter
from types import SimpleNamespace

from sqlalchemy import Engine
from sqlmodel import col, func, select

from models import (
    Contact,
    Participant,
    ParticipantStatus,
    Referral,
    Release,
    Role,
    SiteSettings,
    StaffingSession,
)
from services import referrals
from services.access.auth import CurrentUser
from services.access.policy import CASEWORK_EDITORS, PAGES, ROLE_LABELS, can_open
from services.core import audit
from services.core.alert import (  # one alert's shape; re-exported for Today's readers
    REFERRAL_DATE_KEYS,
    SEVERITY_ICONS,
    Alert,
    make_alert,
)
from services.core.alert import SEVERITIES as SEVERITIES
from services.core.alert import severity as severity
from services.core.db import read_session
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.participants.caseload import caseload_clause
from services.rules import catalog
from services.rules import consent as consent_rules
from services.rules.calendar import add_months
from services.rules.deadlines import open_obligations

# Today lists the most urgent alerts only (the PM has about 14,000 at 10,000 participants);
# the counts above the table cover all of them, and the filters reach any other.
ALERTS_SHOWN = 200
# Who must act and the one action that closes each rule's alert: read from the catalog.
ALERT_RULES = ("T4", "T5", "C3", "S6", "V1", "NC", "M5")
OWNERS = {r: ROLE_LABELS[Role(catalog.who_acts(r))] for r in ALERT_RULES}
CLOSING_ACTIONS = {r: catalog.action(r) for r in ALERT_RULES}


def c3_action(dates: dict) -> str:
    """The C3 alert's closing action, one the app can record (PROTOCOL T6, C3).

    A release signed after the intake's completion does not make a participant (T6: signed no
    later than the intake), so recording another release cannot close it: the intake recorded
    again on or after the release's date can (services.rules.consent.completion_after_redo),
    or closing the referral.
    """
    signed, intake = dates["roi_signed_date"], dates["intake_completed_date"]
    if dates["roi_rescinded_date"] is None and signed and intake and signed > intake:
        # T6: the release must come no later than the intake; a later release cannot close it.
        return (
            f"Record the intake again on or after {signed} (the release's date, T6),"
            " or close the referral"
        )
    return CLOSING_ACTIONS["C3"]


# The soft T4 reminder: the in-depth intake optimally 24-48 hours after the initial screening.
OPTIMAL_OWNER = f"{OWNERS['T4']} (optimal window)"
OPTIMAL_ACTION = referrals.ACTION_LABELS["schedule"]
# PROTOCOL M2: who acts on the agenda submission cut-off (the catalog's action is the partners').
CUTOFF_OWNERS = {
    Role.project_manager: (
        ROLE_LABELS[Role.project_manager],
        "Prepare the agenda from the names sent",
    ),
    Role.case_manager: (
        f"{ROLE_LABELS[Role.case_manager]} (names to discuss)",
        catalog.action("M2"),
    ),
}


def open_alerts(engine: Engine, user: CurrentUser, today: date) -> list[Alert]:
    """Most urgent first: a case manager's own, a supervisor's team, everything for the PM.

    Reads plain columns (no ORM objects) and applies the contract's rules through
    `open_obligations`, so 10,000 open referrals take well under a second.
    """
    # Plain attributes: reading a table model's attribute goes through SQLAlchemy's
    # instrumentation, and the rules below read settings for each of 10,000 rows.
    settings = SimpleNamespace(**get_settings(engine).model_dump())
    release = (
        select(
            Release.participant_id,
            func.min(Release.signed_date).label("signed"),
            func.max(Release.rescinded_date).label("rescinded"),
            (func.count() - func.count(Release.rescinded_date)).label("unrescinded"),
        )
        .where(col(Release.treatment_information).is_(False))  # T6/C3: the general release (C4)
        .group_by(Release.participant_id)
        .subquery()
    )
    query = (
        select(
            Referral.id,
            Referral.version,
            Referral.referral_type,
            Participant.lead_id,
            release.c.signed,
            release.c.rescinded,
            release.c.unrescinded,
            *[getattr(Referral, key) for key in REFERRAL_DATE_KEYS],
            Referral.intake_scheduled_date,
            Referral.victim_involved,
            Referral.victim_sheet_date,
            Referral.victim_objection_answered_on,
            Referral.participant_id,
        )
        .join(Participant, col(Participant.id) == col(Referral.participant_id))
        .outerjoin(release, release.c.participant_id == col(Referral.participant_id))
        .where(col(Referral.closed_date).is_(None))
    )
    if user.role == Role.case_manager:
        query = query.where(caseload_clause(user.id, today))  # coverage: alerts follow
    elif user.role == Role.clinical_supervisor:
        query = query.where(Participant.organization_id == user.organization_id)
    elif user.role != Role.project_manager:
        return []
    with read_session(engine) as session:
        # Core execution: plain tuples, no ORM row processing (10,000 rows well under a second).
        rows = session.connection().execute(query).all()
    alerts = []
    # Plain ints: a settings attribute read goes through SQLAlchemy's instrumentation.
    windows = {
        "intake_days": settings.intake_days,
        "notice_days": settings.prosecutor_notice_days,
        "approval_months": settings.social_contact_approval_months,
    }
    for row in rows:
        referral_id, version, referral_type, lead_id, signed, rescinded, unrescinded = row[:7]
        dates = dict(zip(REFERRAL_DATE_KEYS, row[7:-5], strict=True))
        scheduled, victim_involved, victim_sheet, victim_answered, participant_id = row[-5:]
        # PROTOCOL T6/C3: the first release signed is what the intake needed; consent is lost
        # only when every release the person signed has been rescinded.
        dates["roi_signed_date"], dates["roi_rescinded_date"] = consent_rules.c3_inputs(
            signed, rescinded, unrescinded
        )
        for rule, due, message in open_obligations(
            getattr(referral_type, "value", referral_type), dates, today, **windows
        ):
            alerts.append(
                make_alert(
                    rule,
                    lead_id,
                    due,
                    today,
                    OWNERS[rule],
                    c3_action(dates) if rule == "C3" else CLOSING_ACTIONS[rule],
                    message,
                    referral_id=referral_id,
                    referral_version=version,
                    participant_id=participant_id,
                )
            )
        # Cheap tests first: most referrals owe neither of these (keeps 10,000 rows fast).
        if dates["initial_screening_date"] is not None and scheduled is None:
            optimal = optimal_intake_alert(
                lead_id,
                dates,
                scheduled,
                today,
                settings,
                referral_id=referral_id,
                referral_version=version,
                participant_id=participant_id,
            )
            if optimal:
                alerts.append(optimal)
        if victim_involved and victim_sheet is not None and victim_answered is None:
            victim = victim_window_alert(
                lead_id,
                victim_involved,
                victim_sheet,
                today,
                settings,
                answered_on=victim_answered,
                referral_id=referral_id,
                referral_version=version,
                participant_id=participant_id,
            )
            if victim:
                alerts.append(victim)
    alerts.extend(no_contact_alerts(engine, user, today, settings))
    alerts.extend(report_alerts(user, today, settings, _bhrd_prepared(engine)))
    alerts.extend(cutoff_alerts(engine, user, today))
    for source in extra_sources():
        alerts.extend(source(engine, user, today))
    alerts.sort(key=attrgetter("due", "rule", "subject"))
    return alerts


def extra_sources() -> list:
    """Alert sources beyond the referral clock: functions (engine, user, today) -> [Alert].

    Each area registers its own here (imported lazily to keep imports one-way).
    """
    from services.staffing import action_item_alerts  # open staffing action items I own

    return [action_item_alerts]


def alert_rows(alerts: list[Alert]) -> list[dict]:
    return [
        {
            "Severity": SEVERITY_ICONS[a.severity],
            "Due": a.due.isoformat(),
            "Days left": a.days_left,
            "Rule": a.rule,
            "About": a.subject,
            "Who acts": a.owner,
            "Closing action": a.action,
            "What is owed": a.message,
        }
        for a in alerts
    ]


# --- Alerts beyond the contract (pure rules first, then their readers) ------------------------


def optimal_intake_alert(
    lead_id: str,
    dates: dict,
    scheduled: date | None,
    today: date,
    settings: SiteSettings,
    **refs,
) -> Alert | None:
    """PROTOCOL T4 (soft): screened, intake neither scheduled nor done: optimally within 48 h.

    Due the screening date + ceil(intake_optimal_hours_max / 24) days; closed by scheduling the
    intake. Once the optimal window has passed it lapses: the hard T4 deadline stays listed.
    """
    screened = dates["initial_screening_date"]
    if screened is None or scheduled is not None or dates["intake_completed_date"] is not None:
        return None
    due = referrals.optimal_intake_by(screened, settings)
    if today > due:
        return None
    hours = f"{settings.intake_optimal_hours_min}-{settings.intake_optimal_hours_max}"
    return make_alert(
        "T4",
        lead_id,
        due,
        today,
        OPTIMAL_OWNER,
        OPTIMAL_ACTION,
        f"Optimal: the in-depth intake {hours} hours after the {screened} screening, by {due}"
        " (PROTOCOL T4, a soft reminder; the hard deadline is separate).",
        kind="optimal",
        **refs,
    )


def victim_window_alert(
    lead_id: str,
    victim_involved: bool,
    sheet_date: date | None,
    today: date,
    settings: SiteSettings,
    answered_on: date | None = None,
    **refs,
) -> Alert | None:
    """PROTOCOL V1: the victim may object to the prosecutor within the window after the sheet.

    Shown from the sheet date until the window closes (inclusive), or until the prosecutor's
    answer (did the victim object?) is recorded on the referral; nothing is owed after it.
    """
    if not victim_involved or sheet_date is None or answered_on is not None:
        return None
    due = sheet_date + timedelta(days=settings.victim_objection_days)
    if today > due:
        return None
    return make_alert(
        "V1",
        lead_id,
        due,
        today,
        OWNERS["V1"],
        CLOSING_ACTIONS["V1"],
        f"The victim information sheet was given on {sheet_date}: the victim may object to the"
        f" prosecutor until {due} ({settings.victim_objection_days} days, PROTOCOL V1).",
        kind="victim",
        **refs,
    )


def no_contact_due(last_contact: date, settings: SiteSettings) -> date:
    """The day an active participant is flagged for no contact (site setting, default 14)."""
    return last_contact + timedelta(days=settings.no_contact_alert_days)


def bhrd_due(today: date, due_day: int) -> date:
    """PROTOCOL M5: the next BHRD report due date on or after today (due day of each month)."""
    this_month = date(today.year, today.month, due_day)
    return this_month if today <= this_month else add_months(this_month, 1)


def report_alerts(
    user: CurrentUser,
    today: date,
    settings: SiteSettings,
    prepared: Callable[[date], bool] = lambda first_of_month: False,
) -> list[Alert]:
    """PROTOCOL M5: the monthly client-level report to BHRD, for the project manager only.

    The month's report is due on the site's due day of the next month. A report not prepared
    by then stays on Today, overdue, until it is (`prepared(first day of the month covered)`);
    one prepared early gives way to the next month's.
    """
    if user.role != Role.project_manager:
        return []
    due = bhrd_due(today, settings.bhrd_report_due_day)
    this_due = date(today.year, today.month, settings.bhrd_report_due_day)
    if due != this_due and not prepared(add_months(this_due, -1).replace(day=1)):
        due = this_due  # last month's report: past its due day and not prepared
    elif prepared(add_months(due, -1).replace(day=1)):
        due = add_months(due, 1)
    covered = add_months(due, -1)
    month = covered.strftime("%B %Y")
    return [
        make_alert(
            "M5",
            f"BHRD report for {month}",
            due,
            today,
            OWNERS["M5"],
            CLOSING_ACTIONS["M5"],
            f"The monthly client-level report to BHRD for {month} is due on {due} (day"
            f" {settings.bhrd_report_due_day} of the month, PROTOCOL M5).",
            kind="bhrd",
        )
    ]


def _bhrd_prepared(engine: Engine) -> Callable[[date], bool]:
    """Whether a month's BHRD report has been prepared (its export is in the audit trail)."""
    from services.reports.funder import (
        last_export,  # funder reads report_back; keep imports one-way
    )
    from services.reports.report_back import period_containing

    return lambda first_of_month: (
        last_export(engine, period_containing(first_of_month, "month")) is not None
    )


def no_contact_alerts(
    engine: Engine, user: CurrentUser, today: date, settings: SiteSettings
) -> list[Alert]:
    """Active participants with no contact for no_contact_alert_days or more (one query).

    Last contact: the later of the participant's last contact date and their latest Contact row;
    with none, the latest completed intake (the day they became active), else the record's date.
    """
    if user.role not in (Role.project_manager, Role.case_manager, Role.clinical_supervisor):
        return []
    # One index lookup per active participant, not a GROUP BY over every contact ever logged
    # (issue 7: 4.9 s per Today rerun at 10,000 participants and 1,000,000 contacts).
    contact_last = (
        select(func.max(Contact.on))
        .where(col(Contact.participant_id) == col(Participant.id))
        .correlate(Participant)
        .scalar_subquery()
    )
    intake = (
        select(Referral.participant_id, func.max(Referral.intake_completed_date).label("intake"))
        .group_by(Referral.participant_id)
        .subquery()
    )
    query = (
        select(
            Participant.id,
            Participant.lead_id,
            Participant.last_contact_date,
            contact_last.label("last"),
            intake.c.intake,
            Participant.created_at,
        )
        .outerjoin(intake, intake.c.participant_id == col(Participant.id))
        .where(Participant.status == ParticipantStatus.active)
    )
    if user.role == Role.case_manager:
        query = query.where(caseload_clause(user.id, today))  # coverage: alerts follow
    elif user.role == Role.clinical_supervisor:
        query = query.where(Participant.organization_id == user.organization_id)
    with read_session(engine) as session:
        rows = session.exec(query).all()
    alerts = []
    for participant_id, lead_id, last_date, last_row, intake_on, created in rows:
        known = [d for d in (last_date, last_row) if d is not None]
        if known:
            since, basis = max(known), "the last contact"
        else:
            since = intake_on or created.date()
            basis = "becoming active, with no contact logged"
        due = no_contact_due(since, settings)
        if today < due:
            continue
        alerts.append(
            make_alert(
                "NC",
                lead_id,
                due,
                today,
                OWNERS["NC"],
                CLOSING_ACTIONS["NC"],
                f"No contact with {lead_id} for {(today - since).days} days since {basis} on"
                f" {since} (flagged after {settings.no_contact_alert_days} days, a site"
                " setting).",
                kind="no-contact",
                participant_id=participant_id,
            )
        )
    return alerts


def cutoff_alerts(engine: Engine, user: CurrentUser, today: date) -> list[Alert]:
    """PROTOCOL M2: the next staffing session's submission cut-off (PM and case managers)."""
    if user.role not in CUTOFF_OWNERS:
        return []
    with read_session(engine) as session:
        row = session.exec(
            select(StaffingSession.kind, StaffingSession.on, StaffingSession.cutoff_on)
            .where(
                col(StaffingSession.cutoff_on) >= today,
                col(StaffingSession.finalized_at).is_(None),
            )
            .order_by(col(StaffingSession.cutoff_on), col(StaffingSession.on))
            .limit(1)
        ).first()
    if row is None:
        return []
    kind, on, cutoff = row
    owner, action = CUTOFF_OWNERS[user.role]
    label = "Staffing session" if kind == "staffing" else f"{kind.capitalize()} meeting"
    return [
        make_alert(
            "M2",
            f"{label} on {on}",
            cutoff,
            today,
            owner,
            action,
            f"Names to discuss at the {on} {kind} meeting, each with a brief reason, are due to"
            f" the project manager by {cutoff} (PROTOCOL M2).",
            kind="cutoff",
        )
    ]


# --- Closing actions --------------------------------------------------------------------------

# How Today closes an alert that is not recorded in place (a referral date, a contact, an action
# item): a link to the page where the catalog says it is recorded (a release on the record, ...).
IN_PLACE = frozenset({"T4", "T5", "S6"})  # a referral date, recorded in Today's own form
PAGE_KEY_BY_PATH = {page.path: page.key for page in PAGES}
CLOSES_ON = {
    r: PAGE_KEY_BY_PATH[catalog.rule(r).recorded_on.page]
    for r in ALERT_RULES
    if r not in IN_PLACE and catalog.rule(r).recorded_on is not None
}


def closing_route(alert: Alert, role: Role | str) -> tuple[str, str | None]:
    """How this role closes the alert from Today.

    ("referral" | "contact" | "action", None): a form in place; ("page", page key): a link to
    the page where it is recorded, when the role may open it; ("none", None): nothing to offer.
    """
    role = Role(role)
    if alert.rule == "Action item" and alert.action_id is not None:
        return "action", None
    if alert.rule in IN_PLACE and alert.referral_id is not None:
        return "referral", None
    if alert.rule == "NC" and role in CASEWORK_EDITORS and alert.participant_id is not None:
        return "contact", None
    page = CLOSES_ON.get(alert.rule)
    if alert.rule == "M2":
        page = "agenda" if role == Role.project_manager else "submit_names"
    if page == "participant" and alert.participant_id is None:
        page = None
    if page and can_open(role, page):
        return "page", page
    return "none", None


def record_closing_action(
    engine: Engine,
    user: CurrentUser,
    *,
    rule: str,
    referral_id: int,
    expected_version: int,
    on: date,
    today: date,
    kind: str = "",
    office: str = "",
    method: str = "",
    now: datetime | None = None,
) -> None:
    """Record what closes an alert through the referral lifecycle (validated, version-checked,
    audited, with an event row): the intake (T4), the intake appointment (T4, optimal), the
    prosecutor notice with office and method (T5), the re-assessment (S6).
    """
    common = {
        "referral_id": referral_id,
        "expected_version": expected_version,
        "on": on,
        "today": today,
        "purpose": f"closes {rule} alert",
        "now": now,
    }
    if rule == "T4" and kind == "optimal":
        referrals.schedule_intake(engine, user, **common)
    elif rule == "T4":
        referrals.complete_intake(engine, user, **common)
    elif rule == "T5":
        referrals.record_prosecutor_notice(engine, user, office=office, method=method, **common)
    elif rule == "S6":
        referrals.record_reassessment(engine, user, **common)
    else:
        raise ValidationError(f"{CLOSING_ACTIONS.get(rule, rule)}: record it where it happens.")


def extend_from_alert(
    engine: Engine,
    user: CurrentUser,
    *,
    alert: Alert,
    new_date: date,
    extended_by: str,
    today: date,
    now: datetime | None = None,
) -> None:
    """PROTOCOL T4: the deadline extension, recorded from Today (closes the T4 alert for now)."""
    if alert.rule not in ("T4", "T5") or alert.referral_id is None:
        raise ValidationError("Extension: only an intake deadline can be extended.")
    referrals.extend_deadline(
        engine,
        user,
        referral_id=alert.referral_id,
        expected_version=alert.referral_version,
        new_date=new_date,
        extended_by=extended_by,
        on=today,
        today=today,
        purpose=f"extends the {alert.rule} deadline",
        now=now,
    )


# --- Calendar (RFC 5545) ------------------------------------------------------------------------

ICS_MAX_OCTETS = 75


def ics_escape(text: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon and comma escaped; a line break becomes \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets (continuations start with a space), never mid-character."""
    if line.isascii():  # one octet per character: slice (issue 7: the loop cost 1 s at 10,000)
        limit = ICS_MAX_OCTETS - 1
        rest = [line[i : i + limit] for i in range(ICS_MAX_OCTETS, len(line), limit)]
        return "\r\n ".join([line[:ICS_MAX_OCTETS], *rest])
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        limit = ICS_MAX_OCTETS if not out else ICS_MAX_OCTETS - 1
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _uid_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "x"


# What a calendar event may say: the rule and its title (the catalog's), never an alert's message
# or an action item's text, which can hold names and free text.
ACTION_ITEM_TITLE = "Staffing action item"  # not a protocol rule: staffing's own follow-ups
CALENDAR_LEAD_ID = re.compile(r"[A-Z]{2,5}-\d{1,6}")


def calendar_event_text(alert: Alert) -> tuple[str, str]:
    """An event's summary and description: the rule, its title and the LEAD id, nothing else.

    >>> a = make_alert("Action item", "BUR-0007", date(2026, 1, 5), date(2026, 1, 1), "you",
    ...                "Mark it done", "From the 3 Dec session: call Avery Sample's sister")
    >>> calendar_event_text(a)
    ('Action item BUR-0007: Staffing action item', 'Staffing action item (PROTOCOL Action item)')
    """
    title = catalog.title(
        alert.rule, ACTION_ITEM_TITLE if alert.rule == "Action item" else "Deadline"
    )
    lead_id = alert.subject if CALENDAR_LEAD_ID.fullmatch(alert.subject) else ""
    summary = f"{alert.rule} {lead_id}: {title}" if lead_id else f"{alert.rule}: {title}"
    return summary, f"{title} (PROTOCOL {alert.rule})"


def calendar_ics(alerts: list[Alert], *, site_name: str, notice: str, now: datetime) -> str:
    """An iCalendar file of open deadlines: one all-day event per alert, LEAD ids only.

    The UID is stable per obligation (rule, kind, referral or action item), so importing a newer
    file updates an event instead of duplicating it. Events carry the rule's title and a LEAD id
    (`calendar_event_text`), never an alert's message, names or free text.
    """
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    domain = _uid_part(site_name) + ".lead-dashboard"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//LEAD operational dashboard//Deadlines//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(site_name + ' deadlines')}",
        f"X-WR-CALDESC:{ics_escape(notice)}",
    ]
    for alert in alerts:
        summary, description = calendar_event_text(alert)
        if alert.referral_id is not None:
            about = str(alert.referral_id)
        elif alert.action_id is not None:
            about = f"action-{alert.action_id}"
        else:
            about = alert.subject if CALENDAR_LEAD_ID.fullmatch(alert.subject) else ""
            about = about or f"{alert.due:%Y%m%d}"
        uid = "-".join(_uid_part(p) for p in (alert.rule, alert.kind or "due", about))
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@{domain}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{alert.due.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(alert.due + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{ics_escape(summary)}",
            f"DESCRIPTION:{ics_escape(description)}",
            f"CATEGORIES:{ics_escape(alert.rule)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)


def record_calendar_download(engine: Engine, user: CurrentUser, count: int) -> None:
    """Audit the calendar export (LEAD ids and deadlines leave the app)."""
    audit.record(
        engine,
        actor=user.actor,
        action="alerts.calendar_export",
        subject=f"{count} deadline(s)",
        purpose="my deadlines as an iCalendar file",
    )
