"""Person matching for a new referral (PROTOCOL B14), on the one matcher in services.rules.

The participants a user may see who may be the referred person, strong or possible, each with
their earlier referrals; a new person beside a strong match needs a reason (NEW_PERSON_REASONS).
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import Participant, Referral, Role
from services.access.auth import CurrentUser
from services.core import audit
from services.core.db import read_session
from services.core.errors import ValidationError
from services.referrals.cover_sheet import Person
from services.referrals.scope import require_provider
from services.referrals.stage import derive_stage
from services.referrals.vocabulary import (
    MAX_NAME,
    REFERRAL_TYPE_LABELS,
    STAGE_LABELS,
    clean,
    code_of,
)
from services.rules import matching
from services.rules.matching import Names

MAX_MATCHES = 10
# The bands (strong / possible) and their thresholds live in services.rules.matching, the one
# matcher. A new person beside a strong match takes an explicit choice and a reason.
NEW_PERSON_REASONS = {
    "dob_differs": "The date of birth shows it is someone else",
    "id_checked": "Identification was checked: it is someone else",
    "staff_know": "Staff who know the earlier participant say it is someone else",
    "other": "Another reason (say which)",
}


def typed_names(person: Person) -> Names:
    """The cover sheet's person as the matcher reads it."""
    return Names(
        person.legal_name or "",
        person.preferred_name or "",
        tuple(a for a in person.aliases if clean(a)),
        person.date_of_birth,
    )


# What name matching reads of each participant (here and for the staffing inbox).
MATCH_COLUMNS = (
    Participant.id,
    Participant.lead_id,
    Participant.legal_name,
    Participant.preferred_name,
    Participant.aliases,
    Participant.date_of_birth,
    Participant.status,
)


def _visible_participants(session: Session, user: CurrentUser):
    query = select(*MATCH_COLUMNS)
    if user.role != Role.project_manager:
        query = query.where(Participant.organization_id == user.organization_id)
    return session.connection().execute(query).all()  # plain rows: 10,000 stay fast


@lru_cache(maxsize=4)
def _people(rows: tuple[tuple, ...]) -> matching.People:
    """The matcher's index of these rows, kept while they are unchanged (a lookup per keystroke
    pause among 10,000 participants reuses it; any change of a name or date makes new rows)."""
    return matching.People.of(
        (n, Names(legal or "", preferred or "", aliases, dob))
        for n, (_pid, _lead, legal, preferred, aliases, dob, _status) in enumerate(rows)
    )


def _scored_candidates(session: Session, user: CurrentUser, person: Person) -> list[tuple]:
    """(score, why, id, lead id, legal, preferred, aliases, dob, status, strong) of the
    participants the user may see who may be this person, best first (the one matcher)."""
    rows = tuple(
        (pid, lead, legal, preferred, tuple(aliases or ()), dob, status)
        for pid, lead, legal, preferred, aliases, dob, status in _visible_participants(
            session, user
        )
    )
    scored = []
    for n, hit in _people(rows).find(typed_names(person)):
        pid, lead_id, legal, preferred, aliases, dob, status = rows[n]
        strong = hit.band == "strong"
        scored.append(
            (
                hit.score,
                hit.reason,
                pid,
                lead_id,
                legal,
                preferred,
                list(aliases),
                dob,
                status,
                strong,
            )
        )
    scored.sort(key=lambda s: (not s[-1], -s[0], s[3]))
    return scored


def strong_matches(session: Session, user: CurrentUser, person: Person) -> list[tuple[str, str]]:
    """(LEAD id, why) of each strong match, best first: a new person beside one needs a reason
    (NEW_PERSON_REASONS)."""
    scored = _scored_candidates(session, user, person)
    return [(s[3], s[1]) for s in scored if s[-1]][:MAX_MATCHES]


def find_matches(
    engine: Engine, user: CurrentUser, person: Person, *, purpose: str = "referral intake (B14)"
) -> list[dict]:
    """Participants who may be this person, best first, each with their earlier referrals.

    Provider roles only. The lookup is audited (it shows identifiers), once per call: the page
    calls it only when the name or date of birth changed.
    """
    require_provider(user)
    names = [person.legal_name, person.preferred_name, *person.aliases]
    if not any(len(clean(n)) >= 2 for n in names) and person.date_of_birth is None:
        return []
    if any(len(n or "") > MAX_NAME for n in names):
        raise ValidationError(f"Name: use at most {MAX_NAME} characters.")
    with read_session(engine) as session:
        scored = _scored_candidates(session, user, person)[:MAX_MATCHES]
        ids = [s[2] for s in scored]
        prior: dict[int, list[str]] = {pid: [] for pid in ids}
        if ids:
            rows = session.exec(
                select(
                    Referral.participant_id,
                    Referral.referral_date,
                    Referral.referral_type,
                    Referral.stage,
                    Referral.closed_date,
                    Referral.intake_completed_date,
                    Referral.initial_screening_date,
                    Referral.intake_scheduled_date,
                )
                .where(col(Referral.participant_id).in_(ids))
                .order_by(col(Referral.referral_date).desc())
            ).all()
            for pid, referred, kind, stage, closed, intake, screened, scheduled in rows:
                stage = derive_stage(stage, closed, intake, screened, scheduled)
                prior[pid].append(
                    f"{referred} {REFERRAL_TYPE_LABELS[code_of(kind)].lower()}"
                    f" ({STAGE_LABELS[stage].lower()})"
                )
    matches = [
        {
            "participant_id": pid,
            "LEAD id": lead_id,
            "Legal name": legal,
            "Preferred name": preferred,
            "Aliases": ", ".join(aliases or []),
            "Date of birth": dob.isoformat() if dob else "",
            "Status": code_of(status),
            "Match": "strong" if strong else "possible",
            "Why": why,
            # PROTOCOL B14: a prior referral does not preclude a new one; it informs amenability.
            "Prior referrals": "; ".join(prior[pid]) or "none",
        }
        for _score, why, pid, lead_id, legal, preferred, aliases, dob, status, strong in scored
    ]
    audit.record(
        engine,
        actor=user.actor,
        action="participant.match",
        subject=",".join(m["LEAD id"] for m in matches)[:120],
        outcome=f"{len(matches)} candidate(s)",
        purpose=purpose,
    )
    return matches
