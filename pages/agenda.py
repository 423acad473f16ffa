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
    DEFAULT_ATTENDING,
    SESSION_KINDS,
    add_suggestion,
    agenda,
    agenda_rows,
    default_session_id,
    finalize,
    held_submissions,
    inbox,
    late_submissions,
    list_sessions,
    move_item,
    open_action_items,
    pull_in,
    remove_item,
    schedule_session,
    suggestions,
    update_item,
    update_session,
)
from services.staffing.text import clinical_flags, who_reads
from ui.agenda import review_names
from ui.fields import date_field
from ui.free_text import clinical_flags_panel, curtain_text_form, readers_note
from ui.session import require_page
from ui.widgets import flash, prepared_download, run_action, seen_before, table

ctx, user = require_page("agenda")

SHOWN_SUGGESTIONS = 25

st.title("Agenda")
flash()
settings = get_settings(ctx.engine)
today = local_today(settings.time_zone)
orgs = organization_codes(ctx.engine)


def done(ok: bool) -> None:
    if ok:
        st.rerun()


with st.expander("Schedule a session", icon=":material/event:"):
    with st.form("schedule"):
        kind = st.selectbox("Kind", list(SESSION_KINDS), format_func=SESSION_KINDS.get)
        on = date_field("Date", today)
        starts_at = st.text_input("Start time (HH:MM)", value="10:00")
        place = st.text_input("Place")
        attending = st.multiselect(
            "Attending organizations", orgs, default=[o for o in DEFAULT_ATTENDING if o in orgs]
        )
        st.caption(
            f"Names are due {settings.submission_cutoff_business_days} business days before "
            "(weekends and Washington State holidays skipped). Later sessions of the series "
            f"follow every {settings.workgroup_interval_days} days (workgroup) or "
            f"{settings.staffing_interval_days} days (staffing)."
        )
        if st.form_submit_button("Schedule", type="primary"):
            done(
                run_action(
                    lambda: schedule_session(
                        ctx.engine,
                        user,
                        kind=kind,
                        on=on,
                        starts_at=starts_at,
                        place=place,
                        attending_org_codes=attending,
                        today=today,
                    ),
                    success=f"Scheduled the {SESSION_KINDS[kind].lower()} on {on}.",
                )
            )

sessions = {s["id"]: s for s in list_sessions(ctx.engine, today=today)}
if not sessions:
    st.info("No sessions yet: schedule the first one above.", icon=":material/info:")
    st.stop()
session_id = st.selectbox(
    "Session",
    list(sessions),
    index=list(sessions).index(default_session_id(list(sessions.values()))),
    format_func=lambda i: f"{sessions[i]['label']} · {sessions[i]['inbox']} new name(s)",
)
view = agenda(ctx.engine, user, session_id=session_id, today=today)
info = view["session"]
version = seen_before(f"agenda_version_{session_id}", info["version"])
state = f"final, version {info['agenda_version']}" if info["finalized_at"] else "draft (not final)"
st.markdown(
    f"**{info['kind_label']}**, {info['on']:%A %d %B %Y} from {info['starts_at']} to about "
    f"**{view['ends_at']}** ({view['total_minutes']} minutes) · names due by "
    f"{info['cutoff_on']:%A %d %B} · agenda {state}"
)
st.text(f"Place: {info['place'] or 'not set'}\nAttending: {', '.join(info['attending'])}")

with st.expander("Change time, place or attending organizations", icon=":material/edit:"):
    with st.form(f"edit_session_{session_id}"):
        new_start = st.text_input("Start time (HH:MM)", value=info["starts_at"])
        new_place = st.text_input("Place", value=info["place"])
        new_orgs = st.multiselect("Attending organizations", orgs, default=info["attending"])
        if st.form_submit_button("Save session"):
            done(
                run_action(
                    lambda: update_session(
                        ctx.engine,
                        user,
                        session_id=session_id,
                        expected_version=version,
                        starts_at=new_start,
                        place=new_place,
                        attending_org_codes=new_orgs,
                    ),
                    success="Session saved.",
                )
            )

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

late = late_submissions(ctx.engine, user, session_id=session_id)
if late:
    st.markdown("**Sent after this session's cut-off** (filed for a later session)")
    for sub in late:
        left, right = st.columns([4, 1])
        left.text(f"{sub['organization']} · {sub['name'] or sub['alias']} · {sub['reason']}")
        if right.button("Take into this session", key=f"pull_{sub['id']}"):
            done(
                run_action(
                    lambda sid=sub["id"]: pull_in(
                        ctx.engine, user, submission_id=sid, session_id=session_id
                    ),
                    success="Taken into this session.",
                )
            )

held = held_submissions(ctx.engine, user, session_id=session_id)
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
st.subheader(f"Suggested items ({len(addable)})")
if not addable:
    st.caption("Nothing to suggest for this session.")
if len(addable) > SHOWN_SUGGESTIONS:
    st.caption(f"The {SHOWN_SUGGESTIONS} most pressing of {len(addable)} are shown.")
for s in addable[:SHOWN_SUGGESTIONS]:
    left, right = st.columns([5, 1])
    left.text(f"{s.title}: " + "; ".join(s.why))
    if right.button("Add", key=f"suggest_{s.key}", width="stretch"):
        done(
            run_action(
                lambda key=s.key: add_suggestion(
                    ctx.engine, user, session_id=session_id, key=key, today=today
                ),
                success=f"Added {s.title} to the agenda.",
            )
        )
if blocked:
    with st.expander(
        f"{len(blocked)} more cannot be discussed: no release of information covering every "
        "attending organization (PROTOCOL C3)"
    ):
        st.text("\n".join(f"{s.title}: " + "; ".join(s.why) for s in blocked[:SHOWN_SUGGESTIONS]))

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
items = {i["id"]: i for i in view["items"]}
if items and not locked:
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
            done(
                run_action(
                    lambda d=direction: move_item(
                        ctx.engine, user, item_id=chosen, direction=d, expected_version=version
                    ),
                    success="Order saved.",
                )
            )
    if remove.button("Remove from the agenda", key="remove_item", width="stretch"):
        done(
            run_action(
                lambda: remove_item(ctx.engine, user, item_id=chosen, expected_version=version),
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
            done(
                run_action(
                    lambda: update_item(
                        ctx.engine,
                        user,
                        item_id=chosen,
                        expected_version=item_version,
                        minutes=int(minutes),
                        prep_notes=notes,
                    ),
                    success="Item saved.",
                )
            )

    readers_note(who_reads(ctx.engine, field="curtain", today=today, session_id=session_id))
    curtain_text_form(ctx.engine, user, item, item_version)

clinical_flags_panel(
    clinical_flags(ctx.engine, user, session_id=session_id),
    key="agenda_flags",
    before="finalizing or exporting the agenda",
)
if not info["finalized_at"] and st.button("Finalize the agenda", type="primary"):
    carried: list[int] = []
    ok = run_action(
        lambda: carried.append(
            finalize(ctx.engine, user, session_id=session_id, expected_version=version, today=today)
        ),
        success="Agenda finalized.",
    )
    if ok:
        st.session_state["lead_flash"] = (
            f"Agenda finalized (version 1). {carried[0]} name(s) still waiting were carried "
            "over to the next session."
        )
        st.rerun()

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
