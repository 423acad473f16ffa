"""What every section and form of one participant's record shares: the record, the versions
the user saw, the form round (a saved form comes back empty) and the date of today."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import streamlit as st

from services.access.auth import CurrentUser
from services.participants import SECTION_LABELS, RecordView
from ui.fields import date_field
from ui.widgets import run_edit, table

RESET = ["rec_", "recv_"]  # the record's widget keys and remembered versions


@dataclass
class RecordPage:
    ctx: object  # the page context (its `engine`)
    user: CurrentUser
    participant_id: int
    record: RecordView
    today: date
    version: int  # the participant's version as the user saw it (SECURITY 25)
    goal_versions: dict[int, int]
    round: int  # in every form key: a saved form comes back empty

    @property
    def engine(self):
        return self.ctx.engine

    @property
    def casework(self) -> bool:
        return "casework" in self.record.edits

    def key(self, name: str) -> str:
        return f"{name}_{self.round}"

    def date_box(self, label: str, key: str) -> date | None:
        """A date starting on today, keyed for this form round."""
        return date_field(label, self.today, key=self.key(key))

    def save(self, action: Callable[[], object], success: str) -> None:
        run_edit(action, success=success, reset_keys=RESET)

    def show_fields(self, labels: list[str] | None = None) -> None:
        for label, value in self.record.fields.items():
            if labels is None or label in labels:
                left, right = st.columns([1, 2])
                left.markdown(f"**{label}**")
                right.text(value or "—")

    def section(self, key: str, empty: str) -> None:
        if key in self.record.sections:
            st.subheader(SECTION_LABELS[key])
            rows = [
                {k: v for k, v in r.items() if not k.startswith("_")}
                for r in self.record.sections[key]
            ]
            table(rows, key=f"rec_table_{key}", empty=empty)
