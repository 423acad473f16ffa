"""Creating a referral: validate the cover sheet, match or create the participant, store the screen.

A new participant gets the next LEAD id; a new person beside a strong match is refused without
a reason (PROTOCOL B14), which is stored as an event and audited (SECURITY 10). The screen's
answer is stored as decision support (B13).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import (
    Organization,
    Participant,
    ParticipantStatus,
    Referral,
    ReferralType,
    Role,
    SiteSettings,
    User,
)
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import utcnow
from services.core.db import write_session
from services.core.errors import ValidationError
from services.core.site import get_settings, prosecutor_offices, provider_organization_id
from services.referrals.cover_sheet import CoverSheet, Person, preview
from services.referrals.events import add_event
from services.referrals.matches import NEW_PERSON_REASONS, strong_matches
from services.referrals.scope import may_touch, require_provider
from services.referrals.validation import validate_person, validate_sheet
from services.referrals.vocabulary import (
    MAX_REASON,
    REFERRAL_TYPE_LABELS,
    REFERRED,
    clean,
    grams_or_none,
    iso,
)


def next_lead_id(session: Session) -> str:
    """PREFIX-NNNN (the site's `lead_id_prefix`, e.g. BUR-0007), one more than the highest in
    use with that prefix (gaps are never reused)."""
    prefix = (session.get(SiteSettings, 1) or SiteSettings()).lead_id_prefix
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    highest = 0
    for lead_id in session.exec(
        select(Participant.lead_id).where(col(Participant.lead_id).startswith(f"{prefix}-"))
    ):
        found = pattern.match(lead_id)
        if found:
            highest = max(highest, int(found.group(1)))
    return f"{prefix}-{highest + 1:04d}"


def _referred_at(sheet: CoverSheet, time_zone: str) -> datetime | None:
    if sheet.referral_date is None or sheet.referral_time is None:
        return None
    local = datetime.combine(sheet.referral_date, sheet.referral_time, ZoneInfo(time_zone))
    return local.astimezone(UTC)


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
    require_provider(user)
    now = now or utcnow()
    settings = get_settings(engine)
    zone = ZoneInfo(settings.time_zone)
    validate_sheet(sheet, today, now.astimezone(zone).time(), offices=prosecutor_offices(engine))
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
    note = clean(note)
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
            if participant is None or not may_touch(user, participant):
                raise ValidationError("Person: that participant is not in your agency's records.")
            new = False
        else:
            participant, strong = _new_participant(session, user, sheet, person, beside, now)
            new = True
        referral = _referral_row(session, user, sheet, participant, verdict, settings, now)
        session.add(referral)
        session.flush()
        _record_created(session, referral, user, now, sheet, verdict)
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


def _new_participant(
    session: Session,
    user: CurrentUser,
    sheet: CoverSheet,
    person: Person,
    beside: tuple[str, str] | None,
    now: datetime,
) -> tuple[Participant, list[tuple[str, str]]]:
    """A new participant with the next LEAD id (audited), and the strong matches beside it."""
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
    audit.append(
        session,
        actor=user.actor,
        action="participant.create",
        subject=participant.lead_id,
        purpose="referral intake",
        now=now,
    )
    return participant, strong


def _referral_row(
    session: Session,
    user: CurrentUser,
    sheet: CoverSheet,
    participant: Participant,
    verdict: dict,
    settings: SiteSettings,
    now: datetime,
) -> Referral:
    """The Referral row for a validated cover sheet, with the screen's answer (B13)."""
    org_id = session.exec(
        select(Organization.id).where(Organization.code == sheet.referring_org_code)
    ).first()
    if org_id is None:
        raise ValidationError("Referring agency: choose one from the list.")
    kind = sheet.referral_type
    return Referral(
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
        drug_grams=grams_or_none(sheet.drug_grams),
        place=sheet.place,
        in_catchment=sheet.in_catchment,
        victim_involved=sheet.victim_involved,
        victim_sheet_date=sheet.victim_sheet_date if sheet.victim_involved else None,
        determinations=sheet.answered(),
        convictions=[
            {
                "offense": c["offense"],
                "date": iso(c["date"]),
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


def _record_created(
    session: Session,
    referral: Referral,
    user: CurrentUser,
    now: datetime,
    sheet: CoverSheet,
    verdict: dict,
) -> None:
    """The new referral's first events: referred, the screen's answer, an override (B13)."""
    add_event(session, referral, user, now, "referred", REFERRAL_TYPE_LABELS[sheet.referral_type])
    add_event(
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
        add_event(session, referral, user, now, "override recommended", "B13")


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
    add_event(session, referral, user, now, "new person beside a match", detail)
    audit.append(
        session,
        actor=user.actor,
        action="participant.new_beside_match",
        subject=participant.lead_id,
        outcome=f"reason: {reason}",
        purpose=f"beside {ids}: {NEW_PERSON_REASONS[reason]}"[:200],
        now=now,
    )
