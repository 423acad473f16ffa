"""The generator's settings and word tables: every name, offense, note and weight it draws from.

The vocabularies are the words the services use (services.participants.casework,
services.referrals): offenses and drugs for the referral screen (PROTOCOL B1), plan domains
for Individual Intervention Plan goals (PROTOCOL P1), housing and demographics for the funder
report. Every person and note is clearly fake ("Avery Q. Sample", "Sample note: ...").
"""

from __future__ import annotations

from demo.seed import DEMO_USERS
from models import Role
from services.core.config import ROOT

GENERATOR_VERSION = 2  # 2: report snapshots published by services.reports.report_back
DEFAULT_SEED = 2026
SCALES = (100, 1_000, 10_000)
CONTACTS_PER_PARTICIPANT = 100
CHUNK = 500  # participants per transaction
DATA_DIR = ROOT / "data"

FIRST_NAMES = (
    "Avery Alex Blake Casey Devon Emery Finley Harper Jamie Jordan Kendall Logan Morgan Parker "
    "Quinn Reese Riley Rowan Sage Skyler Taylor Teagan"
).split()
LAST_NAMES = (
    "Sample Example Placeholder Fictional Synthetic Testcase Mockup Specimen Dummy Prototype "
    "Madeup Pretend"
).split()
INITIALS = "ABCDEFGHJKLMNPRSTVWZ"
# The demo's sign-ins (without its two case managers: cm1...cmK are made per caseload), so the
# demo password opens a scale database.
CORE_USERS = tuple(user for user in DEMO_USERS if user[2] != Role.case_manager)
PARTNER_SUBMITTERS = (("bpd", "BPD"), ("kcso", "KCSO"), ("doc", "DOC"), ("kcpao", "KCPAO"))

# Vocabularies (the same words the services use: services.participants.casework,
# services.referrals).
OFFENSES = (
    ("vucsa_possession", 30),
    ("theft_misdemeanor", 18),
    ("criminal_trespass", 14),
    ("prostitution", 6),
    ("drug_traffic_loitering", 6),
    ("property_destruction_misdemeanor", 6),
    ("vucsa_pwi", 5),
    ("vucsa_delivery", 4),
    ("unlawful_bus_conduct", 4),
    ("park_violation", 4),
    ("obstructing", 3),
)
DRUG_OFFENSES = {"vucsa_possession", "vucsa_pwi", "vucsa_delivery", "drug_traffic_loitering"}
DRUGS = ("other", "other", "marijuana", "prescription_pills")
DETERMINATIONS = {
    "amenable": True,
    "dealing_for_profit": False,
    "exploits_others": False,
    "promoting_prostitution": False,
    "protective_order_with_participant": False,
    "safety_concern": False,
    "needs_medical_care": False,
    "unable_to_consent": False,
    "interested": True,
}
VERIFICATION = ("records", "observation", "reliable_basis")
CLOSE_WITHOUT_INTAKE = (
    ("declined", "Declined", "person declined the intake"),
    ("lapsed", "Lapsed", "no intake by the deadline"),
    ("charges_filed", "Charges filed", "prosecutor filed after the notice"),
    ("no_longer_eligible", "No longer eligible", "left the catchment area"),
)
INTAKE_FACTORS = (
    "chemical_dependency",
    "mental_health",
    "housing",
    "legal_involvement",
    "employment",
    "education",
)
FACTOR_ANSWERS = ("need identified", "need identified", "no need", "declined to answer")
PLAN_DOMAINS = (
    ("housing", 30),
    ("chemical dependency treatment", 14),
    ("mental health treatment", 10),
    ("medication-assisted treatment", 6),
    ("benefits (SSI/GAU)", 12),
    ("health", 10),
    ("job training", 5),
    ("job placement", 5),
    ("education (incl. GED)", 4),
    ("legal assistance", 6),
    ("food", 5),
    ("licensing assistance", 3),
    ("child care", 2),
    ("small business counseling", 1),
    ("other", 2),
)
GOAL_PATH = ("not started", "in progress", "achieved")
CONTACT_KINDS = (
    ("field", 40),
    ("office", 20),
    ("phone", 20),
    ("text", 12),
    ("jail", 4),
    ("court", 4),
)
CONTACT_NOTES = (
    "Sample note: checked in at the usual spot, talked about the week.",
    "Sample note: went together to a benefits appointment.",
    "Sample note: missed the meeting, left a message.",
    "Sample note: brought a bus pass and a meal voucher.",
    "Sample note: reviewed plan goals, small steps agreed.",
    "Sample note: court reminder given, ride arranged.",
)
HOUSING = (
    ("unsheltered", 30),
    ("vehicle", 10),
    ("emergency shelter", 20),
    ("transitional housing", 12),
    ("staying with others", 10),
    ("permanent housing", 15),
    ("institution (jail, hospital, treatment)", 3),
)
RACE_ETHNICITY = (
    ("White", 40),
    ("Black or African American", 22),
    ("Hispanic or Latino/a/e", 12),
    ("American Indian or Alaska Native", 6),
    ("Asian", 5),
    ("Native Hawaiian or Pacific Islander", 3),
    ("Multiracial", 8),
    ("declined", 4),
)
LANGUAGES = (("English", 85), ("Spanish", 9), ("Vietnamese", 2), ("Somali", 2), ("Amharic", 2))
GENDERS = (("man", 62), ("woman", 32), ("non-binary", 3), ("transgender woman", 2), ("declined", 1))
SERVICE_PROVIDERS = (
    "Example Housing Partners",
    "Sample Recovery Services",
    "Placeholder Health Clinic",
    "Fictional Jobs Program",
    "Specimen Legal Clinic",
    "Mockup Food Bank",
)
CONCERN_AREAS = (
    "Bus stop by the Sample Street transit center",
    "Example Park north entrance",
    "Alley behind the Placeholder Avenue shops",
    "Parking lot of the Fictional Plaza",
)
CONCERN_BEHAVIOURS = (
    "Litter and discarded needles reported by businesses",
    "Loitering late at night near the entrance",
    "Shoplifting reported by store staff",
    "Noise and disputes reported by residents",
)
