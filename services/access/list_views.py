"""Audit of lists that show identifiers (SECURITY 8): one row per list shown, not one per person.

A search result, the agenda's names to review and their match candidates show LEAD ids and
names. Each list shown writes one `list.view` row whose subject names the LEAD ids in it,
compacted into ranges (`compact_ids`), and whose purpose says which list it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine

from services.access.auth import CurrentUser
from services.core import audit

LEAD_ID_TOKEN = re.compile(r"\b([A-Z]{2,5})-(\d{1,6})\b")
SUBJECT_CHARS = 120  # AuditEvent.subject
PURPOSE_CHARS = 200  # AuditEvent.purpose
OUTCOME_CHARS = 32  # AuditEvent.outcome


def lead_ids_in(texts: Iterable[str]) -> list[str]:
    """The LEAD ids written in some texts (labels, titles), once each, in order of appearance.

    >>> lead_ids_in(["BUR-0002 · Avery S. · 91%", "Casey", "BUR-0002", "KCS-17 · Blake"])
    ['BUR-0002', 'KCS-17']
    """
    found: dict[str, None] = {}
    for text in texts:
        for match in LEAD_ID_TOKEN.finditer(text or ""):
            found.setdefault(match.group(0))
    return list(found)


def compact_ids(lead_ids: Iterable[str], limit: int = SUBJECT_CHARS) -> str:
    """LEAD ids as short ranges, within `limit` characters (the rest counted, not dropped).

    >>> compact_ids(["BUR-0003", "BUR-0001", "BUR-0002", "BUR-0007", "KCS-0001"])
    'BUR-0001..0003, BUR-0007, KCS-0001'
    >>> compact_ids([f"BUR-{n:04d}" for n in range(1, 200, 2)], limit=40)
    'BUR-0001, BUR-0003, BUR-0005 +97 more'
    """
    parsed = sorted(
        {(m.group(1), int(m.group(2)), len(m.group(2))) for i in lead_ids if (m := _match(i))}
    )
    runs: list[list[tuple[str, int, int]]] = []
    for item in parsed:
        last = runs[-1][-1] if runs else None
        if last and last[0] == item[0] and last[1] + 1 == item[1] and last[2] == item[2]:
            runs[-1].append(item)
        else:
            runs.append([item])
    parts = []
    for run in runs:
        (prefix, first, width), (_, end, _) = run[0], run[-1]
        text = f"{prefix}-{first:0{width}d}"
        parts.append(text + (f"..{end:0{width}d}" if end != first else ""))
    out, used = "", 0
    for run, part in zip(runs, parts, strict=True):
        candidate = f"{out}, {part}" if out else part
        later = len(parsed) - used - len(run)
        if len(candidate) + (len(f" +{later} more") if later else 0) > limit:
            left = len(parsed) - used
            return f"{out} +{left} more" if out else f"{left} LEAD ids"
        out, used = candidate, used + len(run)
    return out


def _match(lead_id: str):
    return LEAD_ID_TOKEN.fullmatch(lead_id or "")


def record_list_view(
    engine: Engine,
    user: CurrentUser,
    *,
    what: str,
    shown: int,
    lead_ids: list[str],
    now: datetime | None = None,
) -> None:
    """One audit row for a list shown (raises AuditWriteError: then the list is not shown)."""
    audit.record(
        engine,
        actor=user.actor,
        action="list.view",
        subject=compact_ids(lead_ids) or "no LEAD ids",
        outcome=f"{shown} shown"[:OUTCOME_CHARS],
        purpose=what[:PURPOSE_CHARS],
        now=now,
    )
