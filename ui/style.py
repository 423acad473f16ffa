"""One constant stylesheet: 44 px touch targets on phones (issue 8, WCAG 2.5.5).

The only raw HTML the app renders, and it is this module's constant: never anything a user typed
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
"""


def touch_targets() -> None:
    """Draw the stylesheet (no visible element)."""
    st.html(f"<style>{TOUCH_CSS}</style>")
