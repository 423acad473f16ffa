"""Site settings (project manager): every protocol window and threshold, with its default."""

import streamlit as st

from models import SiteSettingsBase
from services.core.site import SETTING_LABELS, get_settings, update_settings
from ui.session import require_page
from ui.widgets import flash, run_action

ctx, user = require_page("site_settings")

st.title("Site settings")
st.caption("Defaults come from the Burien LEAD protocol; each field cites its rule.")
flash()
settings = get_settings(ctx.engine)
fields = SiteSettingsBase.model_fields

with st.form("site_settings"):
    changes = {}
    for name in fields:
        label = SETTING_LABELS[name]
        value = getattr(settings, name)
        if isinstance(value, int):
            changes[name] = st.number_input(label, value=value, step=1, key=f"setting_{name}")
        elif name == "redisclosure_notice":
            changes[name] = st.text_area(label, value=value, key=f"setting_{name}")
        else:
            changes[name] = st.text_input(label, value=value, key=f"setting_{name}")
    if st.form_submit_button("Save settings", type="primary") and run_action(
        lambda: update_settings(
            ctx.engine, actor=user.actor, expected_version=settings.version, changes=changes
        ),
        success="Site settings saved.",
    ):
        st.rerun()
