"""Synthetic report-back data for `make run`: community meetings and concerns, and one
published quarter, so the community representative's home page has something to show.

Called once from demo.seed.seed_demo after the demo people and casework exist.
Deterministic (the demo's generator), quick, and fake throughout ("Demo ..." places).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlmodel import Session

from models import CommunityConcern, CommunityMeeting, ReportSnapshot, SiteSettings
from services.core import audit
from services.core.audit import SYSTEM
from services.reports.community import AUDIENCES, STATUSES
from services.reports.report_back import figures_in, recent_periods

DEMO_PLACES = (
    "Demo Library community room",
    "Demo Community Center",
    "Demo Chamber of Commerce office",
)
DEMO_CONCERNS = (
    ("Demo Park, north entrance", "Discarded needles near the play area"),
    ("Demo Transit Center", "People sleeping in the bus shelter overnight"),
    ("Demo Avenue shops", "Shoplifting reported by business owners"),
    ("Demo Alley behind the plaza", "Open drug use in the afternoons"),
)


def seed_reports_demo(session: Session, rng: random.Random, today: date, now: datetime) -> None:
    """Three meetings with a concern each (open, in progress, resolved), one more open concern,
    and the quarter before last published (the last one is left for the PM to publish)."""
    for index, weeks_ago in enumerate((2, 7, 13)):
        meeting = CommunityMeeting(
            on=today - timedelta(weeks=weeks_ago),
            audience=AUDIENCES[index % len(AUDIENCES)],
            place=DEMO_PLACES[index],
            attendance=rng.randint(8, 40),
            feedback="Demo feedback: residents asked how LEAD chooses its areas of focus.",
            username="pm",
            at=now,
        )
        session.add(meeting)
        session.flush()
        area, behaviour = DEMO_CONCERNS[index]
        session.add(
            CommunityConcern(
                meeting_id=meeting.id,
                area=area,
                behaviour=behaviour,
                status=STATUSES[index],
                raised_on=meeting.on,
                updated_at=now,
                updated_by="pm",
            )
        )
    area, behaviour = DEMO_CONCERNS[3]
    session.add(
        CommunityConcern(
            area=area,
            behaviour=behaviour,
            status="open",
            raised_on=today - timedelta(days=3),
            updated_at=now,
            updated_by="pm",
        )
    )
    period = recent_periods(today, "quarter", 2)[1]
    threshold = session.get(SiteSettings, 1).suppression_threshold
    session.add(
        ReportSnapshot(
            period_start=period.start,
            period_end=period.end,
            label=period.label,
            figures=figures_in(session, period, threshold),
            published_at=now,
            published_by="pm",
        )
    )
    audit.append(
        session,
        actor=SYSTEM,
        action="report.publish",
        subject=f"report-back {period.slug}",
        purpose="demo: community report-back (PROTOCOL M6)",
        now=now,
    )
