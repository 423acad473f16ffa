"""Report-back vocabularies: staff-entered text mapped onto fixed, publishable labels.

PROTOCOL M6 and SECURITY 23: public figures never show free text staff entered; race, gender,
language, housing and plan areas (PROTOCOL P1) are mapped onto the fixed labels below.
"""

from __future__ import annotations

import re
from functools import lru_cache

REFERRAL_TYPES = {
    "arrest": "Arrest diversion",
    "social_contact": "Social contact referral",
    "doc": "Department of Corrections referral",
}
NOT_RECORDED = "Declined or not recorded"
# Keywords match at the start of a word of the recorded text (lower case, punctuation dropped),
# so the participants area's vocabulary (services.participants) and older free text both map.
RACE_GROUPS = (
    ("American Indian or Alaska Native", ("american indian", "alaska", "native american")),
    ("Asian", ("asian",)),
    ("Black or African American", ("black", "african american")),
    ("Hispanic or Latino", ("hispanic", "latin")),
    ("Middle Eastern or North African", ("middle eastern", "north african")),
    ("Native Hawaiian or Pacific Islander", ("hawaiian", "pacific")),
    ("White", ("white",)),
)
MULTIRACIAL = "More than one race"
OTHER_RACE = "Another race or ethnicity"
RACE_LABELS = (*[label for label, _ in RACE_GROUPS], MULTIRACIAL, OTHER_RACE, NOT_RECORDED)
GENDER_LABELS = ("Woman", "Man", "Transgender, non-binary or another gender", NOT_RECORDED)
LANGUAGE_LABELS = ("English", "Spanish", "Another language", NOT_RECORDED)
HOUSED = "Housed"
HOUSING_GROUPS = (
    ("Unsheltered", ("unshelter", "street", "outside", "vehicle", "car", "tent", "encamp")),
    ("Emergency shelter", ("emergency", "shelter")),
    ("Transitional housing", ("transitional",)),
    ("Staying with others", ("staying", "couch", "friend", "family", "doubled")),
    ("Jail, hospital or treatment", ("institution", "jail", "hospital", "treatment", "detox")),
    (HOUSED, ("housed", "permanent", "supportive", "apartment", "rent", "own")),
)
OTHER_HOUSING = "Another situation"
HOUSING_LABELS = (*[label for label, _ in HOUSING_GROUPS], OTHER_HOUSING, NOT_RECORDED)
# PROTOCOL P1: the areas an Individual Intervention Plan may cover; services use the same list.
# Treatment is folded into health, as everywhere outside the clinical team (42 CFR Part 2, C4).
DOMAIN_GROUPS = (
    ("Housing", ("housing", "shelter", "rent")),
    (
        "Health and treatment",
        ("health", "treatment", "chemical", "substance", "mental", "medication", "medical"),
    ),
    ("Education", ("education", "ged", "school")),
    ("Job training", ("training",)),
    ("Job placement", ("job", "employment", "work")),
    ("Licensing assistance", ("licens", "identification")),
    ("Small business counseling", ("business",)),
    ("Child care", ("child",)),
    ("Legal assistance", ("legal", "court")),
    ("Benefits", ("benefit", "ssi", "gau", "insurance")),
    ("Food", ("food", "meal", "grocer")),
)
OTHER_DOMAIN = "Other"
DOMAIN_LABELS = (*[label for label, _ in DOMAIN_GROUPS], OTHER_DOMAIN)
FUNDING_LABELS = {
    "new_capacity": "Bought with LEAD funds (new capacity)",
    "existing_spare": "Existing programs with spare capacity",
}
ACHIEVED = frozenset({"achieved", "met", "done", "completed", "complete"})
UNRECORDED_WORDS = ("declin", "unknown", "prefer not", "not recorded")
# The mappers below are memoized: staff pick from short vocabularies, so 10,000 people's rows
# hold a few dozen distinct values, and each keyword scan runs once per value, not per row.
MAPPED_VALUES = 4096


def _norm(value: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", (value or "").casefold()).strip() + " "


def _has(text: str, words) -> bool:
    """Whether any keyword starts a word of the normalised text."""
    return any(f" {word}" in text for word in words)


def _unrecorded(text: str) -> bool:
    return text.strip() == "" or _has(text, UNRECORDED_WORDS)


def _first_group(text: str, groups, default: str) -> str:
    for label, words in groups:
        if _has(text, words):
            return label
    return default


@lru_cache(maxsize=MAPPED_VALUES)
def race_group(value: str) -> str:
    """Map a recorded race/ethnicity onto RACE_LABELS.

    >>> race_group("Black; White"), race_group("Hispanic or Latino/a/e"), race_group("")
    ('More than one race', 'Hispanic or Latino', 'Declined or not recorded')
    """
    text = _norm(value)
    if _unrecorded(text):
        return NOT_RECORDED
    if _has(text, ("multi", "two or more", "more than one", "biracial")):
        return MULTIRACIAL
    found = [label for label, words in RACE_GROUPS if _has(text, words)]
    if len(found) > 1:
        return MULTIRACIAL
    return found[0] if found else OTHER_RACE


@lru_cache(maxsize=MAPPED_VALUES)
def gender_group(value: str) -> str:
    """Map a recorded gender identity onto GENDER_LABELS.

    >>> gender_group("transgender woman"), gender_group("woman"), gender_group("declined")
    ('Transgender, non-binary or another gender', 'Woman', 'Declined or not recorded')
    """
    text = _norm(value)
    if _unrecorded(text):
        return NOT_RECORDED
    words = set(text.split())
    if words == {"woman"} or words == {"female"}:
        return "Woman"
    if words == {"man"} or words == {"male"}:
        return "Man"
    return GENDER_LABELS[2]


@lru_cache(maxsize=MAPPED_VALUES)
def language_group(value: str) -> str:
    text = _norm(value)
    if _unrecorded(text):
        return NOT_RECORDED
    if _has(text, ("english",)):
        return "English"
    if _has(text, ("spanish", "espa")):
        return "Spanish"
    return "Another language"


@lru_cache(maxsize=MAPPED_VALUES)
def housing_group(value: str) -> str:
    """Map a recorded housing situation onto HOUSING_LABELS.

    >>> housing_group("permanent housing"), housing_group("staying with others")
    ('Housed', 'Staying with others')
    """
    text = _norm(value)
    if _unrecorded(text):
        return NOT_RECORDED
    return _first_group(text, HOUSING_GROUPS, OTHER_HOUSING)


@lru_cache(maxsize=MAPPED_VALUES)
def domain_group(value: str) -> str:
    """Map a plan domain or service category onto the PROTOCOL P1 list.

    >>> domain_group("mental health treatment"), domain_group("education (incl. GED)")
    ('Health and treatment', 'Education')
    """
    return _first_group(_norm(value), DOMAIN_GROUPS, OTHER_DOMAIN)
