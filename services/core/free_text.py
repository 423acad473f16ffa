"""Free text that partners read: likely clinical wording and who will read it (SECURITY 29).

Police, prosecutors and corrections read submission reasons, session summaries and decisions,
action items and curtain texts. Treatment information stays with the clinical team (42 CFR
Part 2; PROTOCOL C4), so text with words from the maintained vocabulary
(data/clinical_vocabulary.txt) is saved only after its writer confirms it is not clinical
information; the confirmation is stored (`ClinicalConfirmation`) and audited, and the project
manager sees every flag before finalizing an agenda or the minutes.

The rules here are pure; the services that save text call `require_confirmation` before the
write and `record_confirmation` inside it.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session, col, select

from models import ClinicalConfirmation
from services.access.auth import CurrentUser
from services.core import audit
from services.core.errors import ValidationError

VOCABULARY_FILE = Path(__file__).resolve().parents[2] / "data" / "clinical_vocabulary.txt"
CONFIRM_LABEL = "This is not clinical information (no substance use, treatment or diagnosis)"
# Where each kind of text is typed, for the project manager's list of flags.
KIND_LABELS = {
    "submission": "Reason sent",
    "outcome": "Summary or decisions",
    "action": "Action item",
    "curtain": "Curtain text",
}


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, str]:
    """Each term of the vocabulary file, lower-cased, with its category.

    >>> vocabulary()["heroin"], vocabulary()["aa"]
    ('substance', 'treatment')
    """
    terms: dict[str, str] = {}
    category = ""
    for raw in VOCABULARY_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip().casefold()
        if line.startswith("[") and line.endswith("]"):
            category = line[1:-1]
        elif line:
            terms.setdefault(line, category)
    return terms


def _term_pattern(term: str) -> str:
    words = [re.escape(w) for w in re.split(r"[\s-]+", term) if w]
    # Word boundaries that also hold beside a non-word end such as "e&t" or "od'd".
    return r"(?<![\w])" + r"[\s-]+".join(words) + r"(?:s|es)?(?![\w])"


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern]]:
    return [(term, re.compile(_term_pattern(term), re.IGNORECASE)) for term in vocabulary()]


def clinical_phrases(text: str) -> list[str]:
    """The vocabulary terms found in text, in the order they first appear.

    >>> clinical_phrases("Relapsed on heroin, in DETOX; goes to AA meetings")
    ['relapsed', 'heroin', 'detox', 'aa']
    >>> clinical_phrases("Sleeps at Dottie Harper Park; housing voucher found")
    []
    """
    if not text:
        return []
    found: list[tuple[int, int, str]] = []
    for term, pattern in _patterns():
        match = pattern.search(text)
        if match:
            found.append((match.start(), -len(term), term))
    found.sort()
    kept: list[str] = []
    spans: list[tuple[int, int]] = []
    for start, neg_len, term in found:
        end = start - neg_len
        if any(s <= start < e for s, e in spans):  # "crack" inside "crack cocaine": keep one
            continue
        spans.append((start, end))
        kept.append(term)
    return kept


def phrases_in(fields: dict[str, str]) -> dict[str, list[str]]:
    """The flagged terms per field label, for the fields that have any."""
    return {label: found for label, text in fields.items() if (found := clinical_phrases(text))}


def require_confirmation(fields: dict[str, str], confirmed: bool) -> list[str]:
    """The flagged terms of all fields; refuses them unless the writer confirmed (SECURITY 29).

    >>> require_confirmation({"Reason": "Seen at the park"}, False)
    []
    """
    flagged = phrases_in(fields)
    if flagged and not confirmed:
        where = "; ".join(f"{label} mentions {', '.join(w)}" for label, w in flagged.items())
        raise ValidationError(
            f"{where}. This looks like clinical information, which police, prosecutors and "
            "corrections must not receive (42 CFR Part 2). Rewrite it, or tick "
            f'"{CONFIRM_LABEL}" to save it as it is.'
        )
    return sorted({w for words in flagged.values() for w in words})


def record_confirmation(
    session: Session,
    user: CurrentUser,
    *,
    kind: str,
    record_id: int,
    session_id: int | None,
    phrases: list[str],
    subject: str,
    now: datetime,
) -> None:
    """Store who confirmed flagged text as not clinical, and when; audit it without the text
    (SECURITY 10)."""
    if not phrases:
        return
    session.add(
        ClinicalConfirmation(
            record_kind=kind,
            record_id=record_id,
            session_id=session_id,
            phrases=phrases,
            confirmed_by=user.username,
            at=now,
        )
    )
    audit.append(
        session,
        actor=user.actor,
        action="free_text.confirm_not_clinical",
        subject=subject,
        outcome=f"{len(phrases)} flagged word(s) confirmed",
        purpose=f"{KIND_LABELS.get(kind, kind)} {record_id}",
        now=now,
    )


def confirmations(session: Session, kind: str, record_ids) -> dict[int, ClinicalConfirmation]:
    """The latest confirmation per record of one kind."""
    ids = sorted({i for i in record_ids if i is not None})
    latest: dict[int, ClinicalConfirmation] = {}
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(ClinicalConfirmation)
            .where(
                ClinicalConfirmation.record_kind == kind,
                col(ClinicalConfirmation.record_id).in_(ids[start : start + 500]),
            )
            .order_by(col(ClinicalConfirmation.at), col(ClinicalConfirmation.id))
        )
        latest.update({row.record_id: row for row in rows})
    return latest


def readers_text(org_names: dict[str, str], codes: list[str], extra: str = "") -> str:
    """Who will read a field, as plain text for beside it.

    >>> readers_text({"BPD": "Burien Police Department"}, ["BPD"], "the owner's organization")
    "Who reads this: the project manager; Burien Police Department (BPD); the owner's organization."
    """
    parts = ["the project manager"]
    parts += [f"{org_names[c]} ({c})" if org_names.get(c) else c for c in codes]
    if extra:
        parts.append(extra)
    return "Who reads this: " + "; ".join(parts) + "."
