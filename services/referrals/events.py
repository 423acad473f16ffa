"""A referral's event trail: each step (PROTOCOL T1-T6, B13, B14) writes one event; they are
read back oldest first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import Referral, ReferralEvent
from services.access.auth import CurrentUser
from services.core.db import read_session


def add_event(
    session: Session,
    referral: Referral,
    user: CurrentUser,
    now: datetime,
    event: str,
    detail: str = "",
) -> None:
    session.add(
        ReferralEvent(
            referral_id=referral.id,
            at=now,
            username=user.username,
            event=event,
            detail=detail[:500],
        )
    )


def referral_events(engine: Engine, referral_id: int) -> list[tuple[str, str]]:
    """(event, username) of one referral, oldest first."""
    with read_session(engine) as session:
        return [
            (e, u)
            for e, u in session.exec(
                select(ReferralEvent.event, ReferralEvent.username)
                .where(ReferralEvent.referral_id == referral_id)
                .order_by(col(ReferralEvent.id))
            )
        ]
