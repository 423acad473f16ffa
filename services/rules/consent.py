"""The consent gate (PROTOCOL T6, C1-C4): release state, participant or not, and what is missing.

Pure: plain dicts and dates in, plain values out; `today` is passed in. A release is a dict with
signed_date, expires_date, rescinded_date, covered_org_codes and optionally
treatment_information. Every page and service that asks "may partners see this person?" or "is
this person a participant?" asks here, so the answer agrees with Today's C3 alert
(`services.deadlines.open_obligations`).

The T6/C3 decision, in one place: a person is a participant once the intake is complete and the
FIRST general release was signed no later than the intake's completion, and not every release has
since been rescinded (a new release after a rescission restores consent, C3). A release signed
after the intake does not make a participant: Today keeps its C3 alert, and partners see nothing
(`release_state` says "pending") until the intake is recorded again on or after the release's
signed date (`completion_after_redo`) or the referral is closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CONSENT_STATES = ("none", "pending", "active", "expired", "rescinded")


def release_status(release: dict, today: date) -> str:
    """One release's own state today, whoever asks: pending, active, expired or rescinded.

    >>> r = {"signed_date": date(2026, 1, 1), "expires_date": date(2026, 12, 31),
    ...      "rescinded_date": None}
    >>> release_status(r, date(2026, 12, 31)), release_status(r, date(2027, 1, 1))
    ('active', 'expired')
    """
    if release["rescinded_date"] and release["rescinded_date"] <= today:
        return "rescinded"
    if release["signed_date"] > today:
        return "pending"
    if release["expires_date"] and release["expires_date"] < today:
        return "expired"
    return "active"


def general(releases: list[dict]) -> list[dict]:
    """The releases of information proper: a treatment release (C4) never opens a partner view."""
    return [r for r in releases if not r.get("treatment_information")]


def release_state(releases: list[dict], org_code: str, today: date) -> str:
    """The consent state of one person for one organization (PROTOCOL C1, C3, C4, T6).

    An active release wins over everything else, then pending, expired, rescinded; none without
    a release covering the organization. When the releases carry the person's intake completion
    ("intake_completed", as `services.participants.casework.general_releases` gives them), a
    release signed after the intake is only "pending": the person is not a participant (T6), so
    partners see
    nothing and staffing sessions do not discuss them, exactly while Today shows the C3 alert.

    >>> r = {"signed_date": date(2026, 3, 5), "expires_date": None, "rescinded_date": None,
    ...      "covered_org_codes": ["BPD"]}
    >>> release_state([r], "BPD", date(2026, 4, 1)), release_state([r], "KCSO", date(2026, 4, 1))
    ('active', 'none')
    >>> release_state([r | {"intake_completed": date(2026, 3, 1)}], "BPD", date(2026, 4, 1))
    'pending'
    """
    rows = general(releases)
    states = {release_status(r, today) for r in rows if org_code in r["covered_org_codes"]}
    for state in ("active", "pending", "expired", "rescinded"):
        if state in states:
            if state == "active" and _late(rows, today):
                return "pending"
            return state
    return "none"


def _late(rows: list[dict], today: date) -> bool:
    intake = next((r["intake_completed"] for r in rows if r.get("intake_completed")), None)
    late = gap(intake, rows, today)
    return late is not None and late.missing == "release by the intake"


@dataclass(frozen=True, slots=True)
class Gap:
    """What keeps a person with a completed intake from being a participant, and since when."""

    missing: str  # "release" | "release by the intake" | "unrescinded release"
    since: date
    signed: date | None = None  # the first release's signed date, when there is one


def gap(intake_completed: date | None, releases: list[dict], today: date) -> Gap | None:
    """PROTOCOL T6, C3: the consent gap of a completed intake (None: no gap, or no intake yet).

    Mirrors the C3 alert exactly: the first general release counts, and consent is lost only
    once every general release is rescinded.

    >>> r = {"signed_date": date(2026, 3, 5), "expires_date": None, "rescinded_date": None,
    ...      "covered_org_codes": ["BPD"]}
    >>> gap(date(2026, 3, 1), [r], date(2026, 4, 1)).missing
    'release by the intake'
    >>> gap(date(2026, 3, 5), [r], date(2026, 4, 1)) is None
    True
    """
    rows = [r for r in general(releases) if r["signed_date"] <= today]
    rescinded = [r["rescinded_date"] for r in rows if r["rescinded_date"]]
    if rows and len(rescinded) == len(rows) and max(rescinded) <= today:
        return Gap("unrescinded release", max(rescinded), min(r["signed_date"] for r in rows))
    if intake_completed is None:
        return None
    if not rows:
        return Gap("release", intake_completed)
    signed = min(r["signed_date"] for r in rows)
    if signed > intake_completed:
        return Gap("release by the intake", intake_completed, signed)
    return None


def c3_inputs(
    first_signed: date | None, last_rescinded: date | None, unrescinded: int
) -> tuple[date | None, date | None]:
    """The release dates the C3 alert reads (roi_signed_date, roi_rescinded_date), from the
    general releases' aggregates: the first release signed is what the intake needed; consent
    is lost only when every release signed has been rescinded (PROTOCOL T6, C3).

    >>> c3_inputs(date(2026, 1, 5), date(2026, 2, 1), 1)
    (datetime.date(2026, 1, 5), None)
    >>> c3_inputs(date(2026, 1, 5), date(2026, 2, 1), 0)[1]
    datetime.date(2026, 2, 1)
    """
    rescinded = last_rescinded if first_signed is not None and not unrescinded else None
    return first_signed, rescinded


def is_participant(intake_completed: date | None, releases: list[dict], today: date) -> bool:
    """PROTOCOL T6: intake complete, a release signed no later than it, not all rescinded."""
    return (
        intake_completed is not None
        and any(r["signed_date"] <= today for r in general(releases))
        and gap(intake_completed, releases, today) is None
    )


def completion_after_redo(
    completed: date | None, releases: list[dict], on: date, today: date
) -> date | None:
    """The referral's intake completion once an intake is recorded on `on` (PROTOCOL T4, T6).

    The first intake completes the referral. A later intake moves the completion only when it
    closes a T6 gap: the release came after the earlier completion and `on` is on or after it.
    """
    if completed is None:
        return on
    late = gap(completed, releases, today)
    if late is not None and late.missing == "release by the intake" and on >= late.signed:
        return on
    return completed
