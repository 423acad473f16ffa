"""Lists of referrals: the open ones with stage, clock and next action, and the PM's
social-contact candidates (PROTOCOL S5, S6, B13) with their resolution.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func
from sqlmodel import col, select

from models import (
    Organization,
    Participant,
    ParticipantStatus,
    Referral,
    ReferralType,
    Role,
    SiteSettings,
)
from services.access.auth import CurrentUser
from services.core.db import read_session
from services.core.site import get_settings
from services.referrals.scope import in_scope, require_provider
from services.referrals.stage import clock, derive_stage
from services.referrals.vocabulary import CLOSED, REFERRAL_TYPE_LABELS, STAGE_LABELS, code_of, iso
from services.rules.deadlines import reassessment_due

LIST_COLUMNS = (
    Referral.id,
    Referral.version,
    Referral.referral_type,
    Referral.referral_date,
    Referral.stage,
    Referral.closed_date,
    Referral.closed_reason,
    Referral.intake_completed_date,
    Referral.initial_screening_date,
    Referral.intake_scheduled_date,
    Referral.intake_extended_to,
    Referral.prosecutor_notified_date,
    Referral.screen_eligible,
    Referral.screen_reasons,
    Referral.override_recommended,
    Referral.offense,
    Participant.lead_id,
    Participant.preferred_name,
    Participant.status,
)
_LIST_KEYS = tuple(c.key for c in LIST_COLUMNS)


def list_referrals(
    engine: Engine, user: CurrentUser, today: date, *, show: str = "open"
) -> list[dict]:
    """Referrals with stage, clock and next action; `show` is 'open', 'closed' or 'all'.

    Open = not closed and not yet a participant. The screen's rule ids are shown to case
    management staff only (they can reveal criminal history: not for the project manager).
    """
    require_provider(user)
    settings = get_settings(engine)
    query = in_scope(
        select(*LIST_COLUMNS).join(
            Participant, col(Participant.id) == col(Referral.participant_id)
        ),
        user,
    ).order_by(col(Referral.referral_date).desc(), col(Referral.id).desc())
    # Open in SQL, as derive_stage has it: neither closed nor past the intake (a few hundred of
    # 11,000 referrals at 10,000 participants); the stage is still derived for each row shown.
    is_open = col(Referral.closed_date).is_(None) & col(Referral.intake_completed_date).is_(None)
    if show == "open":
        query = query.where(is_open)
    elif show == "closed":
        query = query.where(~is_open)
    with read_session(engine) as session:
        rows = [dict(zip(_LIST_KEYS, r, strict=True)) for r in session.exec(query).all()]
    out = []
    for row in rows:
        row["participant_active"] = code_of(row["status"]) == ParticipantStatus.active.value
        state = clock(row, today, settings)
        screen_text = (
            "not screened"
            if row["screen_eligible"] is None
            else "Eligible"
            if row["screen_eligible"]
            else "Excluded"
        )
        if row["screen_reasons"] and user.role != Role.project_manager:
            screen_text += " (" + ", ".join(row["screen_reasons"]) + ")"
        if row["override_recommended"]:
            screen_text += "; override recommended (B13)"
        out.append(
            {
                "id": row["id"],
                "version": row["version"],
                "LEAD id": row["lead_id"],
                "Name": row["preferred_name"],
                "Type": REFERRAL_TYPE_LABELS[code_of(row["referral_type"])],
                "Referred": row["referral_date"].isoformat(),
                "Stage": STAGE_LABELS[state.stage],
                "Screen": screen_text,
                "Intake due": state.due.isoformat() if state.due else "",
                "Clock": state.text,
                "Next action": state.next_action,
            }
        )
    return out


CANDIDATES_SHOWN = 25  # the newest candidates listed on Today and Referrals; the rest on asking


def _is_candidate():
    """Social contact and DOC referrals, and arrest diversions the screen excluded (B13)."""
    return (col(Referral.referral_type) != ReferralType.arrest) | (
        col(Referral.screen_eligible).is_(False)
    )


def social_contact_candidate_count(engine: Engine, user: CurrentUser) -> int:
    """How many social-contact candidates there are in all (PROTOCOL S5), for the PM only."""
    if user.role != Role.project_manager:
        return 0
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(Referral).where(_is_candidate())).one()


# What the project manager's candidate list reads of each referral (no criminal history).
CANDIDATE_COLUMNS = (
    Referral.id,
    Referral.referral_type,
    Referral.referral_date,
    Referral.stage,
    Referral.closed_date,
    Referral.closed_reason,
    Referral.intake_completed_date,
    Referral.initial_screening_date,
    Referral.intake_scheduled_date,
    Referral.screen_eligible,
    Referral.approving_sergeant,
    Referral.social_contact_approved_date,
    Referral.reassessed_date,
    Participant.lead_id,
    Participant.status,
    Organization.code,
)


def social_contact_candidates(
    engine: Engine, user: CurrentUser, today: date, *, limit: int | None = None
) -> list[dict]:
    """PROTOCOL S5: every social-contact candidate and its resolution, for the project manager.

    Social contact and DOC referrals, and arrest diversions the screen excluded (offered the
    social-contact route, B13). No criminal-history or screen detail: the PM sees outcomes.
    Newest first; `limit` keeps the newest few (about 2,800 candidates at 10,000 participants).
    """
    if user.role != Role.project_manager:
        return []
    settings = get_settings(engine)
    query = (
        select(*CANDIDATE_COLUMNS)
        .join(Participant, col(Participant.id) == col(Referral.participant_id))
        .outerjoin(Organization, col(Organization.id) == col(Referral.referring_organization_id))
        .where(_is_candidate())
        .order_by(col(Referral.referral_date).desc(), col(Referral.id).desc())
        .limit(limit)
    )
    with read_session(engine) as session:
        rows = session.exec(query).all()
    return [_candidate(row, settings) for row in rows]


def _candidate(row: tuple, settings: SiteSettings) -> dict:
    """One candidate row (CANDIDATE_COLUMNS) as the project manager sees it."""
    (
        _rid,
        kind,
        referred,
        stage,
        closed,
        closed_reason,
        intake,
        screened,
        scheduled,
        eligible,
        sergeant,
        approved,
        reassessed,
        lead_id,
        status,
        org_code,
    ) = row
    kind = code_of(kind)
    current = derive_stage(stage, closed, intake, screened, scheduled, code_of(status) == "active")
    if kind == "arrest":
        route = "Arrest diversion excluded: social-contact route offered (B13)"
    else:
        route = REFERRAL_TYPE_LABELS[kind]
    return {
        "LEAD id": lead_id,
        "Candidate": route,
        "Referred": referred.isoformat(),
        "From": org_code or "",
        "Approved by (S5)": sergeant,
        "Approved on": iso(approved) or "not yet",
        "Approval good until (S6)": iso(
            reassessment_due(approved, reassessed, settings.social_contact_approval_months)
        )
        if approved
        else "",
        "Screen": "not screened"
        if eligible is None
        else ("criteria met" if eligible else "criteria not met"),
        "Resolution": STAGE_LABELS[current]
        + (f": {closed_reason}" if current == CLOSED and closed_reason else ""),
    }
