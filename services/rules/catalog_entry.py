"""One protocol rule's entry in the catalog (services/rules/catalog.py): its shape, the families,
the pages that record rules and the planned homes of the pure rules. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass

# The app's role codes (models.Role); "who acts" may be a partner's role.
ROLES = (
    "project_manager",
    "case_manager",
    "clinical_supervisor",
    "law_enforcement",
    "corrections",
    "prosecutor",
    "community",
)

# Planned homes of the pure rules (issue 13); other rules live where the app records them.
ELIGIBILITY = "services/rules/eligibility.py"
DEADLINES = "services/rules/deadlines.py"
CONSENT = "services/rules/consent.py"
MATCHING = "services/rules/matching.py"
SUPPRESSION = "services/rules/suppression.py"

NEW_REFERRAL = "pages/referral_new.py"
REFERRALS = "pages/referrals.py"
RECORD = "pages/participant.py"
TODAY = "pages/today.py"


@dataclass(frozen=True, slots=True)
class Form:
    """Where a closing action is recorded: the page file and the form's key (or button label).

    `form` None means the page as a whole (e.g. a report prepared there).
    """

    page: str
    form: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: what it means for the user, who acts, and the action that closes it."""

    id: str
    family: str
    title: str
    text: str
    who_acts: str
    action: str
    recorded_on: Form | None
    settings: tuple[str, ...]
    modules: tuple[str, ...]
    protocol: bool = True


def _r(
    id: str,
    family: str,
    title: str,
    text: str,
    who_acts: str,
    action: str,
    recorded_on: Form | None,
    modules: tuple[str, ...] | str,
    settings: tuple[str, ...] = (),
    protocol: bool = True,
) -> Rule:
    modules = (modules,) if isinstance(modules, str) else modules
    return Rule(id, family, title, text, who_acts, action, recorded_on, settings, modules, protocol)


ARREST = "Eligibility for arrest diversion"
SOCIAL = "Social contact referrals"
TIMELINE = "Timeline of a referral"
CONSENT_FAMILY = "Consent (release of information)"
VICTIMS = "Victims"
SERVICES = "Services and plan"
MEETINGS = "Meetings and reporting"
SITE = "Site obligations (not in the protocol)"

_COVER_SHEET = Form(NEW_REFERRAL, "Save referral")
