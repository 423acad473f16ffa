"""Control characters in text: refused nowhere, removed everywhere (issue 12 item 10).

A vertical tab pasted from Word (`\\x0b`) or a stray `\\x01` in a reason made the agenda's Word
export fail for the whole session. Services clean text as they validate it, a flush guard cleans
every text column of new and changed rows, and the exports clean rows stored before either.
"""

import io

import pytest
from docx import Document
from sqlalchemy import text
from sqlmodel import select

from models import Participant, Submission
from services.core import audit
from services.core.audit import SYSTEM
from services.core.db import read_session, write_session
from services.core.text import strip_controls
from services.reports.exports import export_session
from services.staffing import submit_name
from tests.factories import make_participant
from tests.factories_staffing import TODAY, at_noon, make_session, make_team
from tests.staffing.test_staffing_presenter import placed  # noqa: F401  (the fixture)

DIRTY = "Avery\x0bsleeps\x01 at the\x7f station\x1b\ttonight\nsecond line"
CLEAN = "Avery\nsleeps at the station\ttonight\nsecond line"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        pytest.param(DIRTY, CLEAN, id="word-line-break-and-controls"),
        pytest.param("plain text", "plain text", id="plain-text-is-untouched"),
        pytest.param("a\r\nb\tc", "a\r\nb\tc", id="line-breaks-and-tabs-are-kept"),
        pytest.param("page\x0cbreak", "page\nbreak", id="a-form-feed-becomes-a-line-break"),
        pytest.param("é 名 \u2014 ok", "é 名 \u2014 ok", id="unicode-text-is-untouched"),
        pytest.param("\x85C1\x9f", "C1", id="c1-controls-are-removed"),
    ],
)
def test_strip_controls_removes_control_characters_and_keeps_line_breaks(raw, clean):
    assert strip_controls(raw) == clean


def test_a_reason_with_control_characters_is_saved_without_them(engine):
    team = make_team(engine)
    make_session(engine)
    submit_name(
        engine, team.bpd, person_name="Jordan\x01 Fake-Person", reason=DIRTY, today=TODAY,
        now=at_noon(TODAY),
    )  # fmt: skip
    with read_session(engine) as session:
        row = session.exec(select(Submission)).one()
    assert (row.person_name, row.reason) == ("Jordan Fake-Person", CLEAN)


def test_the_flush_guard_cleans_every_text_column_of_new_and_changed_rows(engine):
    person = make_participant(engine, "BUR-0001", name="Avery")
    with write_session(engine) as session:
        row = session.get(Participant, person.id)
        row.case_notes = DIRTY
        row.aliases = ["Ave\x01 Sample", "A.\x0bS."]
        row.preferred_name = "Ave\x01ry"  # a VARCHAR (SQLModel's AutoString), not only Text
        session.add(row)
    with read_session(engine) as session:
        row = session.get(Participant, person.id)
    assert (row.case_notes, row.aliases) == (CLEAN, ["Ave Sample", "A.\nS."])
    assert row.preferred_name == "Avery"


def test_an_audit_row_is_stored_as_hashed_so_the_chain_still_verifies(engine):
    audit.record(engine, actor=SYSTEM, action="test.control", subject="x\x01y")
    assert audit.verify(engine)[0]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_an_export_succeeds_for_a_reason_stored_with_control_characters_before_the_fix(
    engine,
    placed,  # noqa: F811
    fmt,
):
    team, _, session_id, _, _ = placed
    with write_session(engine) as session:  # a raw UPDATE: what older rows may hold
        session.exec(text("UPDATE submission SET reason = :r"), params={"r": DIRTY})
    with read_session(engine) as session:
        assert {s.reason for s in session.exec(select(Submission))} == {DIRTY}
    export = export_session(
        engine, team.pm, session_id=session_id, kind="agenda", fmt=fmt, today=TODAY
    )
    if fmt == "docx":
        body = "\n".join(p.text for p in Document(io.BytesIO(export.data)).paragraphs)
        assert "sleeps at the station\ttonight" in body
        assert not any(c in body for c in "\x0b\x01\x7f\x1b")
    else:
        assert export.data[:4] == b"%PDF"
