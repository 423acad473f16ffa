"""Referrals: open referrals with stage, clock and next action; each lifecycle step in place."""

import streamlit as st

from services.core.audit import AuditWriteError
from services.core.clock import local_today
from services.core.site import get_settings
from services.referrals import (
    ACTION_LABELS,
    list_referrals,
    referral_detail,
)
from ui.referral_steps import action_form, candidates_section, referral_details
from ui.session import require_page
from ui.widgets import flash, run_action, table

ctx, user = require_page("referrals")

st.title("Referrals")
flash()
today = local_today(get_settings(ctx.engine).time_zone)
show = st.radio(
    "Show",
    ["open", "closed", "all"],
    format_func={"open": "Open", "closed": "Closed or participant", "all": "All"}.get,
    horizontal=True,
    key="referrals_show",
)
rows = list_referrals(ctx.engine, user, today, show=show)
st.caption(f"{len(rows)} referral(s). Open = not closed and not yet a participant.")
table(
    [{k: v for k, v in r.items() if k not in ("id", "version")} for r in rows],
    key="referrals_table",
    empty="No referrals here. Enter one on New referral.",
)


by_id = {r["id"]: r for r in rows}
options = list(by_id)
remembered = st.session_state.get("referral_id")
chosen = st.selectbox(
    "Open a referral",
    options,
    index=options.index(remembered) if remembered in by_id else None,
    format_func=lambda i: f"{by_id[i]['LEAD id']} · {by_id[i]['Type']} · {by_id[i]['Referred']}",
    placeholder="Choose a referral…",
)
if chosen is not None:
    st.session_state["referral_id"] = chosen
    try:
        detail = referral_detail(ctx.engine, user, chosen, today, purpose="referral follow-up")
    except AuditWriteError:
        st.error("The referral cannot be shown now: the audit trail could not be written.")
        st.stop()
    if detail is None:
        st.error("This referral is not in your agency's records.", icon=":material/block:")
        st.stop()
    referral_details(detail)
    for action in detail["actions"]:
        label = ACTION_LABELS[action]
        with st.expander(
            label, icon=":material/task_alt:", expanded=action == detail["actions"][0]
        ):
            with st.form(f"referral_{action}"):
                call = action_form(ctx.engine, user, action, detail, today)
                if st.form_submit_button(label, type="primary") and run_action(
                    call, success=f"{label}: saved for {detail['lead_id']}."
                ):
                    st.rerun()

candidates_section(ctx.engine, user, today)
