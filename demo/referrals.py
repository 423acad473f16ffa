"""Synthetic cover sheets for the demo referrals: sergeants, prosecutor, screen results, stages.

Called once from demo.seed.seed_demo after the demo referrals exist. Deterministic for a given
generator; adds no people. A few referrals are put at the early stages (not screened yet, left
before screening, intake scheduled, a victim information sheet: PROTOCOL T1-T4, V1) so the
Referrals page and Today show them. Every name is fake ("Sgt. Demo-Sergeant").
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from models import (
    Participant,
    ParticipantStatus,
    Referral,
    ReferralEvent,
    ReferralType,
    SiteSettings,
)
from services.referrals import (
    DETERMINATION_LABELS,
    LEFT,
    REFERRAL_TYPE_LABELS,
    CoverSheet,
    derive_stage,
    preview,
)

# The demo's officers answered every determination: amenable, interested, nothing else.
DEMO_DETERMINATIONS = {k: k in ("amenable", "interested") for k in DETERMINATION_LABELS}


def seed_demo_details(session: Session, rng, today: date, now: datetime) -> None:
    """Fill the demo referrals' cover sheets and stages; deterministic for a given rng.

    Adds no people: it completes the referrals demo.seed created (sergeants, prosecutor,
    screen results, stages), and puts a few at the stages the Referrals page and Today show: not
    screened yet, left before screening, intake scheduled, a victim sheet, an excluded arrest.
    """
    session.flush()
    rows = session.exec(
        select(Referral, Participant)
        .join(Participant, col(Participant.id) == col(Referral.participant_id))
        .order_by(col(Referral.id))
    ).all()
    recent = [r for r, _ in rows if (today - r.referral_date).days <= 12]
    lookback = (session.get(SiteSettings, 1) or SiteSettings()).social_contact_lookback_months
    for referral, _participant in rows:
        kind = ReferralType(referral.referral_type).value
        referral.supervising_sergeant = "Sgt. Demo-Sergeant"
        referral.prosecutor_office = rng.choice(["KCPAO", "BCA"])
        referral.place = rng.choice(["Demo block A", "Demo park B", "Demo transit stop C"])
        referral.in_catchment = True
        referral.determinations = dict(DEMO_DETERMINATIONS)
        if kind != "arrest":
            referral.verification_basis = rng.choice(["records", "observation"])
            referral.last_violation_date = referral.referral_date - timedelta(days=10)
            referral.approving_sergeant = "Sgt. Demo-Approver"
        sheet = CoverSheet(
            referral_type=kind,
            referral_date=referral.referral_date,
            offense=referral.offense,
            in_catchment=True,
            verification_basis=referral.verification_basis,
            last_violation_date=referral.last_violation_date,
        )
        verdict = preview(sheet, referral.referral_date, lookback_months=lookback)  # S3
        referral.screen_eligible = verdict["eligible"]
        referral.screen_reasons = [r["rule"] for r in verdict["reasons"]]
        session.add(
            ReferralEvent(
                referral_id=referral.id,
                at=now,
                username="system",
                event="referred",
                detail=f"{REFERRAL_TYPE_LABELS[kind]} (demo)",
            )
        )
    # A few referrals at the early stages (the newest ones, so their clocks are running).
    for i, referral in enumerate(sorted(recent, key=lambda r: r.referral_date, reverse=True)):
        if referral.intake_completed_date is not None:
            continue
        if i == 0:
            referral.initial_screening_date = None
        elif i == 1:
            referral.initial_screening_date = None
            referral.stage = LEFT
        elif i == 2:
            referral.intake_scheduled_date = today + timedelta(days=1)
        elif i == 3:
            referral.victim_involved = True
            referral.victim_sheet_date = referral.referral_date
    for referral, participant in rows:
        referral.stage = derive_stage(
            referral.stage,
            referral.closed_date,
            referral.intake_completed_date,
            referral.initial_screening_date,
            referral.intake_scheduled_date,
            participant.status == ParticipantStatus.active,
        )
        session.add(referral)
