"""The staffing vocabulary: session kinds, statuses, standing items, limits, messages, and the
session's label and day as people read them.

PROTOCOL M1 (two kinds of session), M2 (who sends names and what they read back), M3 (the standing
items every session reviews) and C3 (the message when no release covers an attending
organization); SECURITY 5 (a partner's status reads the same whoever the person is).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from models import OrgKind, Role, StaffingSession
from services.access.policy import PARTNER_ROLES
from services.core.clock import local_today

SESSION_KINDS = {"workgroup": "Operational workgroup", "staffing": "Staffing session"}
URGENCIES = ("routine", "soon", "urgent")
# Who may send names (PROTOCOL M2: "partners"; case management staff may add their own
# participants). Community representatives raise areas of concern, never persons (M3, M6).
SUBMITTER_ROLES = PARTNER_ROLES | {Role.case_manager, Role.clinical_supervisor}
# What a submitter sees of their own submission: never why it was held (SECURITY 5).
STATUS_FOR_SUBMITTER = {
    "submitted": "Received",
    "on_agenda": "On the agenda",
    "held": "Held",
    "carried": "Carried over to a later session",
}
# SECURITY 5: until the session, a partner's submission reads the same whoever the person is
# ("Held" would say the name is not a discussable participant); from the session day the
# partner, who attends, may read whether the person was on the agenda.
PARTNER_STATUS_BEFORE_SESSION = "Received"
PARTNER_STATUS_AFTER_SESSION = {"on_agenda": "On the agenda"}
PARTNER_STATUS_NOT_DISCUSSED = "Not on the agenda"
INBOX_STATUSES = ("submitted", "carried")
# Organizations that attend by default are the site's partners of these kinds (every kind but
# the community representatives: `sessions.default_attending`); the LEAD team itself (provider,
# PDA) needs no release.
DEFAULT_ATTENDING_KINDS = (
    OrgKind.police,
    OrgKind.sheriff,
    OrgKind.corrections,
    OrgKind.prosecutor,
    OrgKind.defender,
    OrgKind.provider,
)
LEAD_TEAM_KINDS = (OrgKind.provider, OrgKind.defender)

ACTION_ITEMS_TITLE = "Open action items from earlier sessions"
# PROTOCOL M3: what every session reviews besides participants, in agenda order.
STANDING_TITLES = (
    "Referral criteria",
    "Program capacity",
    "Operational efficiency and effectiveness",
    "Community concerns",
)
STANDING_MINUTES = {ACTION_ITEMS_TITLE: 5, **dict.fromkeys(STANDING_TITLES, 5)}
PARTICIPANT_MINUTES = 5
RESCINDED_TITLE = "Releases of information rescinded since the last session"

MAX_NAME = 120
MAX_REASON = 300
MAX_HOLD_REASON = 200
MAX_PLACE = 200
MAX_NOTES = 2000
MAX_ACTION = 500
MAX_ITEM_MINUTES = 120
CANDIDATE_KIND = "candidate"  # a referral candidate: not a participant, shown by the name typed
CANDIDATE_LABEL = "Referral candidate (not a participant)"
URGENT_MARK = "▲ URGENT"  # a mark and a word, never colour alone
MATCH_LIMIT = 5

SUBMITTED_MESSAGE = (
    "Thank you. Your name for discussion was received for the {kind} on {day}. "
    "The project manager reviews every name before the session; your list below shows "
    "where it stands."
)
NOT_A_PARTICIPANT = (
    "Not matched to a LEAD participant: only participants can be discussed (PROTOCOL C3)."
)
CONSENT_HELD = (
    "No active release of information covers {orgs} on {day}: the person cannot be discussed "
    "at this session (PROTOCOL C3)."
)


def session_label(row: StaffingSession) -> str:
    """E.g. 'Operational workgroup · Thu 3 Dec 2026 · 10:00'."""
    return f"{SESSION_KINDS.get(row.kind, row.kind)} · {_day(row.on)} · {row.starts_at}"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _local_day(at: datetime, time_zone: str) -> date:
    # Stored times are naive UTC (models.py).
    return local_today(time_zone, at if at.tzinfo else at.replace(tzinfo=UTC))
