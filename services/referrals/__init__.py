"""Referrals: the LEAD cover sheet, person matching, the screen, and the referral lifecycle.

The cover sheet (arrest diversion, social contact referral, DOC referral) is plain data
(`CoverSheet`, `Person`) filled by the New referral page. `preview` maps it to the contract's
case dict and runs `services.eligibility.screen`: decision support, never a verdict (PROTOCOL
B13). `create_referral` validates, matches or creates the participant (next LEAD id), stores the
screen and writes a ReferralEvent and an audit row. Every later transition (initial screening,
left before screening, intake scheduled, intake completed with the release, deadline extended,
prosecutor notified, closed) is validated, version-checked and audited the same way.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import (
    Organization,
    OrgKind,
    Participant,
    ParticipantStatus,
    Referral,
    ReferralEvent,
    ReferralType,
    Release,
    Role,
    SiteSettings,
    User,
)
from services.access.auth import CurrentUser
from services.access.policy import PROVIDER_ROLES
from services.core import audit
from services.core.clock import utcnow
from services.core.db import bump_version, read_session, write_session
from services.core.errors import StaleEditError, ValidationError, too_long
from services.core.site import get_settings, provider_organization_id
from services.core.text import strip_controls
from services.participants.casework import activate_if_ready
from services.participants.consent import RELEASE_KINDS, record_release  # noqa: F401  (the form's labels)
from services.rules import catalog, matching
from services.rules.calendar import add_months
from services.rules.deadlines import (
    intake_due,
    prosecutor_notice_due,
    prosecutor_notice_owed,
    reassessment_due,
)
from services.rules.eligibility import (
    ARREST_FLAG_DEFAULTS,
    ELIGIBLE_OFFENSES,
    FIVE_YEAR_DISQUALIFYING_CONVICTIONS,
    LIFETIME_DISQUALIFYING_CONVICTIONS,
    SOCIAL_CONTACT_VIOLATION_MONTHS,
    TEN_YEAR_DISQUALIFYING_CONVICTIONS,
    disqualifying_convictions,
    screen,
)
from services.rules.matching import Names

LEAD_ID_PREFIX = "BUR"

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
PROSECUTOR_OFFICES = {
    "KCPAO": "King County Prosecuting Attorney's Office",
    "BCA": "Burien City Attorney",
}
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
        "drug_grams": _grams_or_none(sheet.drug_grams),
        "convictions": [
            {"offense": c["offense"], "date": _iso(c["date"]), "attempt": bool(c.get("attempt"))}
            for c in sheet.convictions
            if c.get("offense") and c.get("date")
        ],
        # PROTOCOL S1: verified when law enforcement names its basis.
        "verified": sheet.verification_basis in VERIFICATION_LABELS
        and bool(sheet.verification_basis),
        "in_catchment": bool(sheet.in_catchment),
        "last_violation_date": _iso(sheet.last_violation_date),
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
    hits = disqualifying_convictions(convictions, _iso(as_of))
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


# --- Validation ----------------------------------------------------------------------------------


def _iso(value: date | str | None) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _grams_or_none(value: float | None) -> float | None:
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _clean(text: str | None) -> str:
    return " ".join(strip_controls(text or "").split())


def _check_text(errors: list[str], label: str, value: str, limit: int, required: bool) -> str:
    value = _clean(value)
    if required and not value:
        errors.append(f"{label}: required.")
    elif too_long(label, value, limit):  # SECURITY 33: say so, never cut it
        errors.append(too_long(label, value, limit))
    return value


def _not_future(errors: list[str], label: str, value: date | None, today: date) -> None:
    if value is not None and value > today:
        errors.append(f"{label}: it cannot be in the future.")


def _raise(errors: list[str]) -> None:
    if errors:
        raise ValidationError("\n\n".join(errors))


def validate_person(person: Person, referral_date: date | None, today: date) -> Person:
    errors: list[str] = []
    legal = _check_text(errors, "Legal name", person.legal_name, MAX_NAME, True)
    preferred = _check_text(errors, "Preferred name", person.preferred_name, MAX_NAME, False)
    aliases = []
    for alias in person.aliases:
        alias = _clean(alias)
        if alias and alias not in aliases:
            aliases.append(alias)
    if any(len(a) > MAX_NAME for a in aliases):
        errors.append(f"Aliases: each alias at most {MAX_NAME} characters.")
    if len(aliases) > 10:
        errors.append("Aliases: at most 10 aliases.")
    dob = person.date_of_birth
    if dob is not None:
        if dob > today:
            errors.append("Date of birth: it cannot be in the future.")
        elif add_months(dob, 12 * ADULT_YEARS) > (referral_date or today):
            errors.append("Date of birth: LEAD serves adults; the person must be 18 or older.")
        elif dob < EARLIEST_DATE:
            errors.append("Date of birth: check the year.")
    _raise(errors)
    return Person(
        legal_name=legal, preferred_name=preferred or legal, aliases=aliases, date_of_birth=dob
    )


def validate_sheet(sheet: CoverSheet, today: date, now_local_time: time | None = None) -> None:
    """Every cover-sheet rule, all problems at once ("Field: what is wrong."); nothing saved."""
    errors: list[str] = []
    kind = sheet.referral_type
    if kind not in REFERRAL_TYPE_LABELS:
        errors.append("Referral type: choose arrest diversion, social contact or DOC referral.")
    referred = sheet.referral_date
    if referred is None:
        errors.append("Referral date: required.")
    else:
        _not_future(errors, "Referral date", referred, today)
        if (
            referred == today
            and sheet.referral_time is not None
            and now_local_time is not None
            and sheet.referral_time > now_local_time
        ):
            errors.append("Referral time: it cannot be in the future.")
    if not sheet.referring_org_code:
        errors.append("Referring agency: required.")
    sheet.referring_officer = _check_text(
        errors, "Referring officer", sheet.referring_officer, MAX_NAME, True
    )
    sheet.supervising_sergeant = _check_text(
        errors, "Supervising sergeant", sheet.supervising_sergeant, MAX_NAME, kind == "arrest"
    )
    sheet.place = _check_text(errors, "Place", sheet.place, MAX_TEXT, False)
    if sheet.prosecutor_office and sheet.prosecutor_office not in PROSECUTOR_OFFICES:
        errors.append("Prosecutor with jurisdiction: choose KCPAO or the Burien City Attorney.")
    if kind == "arrest":
        # PROTOCOL T2, T5: the prosecutor with jurisdiction is who hears of a missed intake.
        if not sheet.prosecutor_office:
            errors.append("Prosecutor with jurisdiction: required for an arrest diversion.")
        if not sheet.offense:
            errors.append("Offense: required for an arrest diversion.")
    if sheet.offense and sheet.offense not in OFFENSE_LABELS:
        errors.append("Offense: choose one from the list.")
    if sheet.drug not in DRUG_LABELS:
        errors.append("Drug: choose one from the list.")
    if sheet.drug_grams is not None:
        grams = _grams_or_none(sheet.drug_grams)
        if grams is None or grams > MAX_GRAMS:
            errors.append(f"Drug grams: a number from 0 to {MAX_GRAMS:,.0f}.")
    unknown = set(sheet.determinations) - set(DETERMINATION_LABELS)
    values = sheet.determinations.values()
    if unknown or any(v is not None and not isinstance(v, bool) for v in values):
        errors.append("Determinations: unknown or malformed entries.")
    elif kind in DETERMINATIONS_ASKED and sheet.unanswered():
        # Nothing is pre-answered, so nothing unanswered is saved as a guess (SECURITY 33).
        errors.append(
            "Determinations: answer yes or no to each one before saving: "
            + "; ".join(DETERMINATION_LABELS[k] for k in sheet.unanswered())
            + "."
        )
    # PROTOCOL V1: the victim information sheet, given at or after the referral.
    if sheet.victim_sheet_date is not None:
        if not sheet.victim_involved:
            errors.append("Victim information sheet date: only when a victim is involved.")
        _not_future(errors, "Victim information sheet date", sheet.victim_sheet_date, today)
        if referred and sheet.victim_sheet_date < referred:
            errors.append("Victim information sheet date: it cannot be before the referral date.")
    for i, conviction in enumerate(sheet.convictions, start=1):
        code, on = conviction.get("offense"), conviction.get("date")
        if code not in CONVICTION_LABELS:
            errors.append(f"Prior conviction {i}: choose the offense from the list.")
        if not isinstance(on, date):
            errors.append(f"Prior conviction {i}: a conviction date is required.")
        elif on > (referred or today):
            errors.append(f"Prior conviction {i}: the date cannot be after the referral date.")
    if len(sheet.convictions) > 30:
        errors.append("Prior convictions: at most 30.")
    sheet.warrant_doc_notes = (sheet.warrant_doc_notes or "").strip()
    if too_long("Warrant or DOC notes", sheet.warrant_doc_notes, MAX_NOTES):
        errors.append(too_long("Warrant or DOC notes", sheet.warrant_doc_notes, MAX_NOTES))
    if sheet.verification_basis not in VERIFICATION_LABELS:
        errors.append("Verification basis: choose one from the list.")
    _not_future(errors, "Last known violation date", sheet.last_violation_date, today)
    if referred and sheet.last_violation_date and sheet.last_violation_date > referred:
        errors.append("Last known violation date: it cannot be after the referral date.")
    sheet.approving_sergeant = _check_text(
        errors, "Approving sergeant", sheet.approving_sergeant, MAX_NAME, False
    )
    _not_future(errors, "Approval date", sheet.approved_date, today)
    if sheet.approved_date and not sheet.approving_sergeant:
        errors.append("Approving sergeant: name who approved the social contact (S5).")
    if kind == "arrest" and (sheet.approved_date or sheet.approving_sergeant):
        errors.append("Approval: only social contact and DOC referrals are approved (S5).")
    # PROTOCOL B13: an override recommendation carries its reason.
    sheet.override_reason = _clean(sheet.override_reason)
    if sheet.override_recommended and not sheet.override_reason:
        errors.append("Override reason: say why the officer recommends diversion (B13).")
    if too_long("Override reason", sheet.override_reason, 500):
        errors.append(too_long("Override reason", sheet.override_reason, 500))
    if not sheet.override_recommended:
        sheet.override_reason = ""
    _raise(errors)


# --- Person matching (PROTOCOL B14) --------------------------------------------------------------

MAX_MATCHES = 10
# The bands (strong / possible) and their thresholds live in services.rules.matching, the one
# matcher. A new person beside a strong match takes an explicit choice and a reason.
NEW_PERSON_REASONS = {
    "dob_differs": "The date of birth shows it is someone else",
    "id_checked": "Identification was checked: it is someone else",
    "staff_know": "Staff who know the earlier participant say it is someone else",
    "other": "Another reason (say which)",
}


def typed_names(person: Person) -> Names:
    """The cover sheet's person as the matcher reads it."""
    return Names(
        person.legal_name or "",
        person.preferred_name or "",
        tuple(a for a in person.aliases if _clean(a)),
        person.date_of_birth,
    )


# What name matching reads of each participant (here and for the staffing inbox).
MATCH_COLUMNS = (
    Participant.id,
    Participant.lead_id,
    Participant.legal_name,
    Participant.preferred_name,
    Participant.aliases,
    Participant.date_of_birth,
    Participant.status,
)


def _visible_participants(session: Session, user: CurrentUser):
    query = select(*MATCH_COLUMNS)
    if user.role != Role.project_manager:
        query = query.where(Participant.organization_id == user.organization_id)
    return session.connection().execute(query).all()  # plain rows: 10,000 stay fast


@lru_cache(maxsize=4)
def _people(rows: tuple[tuple, ...]) -> matching.People:
    """The matcher's index of these rows, kept while they are unchanged (a lookup per keystroke
    pause among 10,000 participants reuses it; any change of a name or date makes new rows)."""
    return matching.People.of(
        (n, Names(legal or "", preferred or "", aliases, dob))
        for n, (_pid, _lead, legal, preferred, aliases, dob, _status) in enumerate(rows)
    )


def _scored_candidates(session: Session, user: CurrentUser, person: Person) -> list[tuple]:
    """(score, why, id, lead id, legal, preferred, aliases, dob, status, strong) of the
    participants the user may see who may be this person, best first (the one matcher)."""
    rows = tuple(
        (pid, lead, legal, preferred, tuple(aliases or ()), dob, status)
        for pid, lead, legal, preferred, aliases, dob, status in _visible_participants(
            session, user
        )
    )
    scored = []
    for n, hit in _people(rows).find(typed_names(person)):
        pid, lead_id, legal, preferred, aliases, dob, status = rows[n]
        strong = hit.band == "strong"
        scored.append(
            (
                hit.score,
                hit.reason,
                pid,
                lead_id,
                legal,
                preferred,
                list(aliases),
                dob,
                status,
                strong,
            )
        )
    scored.sort(key=lambda s: (not s[-1], -s[0], s[3]))
    return scored


def strong_matches(session: Session, user: CurrentUser, person: Person) -> list[tuple[str, str]]:
    """(LEAD id, why) of each strong match, best first: a new person beside one needs a reason
    (NEW_PERSON_REASONS)."""
    scored = _scored_candidates(session, user, person)
    return [(s[3], s[1]) for s in scored if s[-1]][:MAX_MATCHES]


def _require_provider(user: CurrentUser) -> None:
    # Partners never search people through intake: they would learn who is known (SECURITY 5).
    if user.role not in PROVIDER_ROLES:
        raise ValidationError("Referrals: only case management staff and the project manager.")


def find_matches(
    engine: Engine, user: CurrentUser, person: Person, *, purpose: str = "referral intake (B14)"
) -> list[dict]:
    """Participants who may be this person, best first, each with their earlier referrals.

    Provider roles only. The lookup is audited (it shows identifiers), once per call: the page
    calls it only when the name or date of birth changed.
    """
    _require_provider(user)
    names = [person.legal_name, person.preferred_name, *person.aliases]
    if not any(len(_clean(n)) >= 2 for n in names) and person.date_of_birth is None:
        return []
    if any(len(n or "") > MAX_NAME for n in names):
        raise ValidationError(f"Name: use at most {MAX_NAME} characters.")
    with read_session(engine) as session:
        scored = _scored_candidates(session, user, person)[:MAX_MATCHES]
        ids = [s[2] for s in scored]
        prior: dict[int, list[str]] = {pid: [] for pid in ids}
        if ids:
            rows = session.exec(
                select(
                    Referral.participant_id,
                    Referral.referral_date,
                    Referral.referral_type,
                    Referral.stage,
                    Referral.closed_date,
                    Referral.intake_completed_date,
                    Referral.initial_screening_date,
                    Referral.intake_scheduled_date,
                )
                .where(col(Referral.participant_id).in_(ids))
                .order_by(col(Referral.referral_date).desc())
            ).all()
            for pid, referred, kind, stage, closed, intake, screened, scheduled in rows:
                stage = derive_stage(stage, closed, intake, screened, scheduled)
                prior[pid].append(
                    f"{referred} {REFERRAL_TYPE_LABELS[_value(kind)].lower()}"
                    f" ({STAGE_LABELS[stage].lower()})"
                )
    matches = [
        {
            "participant_id": pid,
            "LEAD id": lead_id,
            "Legal name": legal,
            "Preferred name": preferred,
            "Aliases": ", ".join(aliases or []),
            "Date of birth": dob.isoformat() if dob else "",
            "Status": _value(status),
            "Match": "strong" if strong else "possible",
            "Why": why,
            # PROTOCOL B14: a prior referral does not preclude a new one; it informs amenability.
            "Prior referrals": "; ".join(prior[pid]) or "none",
        }
        for _score, why, pid, lead_id, legal, preferred, aliases, dob, status, strong in scored
    ]
    audit.record(
        engine,
        actor=user.actor,
        action="participant.match",
        subject=",".join(m["LEAD id"] for m in matches)[:120],
        outcome=f"{len(matches)} candidate(s)",
        purpose=purpose,
    )
    return matches


# --- Creating a referral ------------------------------------------------------------------------


def _value(enum_or_str) -> str:
    return getattr(enum_or_str, "value", enum_or_str)


def next_lead_id(session: Session) -> str:
    """BUR-NNNN, one more than the highest in use (gaps are never reused)."""
    pattern = re.compile(rf"^{LEAD_ID_PREFIX}-(\d+)$")
    highest = 0
    for lead_id in session.exec(
        select(Participant.lead_id).where(col(Participant.lead_id).startswith(f"{LEAD_ID_PREFIX}-"))
    ):
        found = pattern.match(lead_id)
        if found:
            highest = max(highest, int(found.group(1)))
    return f"{LEAD_ID_PREFIX}-{highest + 1:04d}"


def case_managers(engine: Engine, user: CurrentUser) -> list[dict]:
    """Case managers a new referral may be assigned to: [{"id", "name"}]."""
    with read_session(engine) as session:
        query = select(User.id, User.display_name).where(
            User.role == Role.case_manager, col(User.disabled).is_(False)
        )
        if user.role != Role.project_manager:
            query = query.where(User.organization_id == user.organization_id)
        return [{"id": i, "name": n} for i, n in session.exec(query.order_by(User.display_name))]


def referring_agencies(engine: Engine) -> dict[str, str]:
    """Organizations that refer (police, sheriff, corrections): code -> name."""
    kinds = (OrgKind.police, OrgKind.sheriff, OrgKind.corrections)
    with read_session(engine) as session:
        rows = session.exec(
            select(Organization.code, Organization.name)
            .where(col(Organization.kind).in_(kinds))
            .order_by(Organization.code)
        ).all()
    return dict(rows)


def release_organizations(engine: Engine) -> list[str]:
    """Operational partners a release of information may cover (PROTOCOL C1)."""
    kinds = (OrgKind.police, OrgKind.sheriff, OrgKind.corrections, OrgKind.prosecutor)
    with read_session(engine) as session:
        return list(
            session.exec(
                select(Organization.code)
                .where(col(Organization.kind).in_(kinds))
                .order_by(Organization.code)
            )
        )


def prosecutor_office_for(engine: Engine, referral_id: int) -> str:
    """The prosecutor with jurisdiction named on a referral's cover sheet ('' when none)."""
    with read_session(engine) as session:
        office = session.exec(
            select(Referral.prosecutor_office).where(Referral.id == referral_id)
        ).first()
    return office or ""


def default_release_expiry(today: date) -> date:
    """A sensible default end date for a release signed today: one year on."""
    return add_months(today, 12)


def _referred_at(sheet: CoverSheet, time_zone: str) -> datetime | None:
    if sheet.referral_date is None or sheet.referral_time is None:
        return None
    local = datetime.combine(sheet.referral_date, sheet.referral_time, ZoneInfo(time_zone))
    return local.astimezone(UTC)


def _may_touch(user: CurrentUser, participant: Participant) -> bool:
    return user.role == Role.project_manager or participant.organization_id == user.organization_id


def create_referral(
    engine: Engine,
    user: CurrentUser,
    sheet: CoverSheet,
    *,
    today: date,
    person: Person | None = None,
    participant_id: int | None = None,
    new_person_reason: str = "",
    new_person_note: str = "",
    now: datetime | None = None,
) -> dict:
    """Validate the cover sheet, match or create the participant, run and store the screen.

    Give either `participant_id` (an existing participant chosen from the matches) or `person`
    (a new participant, who gets the next LEAD id). A new person beside a strong match is
    refused unless `new_person_reason` (a NEW_PERSON_REASONS key; "other" with a short
    `new_person_note`) says why: the reason is stored as a referral event and audited.
    Returns {"referral_id", "lead_id", "new_participant", "eligible", "reasons",
    "social_contact_route"}.
    """
    _require_provider(user)
    now = now or utcnow()
    settings = get_settings(engine)
    zone = ZoneInfo(settings.time_zone)
    validate_sheet(sheet, today, now.astimezone(zone).time())
    if (participant_id is None) == (person is None):
        raise ValidationError("Person: choose an existing participant or enter a new person.")
    if person is not None:
        person = validate_person(person, sheet.referral_date, today)
    beside = _check_new_person_reason(new_person_reason, new_person_note)
    verdict = preview(sheet, today, lookback_months=settings.social_contact_lookback_months)
    for attempt in range(3):  # two concurrent new people may race for one LEAD id
        try:
            return _insert_referral(
                engine, user, sheet, person, participant_id, verdict, settings, now, beside
            )
        except IntegrityError:
            if attempt == 2:
                raise ValidationError(
                    "LEAD id: another referral took the same id just now; save again."
                ) from None
    raise AssertionError("unreachable")


def _check_new_person_reason(reason: str, note: str) -> tuple[str, str] | None:
    """(reason, note) when a reason for a new person beside a strong match is given, else None."""
    if not reason:
        return None
    if reason not in NEW_PERSON_REASONS:
        raise ValidationError("Why a new person: choose a reason from the list.")
    note = _clean(note)
    if reason == "other" and not note:
        raise ValidationError("Why a new person: say briefly why it is someone else.")
    if len(note) > MAX_REASON:
        raise ValidationError(f"Why a new person: use at most {MAX_REASON} characters.")
    return reason, note


def _new_person_beside_matches(
    session: Session, user: CurrentUser, person: Person, beside: tuple[str, str] | None
) -> list[tuple[str, str]]:
    """The strong matches a new person is created beside; refused without a reason (B14)."""
    strong = strong_matches(session, user, person)
    if strong and beside is None:
        named = "; ".join(f"{lead_id} ({why})" for lead_id, why in strong)
        raise ValidationError(
            f"Person: {named} may be this person. Choose them in 'This referral is for', or "
            "say why this is a new person."
        )
    return strong


def _insert_referral(
    engine: Engine,
    user: CurrentUser,
    sheet: CoverSheet,
    person: Person | None,
    participant_id: int | None,
    verdict: dict,
    settings: SiteSettings,
    now: datetime,
    beside: tuple[str, str] | None = None,
) -> dict:
    strong: list[tuple[str, str]] = []
    with write_session(engine) as session:
        if participant_id is not None:
            participant = session.get(Participant, participant_id)
            if participant is None or not _may_touch(user, participant):
                raise ValidationError("Person: that participant is not in your agency's records.")
            new = False
        else:
            manager_id = sheet.case_manager_id
            if manager_id is None and user.role == Role.case_manager:
                manager_id = user.id
            if manager_id is not None:
                manager = session.get(User, manager_id)
                if manager is None or manager.role != Role.case_manager:
                    raise ValidationError("Case manager: choose a case manager from the list.")
            strong = _new_person_beside_matches(session, user, person, beside)
            participant = Participant(
                lead_id=next_lead_id(session),
                legal_name=person.legal_name,
                preferred_name=person.preferred_name,
                aliases=person.aliases,
                date_of_birth=person.date_of_birth,
                status=ParticipantStatus.referred,
                case_manager_id=manager_id,
                organization_id=provider_organization_id(session, user.organization_id, "Provider"),
                created_at=now,
            )
            session.add(participant)
            session.flush()
            new = True
            audit.append(
                session,
                actor=user.actor,
                action="participant.create",
                subject=participant.lead_id,
                purpose="referral intake",
                now=now,
            )
        org_id = session.exec(
            select(Organization.id).where(Organization.code == sheet.referring_org_code)
        ).first()
        if org_id is None:
            raise ValidationError("Referring agency: choose one from the list.")
        kind = sheet.referral_type
        referral = Referral(
            participant_id=participant.id,
            referral_type=ReferralType(kind),
            referral_date=sheet.referral_date,
            referred_at=_referred_at(sheet, settings.time_zone),
            referring_organization_id=org_id,
            referring_officer=sheet.referring_officer,
            supervising_sergeant=sheet.supervising_sergeant,
            prosecutor_office=sheet.prosecutor_office,
            offense=sheet.offense if kind == "arrest" else "",
            drug=sheet.drug,
            drug_grams=_grams_or_none(sheet.drug_grams),
            place=sheet.place,
            in_catchment=sheet.in_catchment,
            victim_involved=sheet.victim_involved,
            victim_sheet_date=sheet.victim_sheet_date if sheet.victim_involved else None,
            determinations=sheet.answered(),
            convictions=[
                {
                    "offense": c["offense"],
                    "date": _iso(c["date"]),
                    "attempt": bool(c.get("attempt")),
                }
                for c in sheet.convictions
            ],
            warrant_doc_notes=sheet.warrant_doc_notes,
            verification_basis=sheet.verification_basis,
            last_violation_date=sheet.last_violation_date,
            approving_sergeant=sheet.approving_sergeant,
            social_contact_approved_date=sheet.approved_date,
            screen_eligible=verdict["eligible"],
            screen_reasons=[r["rule"] for r in verdict["reasons"]],
            override_recommended=sheet.override_recommended,
            override_reason=sheet.override_reason,
            incapacitated=sheet.incapacitated,
            stage=REFERRED,
            created_at=now,
            updated_at=now,
            updated_by=user.username,
        )
        session.add(referral)
        session.flush()
        _event(session, referral, user, now, "referred", REFERRAL_TYPE_LABELS[kind])
        _event(
            session,
            referral,
            user,
            now,
            "screen",
            "eligible"
            if verdict["eligible"]
            else "excluded: " + ", ".join(r["rule"] for r in verdict["reasons"]),
        )
        if sheet.override_recommended:
            _event(session, referral, user, now, "override recommended", "B13")
        if strong:
            _record_new_person_reason(session, referral, participant, user, now, strong, beside)
        audit.append(
            session,
            actor=user.actor,
            action="referral.create",
            subject=participant.lead_id,
            purpose="referral intake",
            now=now,
        )
        return {
            "referral_id": referral.id,
            "lead_id": participant.lead_id,
            "new_participant": new,
            "eligible": verdict["eligible"],
            "reasons": [r["rule"] for r in verdict["reasons"]],
            "social_contact_route": verdict["social_contact_route"],
        }


def _record_new_person_reason(
    session: Session,
    referral: Referral,
    participant: Participant,
    user: CurrentUser,
    now: datetime,
    strong: list[tuple[str, str]],
    beside: tuple[str, str],
) -> None:
    """Store why a new person was created beside strong matches (an event), and audit it.

    The audit row holds the reason chosen from the list, never the typed note (SECURITY 10).
    """
    reason, note = beside
    ids = ", ".join(lead_id for lead_id, _why in strong)
    detail = f"beside {ids}: {NEW_PERSON_REASONS[reason]}" + (f": {note}" if note else "")
    _event(session, referral, user, now, "new person beside a match", detail)
    audit.append(
        session,
        actor=user.actor,
        action="participant.new_beside_match",
        subject=participant.lead_id,
        outcome=f"reason: {reason}",
        purpose=f"beside {ids}: {NEW_PERSON_REASONS[reason]}"[:200],
        now=now,
    )


def _event(
    session: Session,
    referral: Referral,
    user: CurrentUser,
    now: datetime,
    event: str,
    detail: str = "",
) -> None:
    session.add(
        ReferralEvent(
            referral_id=referral.id,
            at=now,
            username=user.username,
            event=event,
            detail=detail[:500],
        )
    )


# --- Stage, clock and next action (pure) ---------------------------------------------------------


def derive_stage(
    stage: str,
    closed: date | None,
    intake: date | None,
    screened: date | None,
    scheduled: date | None,
    participant_active: bool = False,
) -> str:
    """The lifecycle stage from the recorded dates (so dates recorded anywhere count)."""
    if closed is not None:
        return CLOSED
    if intake is not None:
        return PARTICIPANT if participant_active or stage == PARTICIPANT else INTAKE_DONE
    if scheduled is not None:
        return SCHEDULED
    if screened is not None:
        return SCREENED
    return LEFT if stage == LEFT else REFERRED


def optimal_intake_by(screened: date, settings: SiteSettings) -> date:
    """PROTOCOL T4: the in-depth intake is optimally 24-48 hours after the initial screening."""
    return screened + timedelta(days=math.ceil(settings.intake_optimal_hours_max / 24))


@dataclass(frozen=True)
class Clock:
    stage: str
    due: date | None
    text: str
    next_action: str


def clock(row: dict, today: date, settings: SiteSettings) -> Clock:
    """Where one referral stands: its stage, intake deadline, 'day N of 30' and what is next.

    `row` holds referral_type, referral_date, stage, closed_date, intake_completed_date,
    initial_screening_date, intake_scheduled_date, intake_extended_to, prosecutor_notified_date.
    """
    kind = _value(row["referral_type"])
    stage = derive_stage(
        row["stage"],
        row["closed_date"],
        row["intake_completed_date"],
        row["initial_screening_date"],
        row["intake_scheduled_date"],
        row.get("participant_active", False),
    )
    due = intake_due(kind, row["referral_date"], row["intake_extended_to"], settings.intake_days)
    if stage in (CLOSED, PARTICIPANT, INTAKE_DONE):
        text = f"{STAGE_LABELS[stage]} {row['closed_date'] or row['intake_completed_date']}"
        action = (
            # PROTOCOL T6: a release signed after the intake counts once the intake is redone.
            "Obtain a signed release of information (T6, C3); if it came after the intake,"
            " record the intake again on or after its date"
            if stage == INTAKE_DONE
            else ""
        )
        return Clock(stage, None, text, action)
    day = (today - row["referral_date"]).days
    if due is not None:
        span = (due - row["referral_date"]).days
        text = f"day {day} of {span}" + (" (extended)" if row["intake_extended_to"] else "")
        if today > due:
            text += f", intake overdue since {due + timedelta(days=1)}"
    else:
        text = f"day {day} since referral"
    if prosecutor_notice_owed(due, today, row["prosecutor_notified_date"]):
        notice_by = prosecutor_notice_due(due, settings.prosecutor_notice_days)
        action = f"Notify the prosecutor of the missed intake by {notice_by} (T5)"
    elif stage == REFERRED:
        action = "Record the initial screening, or that the person left before it (T1, T2)"
    elif stage == LEFT:
        action = "Screen the person when they return; the T2 notices are listed on the referral"
    elif stage == SCREENED:
        by = optimal_intake_by(row["initial_screening_date"], settings)
        action = f"Schedule the in-depth intake, optimally by {by} (T4)"
    else:
        action = f"Complete the intake scheduled for {row['intake_scheduled_date']} (T4)"
    return Clock(stage, due, text, action)


# --- Listing and viewing -------------------------------------------------------------------------

LIST_COLUMNS = (
    Referral.id,
    Referral.version,
    Referral.referral_type,
    Referral.referral_date,
    Referral.stage,
    Referral.closed_date,
    Referral.closed_reason,
    Referral.intake_completed_date,
    Referral.initial_screening_date,
    Referral.intake_scheduled_date,
    Referral.intake_extended_to,
    Referral.prosecutor_notified_date,
    Referral.screen_eligible,
    Referral.screen_reasons,
    Referral.override_recommended,
    Referral.offense,
    Participant.lead_id,
    Participant.preferred_name,
    Participant.status,
)
_LIST_KEYS = tuple(c.key for c in LIST_COLUMNS)


def _scope(query, user: CurrentUser):
    if user.role == Role.project_manager:
        return query
    return query.where(Participant.organization_id == user.organization_id)


def list_referrals(
    engine: Engine, user: CurrentUser, today: date, *, show: str = "open"
) -> list[dict]:
    """Referrals with stage, clock and next action; `show` is 'open', 'closed' or 'all'.

    Open = not closed and not yet a participant. The screen's rule ids are shown to case
    management staff only (they can reveal criminal history: not for the project manager).
    """
    _require_provider(user)
    settings = get_settings(engine)
    query = _scope(
        select(*LIST_COLUMNS).join(
            Participant, col(Participant.id) == col(Referral.participant_id)
        ),
        user,
    ).order_by(col(Referral.referral_date).desc(), col(Referral.id).desc())
    # Open in SQL, as derive_stage has it: neither closed nor past the intake (a few hundred of
    # 11,000 referrals at 10,000 participants); the stage is still derived for each row shown.
    is_open = col(Referral.closed_date).is_(None) & col(Referral.intake_completed_date).is_(None)
    if show == "open":
        query = query.where(is_open)
    elif show == "closed":
        query = query.where(~is_open)
    with read_session(engine) as session:
        rows = [dict(zip(_LIST_KEYS, r, strict=True)) for r in session.exec(query).all()]
    out = []
    for row in rows:
        row["participant_active"] = _value(row["status"]) == ParticipantStatus.active.value
        state = clock(row, today, settings)
        screen_text = (
            "not screened"
            if row["screen_eligible"] is None
            else "Eligible"
            if row["screen_eligible"]
            else "Excluded"
        )
        if row["screen_reasons"] and user.role != Role.project_manager:
            screen_text += " (" + ", ".join(row["screen_reasons"]) + ")"
        if row["override_recommended"]:
            screen_text += "; override recommended (B13)"
        out.append(
            {
                "id": row["id"],
                "version": row["version"],
                "LEAD id": row["lead_id"],
                "Name": row["preferred_name"],
                "Type": REFERRAL_TYPE_LABELS[_value(row["referral_type"])],
                "Referred": row["referral_date"].isoformat(),
                "Stage": STAGE_LABELS[state.stage],
                "Screen": screen_text,
                "Intake due": state.due.isoformat() if state.due else "",
                "Clock": state.text,
                "Next action": state.next_action,
            }
        )
    return out


# Fields of the cover sheet the project manager never sees (42 CFR Part 2; criminal history).
RESTRICTED_REFERRAL_FIELDS = (
    "Drug",
    "Drug grams",
    "Prior convictions",
    "Determinations",
    "Warrant or DOC notes",
    "Verification basis",
    "Screen reasons",
    "Override reason",
    "Marked unable to consent (C2)",
)


def referral_detail(
    engine: Engine, user: CurrentUser, referral_id: int, today: date, *, purpose: str
) -> dict | None:
    """One referral as this user may see it, with its events; the view is audited.

    None when it is not in the user's agency (audited as denied). Raises AuditWriteError when
    the audit row cannot be written (the page then shows nothing).
    """
    _require_provider(user)
    settings = get_settings(engine)
    with read_session(engine) as session:
        referral = session.get(Referral, referral_id)
        participant = session.get(Participant, referral.participant_id) if referral else None
        if referral is None or participant is None or not _may_touch(user, participant):
            referral = None
        else:
            org = (
                session.get(Organization, referral.referring_organization_id)
                if referral.referring_organization_id
                else None
            )
            events = session.exec(
                select(ReferralEvent)
                .where(ReferralEvent.referral_id == referral_id)
                .order_by(col(ReferralEvent.at), col(ReferralEvent.id))
            ).all()
    if referral is None:
        audit.record(
            engine, actor=user.actor, action="referral.view", outcome="denied", purpose=purpose
        )
        return None
    audit.record(
        engine,
        actor=user.actor,
        action="referral.view",
        subject=participant.lead_id,
        purpose=purpose,
    )
    row = referral.model_dump() | {
        "participant_active": participant.status == ParticipantStatus.active
    }
    state = clock(row, today, settings)
    kind = _value(referral.referral_type)
    fields = {
        "LEAD id": participant.lead_id,
        "Name": participant.preferred_name,
        "Type": REFERRAL_TYPE_LABELS[kind],
        "Referral date": referral.referral_date.isoformat(),
        "Referring agency": org.name if org else "",
        "Referring officer": referral.referring_officer,
        "Supervising sergeant": referral.supervising_sergeant,
        "Prosecutor with jurisdiction": PROSECUTOR_OFFICES.get(referral.prosecutor_office, ""),
        "Offense": OFFENSE_LABELS.get(referral.offense, referral.offense),
        "Place": referral.place,
        "Inside the catchment area": _yes_no(referral.in_catchment),
        "Victim involved": _yes_no(referral.victim_involved),
        "Victim information sheet given": _iso(referral.victim_sheet_date) or "",
        "Victim objected (prosecutor's answer, V1)": ""
        if referral.victim_objected is None
        else f"{_yes_no(referral.victim_objected)} ({_iso(referral.victim_objection_answered_on)})",
        "Drug": DRUG_LABELS.get(referral.drug, referral.drug),
        "Drug grams": "" if referral.drug_grams is None else f"{referral.drug_grams:g}",
        "Prior convictions": "; ".join(
            f"{CONVICTION_LABELS.get(c['offense'], c['offense'])} {c['date']}"
            + (" (attempt)" if c.get("attempt") else "")
            for c in referral.convictions
        ),
        "Determinations": "; ".join(
            f"{DETERMINATION_LABELS[k]}: {_yes_no(v)}"
            for k, v in referral.determinations.items()
            if k in DETERMINATION_LABELS
        ),
        "Warrant or DOC notes": referral.warrant_doc_notes,
        "Verification basis": ""
        if kind == "arrest"
        else VERIFICATION_LABELS.get(referral.verification_basis, ""),
        "Last known violation": _iso(referral.last_violation_date) or "",
        "Approving sergeant": referral.approving_sergeant,
        "Approved on": _iso(referral.social_contact_approved_date) or "",
        "Screen": "not screened"
        if referral.screen_eligible is None
        else ("Eligible" if referral.screen_eligible else "Excluded"),
        "Screen reasons": "\n".join(
            reason_sentences(referral.screen_reasons, referral.convictions, referral.referral_date)
        ),
        "Override recommended (B13)": _yes_no(referral.override_recommended),
        "Override reason": referral.override_reason,
        "Marked unable to consent (C2)": _yes_no(referral.incapacitated),
        "Stage": STAGE_LABELS[state.stage],
        "Clock": state.text,
        "Intake due": _iso(state.due) or "",
        "Intake deadline extended by": referral.intake_extended_by,
        "Initial screening": _iso(referral.initial_screening_date) or "",
        "Intake scheduled": _iso(referral.intake_scheduled_date) or "",
        "Intake completed": _iso(referral.intake_completed_date) or "",
        "Prosecutor notified": " ".join(
            x
            for x in (
                _iso(referral.prosecutor_notified_date) or "",
                referral.prosecutor_notice_office,
                NOTICE_METHODS.get(referral.prosecutor_notice_method, ""),
            )
            if x
        ),
        "Closed": " ".join(
            x for x in (_iso(referral.closed_date) or "", referral.closed_reason) if x
        ),
        "Next action": state.next_action,
    }
    if user.role == Role.project_manager:
        fields = {k: v for k, v in fields.items() if k not in RESTRICTED_REFERRAL_FIELDS}
    return {
        "id": referral.id,
        "version": referral.version,
        "lead_id": participant.lead_id,
        "referral_type": kind,
        "stage": state.stage,
        "intake_due": state.due,
        "prosecutor_office": referral.prosecutor_office,
        "incapacitated": referral.incapacitated,
        "referral_date": referral.referral_date,
        "initial_screening_date": referral.initial_screening_date,
        "prosecutor_notified": referral.prosecutor_notified_date is not None,
        "fields": {k: v for k, v in fields.items() if v not in ("", None)},
        "events": [
            {
                "When (UTC)": e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
                "Who": e.username,
                "What": e.event,
                "Detail": e.detail,
            }
            for e in events
        ],
        "actions": available_actions(kind, state.stage, state.due, today, referral, user.role),
        "t2_notifications": t2_notifications(referral) if state.stage == LEFT else [],
    }


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def available_actions(
    kind: str, stage: str, due: date | None, today: date, referral, role: Role
) -> list[str]:
    """The lifecycle actions that make sense now for this role, in the order they come."""
    return [
        a
        for a in _actions_for_stage(kind, stage, due, today, referral)
        if role in TRANSITION_ROLES[a]
    ]


def _actions_for_stage(kind: str, stage: str, due: date | None, today: date, referral) -> list[str]:
    if stage == CLOSED:
        return []
    # PROTOCOL V1: the prosecutor's answer is recorded whatever the stage, until it is.
    victim = ["victim"] if _victim_answer_owed(referral) else []
    if stage in (PARTICIPANT, INTAKE_DONE):
        return [*victim, "close"]
    actions = []
    if stage in (REFERRED, LEFT):
        actions.append("screen")
    if stage == REFERRED:
        actions.append("left")
    if stage in (SCREENED, SCHEDULED):
        actions.append("schedule")
    actions.append("intake")
    if kind == "arrest":
        actions.append("extend")
        if prosecutor_notice_owed(due, today, referral.prosecutor_notified_date):  # PROTOCOL T5
            actions.append("notice")
    actions += [*victim, "incapacitated", "close"]
    return actions


def _victim_answer_owed(referral) -> bool:
    return bool(
        referral.victim_involved
        and referral.victim_sheet_date is not None
        and referral.victim_objected is None
    )


ACTION_LABELS = {
    "screen": "Record the initial screening",
    "left": "Left before screening",
    "schedule": "Schedule the intake",
    "intake": "Record the completed intake",
    "extend": "Extend the intake deadline",
    "notice": catalog.action("T5"),
    "incapacitated": "Able to consent? (C2)",
    "close": "Close the referral",
    "reassess": f"{catalog.action('S6')} (S6)",
    "victim": catalog.action("V1"),
}


def t2_notifications(referral: Referral) -> list[str]:
    """PROTOCOL T2: who staff notify, by phone or email, when the person left before screening."""
    sergeant = referral.supervising_sergeant or "(not recorded on the cover sheet)"
    office = PROSECUTOR_OFFICES.get(
        referral.prosecutor_office, "(not recorded: KCPAO or City Attorney)"
    )
    return [
        f"Supervising sergeant: {sergeant}, by phone or email.",
        f"Prosecutor with jurisdiction: {office}, by phone or email.",
    ]


CANDIDATES_SHOWN = 25  # the newest candidates listed on Today and Referrals; the rest on asking


def _is_candidate():
    """Social contact and DOC referrals, and arrest diversions the screen excluded (B13)."""
    return (col(Referral.referral_type) != ReferralType.arrest) | (
        col(Referral.screen_eligible).is_(False)
    )


def social_contact_candidate_count(engine: Engine, user: CurrentUser) -> int:
    """How many social-contact candidates there are in all (PROTOCOL S5), for the PM only."""
    if user.role != Role.project_manager:
        return 0
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(Referral).where(_is_candidate())).one()


def social_contact_candidates(
    engine: Engine, user: CurrentUser, today: date, *, limit: int | None = None
) -> list[dict]:
    """PROTOCOL S5: every social-contact candidate and its resolution, for the project manager.

    Social contact and DOC referrals, and arrest diversions the screen excluded (offered the
    social-contact route, B13). No criminal-history or screen detail: the PM sees outcomes.
    Newest first; `limit` keeps the newest few (about 2,800 candidates at 10,000 participants).
    """
    if user.role != Role.project_manager:
        return []
    settings = get_settings(engine)
    query = (
        select(
            Referral.id,
            Referral.referral_type,
            Referral.referral_date,
            Referral.stage,
            Referral.closed_date,
            Referral.closed_reason,
            Referral.intake_completed_date,
            Referral.initial_screening_date,
            Referral.intake_scheduled_date,
            Referral.screen_eligible,
            Referral.approving_sergeant,
            Referral.social_contact_approved_date,
            Referral.reassessed_date,
            Participant.lead_id,
            Participant.status,
            Organization.code,
        )
        .join(Participant, col(Participant.id) == col(Referral.participant_id))
        .outerjoin(Organization, col(Organization.id) == col(Referral.referring_organization_id))
        .where(_is_candidate())
        .order_by(col(Referral.referral_date).desc(), col(Referral.id).desc())
        .limit(limit)
    )
    with read_session(engine) as session:
        rows = session.exec(query).all()
    out = []
    for (
        _rid,
        kind,
        referred,
        stage,
        closed,
        closed_reason,
        intake,
        screened,
        scheduled,
        eligible,
        sergeant,
        approved,
        reassessed,
        lead_id,
        status,
        org_code,
    ) in rows:
        kind = _value(kind)
        current = derive_stage(
            stage, closed, intake, screened, scheduled, _value(status) == "active"
        )
        if kind == "arrest":
            route = "Arrest diversion excluded: social-contact route offered (B13)"
        else:
            route = REFERRAL_TYPE_LABELS[kind]
        out.append(
            {
                "LEAD id": lead_id,
                "Candidate": route,
                "Referred": referred.isoformat(),
                "From": org_code or "",
                "Approved by (S5)": sergeant,
                "Approved on": _iso(approved) or "not yet",
                "Approval good until (S6)": _iso(
                    reassessment_due(approved, reassessed, settings.social_contact_approval_months)
                )
                if approved
                else "",
                "Screen": "not screened"
                if eligible is None
                else ("criteria met" if eligible else "criteria not met"),
                "Resolution": STAGE_LABELS[current]
                + (f": {closed_reason}" if current == CLOSED and closed_reason else ""),
            }
        )
    return out


# --- Lifecycle transitions -----------------------------------------------------------------------


# Who may take each lifecycle step: casework (screening, intake, consent) is case management's;
# the project manager also extends, notifies, closes and re-assesses (T4, T5, S5, S6).
CASEWORK = frozenset({Role.case_manager, Role.clinical_supervisor})
TRANSITION_ROLES = {
    "screen": CASEWORK,
    "left": CASEWORK,
    "schedule": CASEWORK,
    "intake": CASEWORK,
    "incapacitated": CASEWORK,
    "extend": PROVIDER_ROLES,
    "notice": PROVIDER_ROLES,
    "close": PROVIDER_ROLES,
    "reassess": PROVIDER_ROLES,
    "victim": PROVIDER_ROLES,
}


def _load_for_change(
    session: Session, user: CurrentUser, referral_id: int, expected_version: int, step: str
) -> tuple[Referral, Participant]:
    _require_provider(user)
    if user.role not in TRANSITION_ROLES[step]:
        raise ValidationError(f"{ACTION_LABELS[step]}: case management staff record this step.")
    referral = session.get(Referral, referral_id, with_for_update=True)
    participant = session.get(Participant, referral.participant_id) if referral else None
    if referral is None or participant is None or not _may_touch(user, participant):
        raise ValidationError("Referral: not found in your agency's records.")
    if referral.version != expected_version:
        raise StaleEditError.for_row(referral)
    return referral, participant


def _touch(session: Session, referral: Referral, user: CurrentUser, now: datetime) -> None:
    bump_version(referral, now, user.username)
    session.add(referral)


def _require_date(value: date | None, label: str) -> None:
    if not isinstance(value, date):
        raise ValidationError(f"{label}: required.")


def _check_on(on: date, referral: Referral, today: date, label: str = "Date") -> None:
    _require_date(on, label)
    if on > today:
        raise ValidationError(f"{label}: it cannot be in the future.")
    if on < referral.referral_date:
        raise ValidationError(
            f"{label}: it cannot be before the referral date {referral.referral_date}."
        )


def _stage_of(referral: Referral, participant: Participant) -> str:
    return derive_stage(
        referral.stage,
        referral.closed_date,
        referral.intake_completed_date,
        referral.initial_screening_date,
        referral.intake_scheduled_date,
        participant.status == ParticipantStatus.active,
    )


def _require_open(referral: Referral, participant: Participant, what: str) -> str:
    stage = _stage_of(referral, participant)
    if stage == CLOSED:
        raise ValidationError(f"{what}: the referral is closed.")
    if stage in (PARTICIPANT, INTAKE_DONE):
        raise ValidationError(f"{what}: the intake is already complete.")
    return stage


def _finish(
    session: Session,
    referral: Referral,
    participant: Participant,
    user: CurrentUser,
    now: datetime,
    *,
    event: str,
    detail: str,
    action: str,
    purpose: str,
) -> None:
    _touch(session, referral, user, now)
    _event(session, referral, user, now, event, detail)
    audit.append(
        session,
        actor=user.actor,
        action=action,
        subject=participant.lead_id,
        purpose=purpose,
        now=now,
    )


def record_screening(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL T1, T3: the initial screening happened (also after 'left before screening')."""
    now = now or utcnow()
    with write_session(engine) as session:
        referral, participant = _load_for_change(
            session, user, referral_id, expected_version, "screen"
        )
        stage = _require_open(referral, participant, "Initial screening")
        if stage not in (REFERRED, LEFT):
            raise ValidationError("Initial screening: it is already recorded.")
        _check_on(on, referral, today, "Screening date")
        referral.initial_screening_date = on
        referral.stage = SCREENED
        _finish(
            session,
            referral,
            participant,
            user,
            now,
            event="screened",
            detail=f"on {on}",
            action="referral.screen",
            purpose=purpose,
        )


def record_left_before_screening(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> list[str]:
    """PROTOCOL T2: the person left before screening; returns the notifications staff make."""
    now = now or utcnow()
    with write_session(engine) as session:
        referral, participant = _load_for_change(
            session, user, referral_id, expected_version, "left"
        )
        stage = _require_open(referral, participant, "Left before screening")
        if stage != REFERRED:
            raise ValidationError("Left before screening: the screening is already recorded.")
        referral.stage = LEFT
        notices = t2_notifications(referral)
        _finish(
            session,
            referral,
            participant,
            user,
            now,
            event="left before screening",
            detail="T2 notices due: supervising sergeant and prosecutor",
            action="referral.left_before_screening",
            purpose=purpose,
        )
    return notices


def schedule_intake(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL T4: the intake appointment (today or later, never past the deadline)."""
    now = now or utcnow()
    settings = get_settings(engine)
    with write_session(engine) as session:
        referral, participant = _load_for_change(
            session, user, referral_id, expected_version, "schedule"
        )
        stage = _require_open(referral, participant, "Intake date")
        if stage not in (SCREENED, SCHEDULED):
            raise ValidationError("Intake date: record the initial screening first.")
        _require_date(on, "Intake date")
        if on < referral.initial_screening_date:
            raise ValidationError(
                f"Intake date: it cannot be before the screening on "
                f"{referral.initial_screening_date}."
            )
        due = intake_due(
            _value(referral.referral_type),
            referral.referral_date,
            referral.intake_extended_to,
            settings.intake_days,
        )
        if due is not None and on > due:
            raise ValidationError(
                f"Intake date: it is after the intake deadline {due}; record an extension by "
                "the referring officer, sergeant or agency first (T4)."
            )
        if on < today:
            raise ValidationError(
                "Intake date: an appointment cannot be in the past; record the completed "
                "intake instead."
            )
        referral.intake_scheduled_date = on
        referral.stage = SCHEDULED
        _finish(
            session,
            referral,
            participant,
            user,
            now,
            event="intake scheduled",
            detail=f"for {on}",
            action="referral.intake_scheduled",
            purpose=purpose,
        )


def complete_intake(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    today: date,
    release_signed_on: date | None = None,
    release_kind: str = "written",
    release_orgs: list[str] | None = None,
    release_expires_on: date | None = None,
    release_purpose: str = Release.model_fields["purpose"].default,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> bool:
    """PROTOCOL T4, T6: the in-depth intake is complete; with a release the person is active.

    A release is refused while the person is marked unable to consent (C2), and must be signed
    no later than the intake (T6). Returns True when the person became an active participant.
    """
    now = now or utcnow()
    with write_session(engine) as session:
        referral, participant = _load_for_change(
            session, user, referral_id, expected_version, "intake"
        )
        _require_open(referral, participant, "Intake")
        _check_on(on, referral, today, "Intake date")
        if referral.initial_screening_date and on < referral.initial_screening_date:
            raise ValidationError(
                f"Intake date: it cannot be before the screening on "
                f"{referral.initial_screening_date}."
            )
        if release_signed_on is not None:
            _check_on(release_signed_on, referral, today, "Release signed")
            if release_signed_on > on:
                # PROTOCOL T6: a release signed after the intake does not make a participant.
                raise ValidationError(
                    "Release signed: it must be signed no later than the intake (T6)."
                )
            # The one path that records a release: the same checks and labels as the
            # participant record's form (C1, C2, 42 CFR 2.31).
            record_release(
                session,
                user,
                participant,
                kind=release_kind,
                signed_date=release_signed_on,
                covered=release_orgs or [],
                purpose=release_purpose,
                expires_date=release_expires_on,
                today=today,
                now=now,
            )
        referral.intake_completed_date = on
        referral.stage = PARTICIPANT if release_signed_on is not None else INTAKE_DONE
        detail = f"on {on}" + (
            f"; release signed {release_signed_on}" if release_signed_on else "; no release yet"
        )
        _finish(
            session,
            referral,
            participant,
            user,
            now,
            event="intake completed",
            detail=detail,
            action="referral.intake",
            purpose=purpose,
        )
        # The one path to an active participant (PROTOCOL T6), version-checked.
        activated = activate_if_ready(session, user, participant, now, today, reactivate=True)
    return activated


def set_incapacitated(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    incapacitated: bool,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL C2: mark (or clear) that the person cannot consent now; staff keep checking in."""
    now = now or utcnow()
    with write_session(engine) as session:
        referral, participant = _load_for_change(
            session, user, referral_id, expected_version, "incapacitated"
        )
        _require_open(referral, participant, "Able to consent")
        if referral.incapacitated == incapacitated:
            raise ValidationError("Able to consent: nothing to change.")
        referral.incapacitated = incapacitated
        _finish(
            session,
            referral,
            participant,
            user,
            now,
            event="marked unable to consent" if incapacitated else "able to consent",
            detail="C2",
            action="referral.consent_capacity",
            purpose=purpose,
        )


def extend_deadline(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    new_date: date,
    extended_by: str,
    on: date,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL T4: the referring officer, sergeant or agency extends the intake deadline."""
    now = now or utcnow()
    settings = get_settings(engine)
    extended_by = _clean(extended_by)
    if not extended_by:
        raise ValidationError(
            "Extended by: name the referring officer, sergeant or agency who extended it."
        )
    if too_long("Extended by", extended_by, MAX_NAME):
        raise ValidationError(too_long("Extended by", extended_by, MAX_NAME))
    _require_date(new_date, "New deadline")
    if new_date < today:  # the rule the form's date field once enforced (SECURITY 33)
        raise ValidationError("New deadline: it cannot be in the past.")
    with write_session(engine) as session:
        referral, participant = _load_for_change(
            session, user, referral_id, expected_version, "extend"
        )
        _require_open(referral, participant, "Extension")
        if _value(referral.referral_type) != "arrest":
            raise ValidationError("Extension: only arrest referrals have an intake deadline.")
        _check_on(on, referral, today, "Date of the extension")
        current = intake_due(
            "arrest", referral.referral_date, referral.intake_extended_to, settings.intake_days
        )
        if new_date <= current:
            raise ValidationError(f"New deadline: it must be after the current deadline {current}.")
        if new_date > referral.referral_date + timedelta(days=366):
            raise ValidationError("New deadline: at most a year after the referral.")
        referral.intake_extended_to = new_date
        referral.intake_extended_by = extended_by
        _finish(
            session,
            referral,
            participant,
            user,
            now,
            event="intake deadline extended",
            detail=f"to {new_date} by {extended_by}, agreed on {on}",
            action="referral.extend",
            purpose=purpose,
        )


def record_prosecutor_notice(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    office: str,
    method: str,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL T5: the provider told the prosecutor with jurisdiction of the missed intake."""
    now = now or utcnow()
    settings = get_settings(engine)
    if office not in PROSECUTOR_OFFICES:
        raise ValidationError("Office notified: choose KCPAO or the Burien City Attorney.")
    if method not in NOTICE_METHODS:
        raise ValidationError("How: phone or email.")
    with write_session(engine) as session:
        referral, participant = _load_for_change(
            session, user, referral_id, expected_version, "notice"
        )
        _require_open(referral, participant, "Prosecutor notice")
        if _value(referral.referral_type) != "arrest":
            raise ValidationError("Prosecutor notice: only arrest referrals have one.")
        if referral.prosecutor_notified_date is not None:
            raise ValidationError("Prosecutor notice: already recorded.")
        due = intake_due(
            "arrest", referral.referral_date, referral.intake_extended_to, settings.intake_days
        )
        if not prosecutor_notice_owed(due, today, referral.prosecutor_notified_date):  # T5
            raise ValidationError(
                f"Prosecutor notice: the intake deadline {due} has not passed yet."
            )
        _check_on(on, referral, today, "Notice date")
        if on <= due:
            raise ValidationError(
                f"Notice date: a notice of the missed deadline comes after it ({due})."
            )
        referral.prosecutor_notified_date = on
        referral.prosecutor_notice_office = office
        referral.prosecutor_notice_method = method
        _finish(
            session,
            referral,
            participant,
            user,
            now,
            event="prosecutor notified",
            detail=f"{office} by {method} on {on}",
            action="referral.prosecutor_notice",
            purpose=purpose,
        )


def close_referral(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    outcome: str,
    reason: str,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """Close a referral: declined, lapsed, charges filed, or no longer eligible, with a reason."""
    now = now or utcnow()
    if outcome not in CLOSE_OUTCOMES:
        raise ValidationError(
            "Outcome: choose declined, lapsed, charges filed or no longer eligible."
        )
    reason = _clean(reason)
    if not reason:
        raise ValidationError("Reason: say briefly why the referral is closed.")
    if too_long("Reason", reason, MAX_REASON):
        raise ValidationError(too_long("Reason", reason, MAX_REASON))
    with write_session(engine) as session:
        referral, participant = _load_for_change(
            session, user, referral_id, expected_version, "close"
        )
        if referral.closed_date is not None:
            raise ValidationError("Close: the referral is already closed.")
        _check_on(on, referral, today, "Closing date")
        referral.closed_date = on
        referral.closed_reason = f"{CLOSE_OUTCOMES[outcome]}: {reason}"
        referral.stage = CLOSED
        _finish(
            session,
            referral,
            participant,
            user,
            now,
            event="closed",
            detail=f"{CLOSE_OUTCOMES[outcome]} on {on}",
            action="referral.close",
            purpose=purpose,
        )


def record_reassessment(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL S6: the social-contact approval was re-assessed (restarts the 6 months)."""
    now = now or utcnow()
    with write_session(engine) as session:
        referral, participant = _load_for_change(
            session, user, referral_id, expected_version, "reassess"
        )
        if referral.closed_date is not None:
            raise ValidationError("Re-assessment: the referral is closed.")
        if referral.social_contact_approved_date is None:
            raise ValidationError("Re-assessment: the referral has no social-contact approval.")
        _check_on(on, referral, today, "Date")
        if on < referral.social_contact_approved_date:
            raise ValidationError("Date: it cannot be before the approval.")
        referral.reassessed_date = on
        _finish(
            session,
            referral,
            participant,
            user,
            now,
            event="re-assessed",
            detail=f"on {on} (S6)",
            action="referral.reassessment",
            purpose=purpose,
        )


def record_victim_objection(
    engine: Engine,
    user: CurrentUser,
    *,
    referral_id: int,
    expected_version: int,
    on: date,
    objected: bool,
    today: date,
    purpose: str = "referral lifecycle",
    now: datetime | None = None,
) -> None:
    """PROTOCOL V1: the prosecutor's answer to whether the victim objected (closes the alert)."""
    now = now or utcnow()
    if not isinstance(objected, bool):
        raise ValidationError("Did the victim object: answer yes or no.")
    with write_session(engine) as session:
        referral, participant = _load_for_change(
            session, user, referral_id, expected_version, "victim"
        )
        if referral.closed_date is not None:
            raise ValidationError("Victim objection: the referral is closed.")
        if not referral.victim_involved or referral.victim_sheet_date is None:
            raise ValidationError(
                "Victim objection: no victim information sheet was given for this referral."
            )
        if referral.victim_objected is not None:
            raise ValidationError("Victim objection: the prosecutor's answer is already recorded.")
        _check_on(on, referral, today, "Answer date")
        if on < referral.victim_sheet_date:
            raise ValidationError(
                f"Answer date: it cannot be before the victim information sheet "
                f"({referral.victim_sheet_date})."
            )
        referral.victim_objection_answered_on = on
        referral.victim_objected = objected
        _finish(
            session,
            referral,
            participant,
            user,
            now,
            event="victim objection answered",
            detail=f"{'objected' if objected else 'no objection'} on {on} (V1)",
            action="referral.victim_objection",
            purpose=purpose,
        )


def referral_events(engine: Engine, referral_id: int) -> list[tuple[str, str]]:
    """(event, username) of one referral, oldest first."""
    with read_session(engine) as session:
        return [
            (e, u)
            for e, u in session.exec(
                select(ReferralEvent.event, ReferralEvent.username)
                .where(ReferralEvent.referral_id == referral_id)
                .order_by(col(ReferralEvent.id))
            )
        ]


# --- Demo (synthetic cover sheets for the referrals seeded by demo.seed) ---------------------


# The demo's officers answered every determination: amenable, interested, nothing else.
DEMO_DETERMINATIONS = {k: k in ("amenable", "interested") for k in DETERMINATION_LABELS}


def seed_demo_details(session: Session, rng, today: date, now: datetime) -> None:
    """Fill the demo referrals' cover sheets and stages; deterministic for a given rng.

    Adds no people: it completes the referrals demo.seed created (sergeants, prosecutor,
    screen results, stages), and puts a few at the stages the Referrals page and Today show: not
    screened yet, left before screening, intake scheduled, a victim sheet, an excluded arrest.
    """
    session.flush()
    rows = session.exec(
        select(Referral, Participant)
        .join(Participant, col(Participant.id) == col(Referral.participant_id))
        .order_by(col(Referral.id))
    ).all()
    recent = [r for r, _ in rows if (today - r.referral_date).days <= 12]
    lookback = (session.get(SiteSettings, 1) or SiteSettings()).social_contact_lookback_months
    for referral, _participant in rows:
        kind = _value(referral.referral_type)
        referral.supervising_sergeant = "Sgt. Demo-Sergeant"
        referral.prosecutor_office = rng.choice(["KCPAO", "BCA"])
        referral.place = rng.choice(["Demo block A", "Demo park B", "Demo transit stop C"])
        referral.in_catchment = True
        referral.determinations = dict(DEMO_DETERMINATIONS)
        if kind != "arrest":
            referral.verification_basis = rng.choice(["records", "observation"])
            referral.last_violation_date = referral.referral_date - timedelta(days=10)
            referral.approving_sergeant = "Sgt. Demo-Approver"
        sheet = CoverSheet(
            referral_type=kind,
            referral_date=referral.referral_date,
            offense=referral.offense,
            in_catchment=True,
            verification_basis=referral.verification_basis,
            last_violation_date=referral.last_violation_date,
        )
        verdict = preview(sheet, referral.referral_date, lookback_months=lookback)  # S3
        referral.screen_eligible = verdict["eligible"]
        referral.screen_reasons = [r["rule"] for r in verdict["reasons"]]
        session.add(
            ReferralEvent(
                referral_id=referral.id,
                at=now,
                username="system",
                event="referred",
                detail=f"{REFERRAL_TYPE_LABELS[kind]} (demo)",
            )
        )
    # A few referrals at the early stages (the newest ones, so their clocks are running).
    for i, referral in enumerate(sorted(recent, key=lambda r: r.referral_date, reverse=True)):
        if referral.intake_completed_date is not None:
            continue
        if i == 0:
            referral.initial_screening_date = None
        elif i == 1:
            referral.initial_screening_date = None
            referral.stage = LEFT
        elif i == 2:
            referral.intake_scheduled_date = today + timedelta(days=1)
        elif i == 3:
            referral.victim_involved = True
            referral.victim_sheet_date = referral.referral_date
    for referral, participant in rows:
        referral.stage = derive_stage(
            referral.stage,
            referral.closed_date,
            referral.intake_completed_date,
            referral.initial_screening_date,
            referral.intake_scheduled_date,
            participant.status == ParticipantStatus.active,
        )
        session.add(referral)
