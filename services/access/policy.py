"""Who may open what and see what: the one policy table (SECURITY 1-3).

`PAGES` lists every page with the roles that may open it; `app.py` builds the navigation from
it and every page's guard checks it again. `FIELD_POLICY` says which participant fields each
audience sees; partners see any of them only under an active release covering their
organization (PROTOCOL C3).
"""

from __future__ import annotations

from dataclasses import dataclass

from models import Role
from services.rules.consent import (  # noqa: F401  (the consent gate's home; re-exported)
    CONSENT_STATES,
    release_state,
)

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
REFERRAL_PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "referral_new",
        "pages/referral_new.py",
        "New referral",
        ":material/person_add:",
        "Work",
        PROVIDER_ROLES,
    ),
    PageSpec(
        "referrals",
        "pages/referrals.py",
        "Referrals",
        ":material/assignment_ind:",
        "Work",
        PROVIDER_ROLES,
    ),
)
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
    PageSpec(
        "contact_log",
        "pages/contact_log.py",
        "Log a contact",
        ":material/add_call:",
        "Work",
        frozenset({CM, CS}),
    ),
    PageSpec(
        "caseload",
        "pages/caseload.py",
        "Caseload",
        ":material/groups:",
        "Work",
        frozenset({PM, CM, CS}),
    ),
    PageSpec(
        "caseload_import",
        "pages/caseload_import.py",
        "Import caseload",
        ":material/upload_file:",
        "Work",
        frozenset({PM, CS}),
    ),
)
# PROTOCOL M2: partners send names (case management staff too); community representatives raise
# areas of concern in person, never persons, and the project manager logs them (Community log).
STAFFING_PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "submit_names",
        "pages/submit_names.py",
        "Submit names",
        ":material/playlist_add:",
        "Staffing",
        PARTNER_ROLES | frozenset({CM, CS}),
    ),
    PageSpec(
        "agenda", "pages/agenda.py", "Agenda", ":material/list_alt:", "Staffing", frozenset({PM})
    ),
    PageSpec(
        "presenter",
        "pages/presenter.py",
        "Presenter",
        ":material/co_present:",
        "Staffing",
        frozenset({PM}),
    ),
    PageSpec(
        "session_outcomes",
        "pages/session_outcomes.py",
        "Session outcomes",
        ":material/task:",
        "Staffing",
        frozenset({PM}),
    ),
)
# The community representative's home page is the first one they may open: report-back.
REPORT_PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "report_back",
        "pages/report_back.py",
        "Report-back",
        ":material/campaign:",
        "Reports",
        frozenset({PM, CY}),
    ),
    PageSpec(
        "community_log",
        "pages/community_log.py",
        "Community log",
        ":material/forum:",
        "Reports",
        frozenset({PM}),
    ),
    PageSpec(
        "funder_reports",
        "pages/funder_reports.py",
        "Funder reports",
        ":material/request_quote:",
        "Reports",
        frozenset({PM}),
    ),
)
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

# Fields of a participant record, grouped by how sensitive they are. A field is either a single
# value (legal_name) or a section of rows (releases, contacts); services.participants fills each
# one only when `visible_fields` says so.
# Partner-safe (the list): who the person is in LEAD, who to call, when they were last
# seen, how the plan is going (domains only, treatment domains folded into "health") and the
# open deadlines that concern the partner's organization.
PARTNER_SAFE_FIELDS = (
    "lead_id",
    "preferred_name",
    "status",
    "case_manager",
    "case_manager_contact",
    "last_contact_date",
    "plan_domains",
    "open_deadlines",
)
# Provider staff (the project manager included): identity, demographics, history, consent and
# the non-clinical parts of the casework.
PROVIDER_FIELDS = PARTNER_SAFE_FIELDS + (
    "legal_name",
    "aliases",
    "date_of_birth",
    "race_ethnicity",
    "primary_language",
    "interpreter_needed",
    "gender_identity",
    "housing_situation",
    "housing_history",
    "status_history",
    "releases",
    "intake_date",
    "services",
    "contacts",
)
# 42 CFR Part 2 and PROTOCOL C4: never shown to partners or the project manager, never used to
# investigate or charge. Goal text is in the participant's own words and may name treatment.
RESTRICTED_FIELDS = (
    "case_notes",
    "substance_use",
    "mental_health",
    "criminal_history",
    "intake_factors",
    "immediate_needs",
    "plan_goals",
    "treatment_services",
    "treatment_releases",
    "contact_notes",
)
ALL_FIELDS = PROVIDER_FIELDS + RESTRICTED_FIELDS

ANY_STATE = frozenset(CONSENT_STATES)

# The one policy table: role -> (fields it may see, release states in which it sees them).
# Provider roles see their agency's records whatever the release state; partners only under an
# active release covering their organization (PROTOCOL C3); community never sees a person.
FIELD_POLICY: dict[Role, frozenset[str]] = {
    PM: frozenset(PROVIDER_FIELDS),
    CM: frozenset(ALL_FIELDS),
    CS: frozenset(ALL_FIELDS),
    LE: frozenset(PARTNER_SAFE_FIELDS),
    CO: frozenset(PARTNER_SAFE_FIELDS),
    PR: frozenset(PARTNER_SAFE_FIELDS),
    CY: frozenset(),
}
RELEASE_STATES_NEEDED: dict[Role, frozenset[str]] = {
    PM: ANY_STATE,
    CM: ANY_STATE,
    CS: ANY_STATE,
    LE: frozenset({"active"}),
    CO: frozenset({"active"}),
    PR: frozenset({"active"}),
    CY: frozenset(),
}

# Who may change what (every change is also limited to the user's agency's records).
IDENTITY_EDITORS = frozenset({PM, CM, CS})  # identity and demographics
CASEWORK_EDITORS = frozenset({CM, CS})  # releases, intake, plan, services, contacts, status
ASSIGNERS = frozenset({PM, CS})  # assign a case manager, hand a caseload over (coverage)
IMPORTERS = frozenset({PM, CS})


def visible_fields(role: Role | str, consent: str) -> frozenset[str]:
    """Fields a role may see of one participant in a given consent state for its organization.

    >>> sorted(visible_fields("prosecutor", "expired"))
    []
    >>> "case_notes" in visible_fields("project_manager", "none")
    False
    """
    role = Role(role)
    if consent not in RELEASE_STATES_NEEDED[role]:
        return frozenset()
    return FIELD_POLICY[role]


def policy_cells() -> list[tuple[Role, str, str, bool]]:
    """Every cell of the table: (role, field, release state, may see)."""
    return [
        (role, name, state, name in visible_fields(role, state))
        for role in Role
        for name in ALL_FIELDS
        for state in CONSENT_STATES
    ]
