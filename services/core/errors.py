"""Errors the pages turn into clear messages."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as ModelError
from sqlalchemy.orm import Session, object_session

from models import SiteSettings
from services.core.clock import local_time_text

M = TypeVar("M", bound=BaseModel)


class ValidationError(ValueError):
    """Input refused; the message says which field and why, in plain words.

    It may carry several messages, one per field, so a form lists every problem at once:
    `ValidationError("Reason: required.", "Date of birth: it cannot be in the future.")`.
    """

    def __init__(self, *messages: str) -> None:
        self.messages = [m for m in messages if m] or ["The input was refused."]
        super().__init__("\n\n".join(self.messages))


class Problems:
    """Collects every problem of a form so it is refused once, listing them all.

    >>> problems = Problems()
    >>> problems.add("Reason: required.")
    >>> problems.messages
    ['Reason: required.']
    """

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def check(self, check, *args, **kwargs):
        """`check(*args, **kwargs)`, or None with its messages kept when it refuses."""
        try:
            return check(*args, **kwargs)
        except ValidationError as exc:
            self.messages.extend(exc.messages)
            return None

    def refuse_if_any(self) -> None:
        if self.messages:
            raise ValidationError(*self.messages)


def validated(model: type[M], data: dict, **context) -> M:
    """`data` checked by a create model (e.g. ReleaseCreate), or ValidationError listing every
    field's own message. Its validators raise ValueError with the message the user reads;
    `context` passes what they need besides the data (e.g. today)."""
    try:
        return model.model_validate(data, context=context)
    except ModelError as exc:
        raise ValidationError(*[_message(error) for error in exc.errors()]) from None


def _message(error: dict) -> str:
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, ValidationError):
        return "\n\n".join(cause.messages)
    if isinstance(cause, ValueError):
        return str(cause)
    field = " ".join(str(part) for part in error["loc"]).replace("_", " ").capitalize()
    return f"{field}: {error['msg'].lower()}." if field else f"{error['msg']}."


PLURAL_FIELDS = {"notes", "decisions", "aliases"}


def too_long(label: str, value: str, limit: int) -> str | None:
    """The message for a text longer than its field allows, or None (SECURITY 33: say so).

    >>> too_long("Reason", "x" * 5000, 300)
    'The reason is 5,000 characters long; at most 300.'
    """
    if len(value) <= limit:
        return None
    noun = label if label[1:2].isupper() else label[:1].lower() + label[1:]
    verb = "are" if noun.split()[-1] in PLURAL_FIELDS else "is"  # "the notes are"
    return f"The {noun} {verb} {len(value):,} characters long; at most {limit:,}."


class StaleEditError(RuntimeError):
    """Optimistic locking: the record changed since the form was read (SECURITY 25).

    The time is told in the site's zone (its settings); without one, in UTC.
    """

    def __init__(self, changed_by: str | None, changed_at, time_zone: str | None = None) -> None:
        when = local_time_text(changed_at, time_zone or "UTC") if changed_at else "unknown time"
        super().__init__(
            f"Not saved: this record was changed by {changed_by or 'someone else'} at {when}. "
            "Reload to see their change, then make yours again."
        )
        self.changed_by = changed_by
        self.changed_at = changed_at

    @classmethod
    def for_row(cls, row) -> StaleEditError:
        """The error for a stored row, its time in the zone of the site the row's session
        reads (issue 13: no hard-coded zone)."""
        return cls(
            getattr(row, "updated_by", None), getattr(row, "updated_at", None), site_zone(row)
        )


def site_zone(row_or_session) -> str | None:
    """The site's time zone, read through a session or the one a row belongs to (None when
    the row is detached)."""
    if isinstance(row_or_session, Session):
        session = row_or_session
    else:
        session = object_session(row_or_session) if row_or_session is not None else None
    settings = session.get(SiteSettings, 1) if session is not None else None
    return settings.time_zone if settings is not None else None
