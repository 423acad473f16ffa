"""The contract's import path for the deadline rules: `services.deadlines.alerts_for`.

CONTRACTS.md promises this name to callers outside the app, so it stays here. The rules
themselves (PROTOCOL T4, T5, T6/C3, S6) live in `services.rules.deadlines`; this module only
re-exports them.
"""

from services.rules.deadlines import (
    DATE_KEYS,
    DEFAULT_INTAKE_DAYS,
    PROSECUTOR_NOTICE_DAYS,
    SOCIAL_CONTACT_APPROVAL_MONTHS,
    alerts_for,
    open_obligations,
)

__all__ = [
    "DATE_KEYS",
    "DEFAULT_INTAKE_DAYS",
    "PROSECUTOR_NOTICE_DAYS",
    "SOCIAL_CONTACT_APPROVAL_MONTHS",
    "alerts_for",
    "open_obligations",
]
