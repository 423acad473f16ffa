"""Referrals: the LEAD cover sheet, person matching, the screen, and the referral lifecycle.

The cover sheet (arrest diversion, social contact referral, DOC referral) is plain data
(`CoverSheet`, `Person`) filled by the New referral page. `preview` maps it to the contract's
case dict and runs `services.eligibility.screen`: decision support, never a verdict (PROTOCOL
B13). `create_referral` validates, matches or creates the participant (next LEAD id), stores the
screen and writes a ReferralEvent and an audit row. Every later transition (initial screening,
left before screening, intake scheduled, intake completed with the release, deadline extended,
prosecutor notified, closed) is validated, version-checked and audited the same way.

This package's public names, re-exported from its submodules (no logic here):
vocabulary (codes, labels, stages), cover_sheet (the sheet and its screen), validation,
matches (B14), create, choices (the forms' lookups), stage (the clock), listing, detail,
actions (who takes which step), transitions (what every step shares), intake (T1-T6, C2),
oversight (T4 extension, T5, S6, V1, closing), events, scope (SECURITY 5).
"""

from services.core.site import prosecutor_offices
from services.participants.consent import RELEASE_KINDS
from services.referrals.actions import ACTION_LABELS, TRANSITION_ROLES, available_actions
from services.referrals.choices import (
    case_managers,
    default_release_expiry,
    prosecutor_office_for,
    referring_agencies,
    release_organizations,
)
from services.referrals.cover_sheet import (
    CoverSheet,
    Person,
    b9_reason,
    case_dict,
    preview,
    reason_sentences,
)
from services.referrals.create import create_referral, next_lead_id
from services.referrals.detail import RESTRICTED_REFERRAL_FIELDS, referral_detail
from services.referrals.events import referral_events
from services.referrals.intake import (
    complete_intake,
    record_left_before_screening,
    record_screening,
    schedule_intake,
    set_incapacitated,
)
from services.referrals.listing import (
    CANDIDATES_SHOWN,
    list_referrals,
    social_contact_candidate_count,
    social_contact_candidates,
)
from services.referrals.matches import (
    MATCH_COLUMNS,
    NEW_PERSON_REASONS,
    find_matches,
    strong_matches,
    typed_names,
)
from services.referrals.oversight import (
    close_referral,
    extend_deadline,
    record_prosecutor_notice,
    record_reassessment,
    record_victim_objection,
)
from services.referrals.stage import Clock, clock, derive_stage, optimal_intake_by
from services.referrals.validation import validate_person, validate_sheet
from services.referrals.vocabulary import (
    CLOSE_OUTCOMES,
    CLOSED,
    CONVICTION_LABELS,
    DETERMINATION_LABELS,
    DETERMINATIONS_ASKED,
    DRUG_LABELS,
    INTAKE_DONE,
    LEFT,
    NOTICE_METHODS,
    OFFENSE_LABELS,
    OPEN_STAGES,
    PARTICIPANT,
    REASON_TEXT,
    REFERRAL_TYPE_LABELS,
    REFERRED,
    SCHEDULED,
    SCREENED,
    STAGE_LABELS,
    VERIFICATION_LABELS,
)

__all__ = [
    "ACTION_LABELS",
    "CANDIDATES_SHOWN",
    "CLOSED",
    "CLOSE_OUTCOMES",
    "CONVICTION_LABELS",
    "DETERMINATIONS_ASKED",
    "DETERMINATION_LABELS",
    "DRUG_LABELS",
    "INTAKE_DONE",
    "LEFT",
    "MATCH_COLUMNS",
    "NEW_PERSON_REASONS",
    "NOTICE_METHODS",
    "OFFENSE_LABELS",
    "OPEN_STAGES",
    "PARTICIPANT",
    "REASON_TEXT",
    "REFERRAL_TYPE_LABELS",
    "REFERRED",
    "RELEASE_KINDS",
    "RESTRICTED_REFERRAL_FIELDS",
    "SCHEDULED",
    "SCREENED",
    "STAGE_LABELS",
    "TRANSITION_ROLES",
    "VERIFICATION_LABELS",
    "Clock",
    "CoverSheet",
    "Person",
    "available_actions",
    "b9_reason",
    "case_dict",
    "case_managers",
    "clock",
    "close_referral",
    "complete_intake",
    "create_referral",
    "default_release_expiry",
    "derive_stage",
    "extend_deadline",
    "find_matches",
    "list_referrals",
    "next_lead_id",
    "optimal_intake_by",
    "preview",
    "prosecutor_office_for",
    "prosecutor_offices",
    "reason_sentences",
    "record_left_before_screening",
    "record_prosecutor_notice",
    "record_reassessment",
    "record_screening",
    "record_victim_objection",
    "referral_detail",
    "referral_events",
    "referring_agencies",
    "release_organizations",
    "schedule_intake",
    "set_incapacitated",
    "social_contact_candidate_count",
    "social_contact_candidates",
    "strong_matches",
    "typed_names",
    "validate_person",
    "validate_sheet",
]
