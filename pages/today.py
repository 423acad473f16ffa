"""Today: the deadlines I owe, most urgent first, each closable in place (PROTOCOL T4-T6, S6)."""

import streamlit as st

from services.alerts import SEVERITIES, alert_rows, open_alerts, record_closing_action
from services.clock import local_today
from services.site import get_settings
from ui.session import require_page
from ui.widgets import flash, run_action, table

ctx, user = require_page("today")

st.title("Today")
flash()
today = local_today(get_settings(ctx.engine).time_zone)
alerts = open_alerts(ctx.engine, user, today)

counts = {s: sum(a.severity == s for a in alerts) for s in SEVERITIES}
cols = st.columns(len(SEVERITIES))
for col, name in zip(cols, SEVERITIES, strict=True):
    col.metric(name.capitalize(), counts[name])

shown = st.multiselect("Show", SEVERITIES, default=list(SEVERITIES), key="today_severity")
rules = sorted({a.rule for a in alerts})
rule_filter = st.multiselect("Rules", rules, default=rules, key="today_rules")
visible = [a for a in alerts if a.severity in shown and a.rule in rule_filter]
st.caption(f"{len(visible)} open deadline(s) as of {today.isoformat()}.")
table(alert_rows(visible), key="today_alerts", empty="Nothing due. Well done.")

closable = [a for a in visible if a.referral_id is not None and a.rule in ("T4", "T5", "S6")]
if closable:
    st.subheader("Close a deadline")
    labels = {f"{a.subject} · {a.rule} · {a.action} (due {a.due})": a for a in closable}
    with st.form("close_alert"):
        label = st.selectbox("Deadline", list(labels))
        on = st.date_input("Date it happened", value=today, max_value=today)
        if st.form_submit_button("Record", type="primary", icon=":material/task_alt:"):
            chosen = labels[label]
            if run_action(
                lambda: record_closing_action(
                    ctx.engine,
                    user,
                    rule=chosen.rule,
                    referral_id=chosen.referral_id,
                    expected_version=chosen.referral_version,
                    on=on,
                    today=today,
                ),
                success=f"Recorded: {chosen.action.lower()} for {chosen.subject}.",
            ):
                st.rerun()
