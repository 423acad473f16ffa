"""Errors the pages turn into clear messages."""

from __future__ import annotations

from services.clock import local_time_text


class ValidationError(ValueError):
    """Input refused; the message says which field and why, in plain words."""


class StaleEditError(RuntimeError):
    """Optimistic locking: the record changed since the form was read (SECURITY 25)."""

    def __init__(self, changed_by: str | None, changed_at) -> None:
        when = local_time_text(changed_at, "America/Los_Angeles") if changed_at else "unknown time"
        super().__init__(
            f"Not saved: this record was changed by {changed_by or 'someone else'} at {when}. "
            "Reload to see their change, then make yours again."
        )
        self.changed_by = changed_by
        self.changed_at = changed_at

    @classmethod
    def for_row(cls, row) -> StaleEditError:
        return cls(getattr(row, "updated_by", None), getattr(row, "updated_at", None))
