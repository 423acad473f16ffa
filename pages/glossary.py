"""Glossary: the protocol's words and rules in plain language, for new partners.

Everything shown comes from the rule catalog (services/rules/catalog.py), the site's partner
organizations and the site settings in force now: this page spells no rule, window or threshold.
"""

import streamlit as st

from services.access.policy import ROLE_LABELS
from services.core.site import SETTING_LABELS, get_settings, organizations
from services.rules.catalog import GLOSSARY, families
from ui.session import require_page
from ui.text import plain

ctx, user = require_page("glossary")
settings = get_settings(ctx.engine)

st.title("Glossary")
st.write("The words and rules the LEAD protocol and this dashboard use, in plain language.")
for term in GLOSSARY:
    cited = f" ({', '.join(term.rules)})" if term.rules else ""
    st.markdown(f"**{plain(term.term)}**  \n{plain(term.meaning + cited)}")

st.subheader("Partner organizations")
st.text("\n".join(f"{org.code}: {org.name}" for org in organizations(ctx.engine)))

st.subheader("The rules")
st.caption(
    "Each rule of the protocol: who acts, the action that closes it and, where the site sets a "
    "window or threshold, the value in force now."
)
for family, rules in families().items():
    with st.expander(family):
        for rule in rules:
            st.markdown(f"**{rule.id} · {plain(rule.title)}**  \n{plain(rule.text)}")
            lines = [
                f"Who acts: {ROLE_LABELS[rule.who_acts]}",
                f"Closing action: {rule.action}",
                *(f"{SETTING_LABELS[key]}: {getattr(settings, key)}" for key in rule.settings),
            ]
            st.text("\n".join(lines))
