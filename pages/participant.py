"""A participant's record: what this role may see of it, and the casework forms (SECURITY 1-2).

Partners get the partner-safe view under an active release only; provider staff get tabs for
identity, releases of information, intake, the Individual Intervention Plan, services, contacts,
status and housing, and a timeline. Every save is validated, version-checked and audited. The
sections and forms are components in `ui/participant/`.
"""

import streamlit as st

from services.access.policy import PARTNER_ROLES
from services.core.audit import AuditWriteError
from services.core.clock import local_today
from services.core.site import get_settings
from services.participants import view_record
from ui.cards import heading_slot, record_heading
from ui.participant.common import RecordPage
from ui.participant.plan import intake_tab, plan_tab
from ui.participant.releases import releases_tab
from ui.participant.service_forms import services_tab
from ui.participant.status import contacts_tab, status_tab
from ui.participant.summary import partner_view, summary_tab, timeline_tab
from ui.session import require_page
from ui.widgets import conflict, flash, form_round, seen_before

ctx, user = require_page("participant")

heading = heading_slot("Participant record")  # says whose record once the view is known
flash()
conflict()
participant_id = st.session_state.get("participant_id")
if participant_id is None:
    st.info("Choose a participant on the Participants page first.", icon=":material/info:")
    st.page_link("pages/participants.py", label="Go to Participants", icon=":material/group:")
    st.stop()

today = local_today(get_settings(ctx.engine).time_zone)
try:
    record = view_record(ctx.engine, user, participant_id, today, purpose="case coordination")
except AuditWriteError:
    st.error("The record cannot be shown right now because the audit trail could not be written.")
    st.stop()

if not record.allowed:
    st.error(
        "You do not have access to this record. Partners see a participant only under an active "
        "release of information covering their organization.",
        icon=":material/block:",
    )
    st.stop()
record_heading(heading, record)

page = RecordPage(
    ctx=ctx,
    user=user,
    participant_id=participant_id,
    record=record,
    today=today,
    version=seen_before(f"recv_p{participant_id}", record.version),
    goal_versions=seen_before(
        f"recv_g{participant_id}",
        {g["_id"]: g["_version"] for g in record.sections.get("plan_goals", [])},
    ),
    round=form_round(),
)

if user.role in PARTNER_ROLES:
    partner_view(page)
    st.stop()

TABS = [  # name, shown when, drawn by
    ("Summary", True, summary_tab),
    ("Releases of information", "releases" in record.sections, releases_tab),
    ("Intake", "intakes" in record.sections, intake_tab),
    ("Individual Intervention Plan", True, plan_tab),
    ("Services", "services" in record.sections, services_tab),
    ("Contacts", "contacts" in record.sections, contacts_tab),
    ("Status and housing", "status_history" in record.sections, status_tab),
    ("Timeline", "timeline" in record.sections, timeline_tab),
]
shown = [(name, draw) for name, visible, draw in TABS if visible]
# Keyed and tracked: after a save (Log contact, Add goal) the rerun stays on this tab, where the
# confirmation or the refusal shows. The key must not start with a RESET prefix.
tabs = st.tabs([n for n, _ in shown], key=f"participant_tab_{participant_id}", on_change="rerun")
for tab, (_, draw) in zip(tabs, shown, strict=True):
    with tab:
        draw(page)
