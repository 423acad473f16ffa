"""Who acts on each Today alert and the one action that closes it, read from the catalog.

PROTOCOL T4, T5, C3/T6, S6, V1, M5 and the site's NC: owner and closing action from
services.rules.catalog; the C3 action when a release came after the intake (T6); the soft T4
reminder's owner (the optimal window); who acts on the agenda cut-off (M2).
"""

from __future__ import annotations

from models import Role
from services import referrals
from services.access.policy import ROLE_LABELS
from services.rules import catalog

# Who must act and the one action that closes each rule's alert: read from the catalog.
ALERT_RULES = ("T4", "T5", "C3", "S6", "V1", "NC", "M5")
OWNERS = {r: ROLE_LABELS[Role(catalog.who_acts(r))] for r in ALERT_RULES}
CLOSING_ACTIONS = {r: catalog.action(r) for r in ALERT_RULES}


def c3_action(dates: dict) -> str:
    """The C3 alert's closing action, one the app can record (PROTOCOL T6, C3).

    A release signed after the intake's completion does not make a participant (T6: signed no
    later than the intake), so recording another release cannot close it: the intake recorded
    again on or after the release's date can (services.rules.consent.completion_after_redo),
    or closing the referral.
    """
    signed, intake = dates["roi_signed_date"], dates["intake_completed_date"]
    if dates["roi_rescinded_date"] is None and signed and intake and signed > intake:
        # T6: the release must come no later than the intake; a later release cannot close it.
        return (
            f"Record the intake again on or after {signed} (the release's date, T6),"
            " or close the referral"
        )
    return CLOSING_ACTIONS["C3"]


# The soft T4 reminder: the in-depth intake optimally 24-48 hours after the initial screening.
OPTIMAL_OWNER = f"{OWNERS['T4']} (optimal window)"
OPTIMAL_ACTION = referrals.ACTION_LABELS["schedule"]
# PROTOCOL M2: who acts on the agenda submission cut-off (the catalog's action is the partners').
CUTOFF_OWNERS = {
    Role.project_manager: (
        ROLE_LABELS[Role.project_manager],
        "Prepare the agenda from the names sent",
    ),
    Role.case_manager: (
        f"{ROLE_LABELS[Role.case_manager]} (names to discuss)",
        catalog.action("M2"),
    ),
}
