"""Participants: find a person by name, alias or LEAD id; partners see only released records."""

import streamlit as st

from services.core.clock import local_today
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.participants import MAX_SEARCH_ROWS, search
from ui.cards import open_buttons, open_participant
from ui.list_audit import audited_list
from ui.session import require_page
from ui.text import plain
from ui.widgets import table

ctx, user = require_page("participants")

st.title("Participants")
today = local_today(get_settings(ctx.engine).time_zone)
query = st.text_input("Search by name, alias or LEAD id", placeholder="e.g. Avery or BUR-0007")
try:
    rows = search(ctx.engine, user, query, today)
except ValidationError as exc:
    st.error(plain(str(exc)), icon=":material/error:")
    st.stop()

if not audited_list(
    ctx.engine,
    user,
    key="participants",
    what="Participants list (search results)",
    shown=len(rows),
    texts=[row["LEAD id"] for row in rows],
):
    st.stop()
if len(rows) >= MAX_SEARCH_ROWS:
    st.caption(f"Showing the first {MAX_SEARCH_ROWS}, by LEAD id: type a name or id to narrow.")
else:
    st.caption(f"{len(rows)} participant(s) you may see.")
if not rows:
    st.info(
        "No participant matches, or none is shared with your organization.", icon=":material/info:"
    )
    st.stop()
# One tap opens a record (a phone in the field); the details table is one toggle away.
if st.toggle("Show details as a table", key="participants_as_table"):
    table([{k: v for k, v in row.items() if k != "id"} for row in rows], key="participants_table")
opened = open_buttons(rows, key="participants_open")
if opened is not None:
    open_participant(opened)
