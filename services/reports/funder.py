"""Funder and policy reports (PROTOCOL M5): the monthly client-level report to BHRD and the
one-page monthly performance summary for the policy coordinating group.

The BHRD report is participant-level: it carries the site's redisclosure notice, writes a
Disclosure row per participant named and one audit row, and neutralises spreadsheet formulas
(SECURITY 6-8). Minimum necessary: no names, no dates of birth, and no treatment detail (a
service's category is not listed, only how many and what they cost: 42 CFR Part 2 keeps
treatment detail from the project manager who prepares it).

The performance summary is aggregate only: every monthly count is suppressed like the
community report-back (SECURITY 22), and the active-participant row, a stock, is checked
across the twelve months so that no month's hidden value follows from its neighbours.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import AuditEvent, Disclosure, HousingChange, Participant, Referral, Role
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.core.text import looks_like_formula, strip_controls
from services.reports.memo import AuditKeyedCache
from services.reports.report_back.activity import Activity, active_spans, load_activity
from services.reports.report_back.counts import raw_counts
from services.reports.report_back.periods import (
    MONTH_NAMES,
    Period,
    month_label,
    period_containing,
)
from services.reports.report_back.vocabulary import REFERRAL_TYPES
from services.rules.suppression import suppress, suppress_against

BHRD_PURPOSE = "Monthly client-level report to the funder (PROTOCOL M5)"
EXPORT_ACTION = "report.bhrd_export"
BHRD_COLUMNS = (
    "LEAD id",
    "Race or ethnicity",
    "Primary language",
    "Interpreter needed",
    "Gender identity",
    "Status at month end",
    "Status since",
    "Referral type",
    "Referral date",
    "Intake completed",
    "Services started in month",
    "Spend in month (USD)",
    "Contacts in month",
    "Housing at month end",
    "Housing since",
)
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value):
    """Make a spreadsheet cell inert (SECURITY 7): text starting = + - @ tab or CR gets a quote.

    >>> neutralise("=HYPERLINK(1)"), neutralise("-5"), neutralise("Avery"), neutralise(7)
    ("'=HYPERLINK(1)", "'-5", 'Avery', 7)
    """
    if isinstance(value, str):
        value = strip_controls(value)  # openpyxl refuses control characters in a cell
        return "'" + value if looks_like_formula(value) else value  # also " =..." (SECURITY 7)
    return value


# --- Has the month's report gone? (the Today M5 alert lives in services.today) -------------


def bhrd_subject(month: Period) -> str:
    return f"BHRD {month.slug}"


def last_export(engine: Engine, month: Period) -> dict | None:
    """When the month's BHRD report was last exported, and by whom (from the audit trail)."""
    with read_session(engine) as session:
        event = session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == EXPORT_ACTION, AuditEvent.subject == bhrd_subject(month))
            .order_by(col(AuditEvent.id).desc())
        ).first()
    if event is None:
        return None
    return {"at": event.at, "by": event.username, "what": event.purpose}


# --- The BHRD client-level report ------------------------------------------------------------


def _latest(history: list[tuple], day: date) -> tuple | None:
    found = None
    for entry in history:
        if entry[0] > day:
            break
        found = entry
    return found


def served(act: Activity, month: Period, spans=None) -> set[int]:
    """Participants served in the month: active at any time in it, or contacted, or a service
    started in it."""
    spans = active_spans(act) if spans is None else spans
    active = {
        pid
        for pid, found in spans.items()
        if any(b <= month.end and (u is None or u >= month.start) for b, u in found)
    }
    contacted = {pid for pid, on in act.contacts if month.start <= on <= month.end}
    serviced = {s[0] for s in act.services if month.start <= s[2] <= month.end}
    return active | contacted | serviced


def _bhrd_rows(session: Session, month: Period) -> tuple[list[list], list[int]]:
    act = load_activity(session, month.start, month.end, contact_rows=True)
    spans = active_spans(act)
    ids = sorted(served(act, month, spans))
    people = {
        p.id: p for p in session.exec(select(Participant).where(col(Participant.id).in_(ids)))
    }
    referrals: dict[int, list] = {}
    for referral in session.exec(
        select(Referral)
        .where(col(Referral.participant_id).in_(ids), Referral.referral_date <= month.end)
        .order_by(col(Referral.referral_date), col(Referral.id))
    ):
        referrals.setdefault(referral.participant_id, []).append(referral)
    housing: dict[int, list] = {}
    for pid, on, situation in session.exec(
        select(HousingChange.participant_id, HousingChange.on, HousingChange.situation)
        .where(col(HousingChange.participant_id).in_(ids))
        .order_by(col(HousingChange.on), col(HousingChange.id))
    ):
        housing.setdefault(pid, []).append((on, situation))
    first_intake = {
        pid: min((r.intake_completed_date for r in refs if r.intake_completed_date), default=None)
        for pid, refs in referrals.items()
    }
    contacts = Counter(pid for pid, _on in act.contacts)
    services_of: dict[int, list] = {}
    for service in act.services:
        services_of.setdefault(service[0], []).append(service)
    rows = []
    for pid in sorted(ids, key=lambda i: people[i].lead_id):
        person = people[pid]
        referral = referrals.get(pid, [None])[-1]
        status = _latest(act.status.get(pid, []), month.end)
        if status is None:  # no status history: the record's status, from its intake
            since = referral.referral_date if referral else None
            if person.status.value != "referred":
                since = first_intake.get(pid)
            status = (since, person.status.value)
        lived = _latest(housing.get(pid, []), month.end)
        services = services_of.get(pid, [])
        rows.append(
            [
                person.lead_id,
                person.race_ethnicity,
                person.primary_language,
                {True: "yes", False: "no", None: ""}[person.interpreter_needed],
                person.gender_identity,
                status[1],
                status[0],
                REFERRAL_TYPES[referral.referral_type.value] if referral else "",
                referral.referral_date if referral else None,
                referral.intake_completed_date if referral else None,
                len(services),
                round(sum(s[3] for s in services) / 100, 2),
                contacts[pid],
                lived[1] if lived else person.housing_situation,
                lived[0] if lived else None,
            ]
        )
    return rows, ids


FIGURES = AuditKeyedCache()  # served counts and summaries, per state of the data


def served_count(engine: Engine, month: Period) -> int:
    def compute() -> int:
        with read_session(engine) as session:
            act = load_activity(
                session, month.start, month.end, contact_rows=True, served_only=True
            )
        return len(served(act, month))

    return FIGURES.get(engine, ("served", month), compute)


@dataclass(frozen=True)
class Export:
    data: bytes
    file_name: str
    mime: str
    participants: int


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _to_csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in header:
        writer.writerow([neutralise(line)])
    writer.writerow([])
    writer.writerow(BHRD_COLUMNS)
    for row in rows:
        writer.writerow([neutralise(_cell_text(value)) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _to_xlsx(header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "BHRD report"
    last = len(BHRD_COLUMNS)
    for index, line in enumerate(header, start=1):
        sheet.cell(row=index, column=1, value=neutralise(line)).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
        sheet.merge_cells(start_row=index, start_column=1, end_row=index, end_column=last)
    sheet.row_dimensions[1].height = 75
    top = len(header) + 2
    for column, name in enumerate(BHRD_COLUMNS, start=1):
        sheet.cell(row=top, column=column, value=name).font = Font(bold=True)
        sheet.column_dimensions[sheet.cell(row=top, column=column).column_letter].width = 18
    for offset, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=top + offset, column=column, value=neutralise(value))
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    sheet.freeze_panes = sheet.cell(row=top + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_bhrd(
    engine: Engine, user: CurrentUser, month: Period, *, fmt: str, now: datetime | None = None
) -> Export:
    """The month's client-level report as CSV or XLSX; records the disclosure and the export.

    One Disclosure row per participant named and one audit row, in the same transaction as
    the file is built (SECURITY 6, 8): if anything fails, nothing is recorded or returned.
    """
    if user.role != Role.project_manager:
        raise ValidationError("Export: only the project manager prepares the BHRD report.")
    if fmt not in MIME:
        raise ValidationError("Format: choose CSV or XLSX.")
    if month.kind != "month":
        raise ValidationError("Month: the BHRD report covers one calendar month.")
    now = now or utcnow()
    settings = get_settings(engine)
    description = f"Monthly client-level report, {month.label}"
    with write_session(engine) as session:
        rows, ids = _bhrd_rows(session, month)
        header = [
            settings.redisclosure_notice,
            f"{settings.name}: monthly client-level report to BHRD for {month.label}, "
            f"{len(rows)} participants served. Prepared by {user.username} on "
            f"{now.date().isoformat()} (UTC).",
        ]
        data = _to_csv(header, rows) if fmt == "csv" else _to_xlsx(header, rows)
        for pid in ids:
            session.add(
                Disclosure(
                    participant_id=pid,
                    at=now,
                    recipient=settings.funder_name,
                    description=description,
                    purpose=BHRD_PURPOSE,
                    username=user.username,
                )
            )
        audit.append(
            session,
            actor=user.actor,
            action=EXPORT_ACTION,
            subject=bhrd_subject(month),
            purpose=f"{len(ids)} participants disclosed to BHRD ({fmt})",
            now=now,
        )
    return Export(
        data=data,
        file_name=f"lead-bhrd-{month.slug}.{fmt}",
        mime=MIME[fmt],
        participants=len(ids),
    )


# --- The monthly performance summary (policy coordinating group) ----------------------------------

KEY_FIGURES = (
    ("referred", "People referred"),
    ("intakes", "In-depth intakes completed"),
    ("active", "Active participants"),
    ("contacts", "Contacts with participants"),
    ("services", "Services arranged"),
    ("spend", "Spend on services (US dollars)"),
    ("housed", "People who moved into housing"),
    ("goals", "Plan goals achieved"),
)
UNITS = {"referred": "People", "active": "People", "contacts": "Contacts", "spend": "US dollars"}
TREND_FIGURES = ("referred", "active", "contacts", "spend")


def _monthly_values(raw: dict) -> dict[str, int]:
    return {
        "referred": sum(raw["referrals_by_type"].values()),
        "intakes": raw["intakes"],
        "active": raw["active"],
        "contacts": raw["contacts"],
        "services": sum(raw["services_by_category"].values()),
        "spend": round(sum(raw["spend_cents_by_category"].values()) / 100),
        "categories": dict(raw["services_by_category"]),  # never shown: decides spend's fate
        "housed": raw["housing_gained"],
        "goals": sum(raw["goals_by_domain"].values()),
    }


def suppress_months(values: list[dict[str, int]], threshold: int) -> list[dict[str, int | None]]:
    """Suppress each month's counts; the active count (a stock) also against every other
    month shown; spend only where the number of services is shown and no service category of
    the month is small (SECURITY 30: the month's spend is the all-categories total of a
    report-back for that month, which would give away the spend of its hidden categories).

    Each month holds its figures plus "categories" (services by category, never shown)."""
    shown: list[dict[str, int | None]] = []
    active_history: list[dict[str, int | None]] = []
    for month in values:
        counts = {key: month[key] for key, _ in KEY_FIGURES if key not in ("active", "spend")}
        out: dict[str, int | None] = dict(suppress(counts, threshold))
        active = suppress_against({"active": month["active"]}, active_history, threshold)
        active_history.append(active)
        out["active"] = active["active"]
        small = any(1 <= count < threshold for count in month["categories"].values())
        out["spend"] = None if out["services"] is None or small else month["spend"]
        shown.append({key: out[key] for key, _ in KEY_FIGURES})
    return shown


def performance_summary(engine: Engine, month: Period, *, months: int = 12) -> dict:
    """The key figures for the `months` months ending with `month`, suppressed (aggregate only).

    Returns {"label", "months": ["Oct 2025", ...], "threshold", "figures": [{"key", "name",
    "values": [...]}]}. Computed once per state of the data (`services.reports.memo`).
    """
    return FIGURES.get(
        engine, ("summary", month, months), lambda: _performance_summary(engine, month, months)
    )


def _performance_summary(engine: Engine, month: Period, months: int) -> dict:
    threshold = get_settings(engine).suppression_threshold
    periods = [month]
    while len(periods) < months:
        periods.insert(0, period_containing(periods[0].start - timedelta(days=1), "month"))
    with read_session(engine) as session:
        act = load_activity(session, periods[0].start, month.end)
    spans = active_spans(act)
    values = [_monthly_values(raw_counts(act, p, spans)) for p in periods]
    shown = suppress_months(values, threshold)
    return {
        "label": month.label,
        "months": [f"{MONTH_NAMES[p.start.month - 1][:3]} {p.start.year}" for p in periods],
        "month_labels": [month_label(p.start) for p in periods],
        "threshold": threshold,
        "figures": [
            {"key": key, "name": name, "values": [m[key] for m in shown]}
            for key, name in KEY_FIGURES
        ],
    }


def summary_table(summary: dict) -> list[dict]:
    """One row per key figure, one column per month; hidden counts read 'not shown'."""
    rows = []
    for figure in summary["figures"]:
        row = {"Figure": figure["name"]}
        for label, value in zip(summary["months"], figure["values"], strict=True):
            row[label] = "not shown" if value is None else f"{value:,}"
        rows.append(row)
    return rows


def trend_spec(summary: dict, key: str, *, width: int = 300, height: int = 140) -> dict:
    """A line of one key figure over the months; hidden months are gaps, each point labelled."""
    figure = next(f for f in summary["figures"] if f["key"] == key)
    values = [
        {"month": label, "value": value}
        for label, value in zip(summary["months"], figure["values"], strict=True)
    ]
    encoding = {
        "x": {
            "field": "month",
            "type": "ordinal",
            "sort": summary["months"],
            "title": "Month",
            "axis": {"labelAngle": -45},
        },
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": UNITS.get(key, "Number"),
            "axis": {"format": ",d", "tickMinStep": 1},
            "scale": {"domainMin": 0},
        },
    }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": figure["name"], "anchor": "start", "fontSize": 13},
        "data": {"values": values},
        "width": width,
        "height": height,
        "encoding": encoding,
        "layer": [
            {"mark": {"type": "line", "color": "#222222", "invalid": "break-paths-show-domains"}},
            # The points repeat the line's values; hidden from screen readers (the table has them).
            {
                "mark": {
                    "type": "point",
                    "filled": True,
                    "color": "#000000",
                    "size": 40,
                    "aria": False,
                }
            },
            {
                "mark": {"type": "text", "dy": -9, "fontSize": 10, "color": "#000000"},
                "encoding": {"text": {"field": "value", "type": "quantitative", "format": ","}},
            },
        ],
    }


def trend_description(summary: dict, key: str) -> str:
    name = next(f["name"] for f in summary["figures"] if f["key"] == key)
    return (
        f"{name} in each of the 12 months to {summary['month_labels'][-1]}; a month whose "
        "number is not shown, to protect privacy, is a gap in the line."
    )
