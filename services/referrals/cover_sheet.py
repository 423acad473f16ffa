"""The LEAD cover sheet as plain data, and the screen mapped from it (decision support).

`CoverSheet` and `Person` are what the New referral page fills. `preview` maps a (possibly
partial) sheet to the contract's case dict and runs the eligibility screen: every exclusion
with its reason in plain words, never a verdict (PROTOCOL B1-B13, S1-S4; B9 names the
conviction and its window).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from services.referrals.vocabulary import (
    CONVICTION_LABELS,
    DECISION_SUPPORT,
    DETERMINATION_LABELS,
    DETERMINATIONS_ASKED,
    REASON_TEXT,
    SCREENED_DETERMINATIONS,
    VERIFICATION_LABELS,
    grams_or_none,
    iso,
)
from services.rules.eligibility import (
    SOCIAL_CONTACT_VIOLATION_MONTHS,
    disqualifying_convictions,
    screen,
)

# --- The cover sheet as plain data ---------------------------------------------------------------


@dataclass
class Person:
    """Who is referred; matched to existing participants before a new one is created (B14)."""

    legal_name: str = ""
    preferred_name: str = ""
    aliases: list[str] = field(default_factory=list)
    date_of_birth: date | None = None


@dataclass
class CoverSheet:
    """The LEAD cover sheet. `determinations` holds the answered ones (keys of
    DETERMINATION_LABELS, True or False); a key absent or None is not answered yet."""

    referral_type: str = "arrest"
    referral_date: date | None = None
    referral_time: time | None = None
    referring_org_code: str = ""
    referring_officer: str = ""
    supervising_sergeant: str = ""
    prosecutor_office: str = ""
    offense: str = ""
    drug: str = ""
    drug_grams: float | None = None
    place: str = ""
    in_catchment: bool | None = None
    victim_involved: bool = False
    victim_sheet_date: date | None = None
    determinations: dict[str, bool] = field(default_factory=dict)
    convictions: list[dict] = field(default_factory=list)  # {"offense", "date", "attempt"}
    warrant_doc_notes: str = ""
    verification_basis: str = ""
    last_violation_date: date | None = None
    approving_sergeant: str = ""
    approved_date: date | None = None
    override_recommended: bool = False
    override_reason: str = ""
    incapacitated: bool = False
    case_manager_id: int | None = None

    def answered(self) -> dict[str, bool]:
        """The determinations this kind of referral asks that have an answer."""
        asked = DETERMINATIONS_ASKED.get(self.referral_type, ())
        return {k: v for k, v in self.determinations.items() if k in asked and v is not None}

    def unanswered(self) -> list[str]:
        """The determinations this kind of referral asks that have no answer yet, in order."""
        answered = self.answered()
        return [k for k in DETERMINATIONS_ASKED.get(self.referral_type, ()) if k not in answered]


# --- The screen, mapped from the form (decision support) -----------------------------------------


def case_dict(sheet: CoverSheet, as_of: date) -> dict:
    """The contract's case dict for `eligibility.screen`, from a (possibly partial) cover sheet.

    An offense not chosen yet counts as "another offense" (B1) so the preview never crashes.
    """
    case = {
        "referral_type": sheet.referral_type,
        "date": (sheet.referral_date or as_of).isoformat(),
        "offense": sheet.offense or "other",
        "drug": sheet.drug or None,
        "drug_grams": grams_or_none(sheet.drug_grams),
        "convictions": [
            {"offense": c["offense"], "date": iso(c["date"]), "attempt": bool(c.get("attempt"))}
            for c in sheet.convictions
            if c.get("offense") and c.get("date")
        ],
        # PROTOCOL S1: verified when law enforcement names its basis.
        "verified": sheet.verification_basis in VERIFICATION_LABELS
        and bool(sheet.verification_basis),
        "in_catchment": bool(sheet.in_catchment),
        "last_violation_date": iso(sheet.last_violation_date),
    }
    # Only answered determinations go in: an unanswered one is left to the page's "not answered
    # yet" (the contract's default, amenable when absent, is never shown as an answer).
    for key, value in sheet.answered().items():
        if key in SCREENED_DETERMINATIONS:
            case[key] = value
    return case


def preview(
    sheet: CoverSheet, today: date, *, lookback_months: int = SOCIAL_CONTACT_VIOLATION_MONTHS
) -> dict:
    """The screen's answer for the form as it stands, with every reason in plain words.

    `lookback_months` is the site's S3 window (site setting), passed to the screen, which alone
    decides S3 (default: the protocol's 24 months, as the contract).
    Determinations not answered yet are listed in `unanswered`; with no exclusion found, the
    verdict is then "Not answered yet", never "Eligible" built on a guess.

    >>> v = preview(CoverSheet(offense="vucsa_possession", drug="other", drug_grams=8),
    ...             date(2026, 3, 1))
    >>> v["verdict"], [r["rule"] for r in v["reasons"]], v["social_contact_route"]
    ('Excluded', ['B2'], True)
    >>> preview(CoverSheet(offense="vucsa_possession"), date(2026, 3, 1))["verdict"]
    'Not answered yet'
    """
    case = case_dict(sheet, today)
    result = screen(case, violation_months=lookback_months)  # PROTOCOL S3: the site's window
    reasons = list(result["reasons"])
    unanswered = sheet.unanswered()
    eligible = not reasons and not unanswered
    excluded_arrest = sheet.referral_type == "arrest" and bool(reasons)
    b9 = b9_reason(case["convictions"], case["date"])
    return {
        "eligible": eligible,
        "verdict": "Excluded" if reasons else "Not answered yet" if unanswered else "Eligible",
        "reasons": [
            {"rule": rule, "text": b9 if rule == "B9" else REASON_TEXT.get(rule, rule)}
            for rule in reasons
        ],
        "unanswered": [DETERMINATION_LABELS[k] for k in unanswered],
        "notes": result["notes"],
        # PROTOCOL B13: an excluded arrest diversion may go the social-contact route.
        "social_contact_route": excluded_arrest,
        "decision_support": DECISION_SUPPORT,
    }


def b9_reason(convictions: list[dict], as_of: date | str) -> str:
    """PROTOCOL B9 for these convictions: each disqualifying one and the window that applies.

    >>> b9_reason([{"offense": "robbery_2", "date": "2019-05-02"}], "2026-11-27")
    'Robbery 2, 2019-05-02: within 10 years (to 2029-05-02).'
    >>> b9_reason([{"offense": "robbery_1", "date": "2019-05-02", "attempt": True}], "2026-11-27")
    'Robbery 1 (attempt), 2019-05-02: no time limit.'
    """
    hits = disqualifying_convictions(convictions, iso(as_of))
    parts = []
    for hit in hits:
        name = CONVICTION_LABELS.get(hit["offense"], hit["offense"])
        name += " (attempt)" if hit["attempt"] else ""
        window = (
            "no time limit"
            if hit["years"] is None
            else f"within {hit['years']} years (to {hit['until']})"
        )
        parts.append(f"{name}, {hit['date']}: {window}")
    return "; ".join(parts) + "." if parts else REASON_TEXT["B9"]


def reason_sentences(
    rules: list[str], convictions: list[dict] | None = None, as_of: date | None = None
) -> list[str]:
    """['B2'] -> ['B2: The drug amount is above 7 grams, ...']; B9 names its convictions when
    they and the screening date are given."""
    b9 = b9_reason(convictions, as_of) if convictions and as_of else REASON_TEXT["B9"]
    return [f"{rule}: {b9 if rule == 'B9' else REASON_TEXT.get(rule, rule)}" for rule in rules]
