"""Community log (project manager): meetings with residents, businesses and community leaders,
and the areas of concern they raise, with a status (PROTOCOL M3, M6)."""

import streamlit as st

from services.core.clock import local_today
from services.core.site import get_settings
from services.reports.community import (
    AUDIENCES,
    STATUSES,
    add_concern,
    concerns,
    meetings,
    record_meeting,
    set_concern_status,
)
from ui.fields import date_field
from ui.session import require_page
from ui.widgets import flash, form_round, next_form_round, run_action, table

ctx, user = require_page("community_log")

today = local_today(get_settings(ctx.engine).time_zone)
st.title("Community log")
st.caption(
    "Meetings and the areas of concern raised at them. Open concerns go on every staffing "
    "session's community-concerns item. Record places and behaviours, never a person's name."
)
flash()

st.subheader("Areas of concern")
all_concerns = concerns(ctx.engine)
table(
    [{k: v for k, v in c.items() if k not in ("id", "version")} for c in all_concerns],
    key="community_concerns",
    empty="No concerns recorded yet.",
)
if all_concerns:
    with st.form("concern_status"):
        chosen = st.selectbox(  # option text is a widget value: shown as plain text
            "Concern",
            all_concerns,
            format_func=lambda c: f"#{c['id']} · {c['Area']} · {c['Status']}",
        )
        status = st.selectbox("New status", STATUSES)
        if st.form_submit_button("Save the status", type="primary") and run_action(
            lambda: set_concern_status(
                ctx.engine,
                user,
                concern_id=chosen["id"],
                expected_version=chosen["version"],
                status=status,
            ),
            success=f"Concern #{chosen['id']} is now {status}.",
        ):
            st.rerun()

past = meetings(ctx.engine)
with st.expander("Add an area of concern", icon=":material/add_location_alt:"):
    with st.form(f"add_concern_{form_round()}"):
        area = st.text_input("Area (a hot spot, e.g. a park entrance or a block)")
        behaviour = st.text_input("Behaviour seen there")
        raised_on = date_field("Raised on", today)
        meeting_ids = [None, *[m["id"] for m in past]]
        meeting_dates = {m["id"]: f"{m['Date']} ({m['Audience']})" for m in past}
        meeting_id = st.selectbox(
            "Raised at a meeting",
            meeting_ids,
            format_func=lambda i: "(not at a meeting)" if i is None else meeting_dates[i],
        )
        if st.form_submit_button("Add the concern", type="primary") and run_action(
            lambda: add_concern(
                ctx.engine,
                user,
                area=area,
                behaviour=behaviour,
                raised_on=raised_on,
                meeting_id=meeting_id,
                today=today,
            ),
            success="Concern added; it is open.",
        ):
            next_form_round()
            st.rerun()

st.subheader("Meetings")
table(
    [{k: v for k, v in m.items() if k != "id"} for m in past],
    key="community_meetings",
    empty="No meetings recorded yet.",
)
with st.expander("Record a meeting", icon=":material/groups:"):
    with st.form(f"record_meeting_{form_round()}"):
        on = date_field("Meeting date", today)
        audience = st.selectbox("Audience", AUDIENCES)
        place = st.text_input("Place")
        attendance = st.number_input("Attendance", min_value=0, max_value=10_000, step=1)
        feedback = st.text_area("Feedback heard")
        if st.form_submit_button("Record the meeting", type="primary") and run_action(
            lambda: record_meeting(
                ctx.engine,
                user,
                on=on,
                audience=audience,
                place=place,
                attendance=int(attendance),
                feedback=feedback,
                today=today,
            ),
            success="Meeting recorded.",
        ):
            next_form_round()
            st.rerun()
