"""Reading published figures back: cells as text, tables and the plain-language summary.

PROTOCOL M6: written only from the shown figures; SECURITY 22: a hidden count reads
'fewer than 11' only where it can be nothing else, otherwise 'not shown'.
"""

from __future__ import annotations

from services.reports.report_back.figures import SINGLE_LABELS
from services.rules.suppression import TOTAL_KEY


def cell_text(figures: dict, key: str, cell: str) -> str:
    """A cell as words: '27', 'fewer than 11' (certainly small) or 'not shown'."""
    row = figures["rows"][key]
    value = row["cells"][cell]
    if value is not None:
        return f"${value:,}" if key == "spend_by_category" else f"{value:,}"
    if cell in row["small_keys"]:
        return f"fewer than {figures['threshold']}"
    return "not shown"


def table_rows(figures: dict, key: str) -> list[dict]:
    """One figure row as a table: every cell (hidden ones in words) and its share of the total.

    Shares are computed only between shown cells and a shown total.
    """
    row = figures["rows"][key]
    cells = row["cells"]
    total = cells.get(TOTAL_KEY)
    out = []
    for cell, value in cells.items():
        line = {
            row["label_header"]: "All" if cell == TOTAL_KEY else cell,
            row["unit"]: cell_text(figures, key, cell),
        }
        if key == "services_by_category":
            line["Spend"] = cell_text(figures, "spend_by_category", cell)
        if TOTAL_KEY in cells and key != "spend_by_category":
            share = value is not None and total
            line["Share"] = f"{round(100 * value / total)}%" if share else ""
        out.append(line)
    return out


def _number(figures: dict, key: str, cell: str) -> int | None:
    return figures["rows"][key]["cells"][cell]


def _quantity(text: str, one: str, many: str) -> str:
    """'27 people', '1 person', 'no people', 'fewer than 11 people' or a not-shown phrase."""
    if text == "0":
        return f"no {many}"
    if text == "1":
        return f"1 {one}"
    if text == "not shown":
        return f"a number of {many} (not shown, to protect privacy)"
    return f"{text} {many}"


REFERRAL_PHRASES = {
    "Arrest diversion": "by arrest diversion",
    "Social contact referral": "as social contact referrals",
    "Department of Corrections referral": "by the Department of Corrections",
}


def summary(figures: dict) -> list[str]:
    """Plain-language sentences written only from the shown figures.

    e.g. 'Between July and September 2026, 27 people were referred to LEAD: 16 by arrest
    diversion and 11 as social contact referrals.' A hidden count reads 'fewer than 11' only
    where it can be nothing else; otherwise 'not shown'.
    """
    t = figures["threshold"]
    sentences = [
        _referred_sentence(figures),
        _taking_part_sentence(figures),
        _intakes_sentence(figures),
        *_outcome_sentences(figures),
        _contacts_sentence(figures),
        f"To protect privacy, numbers from 1 to {t - 1} are not shown, nor any number from "
        "which one of them could be worked out; no names, dates or places are given.",
    ]
    return [s[0].upper() + s[1:] for s in sentences]


def _referred_sentence(figures: dict) -> str:
    """How many were referred and, when the total is shown, by which kind of referral."""
    by_type = figures["rows"]["referrals_by_type"]["cells"]
    referred = _quantity(cell_text(figures, "referrals_by_type", TOTAL_KEY), "person", "people")
    verb = "was" if referred == "1 person" else "were"
    parts = [
        f"{value:,} {REFERRAL_PHRASES[cell]}"
        for cell, value in by_type.items()
        if cell != TOTAL_KEY and value
    ]
    detail = f": {_join(parts)}" if parts and by_type[TOTAL_KEY] is not None else ""
    if detail and any(v is None for k, v in by_type.items() if k != TOTAL_KEY):
        detail += " (the other numbers are not shown, to protect privacy)"
    return f"{figures['span']}, {referred} {verb} referred to LEAD{detail}."


def _taking_part_sentence(figures: dict) -> str:
    derived = figures["derived"]
    active = _number(figures, "active", SINGLE_LABELS["active"])
    if active is None:
        return "The number of people taking part is not shown, to protect privacy."
    sentence = f"{_quantity(f'{active:,}', 'person', 'people')} took part in LEAD"
    if derived["plan_share_percent"] is not None:
        sentence += (
            f"; {_number(figures, 'plan', 'With a plan'):,} of them "
            f"({derived['plan_share_percent']}%) had an Individual Intervention Plan (IIP)"
        )
    return sentence + "."


def _intakes_sentence(figures: dict) -> str:
    derived = figures["derived"]
    intakes = _quantity(
        cell_text(figures, "intakes", SINGLE_LABELS["intakes"]),
        "in-depth intake",
        "in-depth intakes",
    )
    if derived["median_intake_days"] is not None:
        return (
            f"{intakes} were completed; half of them within "
            f"{_days(derived['median_intake_days'])} of the referral (the median)."
        )
    if _number(figures, "intakes", SINGLE_LABELS["intakes"]) in (0, 1):
        return f"{intakes} {'was' if intakes.startswith('1 ') else 'were'} completed."
    return f"{intakes} were completed, too few to give a typical waiting time."


def _outcome_sentences(figures: dict) -> list[str]:
    """Goals achieved, moves into housing, and services arranged (with their spend)."""
    goals = _quantity(cell_text(figures, "goals_by_domain", TOTAL_KEY), "goal", "goals")
    housed = _quantity(
        cell_text(figures, "housing_gained", SINGLE_LABELS["housing_gained"]), "person", "people"
    )
    services = _quantity(
        cell_text(figures, "services_by_category", TOTAL_KEY), "service", "services"
    )
    sentence = f"LEAD arranged {services}"
    if _number(figures, "spend_by_category", TOTAL_KEY):
        sentence += f", costing {cell_text(figures, 'spend_by_category', TOTAL_KEY)} in all"
    return [
        f"Participants achieved {goals} of their plans.",
        f"{housed} moved into housing.",
        sentence + ".",
    ]


def _contacts_sentence(figures: dict) -> str:
    derived = figures["derived"]
    contacts = _quantity(
        cell_text(figures, "contacts", SINGLE_LABELS["contacts"]), "contact", "contacts"
    )
    sentence = f"Case managers had {contacts} with participants"
    if derived["contacts_per_person_month"] is not None:
        rate = derived["contacts_per_person_month"]
        sentence += f", about {rate:g} a month for each person taking part"
    return sentence + "."


def _days(value: float) -> str:
    return "1 day" if value == 1 else f"{value:g} days"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
