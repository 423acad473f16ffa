"""Validation of the cover sheet and the referred person: every problem at once, nothing saved.

Messages read "Field: what is wrong." Unanswered determinations are refused rather than saved as
a guess (SECURITY 33); the person is an adult (PROTOCOL), the victim sheet follows the referral
(V1), an override carries its reason (B13), a social contact's approval names its sergeant (S5).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time

from services.core.errors import ValidationError, too_long
from services.core.site import one_of
from services.referrals.cover_sheet import CoverSheet, Person
from services.referrals.vocabulary import (
    ADULT_YEARS,
    CONVICTION_LABELS,
    DETERMINATION_LABELS,
    DETERMINATIONS_ASKED,
    DRUG_LABELS,
    EARLIEST_DATE,
    MAX_GRAMS,
    MAX_NAME,
    MAX_NOTES,
    MAX_TEXT,
    OFFENSE_LABELS,
    REFERRAL_TYPE_LABELS,
    VERIFICATION_LABELS,
    clean,
    grams_or_none,
)
from services.rules.calendar import add_months


def _check_text(errors: list[str], label: str, value: str, limit: int, required: bool) -> str:
    value = clean(value)
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
        alias = clean(alias)
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


def validate_sheet(
    sheet: CoverSheet,
    today: date,
    now_local_time: time | None = None,
    *,
    offices: Mapping[str, str],
) -> None:
    """Every cover-sheet rule, all problems at once ("Field: what is wrong."); nothing saved.
    `offices` are the site's prosecutor offices, code -> name (`site.prosecutor_offices`)."""
    errors: list[str] = []
    _check_referral(errors, sheet, today, now_local_time, offices)
    _check_offense_and_drug(errors, sheet)
    _check_determinations(errors, sheet)
    _check_victim_and_history(errors, sheet, today)
    _check_social_contact_and_override(errors, sheet, today)
    _raise(errors)


def _check_referral(
    errors: list[str],
    sheet: CoverSheet,
    today: date,
    now_local_time: time | None,
    offices: Mapping[str, str],
) -> None:
    """Who referred, when, and the prosecutor with jurisdiction."""
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
    if sheet.prosecutor_office and sheet.prosecutor_office not in offices:
        errors.append(f"Prosecutor with jurisdiction: choose {one_of(list(offices.values()))}.")
    if kind == "arrest":
        # PROTOCOL T2, T5: the prosecutor with jurisdiction is who hears of a missed intake.
        if not sheet.prosecutor_office:
            errors.append("Prosecutor with jurisdiction: required for an arrest diversion.")
        if not sheet.offense:
            errors.append("Offense: required for an arrest diversion.")


def _check_offense_and_drug(errors: list[str], sheet: CoverSheet) -> None:
    """PROTOCOL B1, B2: the offense and the drug, as codes from the lists."""
    if sheet.offense and sheet.offense not in OFFENSE_LABELS:
        errors.append("Offense: choose one from the list.")
    if sheet.drug not in DRUG_LABELS:
        errors.append("Drug: choose one from the list.")
    if sheet.drug_grams is not None:
        grams = grams_or_none(sheet.drug_grams)
        if grams is None or grams > MAX_GRAMS:
            errors.append(f"Drug grams: a number from 0 to {MAX_GRAMS:,.0f}.")


def _check_determinations(errors: list[str], sheet: CoverSheet) -> None:
    """PROTOCOL B3-B10, S4: each determination asked is answered yes or no."""
    unknown = set(sheet.determinations) - set(DETERMINATION_LABELS)
    values = sheet.determinations.values()
    if unknown or any(v is not None and not isinstance(v, bool) for v in values):
        errors.append("Determinations: unknown or malformed entries.")
    elif sheet.referral_type in DETERMINATIONS_ASKED and sheet.unanswered():
        # Nothing is pre-answered, so nothing unanswered is saved as a guess (SECURITY 33).
        errors.append(
            "Determinations: answer yes or no to each one before saving: "
            + "; ".join(DETERMINATION_LABELS[k] for k in sheet.unanswered())
            + "."
        )


def _check_victim_and_history(errors: list[str], sheet: CoverSheet, today: date) -> None:
    """The victim information sheet (V1), the prior convictions (B9), warrant or DOC notes."""
    referred = sheet.referral_date
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


def _check_social_contact_and_override(errors: list[str], sheet: CoverSheet, today: date) -> None:
    """The verification (S1), the last violation (S3), the approval (S5), an override (B13)."""
    referred = sheet.referral_date
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
    if sheet.referral_type == "arrest" and (sheet.approved_date or sheet.approving_sergeant):
        errors.append("Approval: only social contact and DOC referrals are approved (S5).")
    # PROTOCOL B13: an override recommendation carries its reason.
    sheet.override_reason = clean(sheet.override_reason)
    if sheet.override_recommended and not sheet.override_reason:
        errors.append("Override reason: say why the officer recommends diversion (B13).")
    if too_long("Override reason", sheet.override_reason, 500):
        errors.append(too_long("Override reason", sheet.override_reason, 500))
    if not sheet.override_recommended:
        sheet.override_reason = ""
