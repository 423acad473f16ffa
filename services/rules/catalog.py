"""Every rule of the LEAD protocol once: its words, who acts, what closes it, where it is recorded.

The one home of each rule's title and plain-words meaning (issue 13). Today's alerts, the
glossary and docs/rules.md (scripts/rules_doc.py) read it; no page spells a rule's title or
action again. Ids follow ../shared/domain/PROTOCOL.md (copied to docs/protocol.md), plus the
site's own obligations (`protocol=False`), such as the no-contact alert.

Standard library only: role codes are the values of `models.Role` (the app's roles, partners
included), settings are `SiteSettings` field names, modules are paths in this repository.

>>> rule("T5").title
'Prosecutor notice of a missed intake'
>>> rule("T5").who_acts, rule("T5").settings
('case_manager', ('intake_days', 'prosecutor_notice_days'))
"""

from __future__ import annotations

from dataclasses import dataclass

from services.rules.catalog_entry import (  # re-exported: the entry shape, families, pages
    ARREST as ARREST,
)
from services.rules.catalog_entry import (
    CONSENT as CONSENT,
)
from services.rules.catalog_entry import (
    CONSENT_FAMILY as CONSENT_FAMILY,
)
from services.rules.catalog_entry import (
    DEADLINES as DEADLINES,
)
from services.rules.catalog_entry import (
    ELIGIBILITY as ELIGIBILITY,
)
from services.rules.catalog_entry import (
    MATCHING as MATCHING,
)
from services.rules.catalog_entry import (
    MEETINGS as MEETINGS,
)
from services.rules.catalog_entry import (
    NEW_REFERRAL as NEW_REFERRAL,
)
from services.rules.catalog_entry import (
    RECORD as RECORD,
)
from services.rules.catalog_entry import (
    REFERRALS as REFERRALS,
)
from services.rules.catalog_entry import (
    ROLES as ROLES,
)
from services.rules.catalog_entry import (
    SERVICES as SERVICES,
)
from services.rules.catalog_entry import (
    SITE as SITE,
)
from services.rules.catalog_entry import (
    SOCIAL as SOCIAL,
)
from services.rules.catalog_entry import (
    SUPPRESSION as SUPPRESSION,
)
from services.rules.catalog_entry import (
    TIMELINE as TIMELINE,
)
from services.rules.catalog_entry import (
    TODAY as TODAY,
)
from services.rules.catalog_entry import (
    VICTIMS as VICTIMS,
)
from services.rules.catalog_entry import (
    Form as Form,
)
from services.rules.catalog_entry import (
    Rule as Rule,
)
from services.rules.catalog_program import PROGRAM_RULES
from services.rules.catalog_screening import SCREENING_RULES

RULES: tuple[Rule, ...] = SCREENING_RULES + PROGRAM_RULES

BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


@dataclass(frozen=True, slots=True)
class Term:
    """A word the protocol and the app use, in plain language, with the rules behind it."""

    term: str
    meaning: str
    rules: tuple[str, ...] = ()


# The glossary's words (pages/glossary.py): windows and thresholds are the site's settings,
# shown beside the rules that read them, never spelled here.
GLOSSARY: tuple[Term, ...] = (
    Term(
        "LEAD (Law Enforcement Assisted Diversion)",
        "Police divert people arrested for low-level drug, theft and sex-work offenses to case "
        "management instead of jail, or refer them before any arrest.",
    ),
    Term(
        "Arrest diversion",
        "A person arrested for an eligible offense is referred to case management before booking.",
        ("B1", "T1"),
    ),
    Term(
        "Social contact referral",
        "A person referred before any arrest, verified and approved by a LEAD-trained sergeant; "
        "the approval lasts a set time, then it is re-assessed.",
        ("S1", "S5", "S6"),
    ),
    Term(
        "Release of information (ROI)",
        "The participant's consent to share information among the operational partners and "
        "discuss them at staffing sessions.",
        ("C1", "C3"),
    ),
    Term(
        "Participant",
        "A person whose in-depth intake is complete and who signed a release no later than it.",
        ("T6",),
    ),
    Term(
        "Individual Intervention Plan (IIP)",
        "The participant's own plan: housing, treatment, education, jobs, benefits and more.",
        ("P1",),
    ),
    Term(
        "In-depth intake",
        "The full assessment after the initial screening, due by the intake deadline unless "
        "extended.",
        ("T4",),
    ),
    Term(
        "Prosecutor notice",
        "When the intake deadline is missed, the provider tells the prosecutor with jurisdiction.",
        ("T5",),
    ),
    Term(
        "Staffing session",
        "The meeting of the operational partners that reviews participants and the program.",
        ("M1", "M3"),
    ),
    Term("BHRD", "The funder, which receives the monthly client-level reports.", ("M5",)),
    Term(
        "DOC NCI",
        "The Department of Corrections team that decides on people held on a DOC warrant.",
        ("B11",),
    ),
)


def rule(rule_id: str) -> Rule:
    """The rule with this id (KeyError for an unknown id)."""
    return BY_ID[rule_id]


def title(rule_id: str, default: str = "") -> str:
    """A rule's title, or `default` for an id the catalog does not hold (e.g. an action item)."""
    found = BY_ID.get(rule_id)
    return found.title if found else default


def action(rule_id: str) -> str:
    return BY_ID[rule_id].action


def who_acts(rule_id: str) -> str:
    return BY_ID[rule_id].who_acts


def families() -> dict[str, list[Rule]]:
    """The rules by family, in protocol order."""
    out: dict[str, list[Rule]] = {}
    for r in RULES:
        out.setdefault(r.family, []).append(r)
    return out


def rules_reading(setting: str) -> list[Rule]:
    """The rules whose windows or thresholds come from this site setting."""
    return [r for r in RULES if setting in r.settings]
