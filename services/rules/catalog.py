"""Every rule of the LEAD protocol once: its words, who acts, what closes it, where it is recorded.

The one home of each rule's title and plain-words meaning (issue 13). Today's alerts, the
glossary and docs/rules.md (scripts/rules_doc.py) read it; no page spells a rule's title or
action again. Ids follow ../shared/domain/PROTOCOL.md (copied to docs/protocol.md), plus the
site's own obligations (`protocol=False`), such as the no-contact alert.

Standard library only: role codes are the values of `models.Role` (the app's roles, partners
included), settings are `SiteSettings` field names, modules are paths in this repository.

>>> rule("T5").title
'Prosecutor notice of a missed intake'
>>> rule("T5").who_acts, rule("T5").settings
('case_manager', ('intake_days', 'prosecutor_notice_days'))
"""

from __future__ import annotations

from dataclasses import dataclass

# The app's role codes (models.Role); "who acts" may be a partner's role.
ROLES = (
    "project_manager",
    "case_manager",
    "clinical_supervisor",
    "law_enforcement",
    "corrections",
    "prosecutor",
    "community",
)

# Planned homes of the pure rules (issue 13); other rules live where the app records them.
ELIGIBILITY = "services/rules/eligibility.py"
DEADLINES = "services/rules/deadlines.py"
CONSENT = "services/rules/consent.py"
MATCHING = "services/rules/matching.py"
SUPPRESSION = "services/rules/suppression.py"

NEW_REFERRAL = "pages/referral_new.py"
REFERRALS = "pages/referrals.py"
RECORD = "pages/participant.py"
TODAY = "pages/today.py"


@dataclass(frozen=True, slots=True)
class Form:
    """Where a closing action is recorded: the page file and the form's key (or button label).

    `form` None means the page as a whole (e.g. a report prepared there).
    """

    page: str
    form: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: what it means for the user, who acts, and the action that closes it."""

    id: str
    family: str
    title: str
    text: str
    who_acts: str
    action: str
    recorded_on: Form | None
    settings: tuple[str, ...]
    modules: tuple[str, ...]
    protocol: bool = True


def _r(
    id: str,
    family: str,
    title: str,
    text: str,
    who_acts: str,
    action: str,
    recorded_on: Form | None,
    modules: tuple[str, ...] | str,
    settings: tuple[str, ...] = (),
    protocol: bool = True,
) -> Rule:
    modules = (modules,) if isinstance(modules, str) else modules
    return Rule(id, family, title, text, who_acts, action, recorded_on, settings, modules, protocol)


ARREST = "Eligibility for arrest diversion"
SOCIAL = "Social contact referrals"
TIMELINE = "Timeline of a referral"
CONSENT_FAMILY = "Consent (release of information)"
VICTIMS = "Victims"
SERVICES = "Services and plan"
MEETINGS = "Meetings and reporting"
SITE = "Site obligations (not in the protocol)"

_COVER_SHEET = Form(NEW_REFERRAL, "Save referral")

RULES: tuple[Rule, ...] = (
    # --- Eligibility for arrest diversion (Appendix A, section B) ---------------------------
    _r(
        "B1",
        ARREST,
        "Eligible offenses",
        "Only low-level drug, loitering, prostitution, misdemeanor theft or property, trespass, "
        "bus, park and obstructing offenses can be diverted from arrest.",
        "law_enforcement",
        "Record the offense on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B2",
        ARREST,
        "Drug amount",
        "More than 7 grams excludes, except marijuana delivery and prescription pills.",
        "law_enforcement",
        "Record the drug and its weight on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B3",
        ARREST,
        "Not amenable",
        "The officer judges the person not amenable to diversion.",
        "law_enforcement",
        "Record the officer's judgment on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B4",
        ARREST,
        "Dealing for profit",
        "Delivery with reason to believe the person deals above a subsistence income excludes.",
        "law_enforcement",
        "Record the determination on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B5",
        ARREST,
        "Exploits minors or others",
        "Using minors or others in a drug dealing enterprise excludes.",
        "law_enforcement",
        "Record the determination on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B6",
        ARREST,
        "Promoting prostitution",
        "Promoting prostitution excludes.",
        "law_enforcement",
        "Record the determination on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B7",
        ARREST,
        "Protective order",
        "An order prohibiting contact with a current participant excludes.",
        "law_enforcement",
        "Record the determination on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B8",
        ARREST,
        "Safety",
        "The officer or sergeant believes diversion is inconsistent with victim or community "
        "safety.",
        "law_enforcement",
        "Record the determination on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B9",
        ARREST,
        "Disqualifying criminal history",
        "Some convictions exclude for ever, others for 10 or 5 years after the conviction.",
        "law_enforcement",
        "Record prior convictions with their dates on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B10",
        ARREST,
        "Other determinations at arrest",
        "Medical need, ability to consent, a victim, and the person's interest are recorded; "
        "they do not exclude by themselves.",
        "law_enforcement",
        "Record the determinations on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B11",
        ARREST,
        "DOC warrant or violation",
        "A person held on a DOC warrant may be referred; the DOC NCI team decides.",
        "corrections",
        "Record the warrant or DOC notes on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B12",
        ARREST,
        "Warrants",
        "A warrant on another charge does not prevent diverting a new qualifying charge.",
        "law_enforcement",
        "Record the warrant notes on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B13",
        ARREST,
        "Fallbacks and overrides",
        "An excluded person may be referred as a social contact, or accepted by override with "
        "a reason; the screen is decision support, never a verdict.",
        "law_enforcement",
        "Record the override and its reason on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "B14",
        ARREST,
        "Prior referral",
        "A prior referral does not prevent a new one; the same person is found and linked.",
        "case_manager",
        "Choose the matching person, or say why it is a new person",
        _COVER_SHEET,
        MATCHING,
    ),
    # --- Social contact referrals (Appendix A, section D) -----------------------------------
    _r(
        "S1",
        SOCIAL,
        "Verification",
        "Police verify the person breaks the law because of behavioral health, drugs or "
        "extreme poverty.",
        "law_enforcement",
        "Record the verification basis",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "S2",
        SOCIAL,
        "Catchment area",
        "The violations happened inside the LEAD catchment area.",
        "law_enforcement",
        "Record whether the place is inside the catchment area",
        _COVER_SHEET,
        ELIGIBILITY,
        ("catchment_area",),
    ),
    _r(
        "S3",
        SOCIAL,
        "Recent violations",
        "The violations happened within the look-back window before the referral.",
        "law_enforcement",
        "Record the last known violation date",
        _COVER_SHEET,
        ELIGIBILITY,
        ("social_contact_lookback_months",),
    ),
    _r(
        "S4",
        SOCIAL,
        "Protective order",
        "No order prohibits contact with a current participant (as for arrests).",
        "law_enforcement",
        "Record the determination on the cover sheet",
        _COVER_SHEET,
        ELIGIBILITY,
    ),
    _r(
        "S5",
        SOCIAL,
        "Sergeant approval",
        "A LEAD-trained sergeant approves; the project manager follows every candidate to "
        "its resolution.",
        "law_enforcement",
        "Record the approving sergeant and date",
        _COVER_SHEET,
        ("services/referrals/validation.py", "services/referrals/listing.py"),
    ),
    _r(
        "S6",
        SOCIAL,
        "Social contact re-assessment",
        "An approval lasts a set number of months; then the referral is re-assessed before "
        "more engagement.",
        "project_manager",
        "Record the re-assessment",
        Form(TODAY, "close_alert"),
        DEADLINES,
        ("social_contact_approval_months",),
    ),
    _r(
        "S7",
        SOCIAL,
        "Capacity after arrests",
        "Social contacts are taken only as capacity allows after arrest diversions.",
        "project_manager",
        "Review program capacity at the staffing session",
        Form("pages/caseload.py"),
        "services/participants/caseload.py",
        ("caseload_per_fte",),
    ),
    # --- Timeline of a referral (sections A and E) ------------------------------------------
    _r(
        "T1",
        TIMELINE,
        "Warm handoff and initial screening",
        "The officer calls the provider before booking; screening happens right away.",
        "case_manager",
        "Record the initial screening",
        Form(REFERRALS, "referral_screen"),
        "services/referrals/intake.py",
    ),
    _r(
        "T2",
        TIMELINE,
        "Left before screening",
        "If the person leaves before screening, staff tell the sergeant and the prosecutor.",
        "case_manager",
        "Record that the person left, then phone or email the sergeant and prosecutor",
        Form(REFERRALS, "referral_left"),
        "services/referrals/intake.py",
    ),
    _r(
        "T3",
        TIMELINE,
        "Stay away for 24 hours",
        "At screening the person is told not to return to the arrest area for 24 hours.",
        "case_manager",
        "Tell the person at the initial screening",
        None,
        "services/referrals/intake.py",
    ),
    _r(
        "T4",
        TIMELINE,
        "In-depth intake deadline",
        "The full intake is due a set number of days after an arrest referral (optimally a day "
        "or two after screening), unless the officer, sergeant or agency extends it.",
        "case_manager",
        "Record the intake",
        Form(REFERRALS, "referral_intake"),
        DEADLINES,
        ("intake_days", "intake_optimal_hours_min", "intake_optimal_hours_max"),
    ),
    _r(
        "T5",
        TIMELINE,
        "Prosecutor notice of a missed intake",
        "When the intake deadline is missed, the provider tells the prosecutor with "
        "jurisdiction within the notice window; the prosecutor may then file.",
        "case_manager",
        "Record the prosecutor notice",
        Form(REFERRALS, "referral_notice"),
        DEADLINES,
        ("intake_days", "prosecutor_notice_days"),
    ),
    _r(
        "T6",
        TIMELINE,
        "Who is a participant",
        "A person is a participant once the intake is complete and a release was signed no "
        "later than the intake.",
        "case_manager",
        "Record the completed intake with its release",
        Form(RECORD, "rec_intake"),
        CONSENT,
    ),
    # --- Consent (release of information) ---------------------------------------------------
    _r(
        "C1",
        CONSENT_FAMILY,
        "Release of information",
        "The release lets the partners share as needed and discuss the person at staffing; it "
        "may be written, or verbal and memorialised by staff.",
        "case_manager",
        "Record the release",
        Form(RECORD, "rec_release"),
        "services/participants/consent.py",
    ),
    _r(
        "C2",
        CONSENT_FAMILY,
        "No consent while unable",
        "Consent is not taken while the person is intoxicated or unable to consent; staff keep "
        "checking in.",
        "case_manager",
        "Mark the person unable to consent, and clear it when they can",
        Form(REFERRALS, "referral_incapacitated"),
        "services/participants/consent.py",
    ),
    _r(
        "C3",
        CONSENT_FAMILY,
        "Release of information needed",
        "Without a signed release, or after it is rescinded, the person is not a participant: "
        "not discussed at staffing, and partners see nothing.",
        "case_manager",
        "Record a signed release",
        Form(RECORD, "rec_release"),
        (CONSENT, DEADLINES),
    ),
    _r(
        "C4",
        CONSENT_FAMILY,
        "Treatment information",
        "Substance use and mental health information needs its own release and is never shown "
        "to partners.",
        "case_manager",
        "Record a treatment-information release",
        Form(RECORD, "rec_treatment"),
        "services/access/policy.py",
    ),
    # --- Victims ----------------------------------------------------------------------------
    _r(
        "V1",
        VICTIMS,
        "Victim objection window",
        "When there is a victim, the officer consults them and gives an information sheet; the "
        "victim may object to the prosecutor within the window.",
        "case_manager",
        "Record whether the victim objected",
        Form(REFERRALS, "referral_victim"),
        ("services/today/referral_clock.py", "services/referrals/oversight.py"),
        ("victim_objection_days",),
    ),
    # --- Services and plan ------------------------------------------------------------------
    _r(
        "P1",
        SERVICES,
        "Individual Intervention Plan",
        "The participant's own plan, made once acute needs are met: housing, treatment, "
        "education, jobs, benefits and more.",
        "case_manager",
        "Add a goal to the plan",
        Form(RECORD, "rec_goal"),
        "services/participants/plan.py",
    ),
    _r(
        "P2",
        SERVICES,
        "Services bought where needed",
        "Services are bought on the private market when needed; existing programs only with "
        "unused capacity. Record which.",
        "case_manager",
        "Record the service and how it is funded",
        Form(RECORD, "rec_service"),
        "services/participants/plan.py",
    ),
    _r(
        "P3",
        SERVICES,
        "Withdrawal or termination",
        "Withdrawing one service is not leaving LEAD; termination is the case manager's "
        "judgment of no clinical benefit.",
        "case_manager",
        "Record the service's end, or the participant's status",
        Form(RECORD, "rec_status"),
        "services/participants/plan.py",
    ),
    _r(
        "P4",
        SERVICES,
        "Response times",
        "Case managers answer arrest diversions at any hour; after-hours social contact calls "
        "get a call back the next business day.",
        "case_manager",
        "Answer the call",
        None,
        "services/participants/casework.py",
    ),
    # --- Meetings and reporting -------------------------------------------------------------
    _r(
        "M1",
        MEETINGS,
        "Staffing sessions",
        "Staffing at least monthly and the operational workgroup on a set interval, with every "
        "partner attending.",
        "project_manager",
        "Schedule the session",
        Form("pages/agenda.py", "schedule"),
        ("services/staffing/sessions.py", "services/staffing/rules.py"),
        ("staffing_interval_days", "workgroup_interval_days"),
    ),
    _r(
        "M2",
        MEETINGS,
        "Names for the next session due",
        "Before a session, partners send the project manager the names to discuss, each with a "
        "brief reason, by the cut-off.",
        "case_manager",
        "Send the project manager the names to discuss, with a brief reason",
        Form("pages/submit_names.py", "submit_name"),
        ("services/staffing/submissions.py", "services/staffing/rules.py"),
        ("submission_cutoff_business_days",),
    ),
    _r(
        "M3",
        MEETINGS,
        "What a session reviews",
        "Progress against each plan, referral criteria, capacity, efficiency, and the areas of "
        "concern community representatives raise.",
        "project_manager",
        "Record the session's outcomes",
        Form("pages/session_outcomes.py", "outcome"),
        ("services/staffing/outcomes.py", "services/staffing/standing.py"),
    ),
    _r(
        "M4",
        MEETINGS,
        "The prosecutor decides charges",
        "The prosecutor alone decides whether to file; the workgroup informs, never decides.",
        "prosecutor",
        "None: the app records no charging decision",
        None,
        ("services/staffing/standing.py", "services/staffing/outcomes.py"),
    ),
    _r(
        "M5",
        MEETINGS,
        "Monthly client-level report to BHRD",
        "Each month's client-level report goes to the funder by its due day.",
        "project_manager",
        "Send the monthly client-level report to BHRD",
        Form("pages/funder_reports.py"),
        "services/reports/funder.py",
        ("bhrd_report_due_day",),
    ),
    _r(
        "M6",
        MEETINGS,
        "Community report-back",
        "Residents, businesses and community leaders get aggregate updates and give feedback "
        "on areas of focus; small counts are never published.",
        "project_manager",
        "Publish the report-back and log the community's concerns",
        Form("pages/community_log.py", "add_concern"),
        (
            "services/reports/report_back/publishing.py",
            "services/reports/report_back/figures.py",
            SUPPRESSION,
        ),
        ("suppression_threshold",),
    ),
    _r(
        "M7",
        MEETINGS,
        "Capacity",
        "One case manager for a set number of active clients; a yearly number of referrals "
        "expected.",
        "project_manager",
        "Hand over or balance caseloads",
        Form("pages/caseload.py", "cl_add_coverage"),
        (
            "services/participants/caseload.py",
            "services/participants/team.py",
            "services/participants/coverage.py",
        ),
        ("caseload_per_fte", "referrals_per_year"),
    ),
    _r(
        "M8",
        MEETINGS,
        "Evaluation",
        "The provider makes information available to evaluators; outcomes matter.",
        "project_manager",
        "Prepare the report for the evaluators",
        Form("pages/report_back.py"),
        "services/reports/report_back/publishing.py",
    ),
    # --- The site's own obligations ---------------------------------------------------------
    _r(
        "NC",
        SITE,
        "No contact with an active participant",
        "An active participant with no contact for a set number of days is flagged.",
        "case_manager",
        "Log a contact",
        Form(RECORD, "rec_contact"),
        "services/today/site_alerts.py",
        ("no_contact_alert_days",),
        protocol=False,
    ),
)

BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


@dataclass(frozen=True, slots=True)
class Term:
    """A word the protocol and the app use, in plain language, with the rules behind it."""

    term: str
    meaning: str
    rules: tuple[str, ...] = ()


# The glossary's words (pages/glossary.py): windows and thresholds are the site's settings,
# shown beside the rules that read them, never spelled here.
GLOSSARY: tuple[Term, ...] = (
    Term(
        "LEAD (Law Enforcement Assisted Diversion)",
        "Police divert people arrested for low-level drug, theft and sex-work offenses to case "
        "management instead of jail, or refer them before any arrest.",
    ),
    Term(
        "Arrest diversion",
        "A person arrested for an eligible offense is referred to case management before booking.",
        ("B1", "T1"),
    ),
    Term(
        "Social contact referral",
        "A person referred before any arrest, verified and approved by a LEAD-trained sergeant; "
        "the approval lasts a set time, then it is re-assessed.",
        ("S1", "S5", "S6"),
    ),
    Term(
        "Release of information (ROI)",
        "The participant's consent to share information among the operational partners and "
        "discuss them at staffing sessions.",
        ("C1", "C3"),
    ),
    Term(
        "Participant",
        "A person whose in-depth intake is complete and who signed a release no later than it.",
        ("T6",),
    ),
    Term(
        "Individual Intervention Plan (IIP)",
        "The participant's own plan: housing, treatment, education, jobs, benefits and more.",
        ("P1",),
    ),
    Term(
        "In-depth intake",
        "The full assessment after the initial screening, due by the intake deadline unless "
        "extended.",
        ("T4",),
    ),
    Term(
        "Prosecutor notice",
        "When the intake deadline is missed, the provider tells the prosecutor with jurisdiction.",
        ("T5",),
    ),
    Term(
        "Staffing session",
        "The meeting of the operational partners that reviews participants and the program.",
        ("M1", "M3"),
    ),
    Term("BHRD", "The funder, which receives the monthly client-level reports.", ("M5",)),
    Term(
        "DOC NCI",
        "The Department of Corrections team that decides on people held on a DOC warrant.",
        ("B11",),
    ),
)


def rule(rule_id: str) -> Rule:
    """The rule with this id (KeyError for an unknown id)."""
    return BY_ID[rule_id]


def title(rule_id: str, default: str = "") -> str:
    """A rule's title, or `default` for an id the catalog does not hold (e.g. an action item)."""
    found = BY_ID.get(rule_id)
    return found.title if found else default


def action(rule_id: str) -> str:
    return BY_ID[rule_id].action


def who_acts(rule_id: str) -> str:
    return BY_ID[rule_id].who_acts


def families() -> dict[str, list[Rule]]:
    """The rules by family, in protocol order."""
    out: dict[str, list[Rule]] = {}
    for r in RULES:
        out.setdefault(r.family, []).append(r)
    return out


def rules_reading(setting: str) -> list[Rule]:
    """The rules whose windows or thresholds come from this site setting."""
    return [r for r in RULES if setting in r.settings]
