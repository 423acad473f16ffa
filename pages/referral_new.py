"""New referral: the LEAD cover sheet, screened as it is filled (PROTOCOL B1-B14, S1-S5, V1)."""

import streamlit as st

from services.core.clock import local_today
from services.core.site import get_settings
from services.referrals import create_referral, preview
from ui.referral_form import screen_panel
from ui.referral_sheet import cover_sheet, group_verdicts, social_contact_button
from ui.session import require_page
from ui.widgets import flash, run_action

ctx, user = require_page("referral_new")

st.title("New referral")
st.caption(
    "The LEAD cover sheet. The screen updates as you fill it in: beside the sheet, and under "
    "each group of fields."
)
flash()
settings = get_settings(ctx.engine)
today = local_today(settings.time_zone)
state = st.session_state
if state.pop("rn_reset", False):  # a clean sheet after a save
    for key in [k for k in state if k.startswith("rn_")]:
        del state[key]
state.setdefault("rn_convictions", [])

left_side, side = st.columns([3, 2], gap="large")
# The sheet scrolls on its own so the screen beside it stays in view while fields change.
with left_side.container(height=760, border=False):
    filled = cover_sheet(ctx.engine, user, settings, today)
sheet, person, choice, arrest = filled.sheet, filled.person, filled.choice, filled.arrest

verdict = preview(sheet, today, lookback_months=settings.social_contact_lookback_months)
group_verdicts(filled, verdict)  # next to the fields: on a phone the screen panel is far below

with side:
    screen_panel(verdict, offense_missing=arrest and not sheet.offense)
    if verdict["social_contact_route"] and sheet.offense:
        social_contact_button()
    if st.button("Save referral", type="primary", icon=":material/save:"):
        saved: dict = {}
        if run_action(
            lambda: saved.update(
                create_referral(
                    ctx.engine,
                    user,
                    sheet,
                    today=today,
                    person=person if choice.new else None,
                    participant_id=choice.participant_id,
                    new_person_reason=choice.reason,
                    new_person_note=choice.note,
                )
            ),
            success="Referral saved.",
        ):
            verdict_word = "eligible" if saved["eligible"] else "excluded"
            state["lead_flash"] = (
                f"Referral saved for {saved['lead_id']} (screen: {verdict_word}). "
                "Record the initial screening below."
            )
            state["rn_reset"] = True
            state["referral_id"] = saved["referral_id"]
            st.switch_page("pages/referrals.py")
    for note in verdict["notes"]:
        st.caption(note)
