"""Releases of information: record, rescind, and describe them (PROTOCOL C1-C4, SECURITY 1, 4).

A release lacking a required element (42 CFR 2.31: who signed it and when, the organizations it
covers, its purpose, its expiry) is refused with a message naming the missing field. Verbal
releases are memorialised by the staff member who records them (C1). Treatment information has
its own release (C4) that never names a police, corrections or prosecutor organization and never
opens the partner view. Rescinding or expiry takes effect on the partner's next rerun, because
every read recomputes the release state from these rows.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import ValidationInfo, field_validator, model_validator
from sqlalchemy import Engine, update
from sqlmodel import Session, SQLModel, col, select

from models import Organization, OrgKind, Participant, Referral, Release, ReleaseKind
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import ValidationError, validated
from services.participants.casework import (
    activate_if_ready,
    check_date,
    check_text,
    load_for_change,
)
from services.rules.consent import release_status  # noqa: F401  (the rule's home; re-exported)

# The one set of labels for the kinds, on every form that records a release.
RELEASE_KINDS = {
    ReleaseKind.written: "Written, signed by the participant",
    ReleaseKind.verbal: "Verbal, memorialised by staff (PROTOCOL C1)",
}
PARTNER_ORG_KINDS = frozenset(
    {OrgKind.police, OrgKind.sheriff, OrgKind.corrections, OrgKind.prosecutor}
)
MAX_TREATMENT_RECIPIENTS = 10


class ReleaseCreate(SQLModel):
    """A release's own elements (42 CFR 2.31), checked the one way on every form.

    Validated with `services.core.errors.validated(ReleaseCreate, data, today=...)`; who and what it
    covers are checked against the database in `record_release`.
    """

    kind: ReleaseKind
    signed_date: date
    purpose: str
    expires_date: date

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, value):
        if value not in RELEASE_KINDS:
            raise ValueError("Kind: choose written or verbal (memorialised by staff).")
        return value

    @field_validator("signed_date", mode="before")
    @classmethod
    def _signed(cls, value, info: ValidationInfo):
        return check_date("Signed date", value, today=info.context["today"])

    @field_validator("purpose", mode="before")
    @classmethod
    def _purpose(cls, value):
        return check_text("Purpose", value, required=True, limit=200)

    @field_validator("expires_date", mode="before")
    @classmethod
    def _expiry_given(cls, value):
        if not isinstance(value, date):
            raise ValueError("Expiry: required (the date the release ends).")
        return value

    @model_validator(mode="after")
    def _expiry_in_force(self, info: ValidationInfo):
        if self.expires_date <= self.signed_date:
            raise ValueError("Expiry: it must be after the signed date.")
        if self.expires_date < info.context["today"]:  # the form's date field once (SECURITY 33)
            raise ValueError("Expiry: it cannot be in the past; record a release in force.")
        return self


def _covered_orgs(session, codes: list[str]) -> list[str]:
    codes = [c.strip().upper() for c in codes if c and c.strip()]
    if not codes:
        raise ValidationError("Covered organizations: choose at least one organization.")
    known = set(session.exec(select(Organization.code)))
    unknown = sorted(set(codes) - known)
    if unknown:
        raise ValidationError(f"Covered organizations: unknown code(s) {', '.join(unknown)}.")
    return sorted(set(codes))


def _treatment_recipients(session, names: list[str]) -> list[str]:
    names = [n.strip() for n in names if n and n.strip()]
    if not names:
        raise ValidationError(
            "Covered professionals: name at least one professional or program consulted."
        )
    if len(names) > MAX_TREATMENT_RECIPIENTS or any(len(n) > 80 for n in names):
        raise ValidationError(
            f"Covered professionals: at most {MAX_TREATMENT_RECIPIENTS}, each under 80 characters."
        )
    partners = {
        value.casefold()
        for org in session.exec(select(Organization))
        if org.kind in PARTNER_ORG_KINDS
        for value in (org.code, org.name)
    }
    if any(n.casefold() in partners for n in names):
        # 42 CFR 2.12(d): treatment records are never used to investigate or charge.
        raise ValidationError(
            "Covered professionals: a treatment-information release cannot name police, "
            "sheriff, corrections or prosecutors (42 CFR Part 2, PROTOCOL C4)."
        )
    return list(dict.fromkeys(names))


def add_release(
    engine: Engine,
    user: CurrentUser,
    *,
    participant_id: int,
    kind: str,
    signed_date: date | None,
    covered: list[str],
    purpose: str,
    expires_date: date | None,
    treatment_information: bool = False,
    today: date,
    now: datetime | None = None,
) -> int:
    """Record a release with every required element, or refuse it naming the missing one.

    `covered` holds organization codes for a release of information, or the professionals and
    programs consulted for a treatment-information release (C4).
    """
    now = now or utcnow()
    with write_session(engine) as session:
        participant = load_for_change(session, user, participant_id)
        release = record_release(
            session,
            user,
            participant,
            kind=kind,
            signed_date=signed_date,
            covered=covered,
            purpose=purpose,
            expires_date=expires_date,
            treatment_information=treatment_information,
            today=today,
            now=now,
        )
        if not treatment_information:
            activate_if_ready(session, user, participant, now, today)
        return release.id


def record_release(
    session: Session,
    user: CurrentUser,
    participant: Participant,
    *,
    kind: str,
    signed_date: date | None,
    covered: list[str],
    purpose: str,
    expires_date: date | None,
    treatment_information: bool = False,
    today: date,
    now: datetime,
) -> Release:
    """The one path that records a release (participant record and referral intake alike).

    Checks every required element (42 CFR 2.31), the C2 capacity mark, then writes the row and
    its audit row. The caller has checked the user may change this participant, and decides on
    activation (PROTOCOL T6) once its own writes are in.
    """
    data = validated(
        ReleaseCreate,
        {
            "kind": kind,
            "signed_date": signed_date,
            "purpose": purpose,
            "expires_date": expires_date,
        },
        today=today,
    )
    if treatment_information:
        codes = _treatment_recipients(session, covered)
    else:
        codes = _covered_orgs(session, covered)
    # PROTOCOL C2: no consent while the person is marked unable to give it.
    unable = session.exec(
        select(Referral.id).where(
            Referral.participant_id == participant.id,
            col(Referral.closed_date).is_(None),
            col(Referral.incapacitated).is_(True),
        )
    ).first()
    if unable is not None:
        raise ValidationError(
            "Release: the referral marks the person as unable to consent right now "
            "(intoxicated, incapacitated or unable for mental-health reasons); check in "
            "again later (PROTOCOL C2)."
        )
    release = Release(
        participant_id=participant.id,
        kind=data.kind.value,
        signed_date=data.signed_date,
        expires_date=data.expires_date,
        covered_org_codes=codes,
        purpose=data.purpose,
        treatment_information=treatment_information,
        memorialised_by=user.username if data.kind == ReleaseKind.verbal else "",
        created_at=now,
        created_by=user.username,
    )
    session.add(release)
    session.flush()
    audit.append(
        session,
        actor=user.actor,
        action="release.treatment_add" if treatment_information else "release.add",
        subject=participant.lead_id,
        purpose=f"{data.kind.value} release"
        + ("" if treatment_information else f" covering {', '.join(codes)}"),
        now=now,
    )
    return release


def rescind_release(
    engine: Engine,
    user: CurrentUser,
    *,
    release_id: int,
    on: date,
    today: date,
    now: datetime | None = None,
) -> None:
    """The participant takes the release back; partners lose the view on their next rerun."""
    on = check_date("Rescinded date", on, today=today)
    now = now or utcnow()
    with write_session(engine) as session:
        release = session.get(Release, release_id)
        if release is None:
            raise ValidationError("Release: no such release.")
        participant = load_for_change(session, user, release.participant_id)
        if on < release.signed_date:
            raise ValidationError(
                f"Rescinded date: it cannot be before the signed date {release.signed_date}."
            )
        result = session.exec(
            update(Release)
            .where(col(Release.id) == release_id, col(Release.rescinded_date).is_(None))
            .values(rescinded_date=on)
        )
        if result.rowcount != 1:
            raise ValidationError(
                f"Release: it was already rescinded on {release.rescinded_date}; reload."
            )
        audit.append(
            session,
            actor=user.actor,
            action="release.rescind",
            subject=participant.lead_id,
            purpose="release of information rescinded",
            now=now,
        )


def partner_organizations(engine: Engine) -> list[dict]:
    """Organizations a release of information may cover: code and name, partners first.

    Community representatives may be covered (they attend staffing sessions, PROTOCOL M1), yet
    the field policy still never shows them a person's record.
    """
    with read_session(engine) as session:
        orgs = list(session.exec(select(Organization).order_by(Organization.code)))
    orgs.sort(key=lambda o: (o.kind not in PARTNER_ORG_KINDS, o.code))
    return [{"code": o.code, "name": o.name} for o in orgs]
