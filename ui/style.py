"""Constant stylesheets: 44 px touch targets on phones (issue 8, WCAG 2.5.5) and the
presenter's room mode (issue 11); one constant script: a tap on a sidebar link closes the
sidebar on a phone (issue 11).

The only raw HTML the app renders, and it is this module's constants: never anything a user typed
(tests/test_architecture.py holds every other file to plain text).
"""

from __future__ import annotations

import streamlit as st

TOUCH_CSS = """
@media (pointer: coarse), (max-width: 640px) {
  [data-testid="stMain"] button,
  [data-testid="stMain"] [role="combobox"],
  [data-testid="stMain"] [data-baseweb="input"],
  [data-testid="stMain"] [data-baseweb="select"] > div,
  [data-testid="stMain"] textarea,
  [data-testid="stSidebar"] a,
  [data-testid="stSidebar"] button,
  [data-testid="stExpandSidebarButton"],
  [data-testid="stMainMenu"] button {
    min-height: 44px;
    min-width: 44px;
  }
  [data-testid="stMain"] input:not([type="checkbox"]):not([type="radio"]) { min-height: 44px; }
}
/* Today's four counts keep to one line of a 390 px phone (ui.cards.severity_counts). */
.st-key-today_counts p { font-size: min(1rem, 4vw); }
"""


# Streamlit 1.67 closes its own sidebar menu after a tap on a narrow screen, but not for the
# st.page_link links the app draws instead (ui.session.navigation): the sidebar stayed over the
# page just opened. Below its mobile breakpoint (768 px) a tap on one presses "Collapse sidebar".
CLOSE_SIDEBAR_JS = """
if (!window.leadSidebarCloses) {
  window.leadSidebarCloses = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-testid='stPageLink-NavLink']");
    const phone = window.matchMedia("(max-width: 768px)").matches;
    if (!link || !phone || !link.closest("[data-testid='stSidebar']")) return;
    const close = document.querySelector("[data-testid='stSidebarCollapseButton'] button");
    if (close) close.click();
  }, true);
}
"""


def close_sidebar_on_navigation() -> None:
    """Draw the script (in the sidebar: no space in the page; runs once per browser tab)."""
    st.sidebar.html(f"<script>{CLOSE_SIDEBAR_JS}</script>", unsafe_allow_javascript=True)


def touch_targets() -> None:
    """Draw the stylesheet (no visible element)."""
    st.html(f"<style>{TOUCH_CSS}</style>")


# The presenter's room mode at 1920x1080: no sidebar, no header, no demo banner; 32 px body text.
ROOM_CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"],
.st-key-lead_demo_banner { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1rem 2.5rem 0 2.5rem; max-width: 100%; }
[data-testid="stMain"] [data-testid="stText"],
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stWidgetLabel"] p,
[data-testid="stMain"] button p { font-size: 32px; line-height: 1.3; }
[data-testid="stMain"] button [data-testid="stIconMaterial"] { font-size: 32px; }
[data-testid="stMain"] h1 { font-size: 52px; padding: 0.2rem 0; }
"""


def room_style() -> None:
    """Draw the room mode's stylesheet (no visible element)."""
    st.html(f"<style>{ROOM_CSS}</style>")
