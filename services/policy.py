"""Who may open what and see what: the one policy table (SECURITY 1-3).

`PAGES` lists every page with the roles that may open it; `app.py` builds the navigation from
it and every page's guard checks it again. `FIELD_POLICY` says which participant fields each
audience sees; partners see any of them only under an active release covering their
organization (PROTOCOL C3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models import Role

PM = Role.project_manager
CM = Role.case_manager
CS = Role.clinical_supervisor
LE = Role.law_enforcement
CO = Role.corrections
PR = Role.prosecutor
CY = Role.community

PROVIDER_ROLES = frozenset({PM, CM, CS})
PARTNER_ROLES = frozenset({LE, CO, PR})
ALL_ROLES = frozenset(Role)

ROLE_LABELS = {
    PM: "Project manager",
    CM: "Case manager",
    CS: "Clinical supervisor",
    LE: "Law enforcement",
    CO: "Corrections",
    PR: "Prosecutor",
    CY: "Community representative",
}


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str
    title: str
    icon: str
    section: str
    roles: frozenset[Role]


# Pages, grouped by area so each area's pages sit together; navigation keeps this order.
CORE_PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "today", "pages/today.py", "Today", ":material/today:", "Work", frozenset({PM, CM, CS})
    ),
)
REFERRAL_PAGES: tuple[PageSpec, ...] = ()
PARTICIPANT_PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "participants",
        "pages/participants.py",
        "Participants",
        ":material/group:",
        "Work",
        PROVIDER_ROLES | PARTNER_ROLES,
    ),
    PageSpec(
        "participant",
        "pages/participant.py",
        "Participant record",
        ":material/person:",
        "Work",
        PROVIDER_ROLES | PARTNER_ROLES,
    ),
)
STAFFING_PAGES: tuple[PageSpec, ...] = ()
REPORT_PAGES: tuple[PageSpec, ...] = ()
ADMIN_PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "users",
        "pages/users.py",
        "Users",
        ":material/manage_accounts:",
        "Administer",
        frozenset({PM}),
    ),
    PageSpec(
        "site_settings",
        "pages/site_settings.py",
        "Site settings",
        ":material/tune:",
        "Administer",
        frozenset({PM}),
    ),
    PageSpec(
        "audit_log",
        "pages/audit_log.py",
        "Audit log",
        ":material/policy:",
        "Administer",
        frozenset({PM}),
    ),
)
HELP_PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "glossary", "pages/glossary.py", "Glossary", ":material/menu_book:", "Help", ALL_ROLES
    ),
    PageSpec("account", "pages/account.py", "My account", ":material/key:", "Help", ALL_ROLES),
)
PAGES: tuple[PageSpec, ...] = (
    CORE_PAGES
    + REFERRAL_PAGES
    + PARTICIPANT_PAGES
    + STAFFING_PAGES
    + REPORT_PAGES
    + ADMIN_PAGES
    + HELP_PAGES
)

PAGE_BY_KEY = {page.key: page for page in PAGES}


def can_open(role: Role | str | None, page_key: str) -> bool:
    if role is None or page_key not in PAGE_BY_KEY:
        return False
    return Role(role) in PAGE_BY_KEY[page_key].roles


def pages_for(role: Role | str) -> list[PageSpec]:
    return [page for page in PAGES if Role(role) in page.roles]


def home_page(role: Role | str) -> PageSpec:
    return pages_for(role)[0]


# --- Field-level policy (SECURITY 2) ---------------------------------------------------------

# Fields of a participant record, grouped by how sensitive they are.
PARTNER_SAFE_FIELDS = (
    "lead_id",
    "preferred_name",
    "status",
    "case_manager",
    "case_manager_contact",
    "last_contact_date",
)
PROVIDER_FIELDS = PARTNER_SAFE_FIELDS + ("legal_name", "aliases", "date_of_birth")
# 42 CFR Part 2 and PROTOCOL C4: never shown to partners, never used to investigate or charge.
RESTRICTED_FIELDS = ("case_notes", "substance_use", "mental_health", "criminal_history")
ALL_FIELDS = PROVIDER_FIELDS + RESTRICTED_FIELDS

FIELD_POLICY: dict[Role, frozenset[str]] = {
    PM: frozenset(PROVIDER_FIELDS),
    CM: frozenset(ALL_FIELDS),
    CS: frozenset(ALL_FIELDS),
    LE: frozenset(PARTNER_SAFE_FIELDS),
    CO: frozenset(PARTNER_SAFE_FIELDS),
    PR: frozenset(PARTNER_SAFE_FIELDS),
    CY: frozenset(),
}

CONSENT_STATES = ("none", "pending", "active", "expired", "rescinded")


def release_state(releases: list[dict], org_code: str, today: date) -> str:
    """The consent state of one participant for one organization (PROTOCOL C1, C3).

    `releases` are plain dicts with signed_date, expires_date, rescinded_date, covered_org_codes.
    A release signed in the future is "pending"; a rescinded one wins over everything else.
    """
    states = []
    for release in releases:
        if org_code not in release["covered_org_codes"]:
            continue
        if release["rescinded_date"] and release["rescinded_date"] <= today:
            states.append("rescinded")
        elif release["signed_date"] > today:
            states.append("pending")
        elif release["expires_date"] and release["expires_date"] < today:
            states.append("expired")
        else:
            states.append("active")
    for state in ("active", "pending", "expired", "rescinded"):
        if state in states:
            return state
    return "none"


def visible_fields(role: Role | str, consent: str) -> frozenset[str]:
    """Fields a role may see of one participant in a given consent state for its organization.

    Provider roles see their agency's records whatever the consent state; partners need an
    active release (PROTOCOL C3); community representatives never see a person's record.
    """
    role = Role(role)
    if role in PARTNER_ROLES and consent != "active":
        return frozenset()
    return FIELD_POLICY[role]
