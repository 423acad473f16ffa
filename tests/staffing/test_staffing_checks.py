"""The presenter-privacy check finds nothing on the real presenter and finds a planted leak."""

from sqlmodel import select

from models import Participant
from services.core.db import read_session
from tests.checks_staffing import presenter_privacy


def test_no_restricted_value_reaches_the_presenter_or_the_exports_and_a_leak_is_caught(db_url):
    def leak(engine, item):
        with read_session(engine) as session:
            notes = [p.case_notes for p in session.exec(select(Participant).limit(1))]
        return {**item, "sections": [*item["sections"], {"lines": notes}]}

    result = presenter_privacy(db_url, apptest=False, leak=leak)
    assert result["found"] == []
    assert result["names_under_curtain"] == [] and result["names"] > 0
    assert result["participant_items"] > 0 and result["restricted_values"] > 50
    assert len(result["found_in_leaky_copy"]) == 1
    assert "case_notes" in result["found_in_leaky_copy"][0]
