"""Presenter (project manager): the shared screen, one agenda item at a time.

Next and Previous also answer the keyboard's right and left arrow keys. What an item shows is
decided in services.staffing_content (allowed fields only; never case notes, treatment, substance
use, mental health, criminal history or preparation notes); each item shown is audited with the
purpose "staffing session <date>". The privacy curtain shows LEAD ids instead of names.
"""

import streamlit as st

from services.audit import AuditWriteError
from services.clock import local_today, utcnow
from services.site import get_settings
from services.staffing import default_session_id, list_sessions, timer_state
from services.staffing_content import presenter_item, presenter_outline
from ui.session import require_page
from ui.text import plain

ctx, user = require_page("presenter")

# Participant items: who and why | plan and deadlines | action items; then the counts.
COLUMN = {"Who": 0, "Why it is on the agenda": 0, "Open action items": 2}

today = local_today(get_settings(ctx.engine).time_zone)
sessions = {s["id"]: s for s in list_sessions(ctx.engine, today=today)}
if not sessions:
    st.title("Presenter")
    st.info("No sessions yet: schedule one on the Agenda page.", icon=":material/info:")
    st.stop()

bar = st.columns([4, 3, 2, 2], vertical_alignment="center")
session_id = bar[0].selectbox(
    "Session",
    list(sessions),
    index=list(sessions).index(default_session_id(list(sessions.values()))),
    format_func=lambda i: sessions[i]["label"],
)
curtain = bar[1].toggle("Privacy curtain: LEAD ids only", key="presenter_curtain")
outline = presenter_outline(ctx.engine, user, session_id=session_id, today=today)
count = outline["count"]
if not count:
    st.info("This agenda has no items yet.", icon=":material/info:")
    st.stop()
position_key = f"presenter_index_{session_id}"
index = min(st.session_state.get(position_key, 0), count - 1)


def step(by: int) -> None:
    st.session_state[position_key] = min(max(index + by, 0), count - 1)


bar[2].button(
    "Previous",
    icon=":material/arrow_back:",
    shortcut="Left",
    on_click=step,
    args=(-1,),
    disabled=index == 0,
    width="stretch",
)
bar[3].button(
    "Next",
    icon=":material/arrow_forward:",
    shortcut="Right",
    on_click=step,
    args=(1,),
    disabled=index >= count - 1,
    width="stretch",
)
try:
    item = presenter_item(
        ctx.engine, user, session_id=session_id, index=index, today=today, curtain=curtain
    )
except AuditWriteError:
    st.error("The audit trail could not be written, so the item is not shown.")
    st.stop()

draft = "" if outline["finalized"] else " · draft agenda (not final)"
st.progress(
    (index + 1) / count,
    text=f"Item {index + 1} of {count} · {item['kind_label'].lower()} · planned {item['start']} "
    f"to {item['end']} ({item['minutes']} minutes) · the agenda ends about "
    f"{outline['ends_at']}{draft}",
)
timer_key = f"presenter_started_{item['item_id']}"
started = st.session_state.setdefault(timer_key, utcnow())


@st.fragment(run_every=1)
def show_timer() -> None:
    state = timer_state(st.session_state.get(timer_key, started), utcnow(), item["minutes"])
    icon = ":material/alarm:" if state["over"] else ":material/timer:"
    st.progress(state["fraction"], text=f"{icon} {state['text']}")


title, clock, restart = st.columns([5, 4, 2], vertical_alignment="center")
title.markdown(f"# {plain(item['heading'])}")  # a fixed title or a LEAD id (SECURITY 32)
if item["name"]:
    title.text(item["name"])
with clock:
    show_timer()
if restart.button("Restart the timer", icon=":material/restart_alt:", width="stretch"):
    st.session_state[timer_key] = utcnow()
    st.rerun()


def show(section: dict) -> None:
    st.markdown(f"#### {section['label']}")  # labels are fixed words and dates
    if section["metrics"]:
        for column, (label, value) in zip(
            st.columns(len(section["metrics"])), section["metrics"], strict=True
        ):
            column.metric(label, value)
    if section["lines"]:
        st.text("\n".join(section["lines"]))
    if section["rows"]:  # as lines, in the body size a room can read (tables set smaller)
        st.text(
            "\n".join("; ".join(f"{k}: {v}" for k, v in row.items()) for row in section["rows"])
        )


sections = item["sections"]
if item["kind"] in ("participant", "suggested") and not item["withheld"]:
    wide = [s for s in sections if s["metrics"]]
    columns = st.columns(3, gap="large")
    for section in sections:
        if section not in wide:
            with columns[COLUMN.get(section["label"], 1)]:
                show(section)
    for section in wide:
        show(section)
else:
    for section in sections:
        show(section)
