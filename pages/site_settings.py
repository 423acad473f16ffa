"""Site settings (project manager): every protocol window and threshold, with its history.

A change that moves open deadlines lists them and is saved only once confirmed (docs/settings.md).
"""

import streamlit as st

from models import SiteSettingsBase
from services.core.errors import StaleEditError, ValidationError
from services.core.site import SETTING_LABELS, get_settings, history_rows
from services.today.settings_changes import MovesNeedConfirmation, save_settings
from ui.session import require_page
from ui.text import plain
from ui.widgets import flash, set_flash, table

ctx, user = require_page("site_settings")

PENDING = "site_settings_pending"  # the changes waiting for confirmation, with their moves

st.title("Site settings")
st.caption("Defaults come from the LEAD protocol; each field cites its rule.")
flash()
settings = get_settings(ctx.engine)
fields = SiteSettingsBase.model_fields


def attempt(changes: dict, version: int, confirmed: list | None = None) -> None:
    """Save; when open deadlines would move, keep the changes pending with the list."""
    st.session_state.pop(PENDING, None)
    try:
        save_settings(
            ctx.engine,
            actor=user.actor,
            expected_version=version,
            changes=changes,
            confirmed_moves=confirmed,
        )
    except MovesNeedConfirmation as exc:
        st.session_state[PENDING] = {"changes": changes, "version": version, "moves": exc.moves}
        if confirmed is not None:  # the list changed since it was shown: show the new one
            st.rerun()
        return
    except (ValidationError, StaleEditError) as exc:
        st.error(plain(str(exc)), icon=":material/error:")
        return
    set_flash("Site settings saved.")
    st.rerun()


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
    if st.form_submit_button("Save settings", type="primary"):
        attempt(changes, settings.version)

pending = st.session_state.get(PENDING)
if pending:
    count = len(pending["moves"])
    st.warning(
        f"Not saved yet: the new windows move {count} open deadline{'s' * (count != 1)}. "
        "Confirm to save, or cancel to keep the settings as they are.",
        icon=":material/warning:",
    )
    table(pending["moves"], key="site_settings_moves")
    confirm, cancel = st.columns(2)
    if confirm.button("Confirm and save", type="primary"):
        attempt(pending["changes"], pending["version"], pending["moves"])
    if cancel.button("Cancel"):
        st.session_state.pop(PENDING, None)
        st.rerun()

st.subheader("History")
st.caption(
    "Every saved change: the day it took effect, what changed (old → new), who saved it, when."
)
table(history_rows(ctx.engine), key="site_settings_history", empty="No change saved yet.")
