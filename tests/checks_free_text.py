"""`FIGURE partner-free-text: N clinical phrases planted, 0 reached a partner unflagged`.

SECURITY 29, issue 12. On the synthetic demo, a corpus of clinical phrases (the red team's and
more: substances and street names, treatments, programs, diagnoses, medications) is planted in
every free-text field a partner reads, through the services a person would use: BPD's
submission reasons, the session's summaries, decisions and curtain texts, and action items
owned by BPD. Each save is tried first without the not-clinical confirmation; a refused save is
repeated with it (as a writer who ticks the box), so every stored text is either confirmed and
flagged, or was never flagged at all. Then every partner view and export is rendered: the
presenter (service, with and without the curtain, and the page through AppTest), the agenda and
minutes (data, the PDF's lines and the Word text), BPD's record view of the person, BPD's
Submit names action items and Today alerts (service and page). A phrase counts as reaching a
partner unflagged when its text is in any of that output and its record holds no stored
confirmation naming a vocabulary term of the phrase.
"""

from __future__ import annotations

import io
import json
from datetime import date
from functools import partial

from sqlmodel import col, select

from models import ActionItem, AgendaItem, Organization, StaffingSession, Submission, User
from services.access.auth import CurrentUser
from services.core.clock import local_today, utcnow
from services.core.db import make_engine, read_session, write_session
from services.core.errors import ValidationError
from services.core.free_text import clinical_phrases, confirmations
from services.core.site import get_settings

CORPUS = (
    "relapsed on heroin last week",
    "in detox since Monday",
    "bipolar meds stopped",
    "using meth again",
    "fentanyl overdose in March",
    "back from inpatient",
    "goes to AA on Tuesdays",
    "NA meetings at the church",
    "psych eval next week",
    "was on the psych ward",
    "started Suboxone",
    "methadone clinic every morning",
    "dope sick at the station",
    "smoking crack behind the store",
    "stopped taking Seroquel",
    "diagnosed with schizophrenia",
    "PTSD from the army",
    "Narcan given twice",
    "sober living bed opened",
    "UA came back dirty",
    "tweaking outside the library",
    "in-patient at the hospital",
    "12-step meeting at noon",
    "drinking problem again",
    "hearing voices, off her meds",
)
FIELDS = ("reason", "summary", "decisions", "curtain", "action")


def _user(engine, username: str) -> CurrentUser:
    from services.access import auth

    with read_session(engine) as session:
        row = session.exec(select(User).where(User.username == username)).one()
        code = session.get(Organization, row.organization_id).code
    session_id = auth.start_session(engine, username, token_exp=utcnow().timestamp() + 3600)
    return CurrentUser(
        row.id, row.username, row.display_name, row.role, row.organization_id, code, session_id
    )


def _save(action, **kwargs) -> bool:
    """Save as a writer would: without the confirmation first; True if it was refused then."""
    try:
        action(not_clinical=False, **kwargs)
        return False
    except ValidationError:
        action(not_clinical=True, **kwargs)
        return True


def _person(engine, bpd: CurrentUser, session_id: int, today: date) -> int:
    from services.staffing import consent_problem, pickable_participants

    with read_session(engine) as session:
        row = session.get(StaffingSession, session_id)
        for pick in pickable_participants(engine, bpd, today):
            if consent_problem(session, row, pick["id"], today) is None:
                return pick["id"]
    raise RuntimeError("no participant covered for BPD and the session")


def _plant_reasons(engine, bpd, pm, pid, session_id, today) -> tuple[list, int]:
    from services.staffing import confirm_match, submit_name

    planted, refused = [], 0
    for k, phrase in enumerate(CORPUS):
        text = f"{phrase} (reason {k})"
        refused += _save(
            lambda **kw: submit_name(engine, bpd, participant_id=pid, today=today, **kw),
            reason=text,
        )
        with read_session(engine) as session:
            sub = session.exec(select(Submission).order_by(col(Submission.id).desc())).first()
        confirm_match(engine, pm, submission_id=sub.id, participant_id=pid, today=today)
        planted.append((phrase, text, "submission", sub.id))
    return planted, refused


def _plant_items(engine, pm, pid, session_id, today) -> tuple[list, int]:
    """Summaries, decisions and curtain texts spread over the items; actions owned by BPD."""
    from services.staffing import add_action_item, save_outcome
    from services.staffing.text import set_curtain_text

    with read_session(engine) as session:
        items = list(session.exec(select(AgendaItem).where(AgendaItem.session_id == session_id)))
    planted, refused = [], 0
    person_item = next(i.id for i in items if i.participant_id == pid)
    for n, item in enumerate(items):
        mine = [(k, p) for k, p in enumerate(CORPUS) if k % len(items) == n]
        if not mine:  # a short corpus leaves items empty: an empty outcome is refused
            continue
        texts = {f: "; ".join(f"{p} ({f} {k})" for k, p in mine) for f in FIELDS[1:4]}
        version = _version(engine, item.id)  # saving the outcome makes it version + 1
        refused += _save(
            partial(save_outcome, engine, pm, item_id=item.id, expected_version=version),
            summary=texts["summary"],
            decisions=texts["decisions"],
        )
        refused += _save(
            partial(set_curtain_text, engine, pm, item_id=item.id),
            expected_version=version + 1,
            text=texts["curtain"],
        )
        for field in FIELDS[1:4]:
            kind = "curtain" if field == "curtain" else "outcome"
            planted += [(p, f"{p} ({field} {k})", kind, item.id) for k, p in mine]
    for k, phrase in enumerate(CORPUS):
        text = f"{phrase} (action {k})"
        refused += _save(
            partial(
                add_action_item,
                engine,
                pm,
                item_id=person_item,
                owner_org_code="BPD",
                due_on=today,
                today=today,
            ),
            text=text,
        )
        with read_session(engine) as session:
            latest = session.exec(select(ActionItem).order_by(col(ActionItem.id).desc())).first()
        planted.append((phrase, text, "action", latest.id))
    return planted, refused


def _version(engine, item_id: int) -> int:
    with read_session(engine) as session:
        return session.get(AgendaItem, item_id).version


def _bypass(engine, pid: int, session_id: int, today: date) -> tuple:
    """Tests only: an action item written around the services, so it holds no confirmation."""
    text = "needs a ride to the methadone clinic (bypass)"
    with write_session(engine) as session:
        item = session.exec(select(AgendaItem).where(AgendaItem.participant_id == pid)).first()
        action = ActionItem(
            agenda_item_id=item.id,
            participant_id=pid,
            text=text,
            owner_org_code="BPD",
            due_on=today,
            created_by="pm",
            at=utcnow(),
        )
        session.add(action)
        session.flush()
        return ("methadone clinic", text, "action", action.id)


def _docx_text(data: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def _service_views(engine, pm, bpd, pid, session_id, today) -> list[str]:
    from services.participants import view_record
    from services.reports.exports import _lines, render_docx
    from services.staffing import action_item_alerts, my_action_items
    from services.staffing.content import presenter_item, presenter_outline, session_document

    outputs = []
    count = presenter_outline(engine, pm, session_id=session_id, today=today)["count"]
    for index in range(count):
        for curtain in (False, True):
            item = presenter_item(
                engine, pm, session_id=session_id, index=index, today=today, curtain=curtain
            )
            outputs.append(json.dumps(item, default=str))
    for kind in ("agenda", "minutes"):
        doc = session_document(engine, pm, session_id=session_id, kind=kind, today=today)
        outputs.append(json.dumps(doc, default=str))
        outputs.append("\n".join(text for _style, text in _lines(doc)))  # the PDF's lines
        outputs.append(_docx_text(render_docx(doc)))
    view = view_record(engine, bpd, pid, today, "LEAD coordination")
    outputs.append(json.dumps([view.fields, view.sections], default=str))
    outputs.append(json.dumps(my_action_items(engine, bpd, today=today), default=str))
    outputs.append(repr(action_item_alerts(engine, bpd, today)))
    return outputs


def _pages(db_url: str, pm: CurrentUser, bpd: CurrentUser, session_id: int) -> list[str]:
    from streamlit.testing.v1 import AppTest

    from tests.checks import rendered_text
    from tests.checks_staffing import ROOT, _app_env, _presenter_pages

    texts = _presenter_pages(db_url, pm, [session_id])
    with _app_env(db_url):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["lead_session_id"] = bpd.session_id
        at.run()
        at.switch_page("pages/submit_names.py").run()
        if at.exception:
            raise RuntimeError(f"submit names failed: {at.exception}")
        texts.append(rendered_text(at))
    return texts


def partner_free_text(db_url: str, *, apptest: bool = True, bypass: bool = False) -> dict:
    from demo.seed import seed_demo
    from services.staffing import next_session_taking_names

    engine = make_engine(db_url)
    seed_demo(engine, participants=12)
    today = local_today(get_settings(engine).time_zone)
    pm, bpd = _user(engine, "pm"), _user(engine, "bpd")
    session_id = next_session_taking_names(engine, today=today)["id"]
    pid = _person(engine, bpd, session_id, today)
    reasons, refused_reasons = _plant_reasons(engine, bpd, pm, pid, session_id, today)
    others, refused_others = _plant_items(engine, pm, pid, session_id, today)
    planted = reasons + others + ([_bypass(engine, pid, session_id, today)] if bypass else [])
    outputs = _service_views(engine, pm, bpd, pid, session_id, today)
    pages = _pages(db_url, pm, bpd, session_id) if apptest else []
    outputs += pages
    with read_session(engine) as session:
        stored = {
            kind: confirmations(session, kind, [r for _p, _t, k, r in planted if k == kind])
            for kind in ("submission", "outcome", "curtain", "action")
        }
    reached, unflagged = [], []
    for phrase, text, kind, record_id in planted:
        if not any(text in out for out in outputs):
            continue
        reached.append(text)
        confirmed = stored[kind].get(record_id)
        terms = set(clinical_phrases(phrase))
        if confirmed is None or not terms or not terms & set(confirmed.phrases):
            unflagged.append(text)
    engine.dispose()
    return {
        "planted": len(planted),
        "refused_unconfirmed": refused_reasons + refused_others,
        "reached": len(reached),
        "unflagged": unflagged,
        "pages_rendered": len(pages),
    }


def figures(fresh) -> list[tuple[str, str, bool]]:
    result = partner_free_text(fresh())
    unflagged = len(result["unflagged"])
    print(
        f"  ({result['reached']} of them reached a partner view or export; "
        f"{result['refused_unconfirmed']} saves refused until confirmed; "
        f"{result['pages_rendered']} pages rendered)"
    )
    for text in result["unflagged"]:
        print(f"  unflagged: {text}")
    ok = unflagged == 0 and result["reached"] == result["planted"]
    return [
        (
            "partner-free-text",
            f"{result['planted']} clinical phrases planted, {unflagged} reached a partner "
            "unflagged",
            ok,
        )
    ]
