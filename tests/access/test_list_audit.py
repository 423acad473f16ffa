"""Lists that show identifiers are audited as views: one row per list shown (SECURITY 8).

A partner's Participants list and the Agenda's names and match candidates showed LEAD ids and
names without any audit row (issue 12 item 12).
"""

from sqlmodel import col, select

from models import AuditEvent, Submission
from services.access.list_views import record_list_view
from services.core.db import read_session, write_session
from tests.factories import sign_in
from tests.factories_staffing import at_noon
from tests.staffing.test_staffing_pages import open_page, site  # noqa: F401  (the fixture)


def list_views(engine) -> list[AuditEvent]:
    with read_session(engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.action == "list.view")
                .order_by(col(AuditEvent.id))
            )
        )


def test_a_list_view_is_one_audit_row_naming_the_lead_ids_shown(engine):
    from models import Role
    from tests.factories import make_user

    make_user(engine, "bpd9", Role.law_enforcement)
    ids = [f"BUR-{n:04d}" for n in (1, 2, 3, 9)]
    record_list_view(engine, sign_in(engine, "bpd9"), what="Participants list", shown=4,
                     lead_ids=ids)  # fmt: skip
    [row] = list_views(engine)
    assert (row.username, row.subject, row.outcome, row.purpose) == (
        "bpd9",
        "BUR-0001..0003, BUR-0009",
        "4 shown",
        "Participants list",
    )


def test_a_partners_participants_list_is_audited_once_not_on_every_rerun(
    site,  # noqa: F811
):
    engine, _team, _avery, _casey, _session_id, _today = site
    at = open_page(engine, "bpd1", "pages/participants.py")
    at.run()
    at.run()
    rows = list_views(engine)
    assert [(r.username, r.subject, r.outcome) for r in rows] == [("bpd1", "BUR-0001", "1 shown")]
    assert "BUR-0002" not in rows[0].subject  # Casey has no release: not listed, not audited
    at.text_input[0].input("nobody at all").run()  # nothing shown: nothing to audit
    at.text_input[0].input("Avery").run()
    assert len(list_views(engine)) == 1  # the same list as before


def test_the_agendas_names_and_match_candidates_are_audited_once(site):  # noqa: F811
    engine, _team, _avery, _casey, session_id, today = site
    with write_session(engine) as session:
        session.add(
            Submission(
                session_id=session_id,
                submitted_by="bpd1",
                organization_code="BPD",
                person_name="Avery Legal",
                reason="Seen at the station",
                at=at_noon(today),
            )
        )
    at = open_page(engine, "pm1", "pages/agenda.py")
    at.run()
    names = [r for r in list_views(engine) if "names to review" in r.purpose]
    assert [(r.username, r.outcome) for r in names] == [("pm1", "1 shown")]
    assert "BUR-0001" in names[0].subject
    before = len(list_views(engine))
    at.run()
    assert len(list_views(engine)) == before
