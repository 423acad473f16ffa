"""Checks of the public report-back, shared by tests and `make figures` (SECURITY 23).

`figures(fresh)` seeds a fresh database with the synthetic demo and a synthetic year of
casework, publishes a quarter as the project manager, renders the Report-back page (AppTest)
as a community representative and as the project manager, builds the printable handout (with
its charts rendered server-side), and scans all of it for every identifier in the database:
participant names (legal, preferred, aliases), LEAD ids, dates of birth, every exact date
stored about a participant (in the usual written forms) and every place typed in (referral
places, community meetings and concerns: small geographies).
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from sqlmodel import select

ROOT = Path(__file__).resolve().parent.parent
MONTHS = (
    "January February March April May June July August September October November December"
).split()
_STRING = re.compile(rb"\((?:\\.|[^\\)])*\)\s*Tj")


def pdf_text(data: bytes) -> str:
    """The text an uncompressed fpdf2 PDF shows (its `(...) Tj` strings), one per line."""
    parts = []
    for match in _STRING.finditer(data):
        raw = match.group(0)[1 : match.group(0).rindex(b")")]
        parts.append(re.sub(rb"\\(.)", rb"\1", raw).decode("latin-1"))
    return "\n".join(parts)


def date_forms(day: date) -> list[str]:
    """How an exact date could be written: 2026-07-03, 07/03/2026, 7/3/2026, July 3, 2026,
    3 July 2026."""
    month = MONTHS[day.month - 1]
    return [
        day.isoformat(),
        f"{day.month:02d}/{day.day:02d}/{day.year}",
        f"{day.month}/{day.day}/{day.year}",
        f"{month} {day.day}, {day.year}",
        f"{day.day} {month} {day.year}",
    ]


def identifiers(engine) -> list[str]:
    """Every identifier in the database a public report must never show (deduplicated)."""
    from models import (
        CommunityConcern,
        CommunityMeeting,
        Contact,
        HousingChange,
        Participant,
        PlanGoal,
        Referral,
        Release,
        Service,
        StatusChange,
    )
    from services.core.db import read_session

    values: set[str] = set()
    days: set[date] = set()
    with read_session(engine) as session:
        for p in session.exec(select(Participant)):
            values |= {p.lead_id, p.legal_name, p.preferred_name, *p.aliases}
            if p.date_of_birth:
                days.add(p.date_of_birth)
        for r in session.exec(select(Referral)):
            values.add(r.place)
            days |= {
                getattr(r, name)
                for name in (
                    "referral_date",
                    "initial_screening_date",
                    "intake_completed_date",
                    "intake_extended_to",
                    "prosecutor_notified_date",
                    "social_contact_approved_date",
                    "closed_date",
                    "last_violation_date",
                )
            }
        for model, names in (
            (StatusChange, ("on",)),
            (HousingChange, ("on",)),
            (Contact, ("on",)),
            (Service, ("start_on", "end_on")),
            (PlanGoal, ("started_on", "status_on")),
            (Release, ("signed_date", "expires_date", "rescinded_date")),
        ):
            for row in session.exec(select(*[getattr(model, n) for n in names])):
                days |= set(row) if len(names) > 1 else {row}
        for meeting in session.exec(select(CommunityMeeting)):
            values.add(meeting.place)
            days.add(meeting.on)
        for concern in session.exec(select(CommunityConcern)):
            values.add(concern.area)
    for day in days - {None}:
        values |= set(date_forms(day))
    return sorted(v for v in values if v and v.strip())


def found_in(text: str, secrets: list[str]) -> list[str]:
    """The identifiers present in text: whole words for single names (so 'Sage' does not match
    'usage'), anywhere for everything else."""
    hits = []
    for secret in secrets:
        if re.fullmatch(r"[A-Za-z]+", secret):
            if re.search(rf"\b{re.escape(secret)}\b", text):
                hits.append(secret)
        elif secret in text:
            hits.append(secret)
    return hits


def seeded_and_published(db_url: str):
    """Demo + a synthetic year, and its third quarter published by the project manager; plus
    the red team's quarter (every service category small, 11 services), published too."""
    import services.access.auth
    from demo.seed import seed_demo
    from services.core.db import make_engine
    from services.reports.report_back import Period, publish, published
    from tests.factories import sign_in
    from tests.factories_reports import (
        SMALL_SERVICES_QUARTER,
        plant_small_service_quarter,
        seed_report_world,
    )

    services.access.auth.BCRYPT_COST = 4
    engine = make_engine(db_url)
    seed_demo(engine, participants=30)
    seed_report_world(engine)
    plant_small_service_quarter(engine)
    for period in (
        Period("quarter", date(2026, 7, 1), date(2026, 9, 30)),
        Period("quarter", *SMALL_SERVICES_QUARTER),
    ):
        if period.label not in [s["label"] for s in published(engine)]:  # the demo's may be it
            publish(engine, sign_in(engine, "pm"), period, today=period.end + timedelta(days=1))
    return engine


def rendered_report_pages(engine) -> dict[str, str]:
    """The Report-back page as a community representative and as the project manager."""
    from streamlit.testing.v1 import AppTest

    from tests.checks import rendered_text
    from tests.factories import sign_in

    texts = {}
    for username in ("community", "pm"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["lead_session_id"] = sign_in(engine, username).session_id
        at.run()
        at.switch_page("pages/report_back.py").run()
        if at.exception:
            raise RuntimeError(f"report-back as {username}: {at.exception}")
        texts[username] = rendered_text(at)
    return texts


def handout_texts(engine) -> dict[str, str]:
    """Every published handout's text (charts rendered for real; compression off to read it)."""
    from services.reports.handout import handout_pdf
    from services.reports.report_back import published

    return {
        f"handout {s['label']}": pdf_text(
            handout_pdf(
                s["figures"], site_name="Burien LEAD", published=s["published"], compress=False
            )
        )
        for s in published(engine)
    }


def report_back_identifiers(db_url: str) -> dict:
    """Scan the rendered page (both roles) and every handout for every identifier."""
    engine = seeded_and_published(db_url)
    secrets = identifiers(engine)
    outputs = rendered_report_pages(engine) | handout_texts(engine)
    found = {name: found_in(text, secrets) for name, text in outputs.items()}
    engine.dispose()
    return {
        "scanned": len(secrets),
        "found": sorted({hit for hits in found.values() for hit in hits}),
        "outputs": sorted(outputs),
        "published_figures_shown": all("how lead is going" in t.lower() for t in outputs.values()),
    }


# --- Derived figures: every sum and difference of what a snapshot publishes (SECURITY 30) ---------

# The published derived figures and the cells each is made of.
DERIVED_INPUTS = {
    "median_intake_days": (("intakes", "In-depth intakes completed"),),
    "plan_share_percent": (("plan", "With a plan"), ("plan", "total")),
    "contacts_per_person_month": (
        ("contacts", "Contacts with participants"),
        ("active", "People taking part"),
    ),
}
MONEY_ROW = "spend_by_category"


def _facts(figures: dict) -> tuple[dict, list[tuple[dict, int]]]:
    """What an onlooker holds about one snapshot: known cells and linear facts.

    Atoms are ("count" | "money", row key, cell). Facts are (coefficients, value): a shown total
    is the sum of its row; rows about the same people (or services) have equal totals; a
    category with no services cost nothing.
    """
    from services.reports import TOTAL_KEY
    from services.reports.report_back import ROWS

    rows, known, facts, atoms_of = figures["rows"], {}, [], {}
    for key, row in rows.items():
        kind = "money" if key == MONEY_ROW else "count"
        atoms_of[key] = [(kind, key, cell) for cell in row["cells"] if cell != TOTAL_KEY]
        for atom in atoms_of[key]:
            if row["cells"][atom[2]] is not None:
                known[atom] = row["cells"][atom[2]]
        if row["cells"].get(TOTAL_KEY) is not None:
            facts.append((dict.fromkeys(atoms_of[key], 1), row["cells"][TOTAL_KEY]))
    population = {spec.key: spec.population for spec in ROWS if spec.population}
    first: dict[str, str] = {}
    for key in rows:
        if population.get(key) is None:
            continue
        if population[key] not in first:
            first[population[key]] = key
            continue
        coefficients = dict.fromkeys(atoms_of[key], 1)
        for atom in atoms_of[first[population[key]]]:
            coefficients[atom] = coefficients.get(atom, 0) - 1
        facts.append((coefficients, 0))
    for cell, value in rows["services_by_category"]["cells"].items():
        if value == 0 and cell != TOTAL_KEY:
            known.setdefault(("money", MONEY_ROW, cell), 0)
    return known, facts


def _reduced(facts: list[tuple[dict, int]], known: dict) -> list[tuple[dict, Fraction]]:
    """The facts with every known cell filled in: linear facts about hidden cells only."""
    reduced = []
    for coefficients, value in facts:
        left = {a: c for a, c in coefficients.items() if c and a not in known}
        rest = value - sum(c * known[a] for a, c in coefficients.items() if a in known)
        if left:
            reduced.append((left, Fraction(rest)))
    return reduced


def _echelon(facts: list[tuple[dict, Fraction]], order: list) -> list[tuple[dict, Fraction]]:
    """Reduced row echelon form (exact fractions) with columns in `order`.

    Every sum and difference of the facts is a combination of these rows; with the count
    columns first, a row whose pivot is a money column holds money only.
    """
    rows = [(dict(c), Fraction(v)) for c, v in facts]
    basis: list[tuple[dict, Fraction]] = []
    for column in order:
        pivot = next((r for r in rows if r[0].get(column)), None)
        if pivot is None:
            continue
        rows.remove(pivot)
        scale = pivot[0][column]
        pivot = ({a: Fraction(c, 1) / scale for a, c in pivot[0].items()}, pivot[1] / scale)

        def eliminate(row, pivot=pivot, column=column):
            factor = row[0].get(column, 0)
            if not factor:
                return row
            merged = dict(row[0])
            for atom, c in pivot[0].items():
                merged[atom] = merged.get(atom, 0) - factor * c
            return ({a: c for a, c in merged.items() if c}, row[1] - factor * pivot[1])

        rows = [eliminate(r) for r in rows]
        basis = [eliminate(b) for b in basis] + [pivot]
    return basis


def _name(atom) -> str:
    return f"{atom[1]}[{atom[2]}]"


def derived_reveals(figures: dict, truth: dict | None = None) -> dict:
    """Try every sum and difference of what one snapshot publishes against its hidden cells.

    A reveal is: a hidden cell worked out exactly (isolated); a sum of hidden cells that pins
    each to 1 (the contract's onlooker knows each is at least 1); any sum of hidden money
    (what the hidden categories cost: with unit prices the split often follows); or a derived
    figure published while a cell it is made of is hidden. Exact linear algebra stands in for
    enumerating the combinations: a combination of hidden cells follows from the published
    numbers exactly when it lies in the span of the facts, so none is missed and a number that
    equals a hidden cell by coincidence is not taken for a reveal.

    `truth` (atom -> real value, e.g. from `truth_of`) checks the model itself: every fact must
    hold on the real values (money within rounding to whole dollars).
    Returns {"published": n, "hidden": n, "reveals": [str]}.
    """
    known, facts = _facts(figures)
    if truth is not None:
        for coefficients, value in facts:
            real = sum(c * truth[a] for a, c in coefficients.items())
            slack = len(coefficients) if any(a[0] == "money" for a in coefficients) else 0
            if abs(real - value) > slack:
                raise AssertionError(f"model fact does not hold: {coefficients} = {value}")
    cells = [
        (key, cell, value)
        for key, row in figures["rows"].items()
        for cell, value in row["cells"].items()
    ]
    hidden = [("money" if k == MONEY_ROW else "count", k, c) for k, c, v in cells if v is None]
    order = sorted((a for a in hidden if a not in known), key=lambda a: a[0] == "money")
    reduced = _reduced(facts, known)
    reveals = []
    for coefficients, value in reduced:
        if set(coefficients.values()) == {1} and value == len(coefficients):
            reveals.append(f"each of {sorted(map(_name, coefficients))} must be 1")
    for coefficients, value in _echelon(reduced, order):
        if len(coefficients) == 1:
            ((atom, c),) = coefficients.items()
            reveals.append(f"{_name(atom)} = {value / c} is worked out")
        elif all(a[0] == "money" for a in coefficients):
            reveals.append(f"hidden spend {sorted(map(_name, coefficients))} sums to {value}")
    rows = figures["rows"]
    for name, inputs in DERIVED_INPUTS.items():
        if figures["derived"].get(name) is not None and any(
            rows[key]["cells"][cell] is None for key, cell in inputs
        ):
            reveals.append(f"{name} is published although a cell it is made of is hidden")
    published = sum(v is not None for _k, _c, v in cells) + sum(
        v is not None for v in figures["derived"].values()
    )
    return {"published": published, "hidden": len(hidden), "reveals": reveals}


def stock_differences(snapshots: list[dict]) -> list[str]:
    """Differences of one stock row's cell between two snapshots from 1 to threshold-1.

    Totals of rows about the people taking part count as one figure with the active count.
    """
    from services.reports import TOTAL_KEY
    from services.reports.report_back import ROWS, SINGLE_LABELS

    def values(figures: dict) -> dict:
        out = {}
        for spec in ROWS:
            row = figures["rows"].get(spec.key)
            if not spec.cumulative or row is None:
                continue
            for cell, value in row["cells"].items():
                same = cell == TOTAL_KEY or cell == SINGLE_LABELS["active"]
                out.setdefault(("active people",) if same else (spec.key, cell), set()).add(value)
        return out

    found = []
    for index, one in enumerate(snapshots):
        for other in snapshots[index + 1 :]:
            threshold = min(one["threshold"], other["threshold"])
            mine, theirs = values(one), values(other)
            for key in mine.keys() & theirs.keys():
                for a in mine[key] - {None}:
                    for b in theirs[key] - {None}:
                        if 1 <= abs(a - b) < threshold:
                            found.append(f"{one['label']} - {other['label']}: {key} {a} vs {b}")
    return found


def truth_of(figures: dict, raw: dict) -> dict:
    """The real value of every cell of a snapshot, from the period's raw counts."""
    from services.reports import TOTAL_KEY
    from services.reports.report_back import SINGLE_LABELS

    truth = {}
    for key, row in figures["rows"].items():
        for cell in row["cells"]:
            if key == MONEY_ROW:
                truth[("money", key, cell)] = raw["spend_cents_by_category"].get(cell, 0) / 100
            elif cell in SINGLE_LABELS.values():
                truth[("count", key, cell)] = raw[key]
            elif cell == TOTAL_KEY:
                truth[("count", key, cell)] = sum(raw[key].values())
            else:
                truth[("count", key, cell)] = raw[key].get(cell, 0)
    return truth


def report_back_derived(engine) -> dict:
    """Every published snapshot: sums and differences within it, differences between them."""
    from models import ReportSnapshot
    from services.core.db import read_session
    from services.reports.report_back import Period, load_activity, raw_counts

    results, snapshots = [], []
    with read_session(engine) as session:
        for row in session.exec(select(ReportSnapshot).order_by(ReportSnapshot.period_start)):
            figures = row.figures
            period = Period(figures["kind"], row.period_start, row.period_end)
            raw = raw_counts(load_activity(session, period.start, period.end), period)
            truth = truth_of(figures, raw)
            # Data entered after publication (the demo's own snapshot) no longer fits the
            # frozen figures: check such a snapshot without checking the model against it.
            fits = all(
                figures["rows"][key]["cells"][cell] in (None, value)
                for (kind, key, cell), value in truth.items()
                if kind == "count"
            )
            result = derived_reveals(figures, truth if fits else None)
            results.append({"label": row.label, "model_checked": fits, **result})
            snapshots.append(figures)
    return {
        "snapshots": len(results),
        "published": sum(r["published"] for r in results),
        "hidden": sum(r["hidden"] for r in results),
        "model_checked": sum(r["model_checked"] for r in results),
        "reveals": [f"{r['label']}: {line}" for r in results for line in r["reveals"]]
        + stock_differences(snapshots),
    }


def figures(fresh) -> list[tuple[str, str, bool]]:
    url = fresh()
    os.environ.update(DATABASE_URL=url, LEAD_MODE="demo", LEAD_COOKIE_KEY="x" * 48)
    result = report_back_identifiers(url)
    found = len(result["found"])
    for hit in result["found"]:
        print(f"  found: {hit}")
    ok = found == 0 and result["published_figures_shown"] and len(result["outputs"]) >= 3
    from services.core.db import make_engine

    engine = make_engine(url)
    derived = report_back_derived(engine)
    engine.dispose()
    for line in derived["reveals"]:
        print(f"  reveals: {line}")
    revealed = len(derived["reveals"])
    return [
        (
            "report-back-identifiers",
            f"{result['scanned']} identifiers scanned, {found} found",
            ok,
        ),
        (
            "report-back-derived",
            f"{derived['published']} published numbers in {derived['snapshots']} snapshots "
            f"({derived['hidden']} hidden), every sum and difference tried, {revealed} reveal "
            "a hidden cell",
            revealed == 0 and derived["snapshots"] >= 2,
        ),
    ]
