"""The contract's import path for small-cell suppression: `services.reports.suppress`.

CONTRACTS.md promises this name to callers outside the app, so it stays here. The rules
themselves (SECURITY 22) live in `services.rules.suppression`; this module only re-exports them.
"""

from services.rules.suppression import (
    DEFAULT_THRESHOLD,
    TOTAL_KEY,
    suppress,
    suppress_against,
    suppress_with_previous,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "TOTAL_KEY",
    "suppress",
    "suppress_against",
    "suppress_with_previous",
]
