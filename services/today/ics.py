"""A user's deadlines as an iCalendar file (RFC 5545): LEAD ids and rule titles only.

An event says the rule (PROTOCOL id), the catalog's title and a LEAD id, never an alert's
message, a name or free text; the export is audited.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta  # noqa: F401  (date: the doctest's)

from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.core import audit
from services.core.alert import Alert, make_alert  # noqa: F401  (make_alert: the doctest's)
from services.rules import catalog

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
