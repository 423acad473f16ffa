"""The contract's import path for the eligibility screen: `services.eligibility.screen`.

CONTRACTS.md promises this name to callers outside the app (an acceptance suite, other sites'
tools), so it stays here. The rules themselves (PROTOCOL B1-B14, S1-S4) live in
`services.rules.eligibility`; this module only re-exports them.
"""

from services.rules.eligibility import (
    disqualifying_convictions,
    screen,
    violations_too_old,
)

__all__ = ["disqualifying_convictions", "screen", "violations_too_old"]
