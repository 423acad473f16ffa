"""Eligibility screen for LEAD referrals (PROTOCOL B1-B14, S1-S4).

The contract's rules (CONTRACTS.md; imported as `services.eligibility.screen`): plain data in,
plain data out, standard library only. The screen is decision support, never a verdict
(PROTOCOL B13).
"""

import math
import re
from datetime import date

from services.rules.calendar import add_months

REFERRAL_TYPES = ("arrest", "social_contact", "doc")
# DOC referrals are screened like social contacts (CONTRACTS.md).
SOCIAL_CONTACT_TYPES = frozenset({"social_contact", "doc"})

# PROTOCOL B1: offenses eligible for arrest diversion; any other offense is not.
ELIGIBLE_OFFENSES = frozenset(
    {
        "vucsa_possession",
        "vucsa_delivery",
        "vucsa_pwi",
        "drug_traffic_loitering",
        "prostitution",
        "theft_misdemeanor",
        "property_destruction_misdemeanor",
        "criminal_trespass",
        "obstructing",
        "unlawful_bus_conduct",
        "park_violation",
    }
)

DRUGS = frozenset({"marijuana", "prescription_pills", "other"})

# PROTOCOL B2: an amount above this many grams excludes, except as below.
MAX_GRAMS = 7.0
# PROTOCOL B2: the amount is ignored for delivery/PWI of marijuana...
MARIJUANA_AMOUNT_EXEMPT_OFFENSES = frozenset({"vucsa_delivery", "vucsa_pwi"})
# PROTOCOL B2: ...and for possession, delivery or PWI of prescription pills.
PILLS_AMOUNT_EXEMPT_OFFENSES = frozenset({"vucsa_possession", "vucsa_delivery", "vucsa_pwi"})

# PROTOCOL B9: convictions (or attempts) that disqualify without time limit.
LIFETIME_DISQUALIFYING_CONVICTIONS = frozenset(
    {
        "murder_1",
        "murder_2",
        "arson_1",
        "robbery_1",
        "assault_1",
        "kidnapping",
        "vufa_1",
        "sex_offense",
    }
)
# PROTOCOL B9: disqualify unless more than 10 years have elapsed since conviction.
TEN_YEAR_LOOKBACK_YEARS = 10
TEN_YEAR_DISQUALIFYING_CONVICTIONS = frozenset(
    {"robbery_2", "assault_2", "assault_3", "burglary_1"}
)
# PROTOCOL B9: disqualify unless more than 5 years have elapsed since conviction.
FIVE_YEAR_LOOKBACK_YEARS = 5
FIVE_YEAR_DISQUALIFYING_CONVICTIONS = frozenset(
    {
        "assault_4_dv",
        "dv_nco_violation",
        "dv_protection_order_violation",
        "burglary_2",
        "vufa_2",
    }
)
# PROTOCOL B9: lookback in years per conviction code; None means no time limit.
CONVICTION_LOOKBACK_YEARS = {
    **dict.fromkeys(LIFETIME_DISQUALIFYING_CONVICTIONS, None),
    **dict.fromkeys(TEN_YEAR_DISQUALIFYING_CONVICTIONS, TEN_YEAR_LOOKBACK_YEARS),
    **dict.fromkeys(FIVE_YEAR_DISQUALIFYING_CONVICTIONS, FIVE_YEAR_LOOKBACK_YEARS),
}

# PROTOCOL S3: violations must have occurred within this many months of the referral.
SOCIAL_CONTACT_VIOLATION_MONTHS = 24

# Boolean inputs and their defaults (CONTRACTS.md).
ARREST_FLAG_DEFAULTS = {
    "amenable": True,  # PROTOCOL B3
    "dealing_for_profit": False,  # PROTOCOL B4
    "exploits_others": False,  # PROTOCOL B5
    "promoting_prostitution": False,  # PROTOCOL B6
    "protective_order_with_participant": False,  # PROTOCOL B7
    "safety_concern": False,  # PROTOCOL B8
}
SOCIAL_CONTACT_FLAG_DEFAULTS = {
    "verified": False,  # PROTOCOL S1
    "in_catchment": False,  # PROTOCOL S2
    "protective_order_with_participant": False,  # PROTOCOL S4
}

NOTE_B10 = (
    "PROTOCOL B10: also record the point-of-arrest determinations: need for immediate"
    " medical care, detox or hospital; ability to give informed consent; victim"
    " consultation for a victim crime (V1); the person's interest in diversion."
)
NOTE_B12_B14 = (
    "PROTOCOL B12, B14: a warrant on another charge or a prior referral does not by"
    " itself preclude diversion; a prior referral is a factor for amenability."
)
NOTE_B13 = (
    "PROTOCOL B13: excluded from arrest diversion, the person may still be referred as"
    " a social contact, and the LEAD team may accept an officer's recommendation"
    " post-booking as an override with its reason."
)
NOTE_B11 = (
    "PROTOCOL B11: the DOC NCI team decides DOC referrals under DOC policy; this"
    " screen applies the social contact criteria S1-S4."
)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def screen(case: dict, *, violation_months: int = SOCIAL_CONTACT_VIOLATION_MONTHS) -> dict:
    """Screen one referral as of ``case["date"]``; reasons are rule ids in rule order.

    ``violation_months`` is the site's S3 window (site setting); the contract's default is the
    protocol's 24 months.

    >>> result = screen({"referral_type": "arrest", "date": "2026-03-01",
    ...                  "offense": "vucsa_possession", "drug": "other", "drug_grams": 9})
    >>> result["eligible"], result["reasons"]
    (False, ['B2'])
    """
    if not isinstance(case, dict):
        raise TypeError("case: expected a dict")
    referral_type = case.get("referral_type")
    if referral_type not in REFERRAL_TYPES:
        raise ValueError(f"referral_type: expected one of {', '.join(REFERRAL_TYPES)}")
    if (
        isinstance(violation_months, bool)
        or not isinstance(violation_months, int)
        or violation_months < 1
    ):
        raise _malformed("violation_months", "a whole number of at least 1", violation_months)
    as_of = _required_date(case, "date")
    if referral_type == "arrest":
        reasons, notes = _screen_arrest(case, as_of)
    else:
        reasons, notes = _screen_social_contact(case, as_of, violation_months)
        if referral_type == "doc":
            notes.append(NOTE_B11)
    return {"eligible": not reasons, "reasons": reasons, "notes": notes}


def _screen_arrest(case: dict, as_of: date) -> tuple[list[str], list[str]]:
    offense = case.get("offense")
    if offense is None:
        raise ValueError("offense: required for an arrest referral")
    if not isinstance(offense, str):
        raise _malformed("offense", "a string", offense)
    drug = case.get("drug")
    if drug is not None and drug not in DRUGS:
        raise ValueError(f"drug: expected one of {', '.join(sorted(DRUGS))} or null")
    grams = _grams(case)
    flags = {key: _flag(case, key, default) for key, default in ARREST_FLAG_DEFAULTS.items()}
    convictions = _convictions(case.get("convictions"))

    excluded = {
        "B1": offense not in ELIGIBLE_OFFENSES,
        "B2": grams is not None and grams > MAX_GRAMS and not _amount_exempt(offense, drug),
        "B3": not flags["amenable"],
        # Applied whenever set: the flag only arises for delivery/PWI in practice.
        "B4": flags["dealing_for_profit"],
        "B5": flags["exploits_others"],
        "B6": flags["promoting_prostitution"],
        "B7": flags["protective_order_with_participant"],
        "B8": flags["safety_concern"],
        "B9": bool(_disqualifying(convictions, as_of)),
    }
    reasons = [rule for rule, hit in excluded.items() if hit]
    notes = [NOTE_B10, NOTE_B12_B14]
    if reasons:
        notes.append(NOTE_B13)
    return reasons, notes


def _screen_social_contact(
    case: dict, as_of: date, violation_months: int
) -> tuple[list[str], list[str]]:
    flags = {
        key: _flag(case, key, default) for key, default in SOCIAL_CONTACT_FLAG_DEFAULTS.items()
    }
    last_violation = _optional_date(case, "last_violation_date")
    excluded = {
        "S1": not flags["verified"],
        "S2": not flags["in_catchment"],
        "S3": violations_too_old(last_violation, as_of, violation_months),
        "S4": flags["protective_order_with_participant"],
    }
    return [rule for rule, hit in excluded.items() if hit], []


def violations_too_old(
    last_violation: date | None,
    as_of: date,
    months: int = SOCIAL_CONTACT_VIOLATION_MONTHS,
) -> bool:
    """PROTOCOL S3: True (S3 excludes) when no violation is known within ``months`` of ``as_of``.

    The one place S3 is decided. The day exactly ``months`` back is still inside, and so is a
    date after ``as_of``.

    >>> violations_too_old(date(2024, 3, 1), date(2026, 3, 1))
    False
    >>> violations_too_old(date(2024, 2, 29), date(2026, 3, 1))
    True
    >>> violations_too_old(date(2025, 3, 1), date(2026, 3, 1), months=12)
    False
    >>> violations_too_old(None, date(2026, 3, 1))
    True
    """
    return last_violation is None or last_violation < add_months(as_of, -months)


def _amount_exempt(offense: str, drug: str | None) -> bool:
    # PROTOCOL B2 exceptions to the amount limit.
    if drug == "marijuana":
        return offense in MARIJUANA_AMOUNT_EXEMPT_OFFENSES
    if drug == "prescription_pills":
        return offense in PILLS_AMOUNT_EXEMPT_OFFENSES
    return False


def disqualifying_convictions(convictions: list[dict] | None, as_of: str) -> list[dict]:
    """PROTOCOL B9: the convictions that exclude on ``as_of``, each with the window that applies.

    Same input as the case's ``convictions`` key; ``years`` is None for no time limit, else the
    window, which runs ``until`` the Nth anniversary (inclusive).

    >>> hits = disqualifying_convictions(
    ...     [{"offense": "burglary_2", "date": "2023-01-01"},
    ...      {"offense": "other", "date": "2025-01-01"}], "2026-11-27")
    >>> [(h["offense"], h["years"], h["until"]) for h in hits]
    [('burglary_2', 5, '2028-01-01')]
    """
    parsed = _convictions(convictions)
    return [
        {
            "offense": code,
            "date": convicted.isoformat(),
            "attempt": attempt,
            "years": years,
            "until": None if years is None else until.isoformat(),
        }
        for code, convicted, attempt, years, until in _disqualifying(
            parsed, _parse_date(as_of, "date")
        )
    ]


def _disqualifying(convictions: list[tuple[str, date, bool]], as_of: date) -> list[tuple]:
    # PROTOCOL B9: attempts count the same as the crime (the flag is only reported).
    hits = []
    for code, convicted, attempt in convictions:
        if code not in CONVICTION_LOOKBACK_YEARS:
            continue
        years = CONVICTION_LOOKBACK_YEARS[code]
        until = None if years is None else add_months(convicted, 12 * years)
        # "More than N years have elapsed" = screening date strictly after the Nth anniversary.
        if until is None or as_of <= until:
            hits.append((code, convicted, attempt, years, until))
    return hits


def _malformed(key: str, expected: str, value: object) -> ValueError:
    # CONTRACTS.md: a malformed key raises ValueError naming the key (not TypeError).
    return ValueError(f"{key}: expected {expected}, got {value!r}")


def _parse_date(value: object, key: str) -> date:
    if type(value) is date:  # a date object is accepted as well as its ISO string
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise _malformed(key, "an ISO date YYYY-MM-DD", value)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{key}: not a valid date: {value!r}") from None


def _required_date(case: dict, key: str) -> date:
    if case.get(key) is None:
        raise ValueError(f"{key}: required")
    return _parse_date(case[key], key)


def _optional_date(case: dict, key: str) -> date | None:
    value = case.get(key)
    return None if value is None else _parse_date(value, key)


def _flag(case: dict, key: str, default: bool) -> bool:
    value = case.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _malformed(key, "true or false", value)
    return value


def _grams(case: dict) -> float | None:
    value = case.get("drug_grams")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _malformed("drug_grams", "a number", value)
    if not math.isfinite(value) or value < 0:
        raise _malformed("drug_grams", "a non-negative number", value)
    return float(value)


def _convictions(value: object) -> list[tuple[str, date, bool]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _malformed("convictions", "a list", value)
    parsed = []
    for i, entry in enumerate(value):
        key = f"convictions[{i}]"
        if not isinstance(entry, dict):
            raise _malformed(key, "an object with offense and date", entry)
        code = entry.get("offense")
        if not isinstance(code, str):
            raise _malformed(f"{key}.offense", "a string", code)
        if entry.get("date") is None:
            raise ValueError(f"{key}.date: required")
        convicted = _parse_date(entry["date"], f"{key}.date")
        attempt = _flag(entry, "attempt", False)  # attempts count as the crime (B9)
        parsed.append((code, convicted, attempt))
    return parsed
