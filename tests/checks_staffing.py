"""Staffing figures for `make figures`, shared with tests/staffing/test_staffing_checks.py.

`FIGURE presenter-privacy: N items presented, 0 restricted fields shown`: the synthetic demo's
sessions, every participant who may be discussed placed on them (and one whose release lapsed
after placing), every restricted column in the database overwritten with a unique marker (case
notes, substance use, mental health, criminal history, contact notes, intake factors and needs,
goal wording, status and withdrawal reasons, referral offense and notes, held reasons,
preparation notes, treatment plan domains and service categories); then every item of every
session rendered through the service (with and without the privacy curtain), the agenda and
minutes (data and Word text), and the presenter page itself through AppTest, and every output
scanned for every restricted value. The reasons and action items planted name the person, and no
name may show in any item under the curtain, the standing "Open action items" included.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import col, select

from models import (
    ActionItem,
    AgendaItem,
    Contact,
    Intake,
    Participant,
    PlanGoal,
    Referral,
    Service,
    StaffingSession,
    StatusChange,
    Submission,
    User,
)
from services.access.auth import CurrentUser
from services.core.clock import local_today, utcnow
from services.core.db import make_engine, read_session, write_session
from services.core.site import get_settings
from services.staffing import consent_problem

ROOT = Path(__file__).resolve().parent.parent
MARK = "RESTRICTED"
# (model, column) pairs that must never reach the shared screen or an export.
RESTRICTED_COLUMNS = (
    (Participant, "case_notes"),
    (Participant, "substance_use"),
    (Participant, "mental_health"),
    (Participant, "criminal_history"),
    (Contact, "note"),
    (Intake, "immediate_needs_met"),
    (PlanGoal, "goal"),
    (StatusChange, "reason"),
    (Service, "withdrawal_reason"),
    (Referral, "offense"),
    (Referral, "warrant_doc_notes"),
    (Referral, "override_reason"),
    (Submission, "held_reason"),
    (AgendaItem, "prep_notes"),
)


def _pm(engine) -> CurrentUser:
    from services.access import auth

    with read_session(engine) as session:
        pm = session.exec(select(User).where(User.username == "pm")).one()
    session_id = auth.start_session(engine, "pm", token_exp=utcnow().timestamp() + 3600)
    return CurrentUser(
        pm.id, pm.username, pm.display_name, pm.role, pm.organization_id, "PDA", session_id
    )


def fill_agendas(engine, today) -> None:
    """Place everyone who may be discussed on every session, plus one person whose release does
    not cover the session (as if it lapsed after placing): the presenter must withhold them."""
    with write_session(engine) as session:
        rows = list(session.exec(select(StaffingSession).order_by(col(StaffingSession.on))))
        people = list(session.exec(select(Participant).order_by(Participant.lead_id)))
        for row in rows:
            placed = set(
                session.exec(
                    select(AgendaItem.participant_id).where(AgendaItem.session_id == row.id)
                )
            )
            lapsed = False
            position = 100
            for person in people:
                if person.id in placed:
                    continue
                allowed = consent_problem(session, row, person.id, today) is None
                if not allowed and lapsed:
                    continue
                lapsed = lapsed or not allowed
                position += 1
                session.add(
                    Submission(
                        session_id=row.id,
                        submitted_by="bpd",
                        organization_code="BPD",
                        person_name=person.legal_name,
                        participant_id=person.id,
                        reason=f"Seen near the library with {person.legal_name}",
                        status="on_agenda",
                        at=utcnow(),
                    )
                )
                item = AgendaItem(
                    session_id=row.id,
                    position=position,
                    kind="participant",
                    participant_id=person.id,
                    title=person.lead_id,
                    minutes=5,
                )
                session.add(item)
                session.flush()
                session.add(
                    ActionItem(
                        agenda_item_id=item.id,
                        participant_id=person.id,
                        text=f"Find {person.legal_name}'s sister",
                        owner_org_code="CMP",
                        due_on=today,
                        created_by="pm",
                        at=utcnow(),
                    )
                )


def mark_restricted(engine) -> list[str]:
    """Overwrite every restricted value with a unique marker; add treatment-topic goals and
    services; return every restricted value now in the database."""
    with write_session(engine) as session:
        for model, column in RESTRICTED_COLUMNS:
            for row in session.exec(select(model)):
                setattr(row, column, f"{MARK}-{model.__name__}-{column}-{row.id}")
                session.add(row)
        for intake in session.exec(select(Intake)):
            intake.factors = {"chemical_dependency": f"{MARK}-factor-{intake.id}"}
            session.add(intake)
        for person in session.exec(select(Participant)):
            session.add(
                PlanGoal(
                    participant_id=person.id,
                    domain=f"treatment {MARK}-domain-{person.id}",
                    goal=f"{MARK}-treatment-goal-{person.id}",
                    started_on=local_today("America/Los_Angeles"),
                    status_on=local_today("America/Los_Angeles"),
                )
            )
            session.add(
                Service(
                    participant_id=person.id,
                    category=f"mental health {MARK}-category-{person.id}",
                    provider="Demo clinic",
                    start_on=local_today("America/Los_Angeles"),
                    funding="existing_spare",
                    username="cm1",
                    at=utcnow(),
                )
            )
    with read_session(engine) as session:
        values = [
            str(value)
            for model, column in RESTRICTED_COLUMNS
            for value in session.exec(select(getattr(model, column)))
            if value
        ]
        values += [str(v) for f in session.exec(select(Intake.factors)) for v in f.values()]
        values += [d for d in session.exec(select(PlanGoal.domain)) if MARK in d]
        values += [c for c in session.exec(select(Service.category)) if MARK in c]
    return sorted({v for v in values if len(v) >= 6})


@contextmanager
def _app_env(db_url: str):
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "LEAD_MODE", "LEAD_COOKIE_KEY")}
    os.environ.update(DATABASE_URL=db_url, LEAD_MODE="demo", LEAD_COOKIE_KEY="x" * 48)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _docx_text(data: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def presenter_privacy(db_url: str, *, apptest: bool = True, leak: Callable | None = None) -> dict:
    """Render every item of every seeded session; count restricted values found in the output.

    `leak` (tests only) makes a leaky copy of each rendered item, scanned apart from the real
    output (`found_in_leaky_copy`), to prove the scan can fail.
    """
    from demo.seed import seed_demo
    from services.reports.exports import render_docx
    from services.staffing.content import presenter_item, presenter_outline, session_document

    engine = make_engine(db_url)
    seed_demo(engine, participants=12)
    today = local_today(get_settings(engine).time_zone)
    fill_agendas(engine, today)
    secrets = mark_restricted(engine)
    pm = _pm(engine)
    with read_session(engine) as session:
        session_ids = list(session.exec(select(StaffingSession.id).order_by(StaffingSession.on)))
    with read_session(engine) as session:
        names = sorted(set(session.exec(select(Participant.legal_name))))
    outputs: list[str] = []
    curtained: list[str] = []  # every item, standing ones included, under the privacy curtain
    leaky: list[str] = []
    items = 0
    participant_items = 0
    for session_id in session_ids:
        count = presenter_outline(engine, pm, session_id=session_id, today=today)["count"]
        for index in range(count):
            for curtain in (False, True):
                item = presenter_item(
                    engine, pm, session_id=session_id, index=index, today=today, curtain=curtain
                )
                outputs.append(json.dumps(item, default=str))
                if curtain:
                    curtained.append(outputs[-1])
                if leak:
                    leaky.append(json.dumps(leak(engine, item), default=str))
            items += 1
            participant_items += item["kind"] == "participant"
        for kind in ("agenda", "minutes"):
            doc = session_document(engine, pm, session_id=session_id, kind=kind, today=today)
            outputs.append(json.dumps(doc, default=str))
            outputs.append(_docx_text(render_docx(doc)))
    pages = _presenter_pages(db_url, pm, session_ids) if apptest else []
    outputs += pages
    engine.dispose()
    return {
        "items": items,
        "participant_items": participant_items,
        "pages_rendered": len(pages),
        "restricted_values": len(secrets),
        "found": sorted({s for s in secrets if any(s in out for out in outputs)}),
        "found_in_leaky_copy": sorted({s for s in secrets if any(s in out for out in leaky)}),
        "names": len(names),
        "names_under_curtain": sorted({n for n in names if any(n in out for out in curtained)}),
    }


def _presenter_pages(db_url: str, pm: CurrentUser, session_ids: list[int]) -> list[str]:
    """The presenter page itself, every item of every session, through AppTest."""
    from streamlit.testing.v1 import AppTest

    from tests.checks import rendered_text

    texts = []
    with _app_env(db_url):
        for session_id in session_ids:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.session_state["lead_session_id"] = pm.session_id
            at.run()
            at.switch_page("pages/presenter.py").run()
            box = next(s for s in at.selectbox if s.label == "Session")
            box.set_value(session_id).run()
            while True:
                if at.exception:
                    raise RuntimeError(f"presenter failed: {at.exception}")
                texts.append(rendered_text(at))
                following = next(b for b in at.button if b.label == "Next")
                if following.disabled:
                    break
                following.click().run()
    return texts


def figures(fresh) -> list[tuple[str, str, bool]]:
    result = presenter_privacy(fresh())
    shown = len(result["found"])
    # Every item seen through the service was also seen on the page itself.
    ok = shown == 0 and result["participant_items"] > 0 and not result["names_under_curtain"]
    ok = ok and result["pages_rendered"] == result["items"]
    print(
        f"  ({result['participant_items']} participant items; {result['pages_rendered']} pages "
        f"rendered; {result['restricted_values']} restricted values scanned for; "
        f"{len(result['names_under_curtain'])} of {result['names']} names shown under the "
        "privacy curtain, standing items included)"
    )
    for name in result["names_under_curtain"]:
        print(f"  shown under the curtain: {name}")
    for value in result["found"]:
        print(f"  shown: {value}")
    return [
        (
            "presenter-privacy",
            f"{result['items']} items presented, {shown} restricted fields shown",
            ok,
        )
    ]
