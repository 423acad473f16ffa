"""Agenda: names sent late or held, suggested items, the agenda's items, finalizing (PROTOCOL
M1-M3, C3). Titles and reasons are stored text: plain text only (SECURITY 19, 32)."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.staffing import (
    add_suggestion,
    finalize,
    held_submissions,
    late_submissions,
    move_item,
    pull_in,
    remove_item,
    update_item,
)
from services.staffing.text import who_reads
from ui.free_text import curtain_text_form, readers_note
from ui.widgets import run_action, seen_before, table

SHOWN_SUGGESTIONS = 25


def _done(ok: bool) -> None:
    if ok:
        st.rerun()


def late_and_held(engine: Engine, user: CurrentUser, session_id: int) -> None:
    """Names sent after the cut-off (take one into this session), and names held, with why."""
    late = late_submissions(engine, user, session_id=session_id)
    if late:
        st.markdown("**Sent after this session's cut-off** (filed for a later session)")
        for sub in late:
            left, right = st.columns([4, 1])
            left.text(f"{sub['organization']} · {sub['name'] or sub['alias']} · {sub['reason']}")
            if right.button("Take into this session", key=f"pull_{sub['id']}"):
                _done(
                    run_action(
                        lambda sid=sub["id"]: pull_in(
                            engine, user, submission_id=sid, session_id=session_id
                        ),
                        success="Taken into this session.",
                    )
                )
    held = held_submissions(engine, user, session_id=session_id)
    if held:
        with st.expander(f"Held names ({len(held)}): the reasons are for you only"):
            table(
                [
                    {
                        "From": h["organization"],
                        "Name": h["name"] or h["alias"],
                        "Reason sent": h["reason"],
                        "Why held": h["held_reason"],
                    }
                    for h in held
                ],
                key="held",
            )


def suggested_items(
    engine: Engine, user: CurrentUser, addable: list, blocked: list, session_id: int, today: date
) -> None:
    """The most pressing suggestions, each added in one tap; those no release covers (C3)."""
    st.subheader(f"Suggested items ({len(addable)})")
    if not addable:
        st.caption("Nothing to suggest for this session.")
    if len(addable) > SHOWN_SUGGESTIONS:
        st.caption(f"The {SHOWN_SUGGESTIONS} most pressing of {len(addable)} are shown.")
    for s in addable[:SHOWN_SUGGESTIONS]:
        left, right = st.columns([5, 1])
        left.text(f"{s.title}: " + "; ".join(s.why))
        if right.button("Add", key=f"suggest_{s.key}", width="stretch"):
            _done(
                run_action(
                    lambda key=s.key: add_suggestion(
                        engine, user, session_id=session_id, key=key, today=today
                    ),
                    success=f"Added {s.title} to the agenda.",
                )
            )
    if blocked:
        with st.expander(
            f"{len(blocked)} more cannot be discussed: no release of information covering every "
            "attending organization (PROTOCOL C3)"
        ):
            st.text(
                "\n".join(f"{s.title}: " + "; ".join(s.why) for s in blocked[:SHOWN_SUGGESTIONS])
            )


def item_editor(
    engine: Engine, user: CurrentUser, view: dict, version: int, session_id: int, today: date
) -> None:
    """Choose an item: move it, remove it, change its minutes and notes, its curtain text."""
    items = {i["id"]: i for i in view["items"]}
    chosen = st.selectbox(
        "Item to change",
        list(items),
        format_func=lambda i: f"{items[i]['position']}. {items[i]['title']}",
        key=f"agenda_item_{session_id}",
    )
    item = items[chosen]
    item_version = seen_before(f"agenda_item_version_{chosen}", item["version"])
    up, down, remove = st.columns(3)
    for column, label, direction in ((up, "Move up", -1), (down, "Move down", 1)):
        if column.button(label, key=f"move_{direction}", width="stretch"):
            _done(
                run_action(
                    lambda d=direction: move_item(
                        engine, user, item_id=chosen, direction=d, expected_version=version
                    ),
                    success="Order saved.",
                )
            )
    if remove.button("Remove from the agenda", key="remove_item", width="stretch"):
        _done(
            run_action(
                lambda: remove_item(engine, user, item_id=chosen, expected_version=version),
                success="Item removed; its names are back in the review list.",
            )
        )
    with st.form(f"item_form_{chosen}"):
        minutes = st.number_input("Minutes", 1, 120, value=item["minutes"])
        notes = st.text_area(
            "Preparation notes (private: never presented or exported)",
            value=item["prep_notes"],
        )
        if st.form_submit_button("Save item"):
            _done(
                run_action(
                    lambda: update_item(
                        engine,
                        user,
                        item_id=chosen,
                        expected_version=item_version,
                        minutes=int(minutes),
                        prep_notes=notes,
                    ),
                    success="Item saved.",
                )
            )

    readers_note(who_reads(engine, field="curtain", today=today, session_id=session_id))
    curtain_text_form(engine, user, item, item_version)


def finalize_button(
    engine: Engine, user: CurrentUser, session_id: int, version: int, today: date
) -> None:
    if not st.button("Finalize the agenda", type="primary"):
        return
    carried: list[int] = []
    ok = run_action(
        lambda: carried.append(
            finalize(engine, user, session_id=session_id, expected_version=version, today=today)
        ),
        success="Agenda finalized.",
    )
    if ok:
        st.session_state["lead_flash"] = (
            f"Agenda finalized (version 1). {carried[0]} name(s) still waiting were carried "
            "over to the next session."
        )
        st.rerun()
