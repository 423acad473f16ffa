"""AppTest, issue 11 on a phone: Today as cards, the record's heading, a search row in one tap.

The layout itself (no sideways scroll, 44 px targets, the sidebar closing) is checked in a real
browser at 390x844: tests/stories/test_browser_phone.py.
"""

from sqlmodel import select

from models import Contact, Participant
from services.core.clock import local_today
from services.core.db import read_session, write_session
from services.participants import search
from services.today import open_alerts
from tests.factories import sign_in
from tests.support import open_app as signed_in
from tests.support import open_record
from ui.text import plain

TODAY = local_today("America/Los_Angeles")  # the demo is seeded relative to the real day
PAYLOAD = "**Avery** :red[x] $x^2$ [l](http://e.x) www.e.x :material/home:"


def person(engine, participant_id: int) -> Participant:
    with read_session(engine) as session:
        return session.get(Participant, participant_id)


def test_the_record_heading_names_the_preferred_name_and_lead_id(demo):
    p = person(demo, 1)
    at = open_record(demo, "cm2", 1)
    assert [t.value for t in at.title] == [plain(f"{p.preferred_name} · {p.lead_id}")]
    assert "Participant record" in [c.value for c in at.caption]


def test_a_partner_sees_in_the_heading_only_what_the_policy_lets_them_see(demo):
    bpd = sign_in(demo, "bpd")
    shared = search(demo, bpd, "", TODAY)[0]  # a participant with an active release for BPD
    p = person(demo, shared["id"])
    at = open_record(demo, "bpd", shared["id"])
    [heading] = [t.value for t in at.title]
    assert heading == plain(f"{p.preferred_name} · {p.lead_id}")
    assert p.legal_name not in heading or p.legal_name == p.preferred_name


def test_a_denied_viewer_sees_no_name_in_the_heading(demo):
    shared = {row["id"] for row in search(demo, sign_in(demo, "doc"), "", TODAY)}
    hidden = next(pid for pid in range(1, 13) if pid not in shared)
    at = open_record(demo, "doc", hidden)
    assert "You do not have access" in " ".join(e.value for e in at.error)
    assert [t.value for t in at.title] == ["Participant record"]
    assert person(demo, hidden).lead_id not in " ".join(c.value for c in at.caption)


def test_a_stored_name_reaches_the_record_heading_as_plain_text_not_markdown(demo):
    with write_session(demo) as session:
        session.get(Participant, 1).preferred_name = PAYLOAD
    at = open_record(demo, "cm2", 1)
    [heading] = [t.value for t in at.title]
    assert heading == plain(f"{PAYLOAD} · {person(demo, 1).lead_id}")
    for markup in ("**Avery**", ":red[", "$x^2$", "[l](", "www.", ":material/"):
        assert markup not in heading, markup  # each one escaped or broken, so shown as typed


def test_a_search_result_row_opens_the_record_in_one_tap(demo):
    at = signed_in(demo, "cm1", "pages/participants.py")
    at.text_input[0].input("BUR-0002").run()
    [row] = [b for b in at.button if b.key.startswith("participants_open_")]
    row.click().run()  # the one tap: no choosing in a list first
    assert not at.exception
    assert at.session_state["participant_id"] == int(row.key.removeprefix("participants_open_"))
    assert plain("BUR-0002") in at.title[0].value


def test_a_search_result_row_shows_a_stored_name_as_plain_text(demo):
    with write_session(demo) as session:
        session.get(Participant, 2).preferred_name = PAYLOAD
    at = signed_in(demo, "cm1", "pages/participants.py")
    at.text_input[0].input("BUR-0002").run()
    [row] = [b for b in at.button if b.key.startswith("participants_open_")]
    assert plain(PAYLOAD) in row.label


def test_today_lists_each_deadline_as_a_card_who_and_what_first(demo):
    cm1 = sign_in(demo, "cm1")
    alerts = open_alerts(demo, cm1, TODAY)
    at = signed_in(demo, "cm1", "pages/today.py")
    assert not at.exception
    assert not at.dataframe or "Rule" not in at.dataframe[0].value  # no wide table by default
    firsts = [m.value for m in at.markdown if " · " in m.value and m.value.startswith("**")]
    assert firsts[0] == f"**{plain(alerts[0].subject)}** · {plain(alerts[0].action)}"
    assert alerts[0].due.isoformat() in " ".join(c.value for c in at.caption)
    counts = [m.value for m in at.markdown if "overdue" in m.value and "later" in m.value]
    assert len(counts) == 1  # the counts on one line, not four metrics
    assert not at.metric


def test_a_cards_action_opens_its_form_and_saves_for_that_deadline(demo):
    nc = [a for a in open_alerts(demo, sign_in(demo, "cm1"), TODAY) if a.rule == "NC"][0]
    at = signed_in(demo, "cm1", "pages/today.py")
    index = [
        i
        for i, m in enumerate(
            m.value for m in at.markdown if m.value.startswith("**") and " · " in m.value
        )
        if m == f"**{plain(nc.subject)}** · {plain(nc.action)}"
    ][0]
    at.button(key=f"today_cards_do_{index}").click().run()
    assert not at.exception
    assert at.selectbox(key="today_close_choice").value.startswith(f"{nc.subject} · NC ·")
    assert f"**Log a contact with {nc.subject}**" in [m.value for m in at.markdown]
    assert "Its forms are open in its card above." in [c.value for c in at.caption]
    [b for b in at.button if b.label == "Log contact"][0].click().run()
    assert not at.exception
    with read_session(demo) as session:
        contact = session.exec(
            select(Contact)
            .where(Contact.participant_id == nc.participant_id)
            .order_by(Contact.id.desc())
        ).first()
    assert (contact.on, contact.kind) == (TODAY, "field")
