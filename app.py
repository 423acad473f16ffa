"""The router: page config, sign-in, the role's navigation, run the page."""

import streamlit as st

from ui.session import context, demo_banner, navigation, sidebar, sign_in
from ui.style import touch_targets

st.set_page_config(page_title="LEAD dashboard", page_icon=":material/diversity_3:", layout="wide")
touch_targets()
ctx = context()
demo_banner(ctx)
user = sign_in(ctx)
page = navigation(user)
sidebar(ctx, user)
page.run()
