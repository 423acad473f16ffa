"""Presenter (project manager): the shared screen, one agenda item at a time.

Next and Previous also answer the keyboard's right and left arrow keys. What an item shows is
decided in services.staffing.content (allowed fields only; never case notes, treatment, substance
use, mental health, criminal history or preparation notes); each item shown is audited with the
purpose "staffing session <date>". The privacy curtain shows LEAD ids instead of names.

Room mode (issue 11) is for the wall screen: no sidebar, no banner, only Previous, Next, the
curtain, the timer and a way back; 32 px text; an item longer than a screen is shown in parts
("part 1 of 2", services.staffing.room) that Next and Previous step through.
"""

import streamlit as st

from services.core.audit import AuditWriteError
from services.core.clock import local_today, utcnow
from services.core.site import get_settings
from services.staffing import list_sessions
from services.staffing.content import presenter_item, presenter_outline
from services.staffing.room import paginate
from ui.presenter import ROOM_KEY, heading, room_part, sections, timer
from ui.session import require_page
from ui.sessions import session_picker
from ui.style import room_style

ctx, user = require_page("presenter")

CHOSEN_KEY = "presenter_session_id"  # kept while room mode hides the session picker

today = local_today(get_settings(ctx.engine).time_zone)
sessions = {s["id"]: s for s in list_sessions(ctx.engine, today=today)}
if not sessions:
    st.title("Presenter")
    st.info("No sessions yet: schedule one on the Agenda page.", icon=":material/info:")
    st.stop()
session_id = st.session_state.get(CHOSEN_KEY)
room = bool(st.session_state.get(ROOM_KEY)) and session_id in sessions
if room:
    room_style()
    previous_col, next_col, curtain_col, mode_col = st.columns(
        [2, 2, 4, 3], vertical_alignment="center"
    )
else:
    chooser, curtain_col, previous_col, next_col, mode_col = st.columns(
        [4, 3, 2, 2, 2], vertical_alignment="center"
    )
    session_id = session_picker(sessions, preferred=session_id, container=chooser)
st.session_state[CHOSEN_KEY] = session_id
outline = presenter_outline(ctx.engine, user, session_id=session_id, today=today)
count = outline["count"]
if not count:
    st.info("This agenda has no items yet.", icon=":material/info:")
    st.stop()
position_key, part_key = f"presenter_index_{session_id}", f"presenter_part_{session_id}"
index = min(st.session_state.get(position_key, 0), count - 1)
try:
    item = presenter_item(
        ctx.engine,
        user,
        session_id=session_id,
        index=index,
        today=today,
        curtain=bool(st.session_state.get("presenter_curtain")),
    )
except AuditWriteError:
    st.error("The audit trail could not be written, so the item is not shown.")
    st.stop()
except IndexError:  # another session removed the last item since the outline was read
    st.info("This agenda has no items now.", icon=":material/info:")
    st.stop()
parts = paginate(item["sections"]) if room else [item["sections"]]
part = st.session_state.get(part_key, 0)
part = len(parts) - 1 if part < 0 or part >= len(parts) else part


def step(by: int) -> None:
    """Next part of this item, else the next item (Previous: back to the earlier one's end)."""
    if 0 <= part + by < len(parts):
        st.session_state[part_key] = part + by
        return
    st.session_state[position_key] = min(max(index + by, 0), count - 1)
    st.session_state[part_key] = -1 if by < 0 else 0


for column, label, by, icon, key, at_end in (
    (previous_col, "Previous", -1, "arrow_back", "Left", index == 0 and part == 0),
    (next_col, "Next", 1, "arrow_forward", "Right", index >= count - 1 and part >= len(parts) - 1),
):
    column.button(
        label,
        icon=f":material/{icon}:",
        shortcut=key,
        on_click=step,
        args=(by,),
        disabled=at_end,
        width="stretch",
    )
curtain_col.toggle("Privacy curtain: LEAD ids only", key="presenter_curtain")
mode_col.button(
    "Exit room mode" if room else "Room mode",
    icon=":material/close_fullscreen:" if room else ":material/co_present:",
    on_click=lambda: st.session_state.update({ROOM_KEY: not room}),
    width="stretch",
)

draft = "" if outline["finalized"] else " · draft agenda (not final)"
where = f" · part {part + 1} of {len(parts)}" if len(parts) > 1 else ""  # room mode only
if room:  # the heading gets the full width: a long standing title stays on one line
    progress, clock, restart = st.columns([6, 4, 2], vertical_alignment="center")
    title = st.container()
else:
    progress = st.container()
    title, clock, restart = st.columns([5, 4, 2], vertical_alignment="center")
planned = f"planned {item['start']} to {item['end']} ({item['minutes']} minutes)"
progress.progress(
    (index + 1) / count,
    text=f"Item {index + 1} of {count}{where} · {item['start']}-{item['end']}"
    if room
    else f"Item {index + 1} of {count} · {item['kind_label'].lower()} · {planned} · the "
    f"agenda ends about {outline['ends_at']}{draft}",
)
timer_key = f"presenter_started_{item['item_id']}"
started = st.session_state.setdefault(timer_key, utcnow())
title.markdown(heading(item))
if item["name"]:
    title.text(item["name"])
with clock:
    timer(started, item["minutes"])
if restart.button("Restart the timer", icon=":material/restart_alt:", width="stretch"):
    st.session_state[timer_key] = utcnow()
    st.rerun()
if room:
    room_part(parts[part])
else:
    sections(item)
