"""Audit log (project manager): browse and filter; verify the hash chain."""

from datetime import UTC, datetime, time

import streamlit as st

from services.core.audit import AuditFilter, actions, browse, verify
from ui.fields import date_field
from ui.session import require_page
from ui.widgets import table

ctx, user = require_page("audit_log")

st.title("Audit log")
st.caption("Every sign-in event, record view, change and export. Times are UTC.")
cols = st.columns(4)
username = cols[0].text_input("User")
action = cols[1].selectbox("Action", ["(any)", *actions(ctx.engine)])
subject = cols[2].text_input("Subject (exact, e.g. BUR-0007)")
since = date_field("From", container=cols[3])
flt = AuditFilter(
    username=username,
    action="" if action == "(any)" else action,
    subject=subject,
    since=datetime.combine(since, time(), UTC) if since else None,
)
rows = browse(ctx.engine, flt)
st.caption(f"Newest first; showing {len(rows)} row(s), at most {flt.limit}.")
table(rows, key="audit_rows", empty="No audit rows match.")

if st.button("Verify the audit chain", icon=":material/verified:"):
    ok, message = verify(ctx.engine)
    (st.success if ok else st.error)(("Intact: " if ok else "Tampered: ") + message)
