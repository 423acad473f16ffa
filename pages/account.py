"""My account: change my password (every session, this one included, then signs in again)."""

import streamlit as st

from services.access.auth import change_password
from services.access.policy import ROLE_LABELS
from ui.session import SESSION_KEY, require_page
from ui.widgets import USER_ERRORS, show_refusal

ctx, user = require_page("account")

st.title("My account")
st.text(
    f"{user.display_name} ({user.username})\n{ROLE_LABELS[user.role]}, {user.organization_code}"
)

st.subheader("Change password")
st.caption(
    "At least 10 characters; long passphrases welcome. Changing it signs you out everywhere."
)
with st.form("change_password", clear_on_submit=True):
    old = st.text_input("Current password", type="password")
    new = st.text_input("New password", type="password")
    again = st.text_input("New password again", type="password")
    submitted = st.form_submit_button("Change password", type="primary")
if submitted:
    if new != again:
        st.error("New password again: the two new passwords differ.", icon=":material/error:")
    else:
        try:
            change_password(ctx.engine, user, old=old, new=new)
        except USER_ERRORS as exc:  # a refusal, or an audit trail that cannot be written
            show_refusal(exc)
        else:
            st.session_state.pop(SESSION_KEY, None)
            st.session_state["lead_signed_out_reason"] = "Password changed. Sign in again."
            st.rerun()
