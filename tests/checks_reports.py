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
    from services.db import read_session

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
    """Demo + a synthetic year, and its third quarter published by the project manager."""
    import services.auth
    from services.db import make_engine
    from services.demo import seed_demo
    from services.report_back import Period, publish, published
    from tests.factories import sign_in
    from tests.factories_reports import seed_report_world

    services.auth.BCRYPT_COST = 4
    engine = make_engine(db_url)
    seed_demo(engine, participants=30)
    seed_report_world(engine)
    period = Period("quarter", date(2026, 7, 1), date(2026, 9, 30))
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
    from services.handout import handout_pdf
    from services.report_back import published

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


def figures(fresh) -> list[tuple[str, str, bool]]:
    url = fresh()
    os.environ.update(DATABASE_URL=url, LEAD_MODE="demo", LEAD_COOKIE_KEY="x" * 48)
    result = report_back_identifiers(url)
    found = len(result["found"])
    for hit in result["found"]:
        print(f"  found: {hit}")
    ok = found == 0 and result["published_figures_shown"] and len(result["outputs"]) >= 3
    return [
        (
            "report-back-identifiers",
            f"{result['scanned']} identifiers scanned, {found} found",
            ok,
        )
    ]
