"""What the shared screen and the exports may show of an agenda item (SECURITY 2, 6, 8; C3, C4)."""

import json

import pytest
from sqlmodel import select

from models import ActionItem, AgendaItem, AuditEvent, Disclosure, Participant, Submission
from services.core import audit as audit_module
from services.core.audit import AuditWriteError
from services.core.db import read_session, write_session
from services.reports.exports import export_session, render_docx
from services.staffing.content import (
    ITEM_KEYS,
    SECTION_KEYS,
    presenter_item,
    presenter_outline,
    session_document,
)
from tests.factories import days
from tests.factories_staffing import (
    SESSION_DAY,
    TODAY,
    add_story,
    at_noon,
    covered,
    make_session,
    make_team,
)

MARK = "ZZSECRET"


@pytest.fixture
def placed(engine):
    """A session with Avery placed (two reasons), her story and restricted text everywhere.

    Built with direct inserts in few transactions (the services that do this in real life are
    tested in test_staffing.py); the SQLite suite stays fast.
    """
    team = make_team(engine)
    avery = covered(engine, "BUR-0001", "Avery", aliases=["Ave Sample"], cm=team.cm)
    add_story(engine, avery.id, team.cm.id, on=TODAY - days(2), marker=MARK)
    previous = make_session(engine, SESSION_DAY - days(14))
    session_id = make_session(engine)
    with write_session(engine) as session:
        row = session.get(Participant, avery.id)
        row.case_notes, row.substance_use = f"{MARK} case notes", f"{MARK} substance use"
        row.mental_health, row.criminal_history = f"{MARK} mental health", f"{MARK} history"
        for user, reason in ((team.bpd, "Avery sleeps at the station"), (team.kcpao, "Court date")):
            session.add(
                Submission(
                    session_id=session_id,
                    submitted_by=user.username,
                    organization_code=user.organization_code,
                    person_name="Avery Legal",
                    participant_id=avery.id,
                    reason=reason,
                    status="on_agenda",
                    at=at_noon(TODAY),
                )
            )
        items = list(session.exec(select(AgendaItem).where(AgendaItem.session_id == session_id)))
        for item in items[1:]:
            item.position += 1
            session.add(item)
        item = AgendaItem(
            session_id=session_id,
            position=2,
            kind="participant",
            participant_id=avery.id,
            title="BUR-0001",
            minutes=10,
            prep_notes=f"{MARK} prep notes",
        )
        session.add(item)
    return team, avery, session_id, 1, previous


def test_a_participant_item_holds_only_allowed_fields_and_no_restricted_value(engine, placed):
    team, avery, session_id, index, _ = placed
    item = presenter_item(
        engine, team.pm, session_id=session_id, index=index, today=TODAY, curtain=False
    )
    assert set(item) <= ITEM_KEYS
    assert all(set(s) <= SECTION_KEYS for s in item["sections"])
    dumped = json.dumps(item, default=str)
    assert MARK not in dumped
    assert "treatment" not in dumped and "mental health counseling" not in dumped
    assert (item["heading"], item["name"]) == ("BUR-0001", "Avery L.")
    sections = {s["label"]: s for s in item["sections"]}
    assert sections["Who"]["lines"] == [
        "LEAD id: BUR-0001",
        "Status: referred",
        "Case manager: Test cm1",
    ]
    assert sections["Why it is on the agenda"]["lines"] == [
        "BPD (Test bpd1, routine): Avery sleeps at the station",
        "KCPAO (Test kcpao1, routine): Court date",
    ]
    assert sections["Individual Intervention Plan: domains and progress"]["lines"] == [
        "housing: 1 achieved"
    ]
    since = next(s for s in item["sections"] if s["label"].startswith("Since the last session"))
    assert dict(since["metrics"]) == {
        "Contacts": "3",
        "Status changes": "1",
        "Goals achieved": "1",
        "Services started": "2",
        "Services withdrawn": "1",
    }
    assert since["lines"] == [
        f"Status changed to active on {TODAY - days(2)}",
        "Goal achieved: housing",
        "Service started: employment",
        "Service withdrawn: education",
    ]


def _curtained(engine, team, session_id, index):
    item = presenter_item(
        engine, team.pm, session_id=session_id, index=index, today=TODAY, curtain=True
    )
    return item, json.dumps(item, default=str)


def test_under_the_curtain_a_reason_shows_only_who_sent_it_and_how_urgent_it_is(engine, placed):
    team, _, session_id, index, _ = placed
    item, dumped = _curtained(engine, team, session_id, index)
    assert item["name"] is None
    assert "Avery" not in dumped and "Legal" not in dumped and "station" not in dumped
    why = next(s for s in item["sections"] if s["label"] == "Why it is on the agenda")
    assert why["lines"] == ["Reason given by BPD, routine", "Reason given by KCPAO, routine"]


def test_a_place_that_shares_a_word_with_the_name_is_not_rewritten_into_a_clue(engine, placed):
    """Issue 11: "Dottie Harper Park" once became "Dottie BUR-0002 Park" under the curtain."""
    team, _, session_id, index, _ = placed
    with write_session(engine) as session:
        sub = session.exec(select(Submission).where(Submission.organization_code == "BPD")).one()
        sub.reason = "Sleeps in Dottie Avery Park; Ave says hi"  # a park, and a nickname
        session.add(sub)
    _, dumped = _curtained(engine, team, session_id, index)
    assert "Park" not in dumped and "BUR-0001 Park" not in dumped and "Ave" not in dumped


def test_under_the_curtain_the_project_managers_curtain_text_replaces_the_reasons(engine, placed):
    from services.staffing.text import set_curtain_text

    team, avery, session_id, index, _ = placed
    with read_session(engine) as session:
        item = session.exec(select(AgendaItem).where(AgendaItem.participant_id == avery.id)).one()
    set_curtain_text(
        engine, team.pm, item_id=item.id, expected_version=item.version, text="Housing update"
    )
    shown, dumped = _curtained(engine, team, session_id, index)
    why = next(s for s in shown["sections"] if s["label"] == "Why it is on the agenda")
    assert why["lines"] == ["Housing update"]
    plain = presenter_item(
        engine, team.pm, session_id=session_id, index=index, today=TODAY, curtain=False
    )
    assert "Avery sleeps at the station" in json.dumps(plain)  # the room without the curtain


def test_the_open_action_items_item_hides_the_action_text_under_the_curtain(engine, placed):
    """Issue 12 item 2: the standing item showed "Find Harper Sample's sister" to the room."""
    team, avery, session_id, _, previous = placed
    with write_session(engine) as session:
        earlier = session.exec(select(AgendaItem).where(AgendaItem.session_id == previous)).first()
        session.add(
            ActionItem(
                agenda_item_id=earlier.id,
                participant_id=avery.id,
                text="Find Avery Legal's sister at the Dottie Avery Park",
                owner_org_code="CMP",
                due_on=SESSION_DAY,
                created_by="pm1",
                at=at_noon(TODAY),
            )
        )
    count = presenter_outline(engine, team.pm, session_id=session_id, today=TODAY)["count"]
    shown = [_curtained(engine, team, session_id, i) for i in range(count)]
    standing = next(
        item for item, _ in shown if item["heading"] == "Open action items from earlier sessions"
    )
    rows = standing["sections"][0]["rows"]
    assert [(r["About"], r["Action"]) for r in rows] == [
        ("BUR-0001", "free text hidden by the privacy curtain")
    ]
    assert not any("sister" in dumped or "Avery" in dumped for _, dumped in shown)


def test_each_item_shown_is_audited_with_the_sessions_purpose(engine, placed):
    team, _, session_id, index, _ = placed
    for position in range(
        presenter_outline(engine, team.pm, session_id=session_id, today=TODAY)["count"]
    ):
        presenter_item(
            engine, team.pm, session_id=session_id, index=position, today=TODAY, curtain=False
        )
    with read_session(engine) as session:
        rows = list(session.exec(select(AuditEvent).where(AuditEvent.action == "agenda.present")))
        shown = session.exec(select(AgendaItem).where(AgendaItem.session_id == session_id)).all()
    assert len(rows) == len(shown) == 6
    assert {r.purpose for r in rows} == {f"staffing session {SESSION_DAY}"}
    assert "BUR-0001" in {r.subject for r in rows}
    assert all(i.presented_at is not None for i in shown)


def test_an_item_is_not_shown_when_its_audit_row_cannot_be_written(engine, placed, monkeypatch):
    team, _, session_id, index, _ = placed

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_module, "append", fail)
    with pytest.raises(AuditWriteError):
        presenter_item(
            engine, team.pm, session_id=session_id, index=index, today=TODAY, curtain=False
        )


def test_a_release_rescinded_after_the_agenda_was_built_withholds_the_person(engine, placed):
    team, avery, session_id, index, _ = placed
    with write_session(engine) as session:
        from models import Release

        for release in session.exec(select(Release).where(Release.participant_id == avery.id)):
            release.rescinded_date = TODAY
            session.add(release)
    item = presenter_item(
        engine, team.pm, session_id=session_id, index=index, today=TODAY, curtain=False
    )
    dumped = json.dumps(item, default=str)
    assert item["withheld"] and item["heading"] == "Item withheld"
    assert "BUR-0001" not in dumped and "Avery" not in dumped and "station" not in dumped
    assert item["participant_ids"] == []


def test_the_capacity_item_gives_the_caseload_figures(engine, placed):
    team, _, session_id, _, _ = placed
    outline = presenter_outline(engine, team.pm, session_id=session_id, today=TODAY)
    items = [
        presenter_item(engine, team.pm, session_id=session_id, index=i, today=TODAY, curtain=False)
        for i in range(outline["count"])
    ]
    capacity = next(i for i in items if i["heading"] == "Program capacity")
    assert dict(capacity["sections"][0]["metrics"]) == {
        "Active participants": "0",
        "Case managers": "1",
        "Capacity (25 per case manager, M7)": "25",
        "Capacity in use": "0%",
    }


# --- Exports ------------------------------------------------------------------------------------


def test_the_agenda_export_has_the_notice_the_reasons_and_no_prep_notes(engine, placed):
    team, avery, session_id, _, _ = placed
    doc = session_document(engine, team.pm, session_id=session_id, kind="agenda", today=TODAY)
    assert MARK not in json.dumps(doc, default=str)
    assert doc["participant_ids"] == [avery.id]
    import io

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(render_docx(doc))).paragraphs)
    assert doc["notice"] in text and text.count(doc["notice"]) == 2
    assert "Avery sleeps at the station" in text and "BUR-0001 · Avery L." in text
    assert MARK not in text


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_each_export_writes_a_disclosure_per_participant_named_and_an_audit_row(
    engine, placed, fmt
):
    team, avery, session_id, _, _ = placed
    export = export_session(
        engine, team.pm, session_id=session_id, kind="minutes", fmt=fmt, today=TODAY
    )
    assert export.filename == f"lead-minutes-{SESSION_DAY}-v0.{fmt}"
    assert export.data[:4] == (b"%PDF" if fmt == "pdf" else b"PK\x03\x04")
    with read_session(engine) as session:
        disclosures = list(session.exec(select(Disclosure)))
        rows = list(session.exec(select(AuditEvent).where(AuditEvent.action == "minutes.export")))
    assert [(d.participant_id, d.purpose, d.username) for d in disclosures] == [
        (avery.id, f"staffing session {SESSION_DAY}", "pm1")
    ]
    assert disclosures[0].recipient == "Session attendees: BPD, KCPAO, PDA, CMP"
    assert rows[0].outcome == f"{fmt}, 1 named"


def test_the_minutes_carry_summaries_decisions_and_action_items(engine, placed):
    from services.staffing import add_action_item, save_outcome

    team, avery, session_id, index, _ = placed
    with read_session(engine) as session:
        item = session.exec(select(AgendaItem).where(AgendaItem.participant_id == avery.id)).one()
    save_outcome(
        engine,
        team.pm,
        item_id=item.id,
        expected_version=item.version,
        summary="Engaging weekly",
        decisions="Keep the plan",
    )
    add_action_item(
        engine,
        team.pm,
        item_id=item.id,
        text="Call the shelter",
        owner_org_code="CMP",
        due_on=SESSION_DAY,
        today=TODAY,
    )
    doc = session_document(engine, team.pm, session_id=session_id, kind="minutes", today=TODAY)
    person = doc["items"][index]
    assert (person["summary"], person["decisions"]) == ("Engaging weekly", "Keep the plan")
    assert person["actions"] == [f"Call the shelter (owner: CMP; due {SESSION_DAY})"]


def test_a_pdf_page_reads_as_text_when_poppler_is_installed(engine, placed, tmp_path):
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed (optional check)")
    team, _, session_id, _, _ = placed
    export = export_session(
        engine, team.pm, session_id=session_id, kind="agenda", fmt="pdf", today=TODAY
    )
    path = tmp_path / "agenda.pdf"
    path.write_bytes(export.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "42 CFR part 2" in text and "Avery sleeps at the station" in text
    assert MARK not in text
