"""Agenda (project manager): schedule sessions, match names, add suggestions, order, finalize.

PROTOCOL M1-M3 and C3: a person is placed only under an active release covering every attending
organization outside the LEAD team; the reason a name is held is shown here only.
"""

import streamlit as st

import ui.list_audit as list_audit
from services.core.clock import local_today
from services.core.site import get_settings
from services.participants import organization_codes
from services.reports.exports import export_session
from services.staffing import (
    agenda,
    agenda_rows,
    inbox,
    list_sessions,
    open_action_items,
    suggestions,
)
from services.staffing.text import clinical_flags
from ui.agenda import review_names
from ui.agenda_items import (
    SHOWN_SUGGESTIONS,
    finalize_button,
    item_editor,
    late_and_held,
    suggested_items,
)
from ui.agenda_session import edit_session_form, schedule_form, session_header
from ui.free_text import clinical_flags_panel
from ui.session import require_page
from ui.sessions import session_picker
from ui.widgets import flash, prepared_download, seen_before, table

ctx, user = require_page("agenda")

st.title("Agenda")
flash()
settings = get_settings(ctx.engine)
today = local_today(settings.time_zone)
orgs = organization_codes(ctx.engine)


with st.expander("Schedule a session", icon=":material/event:"):
    schedule_form(ctx.engine, user, settings, orgs, today)

sessions = {s["id"]: s for s in list_sessions(ctx.engine, today=today)}
if not sessions:
    st.info("No sessions yet: schedule the first one above.", icon=":material/info:")
    st.stop()
session_id = session_picker(
    sessions, format_func=lambda i: f"{sessions[i]['label']} · {sessions[i]['inbox']} new name(s)"
)
view = agenda(ctx.engine, user, session_id=session_id, today=today)
info = view["session"]
version = seen_before(f"agenda_version_{session_id}", info["version"])
session_header(view)

with st.expander("Change time, place or attending organizations", icon=":material/edit:"):
    edit_session_form(ctx.engine, user, info, orgs, version)

# --- Names sent by partners ---------------------------------------------------------------------
names = inbox(ctx.engine, user, session_id=session_id)
if not list_audit.audited_list(  # SECURITY 8: names sent and match candidates, one row
    ctx.engine,
    user,
    key=f"agenda_names_{session_id}",
    what=f"Agenda {info['on']}: names to review and match candidates",
    shown=len(names),
    texts=[o["label"] for sub in names for o in sub["suggestions"]],
):
    st.stop()
st.subheader(f"Names to review ({len(names)})")
if not names:
    st.caption("No names waiting for this session.")

review_names(ctx.engine, user, names, today)

late_and_held(ctx.engine, user, session_id)

# --- Suggestions --------------------------------------------------------------------------------
found = suggestions(ctx.engine, user, session_id=session_id, today=today)
addable = [s for s in found if not s.consent]
blocked = [s for s in found if s.consent]
listed = addable[:SHOWN_SUGGESTIONS] + blocked[:SHOWN_SUGGESTIONS]
if not list_audit.audited_list(  # SECURITY 8: suggestions and agenda items, one row
    ctx.engine,
    user,
    key=f"agenda_items_{session_id}",
    what=f"Agenda {info['on']}: suggested items and the agenda",
    shown=sum(1 for s in listed if s.participant_id)
    + sum(1 for i in view["items"] if i["participant_id"]),
    texts=[s.title for s in listed] + [i["title"] for i in view["items"]],
):
    st.stop()
suggested_items(ctx.engine, user, addable, blocked, session_id, today)

# --- The agenda ---------------------------------------------------------------------------------
st.subheader("The agenda")
table(agenda_rows(view), key="agenda_table", empty="No items.")
earlier = open_action_items(ctx.engine, user, session_id=session_id, earlier_only=True)
with st.expander(
    f"Open action items from earlier sessions ({len(earlier)})", expanded=bool(earlier)
):
    st.text("\n".join(a["label"] for a in earlier) or "None open.")
locked = bool(info["finalized_at"]) and not st.toggle(
    "Change the final agenda (each change makes a new, audited version)", key="agenda_unlock"
)
if view["items"] and not locked:
    item_editor(ctx.engine, user, view, version, session_id, today)

clinical_flags_panel(
    clinical_flags(ctx.engine, user, session_id=session_id),
    key="agenda_flags",
    before="finalizing or exporting the agenda",
)
if not info["finalized_at"]:
    finalize_button(ctx.engine, user, session_id, version, today)

st.subheader("Export")
st.caption(
    "Each file carries the redisclosure notice and is recorded as a disclosure for every "
    "participant named. Preparation notes are never included."
)
for fmt, label in (("pdf", "agenda (PDF)"), ("docx", "agenda (Word)")):
    prepared_download(
        label,
        lambda f=fmt: export_session(
            ctx.engine, user, session_id=session_id, kind="agenda", fmt=f, today=today
        ),
        key=f"agenda_export_{session_id}_{fmt}",
    )
