"""Data shapes of the LEAD dashboard: SQLModel tables and the input models that validate them.

Imports go one way: pages -> services -> models. Nothing here talks to Streamlit or the database.
Times are stored in UTC (naive datetimes meaning UTC); dates are calendar dates in the site's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Role(StrEnum):
    project_manager = "project_manager"
    case_manager = "case_manager"
    clinical_supervisor = "clinical_supervisor"
    law_enforcement = "law_enforcement"
    corrections = "corrections"
    prosecutor = "prosecutor"
    community = "community"


class OrgKind(StrEnum):
    police = "police"
    sheriff = "sheriff"
    corrections = "corrections"
    prosecutor = "prosecutor"
    defender = "defender"  # PDA: the project manager's organization
    provider = "provider"  # the case management provider
    community = "community"


class ReferralType(StrEnum):
    arrest = "arrest"
    social_contact = "social_contact"
    doc = "doc"


class ReleaseKind(StrEnum):
    """How a release of information was given (PROTOCOL C1)."""

    written = "written"
    verbal = "verbal"  # memorialised by the staff member who records it


class ContactKind(StrEnum):
    """Where or how a contact with a participant happened."""

    field = "field"
    office = "office"
    phone = "phone"
    text = "text"
    jail = "jail"
    court = "court"


class GoalStatus(StrEnum):
    """An Individual Intervention Plan goal's status (PROTOCOL P1)."""

    not_started = "not started"
    in_progress = "in progress"
    achieved = "achieved"
    set_aside = "set aside"


class SessionKind(StrEnum):
    """A staffing calendar entry: the operational workgroup or a staffing session (M1-M3)."""

    workgroup = "workgroup"
    staffing = "staffing"


class SubmissionStatus(StrEnum):
    """A name sent for a staffing agenda (PROTOCOL M2)."""

    submitted = "submitted"
    on_agenda = "on_agenda"
    held = "held"
    carried = "carried"


class AgendaItemKind(StrEnum):
    participant = "participant"
    standing = "standing"
    suggested = "suggested"
    candidate = "candidate"


class ConfirmationKind(StrEnum):
    """What a clinical confirmation of free text is about."""

    submission = "submission"
    outcome = "outcome"
    action = "action"
    curtain = "curtain"


class ConcernStatus(StrEnum):
    """A community representative's concern (report-back log)."""

    open = "open"
    in_progress = "in progress"
    resolved = "resolved"


class ParticipantStatus(StrEnum):
    referred = "referred"
    active = "active"
    inactive = "inactive"
    exited = "exited"


# --- Site settings ---------------------------------------------------------------------------


class SiteSettingsBase(SQLModel):
    """Every window and threshold of the protocol, with its default (PROTOCOL.md ids cited)."""

    name: str = Field(default="Burien LEAD", max_length=120)
    catchment_area: str = Field(default="City of Burien", max_length=200)  # PROTOCOL S2
    # The prefix of the LEAD ids this site gives (BUR-0001): 2-5 capital letters (checked in
    # services.core.site.check_lead_id_prefix: SQLModel's `regex` is not enforced).
    lead_id_prefix: str = Field(default="BUR", min_length=2, max_length=5)
    # Who receives the monthly client-level report (PROTOCOL M5), as its disclosure names them.
    funder_name: str = Field(
        default="King County Behavioral Health and Recovery Division (BHRD)",
        min_length=1,
        max_length=200,
    )
    time_zone: str = Field(default="America/Los_Angeles", max_length=64)
    intake_days: int = Field(default=30, ge=1, le=365)  # PROTOCOL T4
    intake_optimal_hours_min: int = Field(default=24, ge=0, le=720)  # PROTOCOL T4
    intake_optimal_hours_max: int = Field(default=48, ge=1, le=720)  # PROTOCOL T4
    prosecutor_notice_days: int = Field(default=7, ge=1, le=90)  # PROTOCOL T5
    social_contact_approval_months: int = Field(default=6, ge=1, le=36)  # PROTOCOL S6
    social_contact_lookback_months: int = Field(default=24, ge=1, le=120)  # PROTOCOL S3
    victim_objection_days: int = Field(default=7, ge=1, le=90)  # PROTOCOL V1
    caseload_per_fte: int = Field(default=25, ge=1, le=200)  # PROTOCOL M7
    referrals_per_year: int = Field(default=100, ge=1, le=100000)  # PROTOCOL M7
    workgroup_interval_days: int = Field(default=14, ge=1, le=90)  # PROTOCOL M1
    staffing_interval_days: int = Field(default=28, ge=1, le=90)  # PROTOCOL M1 (at least monthly)
    submission_cutoff_business_days: int = Field(default=2, ge=0, le=20)  # PROTOCOL M2
    no_contact_alert_days: int = Field(default=14, ge=1, le=365)
    bhrd_report_due_day: int = Field(default=10, ge=1, le=28)  # PROTOCOL M5
    suppression_threshold: int = Field(default=11, ge=2, le=100)  # SECURITY 22
    lockout_failures: int = Field(default=5, ge=1, le=100)  # SECURITY 12
    lockout_window_minutes: int = Field(default=15, ge=1, le=1440)
    lockout_minutes: int = Field(default=15, ge=1, le=1440)
    idle_timeout_minutes: int = Field(default=15, ge=1, le=1440)  # SECURITY 14
    absolute_session_hours: int = Field(default=12, ge=1, le=72)  # SECURITY 14
    redisclosure_notice: str = Field(
        default=(
            "This information has been disclosed to you from records protected by federal "
            "confidentiality rules (42 CFR part 2). The federal rules prohibit you from making "
            "any further disclosure of this information unless further disclosure is expressly "
            "permitted by the written consent of the person to whom it pertains or as otherwise "
            "permitted by 42 CFR part 2. The federal rules restrict any use of the information "
            "to investigate or prosecute with regard to a crime any patient with a substance "
            "use disorder."
        ),
        sa_type=Text,
    )


class SiteSettings(SiteSettingsBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=1)
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None, max_length=64)


class SiteSettingsChange(SQLModel, table=True):
    """One saved change of the site settings, kept for good (issue 13: settings with history).

    `changes` maps each changed field to [old value, new value]; the values in force on any day
    are the current row with every later change undone (services.site.settings_as_of).
    """

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(index=True)  # the settings version this change produced
    effective_date: date  # the site's local day the change took effect
    changed_at: datetime
    changed_by: str = Field(max_length=64)
    changes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# --- Organizations and users -----------------------------------------------------------------


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=16)  # e.g. BPD, KCPAO
    name: str = Field(max_length=120)
    kind: OrgKind


class UserBase(SQLModel):
    username: str = Field(min_length=2, max_length=64, regex=r"^[a-z0-9._-]+$")
    display_name: str = Field(min_length=1, max_length=120)
    role: Role
    organization_id: int


class User(UserBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    password_hash: str = Field(max_length=128)
    disabled: bool = False
    # Lockout (SECURITY 12), stored here so it survives reruns and restarts.
    failed_logins: int = 0
    first_failed_at: datetime | None = None
    locked_until: datetime | None = None
    # Sessions and cookies issued before this instant are revoked (SECURITY 15).
    sessions_valid_after: datetime = Field(default_factory=lambda: datetime(2000, 1, 1, tzinfo=UTC))
    created_at: datetime
    version: int = Field(default=1)
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None, max_length=64)


# --- Participants, referrals, releases -------------------------------------------------------


class Participant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    lead_id: str = Field(index=True, unique=True, max_length=16)  # e.g. BUR-0042
    legal_name: str = Field(max_length=120)
    preferred_name: str = Field(max_length=120)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    date_of_birth: date | None = None
    status: ParticipantStatus = ParticipantStatus.referred
    case_manager_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    organization_id: int = Field(foreign_key="organization.id")  # the provider holding the record
    # Restricted fields (never shown to partners, SECURITY 2; 42 CFR Part 2).
    case_notes: str = Field(default="", sa_type=Text)
    substance_use: str = Field(default="", sa_type=Text)
    mental_health: str = Field(default="", sa_type=Text)
    criminal_history: str = Field(default="", sa_type=Text)
    last_contact_date: date | None = None
    # Demographics for cultural-competency reporting; all optional, "declined" allowed.
    race_ethnicity: str = Field(default="", max_length=120)
    primary_language: str = Field(default="", max_length=60)
    interpreter_needed: bool | None = None
    gender_identity: str = Field(default="", max_length=60)
    housing_situation: str = Field(default="", max_length=60)  # latest; history in HousingChange
    created_at: datetime
    version: int = Field(default=1)
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None, max_length=64)


class Referral(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    referral_type: ReferralType
    referral_date: date
    referring_organization_id: int | None = Field(default=None, foreign_key="organization.id")
    referring_officer: str = Field(default="", max_length=120)
    offense: str = Field(default="", max_length=64)
    initial_screening_date: date | None = None
    intake_completed_date: date | None = None
    intake_extended_to: date | None = None
    prosecutor_notified_date: date | None = None
    social_contact_approved_date: date | None = None
    reassessed_date: date | None = None
    closed_date: date | None = None
    closed_reason: str = Field(default="", max_length=200)
    # The LEAD cover sheet (issue 3): when, who, what, where, and the B2-B12 determinations.
    referred_at: datetime | None = None
    supervising_sergeant: str = Field(default="", max_length=120)
    prosecutor_office: str = Field(default="", max_length=16)  # KCPAO | BCA
    drug: str = Field(default="", max_length=32)  # marijuana | prescription_pills | other
    drug_grams: float | None = None
    place: str = Field(default="", max_length=200)
    in_catchment: bool | None = None
    victim_involved: bool = False
    victim_sheet_date: date | None = None  # PROTOCOL V1
    # PROTOCOL V1: the prosecutor's answer to "did the victim object?", and when it was given.
    victim_objection_answered_on: date | None = None
    victim_objected: bool | None = None
    determinations: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    convictions: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    warrant_doc_notes: str = Field(default="", sa_type=Text)  # B11, B12
    verification_basis: str = Field(default="", max_length=200)  # S1
    last_violation_date: date | None = None  # S3
    approving_sergeant: str = Field(default="", max_length=120)  # S5
    screen_eligible: bool | None = None
    screen_reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    override_recommended: bool = False  # B13
    override_reason: str = Field(default="", max_length=500)
    stage: str = Field(default="referred", max_length=32)  # lifecycle stage, services.referrals
    intake_scheduled_date: date | None = None
    intake_extended_by: str = Field(default="", max_length=120)  # T4
    prosecutor_notice_office: str = Field(default="", max_length=16)  # T5
    prosecutor_notice_method: str = Field(default="", max_length=16)  # phone | email
    incapacitated: bool = False  # C2: no consent while marked
    created_at: datetime
    version: int = Field(default=1)
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None, max_length=64)


class Release(SQLModel, table=True):
    """A release of information (ROI, PROTOCOL C1): who it covers, from when, until when."""

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    kind: str = Field(default=ReleaseKind.written.value, max_length=16)  # ReleaseKind (C1)
    signed_date: date
    expires_date: date | None = None
    rescinded_date: date | None = None
    covered_org_codes: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    purpose: str = Field(default="LEAD coordination and staffing", max_length=200)
    treatment_information: bool = False  # PROTOCOL C4: a separate release
    memorialised_by: str = Field(default="", max_length=64)  # C1: staff who recorded a verbal one
    created_at: datetime
    created_by: str = Field(default="", max_length=64)


# --- Audit and disclosures -------------------------------------------------------------------


class AuditEvent(SQLModel, table=True):
    """Append-only (database triggers) and hash-chained (SECURITY 8, 9)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)  # UTC
    username: str = Field(default="", max_length=64, index=True)
    role: str = Field(default="", max_length=32)
    action: str = Field(max_length=48, index=True)
    subject: str = Field(default="", max_length=120)
    outcome: str = Field(default="ok", max_length=32)
    purpose: str = Field(default="", max_length=200)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditAnchor(SQLModel, table=True):
    """The chain's head, updated with every append, so a truncated tail is detected."""

    id: int = Field(default=1, primary_key=True)
    count: int = 0
    last_hash: str = Field(default="", max_length=64)


class Disclosure(SQLModel, table=True):
    """Accounting of disclosures (42 CFR 2.25, SECURITY 6)."""

    __table_args__ = (UniqueConstraint("participant_id", "at", "recipient", "description"),)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    at: datetime
    recipient: str = Field(max_length=120)
    description: str = Field(max_length=200)
    purpose: str = Field(max_length=200)
    username: str = Field(max_length=64)


class AuthSession(SQLModel, table=True):
    """A server-side sign-in session, matched to the browser's cookie by its expiry stamp.

    The cookie streamlit-authenticator sets holds only the username and an expiry; this row is
    what makes sign-out, idle and absolute timeouts and revocation real (SECURITY 14, 15).
    """

    __table_args__ = (UniqueConstraint("username", "token_exp"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    token_exp: float  # the cookie's exp_date (seconds since the epoch)
    issued_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None = None
    end_reason: str = Field(default="", max_length=32)


# --- Referral lifecycle (issue 3) --------------------------------------------------------------


class ReferralEvent(SQLModel, table=True):
    """Who did what to a referral, and when (screened, intake scheduled, extended, closed...)."""

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    at: datetime
    username: str = Field(max_length=64)
    event: str = Field(max_length=48)
    detail: str = Field(default="", max_length=500)


# --- The participant's LEAD story (issue 4) ----------------------------------------------------


class StatusChange(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    on: date
    status: str = Field(max_length=16)  # ParticipantStatus
    reason: str = Field(default="", max_length=300)
    username: str = Field(max_length=64)
    at: datetime


class HousingChange(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    on: date
    situation: str = Field(max_length=60)  # unsheltered | shelter | transitional | housed | ...
    username: str = Field(max_length=64)
    at: datetime


class Intake(SQLModel, table=True):
    """The in-depth intake: factors surveyed and immediate needs met."""

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    on: date
    factors: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    immediate_needs_met: str = Field(default="", sa_type=Text)
    username: str = Field(max_length=64)
    at: datetime


class PlanGoal(SQLModel, table=True):
    """One goal of the Individual Intervention Plan, in the participant's words (PROTOCOL P1)."""

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    domain: str = Field(max_length=40)
    goal: str = Field(sa_type=Text)
    status: str = Field(default=GoalStatus.not_started.value, max_length=20)
    started_on: date
    status_on: date
    version: int = Field(default=1)
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None, max_length=64)


class PlanGoalChange(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(foreign_key="plangoal.id", index=True)
    status: str = Field(max_length=20)  # GoalStatus
    on: date
    username: str = Field(max_length=64)
    at: datetime


class Service(SQLModel, table=True):
    """A service bought or used (PROTOCOL P2), and its withdrawal (P3)."""

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    category: str = Field(max_length=40)
    provider: str = Field(max_length=120)
    start_on: date
    end_on: date | None = None
    cost_cents: int = 0
    funding: str = Field(max_length=20)  # new_capacity | existing_spare
    withdrawn_on: date | None = None
    withdrawal_reason: str = Field(default="", max_length=300)
    username: str = Field(max_length=64)
    at: datetime


class Contact(SQLModel, table=True):
    # A participant's latest contact is one index seek (no-contact alerts over a million rows).
    __table_args__ = (Index("ix_contact_participant_on", "participant_id", "on"),)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    on: date = Field(index=True)
    kind: str = Field(max_length=16)  # ContactKind
    staff_id: int = Field(foreign_key="user.id", index=True)
    minutes: int = 0
    note: str = Field(default="", sa_type=Text)  # a case note: restricted
    at: datetime


class Coverage(SQLModel, table=True):
    """A case manager's caseload handed to another for a period (leave, vacancy)."""

    id: int | None = Field(default=None, primary_key=True)
    absent_id: int = Field(foreign_key="user.id", index=True)
    covering_id: int = Field(foreign_key="user.id", index=True)
    start_on: date
    end_on: date
    username: str = Field(max_length=64)
    at: datetime


# --- Staffing sessions (issue 5) ----------------------------------------------------------------


class StaffingSession(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=24)  # SessionKind
    on: date = Field(index=True)
    starts_at: str = Field(default="10:00", max_length=5)  # local HH:MM
    place: str = Field(default="", max_length=200)
    attending_org_codes: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    cutoff_on: date
    finalized_at: datetime | None = None
    agenda_version: int = 0  # bumped by every change after finalizing
    version: int = Field(default=1)
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None, max_length=64)


class Submission(SQLModel, table=True):
    """A partner's name for discussion with a brief reason (PROTOCOL M2)."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="staffingsession.id", index=True)
    submitted_by: str = Field(max_length=64)
    organization_code: str = Field(max_length=16)
    person_name: str = Field(default="", max_length=120)
    person_alias: str = Field(default="", max_length=120)
    person_dob: date | None = None
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    reason: str = Field(max_length=500)
    urgency: str = Field(default="routine", max_length=16)
    status: str = Field(default=SubmissionStatus.submitted.value, max_length=16)
    held_reason: str = Field(default="", max_length=300)  # project manager only
    at: datetime
    # The item it was placed in: how a referral candidate's names find their item (issue 11).
    agenda_item_id: int | None = Field(default=None, foreign_key="agendaitem.id")


class AgendaItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="staffingsession.id", index=True)
    position: int
    kind: str = Field(max_length=16)  # AgendaItemKind
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    title: str = Field(default="", max_length=200)
    why: str = Field(default="", sa_type=Text)  # reasons and submitters, or why suggested
    minutes: int = 5
    prep_notes: str = Field(default="", sa_type=Text)  # private: never presented or exported
    summary: str = Field(default="", sa_type=Text)  # outcome, non-clinical
    decisions: str = Field(default="", sa_type=Text)
    # What the shared screen shows of this item's free text under the privacy curtain.
    curtain_text: str = Field(default="", sa_type=Text)
    presented_at: datetime | None = None
    version: int = Field(default=1)
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None, max_length=64)


class ActionItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agenda_item_id: int = Field(foreign_key="agendaitem.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    text: str = Field(max_length=500)
    owner_org_code: str = Field(default="", max_length=16)
    owner_user_id: int | None = Field(default=None, foreign_key="user.id")
    due_on: date
    done_on: date | None = None
    created_by: str = Field(max_length=64)
    at: datetime


class ClinicalConfirmation(SQLModel, table=True):
    """Who confirmed flagged partner-visible text as not clinical, and when (SECURITY 29)."""

    id: int | None = Field(default=None, primary_key=True)
    record_kind: str = Field(max_length=16)  # ConfirmationKind
    record_id: int = Field(index=True)
    session_id: int | None = Field(default=None, foreign_key="staffingsession.id", index=True)
    phrases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    confirmed_by: str = Field(max_length=64)
    at: datetime


# --- Community report-back (issue 6) -----------------------------------------------------------


class ReportSnapshot(SQLModel, table=True):
    """A published period: frozen figures, so published numbers never shift (PROTOCOL M6)."""

    id: int | None = Field(default=None, primary_key=True)
    period_start: date
    period_end: date
    label: str = Field(max_length=60)
    figures: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    published_at: datetime
    published_by: str = Field(max_length=64)


class CommunityMeeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    on: date
    audience: str = Field(max_length=60)  # residents | businesses | community leaders | mixed
    place: str = Field(default="", max_length=200)
    attendance: int = 0
    feedback: str = Field(default="", sa_type=Text)
    username: str = Field(max_length=64)
    at: datetime


class CommunityConcern(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int | None = Field(default=None, foreign_key="communitymeeting.id")
    area: str = Field(max_length=200)  # a hot spot, never a person
    behaviour: str = Field(max_length=300)
    status: str = Field(default=ConcernStatus.open.value, max_length=16)
    raised_on: date
    version: int = Field(default=1)
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None, max_length=64)
