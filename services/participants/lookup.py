"""Who sees whom: the fields one user may see of one record, and the participant search.

Provider staff (project manager, case managers, clinical supervisor) see their agency's records.
Police, sheriff, corrections and prosecutors see a participant only under an active release of
information covering their organization (PROTOCOL C3), and then only partner-safe fields.
Community representatives never see a person's record (SECURITY 1-3, 8, 20). Which field goes
to whom is services/access/policy.py's one table.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, String, cast, func, or_
from sqlmodel import Session, col, select

from models import Participant, Role, User
from services.access.auth import CurrentUser
from services.access.policy import PARTNER_ROLES, PROVIDER_ROLES, release_state, visible_fields
from services.core.db import read_session
from services.core.errors import ValidationError
from services.participants.casework import general_releases

MAX_QUERY_LENGTH = 80
MAX_SEARCH_ROWS = 500


def _agency_ok(user: CurrentUser, organization_id: int) -> bool:
    # The project manager administers the site; case management staff see their agency's records.
    return user.role == Role.project_manager or organization_id == user.organization_id


def fields_for(user: CurrentUser, organization_id: int, consent: str) -> frozenset[str]:
    """The policy's fields for this user and record (empty: the user sees nothing)."""
    if user.role in PROVIDER_ROLES and not _agency_ok(user, organization_id):
        return frozenset()
    return visible_fields(user.role, consent)


def validate_query(query: str) -> str:
    query = (query or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationError(f"Search: use at most {MAX_QUERY_LENGTH} characters.")
    return query.casefold()


def _matches(lead_id: str, names: list[str], needle: str) -> bool:
    if not needle:
        return True
    if lead_id.casefold() == needle:
        return True
    return any(needle in name.casefold() for name in names)


def search(engine: Engine, user: CurrentUser, query: str, today: date) -> list[dict]:
    """Participants this user may see whose LEAD id equals, or a name or alias contains, query.

    Matching is done in Python on plain strings: `%`, `_` and quotes are ordinary characters.
    Reads plain columns only (no notes); partners' candidates are narrowed by their releases
    first. At most MAX_SEARCH_ROWS rows come back, in LEAD id order.
    """
    needle = validate_query(query)
    if user.role not in PROVIDER_ROLES | PARTNER_ROLES:
        return []
    columns = (
        Participant.id,
        Participant.lead_id,
        Participant.preferred_name,
        Participant.legal_name,
        Participant.aliases,
        Participant.status,
        Participant.case_manager_id,
        Participant.organization_id,
        Participant.last_contact_date,
    )
    with read_session(engine) as session:
        query_ = select(*columns).order_by(Participant.lead_id)
        releases: dict[int, list[dict]] = {}
        if user.role in PARTNER_ROLES:
            releases = general_releases(session, None)
            shared = [
                pid
                for pid, rows in releases.items()
                if release_state(rows, user.organization_code, today) == "active"
            ]
            if not shared:
                return []
            query_ = query_.where(col(Participant.id).in_(shared))
        elif user.role != Role.project_manager:
            query_ = query_.where(Participant.organization_id == user.organization_id)
        # Narrow in SQL, decide in Python: the rows above are already the ones this user may
        # see, so an empty search needs only the first page, and a search only candidates.
        if not needle:
            query_ = query_.limit(MAX_SEARCH_ROWS)
        elif _prefilter_safe(needle):
            query_ = query_.where(_candidates(needle, engine.dialect.name))
        managers = _names(session)
        results = []
        # Streamed, not .all(): an empty search stops reading at MAX_SEARCH_ROWS (issue 7: all
        # 10,000 rows were loaded to show the first 500).
        for pid, lead_id, preferred, legal, aliases, status, cm_id, org_id, last in session.exec(
            query_
        ):
            consent = release_state(releases.get(pid, []), user.organization_code, today)
            allowed = fields_for(user, org_id, consent)
            if "lead_id" not in allowed:
                continue
            # Partners match on what they may see: the LEAD id and the preferred name.
            names = [preferred, legal, *aliases] if "legal_name" in allowed else [preferred]
            if not _matches(lead_id, names, needle):
                continue
            results.append(
                {
                    "id": pid,
                    "LEAD id": lead_id,
                    "Name": preferred,
                    "Status": getattr(status, "value", status),
                    "Case manager": managers.get(cm_id, "unassigned"),
                    "Last contact": last.isoformat() if last else "none recorded",
                }
            )
            if len(results) >= MAX_SEARCH_ROWS:
                break
    return results


def _prefilter_safe(needle: str) -> bool:
    """SQL lower() agrees with str.casefold() on ASCII text (JSON text escapes quotes).

    The one gap: a stored letter that casefolds into ASCII (ß -> ss) is found by its own
    spelling, not by the ASCII one; every other search is exactly the Python match.
    """
    return needle.isascii() and '"' not in needle and "\\" not in needle


def _candidates(needle: str, dialect: str):
    """SQL: rows whose LEAD id or any name could match (a literal substring, never a pattern)."""
    find = func.instr if dialect == "sqlite" else func.strpos
    texts = (
        Participant.preferred_name,
        Participant.legal_name,
        cast(Participant.aliases, String),
    )
    return or_(
        func.lower(Participant.lead_id) == needle,
        *[find(func.lower(text_), needle) > 0 for text_ in texts],
    )


def _names(session: Session) -> dict[int, str]:
    return dict(session.exec(select(User.id, User.display_name)).all())
