"""Users (project manager): create, disable, reset a password, unlock, change a role."""

import streamlit as st

from models import Role
from services.access.policy import ROLE_LABELS
from services.access.users import (
    change_role,
    create_user,
    list_users,
    reset_password,
    set_disabled,
    unlock,
)
from services.core.site import organizations
from ui.session import require_page
from ui.widgets import flash, run_action, table

ctx, user = require_page("users")

st.title("Users")
flash()
users = list_users(ctx.engine)
table([{k: v for k, v in u.items() if k not in ("id", "version")} for u in users], key="users")
org_codes = [o.code for o in organizations(ctx.engine)]

with st.expander("Create a user", icon=":material/person_add:"):
    with st.form("create_user"):
        username = st.text_input("Username", help="Lower-case letters, digits, . _ -")
        name = st.text_input("Display name")
        role = st.selectbox("Role", list(Role), format_func=lambda r: ROLE_LABELS[r])
        org = st.selectbox("Organization", org_codes)
        password = st.text_input("First password (at least 10 characters)", type="password")
        if st.form_submit_button("Create user", type="primary") and run_action(
            lambda: create_user(
                ctx.engine,
                actor=user.actor,
                username=username,
                display_name=name,
                role=role,
                org_code=org,
                password=password,
            ),
            success=f"Created user {username.strip().lower()}.",
        ):
            st.rerun()

st.subheader("Change a user")
by_name = {u["username"]: u for u in users}
chosen = st.selectbox("User", list(by_name), index=None, placeholder="Choose a user…")
if chosen:
    target = by_name[chosen]
    common = {"actor": user.actor, "user_id": target["id"], "expected_version": target["version"]}
    left, right = st.columns(2)
    with left:
        if target["disabled"]:
            if st.button("Enable", icon=":material/check:"):
                ok = run_action(
                    lambda: set_disabled(ctx.engine, disabled=False, **common),
                    success=f"Enabled {chosen}.",
                )
                if ok:
                    st.rerun()
        elif st.button("Disable (signs them out everywhere)", icon=":material/block:"):
            ok = run_action(
                lambda: set_disabled(ctx.engine, disabled=True, **common),
                success=f"Disabled {chosen}.",
            )
            if ok:
                st.rerun()
        if st.button("Unlock", icon=":material/lock_open:"):
            if run_action(lambda: unlock(ctx.engine, **common), success=f"Unlocked {chosen}."):
                st.rerun()
    with right:
        with st.form("reset_password", clear_on_submit=True):
            new_password = st.text_input("New password", type="password")
            if st.form_submit_button("Reset password") and run_action(
                lambda: reset_password(ctx.engine, new_password=new_password, **common),
                success=f"Password reset for {chosen}; their sessions ended.",
            ):
                st.rerun()
        with st.form("change_role"):
            new_role = st.selectbox(
                "New role",
                list(Role),
                index=list(Role).index(Role(target["role"])),
                format_func=lambda r: ROLE_LABELS[r],
            )
            new_org = st.selectbox(
                "Organization", org_codes, index=org_codes.index(target["organization"])
            )
            if st.form_submit_button("Change role") and run_action(
                lambda: change_role(ctx.engine, role=new_role, org_code=new_org, **common),
                success=f"Changed the role of {chosen}; their sessions ended.",
            ):
                st.rerun()
