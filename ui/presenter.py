"""Presenter widgets: the timer, an item's sections, and the room mode's screens (issue 11).

Section labels and headings are fixed words, dates and checked LEAD ids (services.
staffing_content); every other value is data and is shown with st.text only.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from services.core.clock import utcnow
from services.staffing import URGENT_MARK, timer_state
from ui.text import plain

ROOM_KEY = "presenter_room"  # room mode on: no sidebar, banner or controls but the few needed
# Participant items outside room mode: who and why | plan and deadlines | action items.
COLUMN = {"Who": 0, "Why it is on the agenda": 0, "Open action items": 2}


@st.fragment(run_every=1)
def timer(started: datetime, minutes: int) -> None:
    state = timer_state(started, utcnow(), minutes)
    icon = ":material/alarm:" if state["over"] else ":material/timer:"
    st.progress(state["fraction"], text=f"{icon} {state['text']}")


def heading(item: dict) -> str:
    """The item's heading in large type; urgent items say so with a mark and a word."""
    mark = f"{URGENT_MARK} · " if item.get("urgent") else ""
    return f"# {mark}{plain(item['heading'])}"  # fixed words or a LEAD id (SECURITY 32)


def _section(section: dict) -> None:
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


def sections(item: dict) -> None:
    """Every section of an item (the desk view: participant items in three columns)."""
    if item["kind"] in ("participant", "suggested") and not item["withheld"]:
        wide = [s for s in item["sections"] if s["metrics"]]
        columns = st.columns(3, gap="large")
        for section in item["sections"]:
            if section not in wide:
                with columns[COLUMN.get(section["label"], 1)]:
                    _section(section)
        for section in wide:
            _section(section)
        return
    for section in item["sections"]:
        _section(section)


def room_part(part: list[dict]) -> None:
    """One screen of an item in room mode (services.staffing.room.paginate): label, lines."""
    for section in part:
        st.markdown(f"**{section['label']}**")  # labels are fixed words and dates
        if section["lines"]:
            st.text("\n".join(section["lines"]))
