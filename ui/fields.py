"""The one date field every form uses: what the screen shows is what is saved (SECURITY 33).

Streamlit's `st.date_input` keeps its previous value when the typed date is outside
`min_value`/`max_value` (default: the value -/+ 10 years): the field turns red, the server is
never told, and a form then saves a date nobody chose. So every date field here takes any date
from EARLIEST to LATEST, and the service refuses a date outside the field's own rule with a
message ("Date: it cannot be in the future.").
"""

from __future__ import annotations

from datetime import date

import streamlit as st

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


def date_field(
    label: str,
    value: date | None = None,
    *,
    key: str | None = None,
    container=None,
    help: str | None = None,
) -> date | None:
    """A date the person may set to anything from 1900 to 2100; the service checks its range.

    `value=None` starts empty (the bounds stay wide even then). `container` is a column or other
    container to draw it in (default: the current one).
    """
    where = container if container is not None else st
    return where.date_input(
        label,
        value=value,
        min_value=EARLIEST,
        max_value=LATEST,
        key=key,
        help=help,
    )
