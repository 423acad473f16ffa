"""Publishing the report-back: preview a period, freeze it into a snapshot, list snapshots.

PROTOCOL M6: only the project manager publishes, only a finished period, never one that
overlaps a published period (SECURITY 22: the two could be subtracted); published numbers never
change. Each publication is in the audit trail.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import ReportSnapshot, Role
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.reports.report_back.activity import load_activity
from services.reports.report_back.counts import raw_counts
from services.reports.report_back.figures import build_figures
from services.reports.report_back.periods import Period, month_label, recent_periods


def _snapshots(session: Session) -> list[ReportSnapshot]:
    return list(session.exec(select(ReportSnapshot).order_by(col(ReportSnapshot.period_start))))


def figures_in(session: Session, period: Period, threshold: int) -> dict:
    """A period's publishable figures, checked against every other published period."""
    others = [
        s.figures for s in _snapshots(session) if not period.overlaps(s.period_start, s.period_end)
    ]
    act = load_activity(session, period.start, period.end)
    return build_figures(raw_counts(act, period), period, threshold=threshold, others=others)


def periods_to_publish(engine: Engine, today: date, kind: str) -> list[dict]:
    """Recent finished periods with whether each is published or blocked by an overlap.

    Each: {"period", "published": bool, "blocked_by": label of the overlapping snapshot or
    None, "choice_label": e.g. 'July to September 2026 (published)'}.
    """
    with read_session(engine) as session:
        snapshots = _snapshots(session)
    choices = []
    for period in recent_periods(today, kind):
        blocking = [s for s in snapshots if period.overlaps(s.period_start, s.period_end)]
        same = any(s.period_start == period.start and s.period_end == period.end for s in blocking)
        note = " (published)" if same else " (overlaps a published period)" if blocking else ""
        choices.append(
            {
                "period": period,
                "published": same,
                "blocked_by": blocking[0].label if blocking else None,
                "choice_label": period.label + note,
            }
        )
    return choices


def preview(engine: Engine, period: Period) -> dict:
    """The figures the period would publish now (nothing saved)."""
    threshold = get_settings(engine).suppression_threshold
    with read_session(engine) as session:
        return figures_in(session, period, threshold)


def publish(
    engine: Engine, user: CurrentUser, period: Period, *, today: date, now: datetime | None = None
) -> int:
    """Freeze a finished period's figures into a snapshot, so published numbers never shift.

    Refused for an unfinished period, and for one overlapping a published period (two
    overlapping periods could be subtracted to reveal the small numbers of their difference).
    """
    if user.role != Role.project_manager:
        raise ValidationError("Publish: only the project manager publishes report-back figures.")
    if period.end >= today:
        raise ValidationError(
            f"Period: {period.label} has not ended yet; publish it once it is over, so that its "
            "numbers are final."
        )
    now = now or utcnow()
    threshold = get_settings(engine).suppression_threshold
    with write_session(engine) as session:
        for snapshot in _snapshots(session):
            if period.overlaps(snapshot.period_start, snapshot.period_end):
                raise ValidationError(
                    f"Period: {snapshot.label} is already published and overlaps {period.label}."
                    " Published numbers never change, and overlapping periods could be "
                    "subtracted to reveal small numbers."
                )
        snapshot = ReportSnapshot(
            period_start=period.start,
            period_end=period.end,
            label=period.label,
            figures=figures_in(session, period, threshold),
            published_at=now,
            published_by=user.username,
        )
        session.add(snapshot)
        session.flush()
        audit.append(
            session,
            actor=user.actor,
            action="report.publish",
            subject=f"report-back {period.slug}",
            purpose="community report-back (PROTOCOL M6)",
            now=now,
        )
        return snapshot.id


def published(engine: Engine, time_zone: str | None = None) -> list[dict]:
    """Every published snapshot, newest period first: what community representatives see.

    Publication months are counted in `time_zone`, by default the site's (its settings).
    """
    time_zone = time_zone or get_settings(engine).time_zone
    with read_session(engine) as session:
        snapshots = _snapshots(session)
    return [
        {
            "id": s.id,
            "label": s.label,
            "slug": Period(s.figures.get("kind", "quarter"), s.period_start, s.period_end).slug,
            "published": month_label(_local(s.published_at, time_zone).replace(day=1)),
            "figures": s.figures,
        }
        for s in reversed(snapshots)
    ]


def _local(moment: datetime, time_zone: str) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(time_zone)).date()
