"""Plain words for every code on the cover sheet, the lifecycle stages, and the form limits.

The offense (PROTOCOL B1), conviction (B9), determination (B3-B10, S4) and verification (S1)
codes with their labels, the plain-words reason for each exclusion (decision support, B13), the
referral's lifecycle stages (T1-T6) and closing outcomes, and the small converters every
referral module shares. Data only: no database, no clock.
"""

from __future__ import annotations

import math
from datetime import date

from services.core.text import strip_controls
from services.rules.eligibility import (
    ARREST_FLAG_DEFAULTS,
    ELIGIBLE_OFFENSES,
    FIVE_YEAR_DISQUALIFYING_CONVICTIONS,
    LIFETIME_DISQUALIFYING_CONVICTIONS,
    TEN_YEAR_DISQUALIFYING_CONVICTIONS,
)

# --- Plain words for every code on the cover sheet ----------------------------------------------

REFERRAL_TYPE_LABELS = {
    "arrest": "Arrest diversion",
    "social_contact": "Social contact referral",
    "doc": "DOC referral",
}
# PROTOCOL B1: the eligible offenses, and "another offense" (not eligible for arrest diversion).
OFFENSE_LABELS = {
    "vucsa_possession": "VUCSA: drug possession",
    "vucsa_delivery": "VUCSA: delivery",
    "vucsa_pwi": "VUCSA: possession with intent to deliver (PWI)",
    "drug_traffic_loitering": "Drug traffic loitering",
    "prostitution": "Prostitution",
    "theft_misdemeanor": "Misdemeanor theft",
    "property_destruction_misdemeanor": "Misdemeanor property destruction",
    "criminal_trespass": "Criminal trespass",
    "unlawful_bus_conduct": "Unlawful bus conduct",
    "park_violation": "Park violation",
    "obstructing": "Obstructing an officer",
    "other": "Another offense (not eligible for arrest diversion)",
}
assert set(OFFENSE_LABELS) - {"other"} == ELIGIBLE_OFFENSES
DRUG_LABELS = {
    "": "No drug involved",
    "other": "Other controlled substance",
    "marijuana": "Marijuana",
    "prescription_pills": "Prescription pills",
}
# PROTOCOL B9: the convictions the screen knows; any other code does not disqualify.
CONVICTION_LABELS = {
    "murder_1": "Murder 1",
    "murder_2": "Murder 2",
    "arson_1": "Arson 1",
    "robbery_1": "Robbery 1",
    "assault_1": "Assault 1",
    "kidnapping": "Kidnapping",
    "vufa_1": "Unlawful possession of a firearm 1 (VUFA 1)",
    "sex_offense": "Any sex offense",
    "robbery_2": "Robbery 2",
    "assault_2": "Assault 2",
    "assault_3": "Assault 3",
    "burglary_1": "Burglary 1",
    "assault_4_dv": "Assault 4 (domestic violence)",
    "dv_nco_violation": "Violation of a DV no-contact order",
    "dv_protection_order_violation": "Violation of a DV protection order",
    "burglary_2": "Burglary 2",
    "vufa_2": "Unlawful possession of a firearm 2 (VUFA 2)",
    "other": "Another conviction (does not disqualify)",
}
assert set(CONVICTION_LABELS) - {"other"} == (
    LIFETIME_DISQUALIFYING_CONVICTIONS
    | TEN_YEAR_DISQUALIFYING_CONVICTIONS
    | FIVE_YEAR_DISQUALIFYING_CONVICTIONS
)
NOTICE_METHODS = {"phone": "Phone", "email": "Email"}  # PROTOCOL T2, T5
# PROTOCOL S1: how law enforcement verified the person's law violations.
VERIFICATION_LABELS = {
    "": "Not verified yet",
    "records": "Police reports, arrests, bookings, charges or convictions",
    "observation": "Direct observation by the officer",
    "reliable_basis": "A reliable basis (another first responder, a professional, credible "
    "community members)",
}
# The B3-B8 determinations (exclusions when set) and the B10 ones (recorded, never excluding).
DETERMINATION_LABELS = {
    "amenable": "Amenable to diversion (B3)",
    "dealing_for_profit": "Reason to believe dealing above a subsistence income (B4)",
    "exploits_others": "Exploits minors or others in a drug dealing enterprise (B5)",
    "promoting_prostitution": "Promoting prostitution (B6)",
    "protective_order_with_participant": "A protective order prohibits contact with a current "
    "LEAD participant (B7, S4)",
    "safety_concern": "Officer or sergeant believes diversion is inconsistent with immediate "
    "victim or community safety (B8)",
    "needs_medical_care": "Needs immediate medical care, detox or hospital (B10)",
    "unable_to_consent": "Unable to give informed consent, or immediate risk to self or others "
    "(B10)",
    "interested": "Says they are interested in diversion (B10)",
}
# PROTOCOL B3-B10, S4: the determinations each kind of referral asks. None is pre-answered: an
# unanswered one is "not answered yet" on the screen and must be answered before saving.
DETERMINATIONS_ASKED = {
    "arrest": tuple(DETERMINATION_LABELS),
    "social_contact": ("protective_order_with_participant",),
    "doc": ("protective_order_with_participant",),
}
# The determinations the contract's screen reads (B3-B8, S4); the B10 ones are recorded only.
SCREENED_DETERMINATIONS = frozenset(ARREST_FLAG_DEFAULTS)
# The exclusion each rule id stands for, in plain words (decision support, PROTOCOL B13).
REASON_TEXT = {
    "B1": "The offense is not one of the offenses eligible for arrest diversion.",
    "B2": "The drug amount is above 7 grams, and no exception applies (the amount is ignored "
    "only for delivery or intent to deliver marijuana, and for prescription pills).",
    "B3": "The officer judged the person not amenable to diversion.",
    "B4": "There is reason to believe the person deals drugs above a subsistence income.",
    "B5": "The person exploits minors or others in a drug dealing enterprise.",
    "B6": "The arrest involves promoting prostitution.",
    "B7": "A no-contact, restraining or anti-harassment order prohibits contact with a current "
    "LEAD participant.",
    "B8": "The officer or sergeant believes diversion is inconsistent with immediate victim or "
    "community safety.",
    "B9": "A prior conviction disqualifies the person (a lifetime exclusion, or within its 10- "
    "or 5-year window).",  # the generic sentence; b9_reason names the conviction and window
    "S1": "Law enforcement has not verified that the person's law violations stem from "
    "behavioral health, drug activity or extreme poverty.",
    "S2": "The law violations are not confirmed to be inside the LEAD catchment area.",
    "S3": "No law violation within the look-back window (24 months by default) before the "
    "referral date is recorded.",
    "S4": "A protective order prohibits contact with a current LEAD participant.",
}
DECISION_SUPPORT = (
    "Decision support, not a verdict (PROTOCOL B13): the LEAD team decides. An officer may "
    "recommend a person who fails the criteria, and a person excluded from arrest diversion "
    "may still be referred as a social contact."
)

# --- Lifecycle stages and closing outcomes ------------------------------------------------------

REFERRED = "referred"
LEFT = "left_before_screening"
SCREENED = "screened"
SCHEDULED = "intake_scheduled"
INTAKE_DONE = "intake_completed"  # intake done, no release yet: not a participant (T6)
PARTICIPANT = "participant"
CLOSED = "closed"
STAGE_LABELS = {
    REFERRED: "Referred, not screened",
    LEFT: "Left before screening",
    SCREENED: "Screened",
    SCHEDULED: "Intake scheduled",
    INTAKE_DONE: "Intake completed, no release",
    PARTICIPANT: "Participant",
    CLOSED: "Closed",
}
OPEN_STAGES = (REFERRED, LEFT, SCREENED, SCHEDULED)
CLOSE_OUTCOMES = {
    "declined": "Declined",
    "lapsed": "Lapsed",
    "charges_filed": "Charges filed",
    "no_longer_eligible": "No longer eligible",
}

MAX_NAME = 120
MAX_TEXT = 200
MAX_REASON = 150
MAX_NOTES = 2000
MAX_GRAMS = 10_000.0
ADULT_YEARS = 18  # PROTOCOL: a participant is an adult
EARLIEST_DATE = date(1900, 1, 1)  # the earliest date of birth or conviction the forms accept


# --- Small converters the referral modules share -----------------------------------------------


def iso(value: date | str | None) -> str | None:
    """A date as ISO text (text passes through); None stays None."""
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def grams_or_none(value: float | None) -> float | None:
    """A finite, non-negative number of grams, else None (the screen never sees junk, B2)."""
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and value >= 0 else None


def clean(text: str | None) -> str:
    """Typed text on one line: control characters gone, runs of spaces made one."""
    return " ".join(strip_controls(text or "").split())


def code_of(enum_or_str) -> str:
    """The stored code of an enum member, or the code itself."""
    return getattr(enum_or_str, "value", enum_or_str)
