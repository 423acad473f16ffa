"""AppTest: every page for every role and for no one (SECURITY 3), and page behaviour."""

import ast
from pathlib import Path

from services.access.policy import PAGES
from tests.checks import page_guard, rendered_text
from tests.factories import sign_in
from tests.support import app_test
from tests.support import open_app as signed_in

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_is_guarded_for_every_role_and_for_no_one(app_env):
    result = page_guard(app_env)
    assert result["errors"] == []
    assert result["exposed"] == []
    assert (result["pages"], result["roles"]) == (len(PAGES), 8)


def test_every_page_file_starts_with_the_guard():
    """The first statement after the imports calls require_page with the page's own key."""
    files = sorted((ROOT / "pages").glob("*.py"))
    assert {f"pages/{f.name}" for f in files} == {p.path for p in PAGES}
    for path in files:
        tree = ast.parse(path.read_text())
        body = [
            node
            for node in tree.body
            if not isinstance(node, ast.Import | ast.ImportFrom)
            and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        ]
        first = body[0]
        call = first.value if isinstance(first, ast.Assign | ast.Expr) else None
        assert isinstance(call, ast.Call), f"{path.name}: first statement is not a call"
        assert getattr(call.func, "id", None) == "require_page", path.name
        assert call.args[0].value == path.stem, f"{path.name}: guards a different page key"


def test_signed_out_visitor_sees_the_sign_in_form_and_the_demo_banner(app_env):
    at = app_test().run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "DEMO" in at.warning[0].value


def test_an_unmigrated_database_shows_the_command_to_run(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    at = app_test().run()
    assert "make migrate" in at.error[0].value
    assert not at.text_input  # no sign-in form on a database that is not ready


def test_today_lists_the_case_managers_alerts_most_urgent_first(demo):
    at = signed_in(demo, "cm1", "pages/today.py")
    assert not at.exception
    at.toggle(key="today_as_table").set_value(True).run()  # cards first; the table on request
    table = at.dataframe[0].value
    assert list(table["Due"]) == sorted(table["Due"])
    assert {"T4", "T5"} <= set(table["Rule"])  # the demo has open arrest referrals


def test_participants_page_searches_and_opens_a_record(demo):
    at = signed_in(demo, "cm1", "pages/participants.py")
    at.text_input[0].input("BUR-0002").run()
    at.toggle(key="participants_as_table").set_value(True).run()
    assert list(at.dataframe[0].value["LEAD id"]) == ["BUR-0002"]
    [b for b in at.button if b.key.startswith("participants_open_")][0].click().run()
    assert not at.exception
    assert "BUR-0002" in rendered_text(at)
    assert "Case notes" in rendered_text(at)


def test_user_text_is_rendered_as_plain_text(demo):
    from models import Participant
    from services.core.db import write_session

    payload = "<script>alert(1)</script> [x](javascript:alert(1)) ![](http://host/p.png)"
    with write_session(demo) as session:
        session.get(Participant, 1).case_notes = payload
    at = signed_in(demo, "cm2")
    at.session_state["participant_id"] = 1
    at.switch_page("pages/participant.py").run()
    texts = [t.value for t in at.text]
    assert payload in texts  # shown verbatim, through st.text
    assert all(payload not in m.value for m in at.markdown)


def test_a_partner_without_a_release_is_told_no_and_sees_no_identifiers(demo):
    at = signed_in(demo, "community")
    assert "Glossary" in [p for p in rendered_text(at).split("\n") if "Glossary" in p][0]
    at = signed_in(demo, "doc")
    at.session_state["participant_id"] = 1
    at.switch_page("pages/participant.py").run()
    text = rendered_text(at)
    if "You do not have access" in text:
        assert "BUR-0001" not in text


def test_project_manager_creates_a_user_and_sees_a_confirmation(demo):
    at = signed_in(demo, "pm", "pages/users.py")
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["Username"].input("cm.new")
    form_inputs["Display name"].input("New Demo Casework")
    form_inputs["First password (at least 10 characters)"].input("a long first password")
    at.selectbox(key=None) if False else None
    role_box = [s for s in at.selectbox if s.label == "Role"][0]
    role_box.select("case_manager")
    org_box = [s for s in at.selectbox if s.label == "Organization"][0]
    org_box.select("CMP")
    [b for b in at.button if b.label == "Create user"][0].click().run()
    assert not at.exception
    assert "Created user cm.new." in [s.value for s in at.success]
    assert "cm.new" in list(at.dataframe[0].value["username"])


def test_settings_page_saves_and_confirms(demo):
    at = signed_in(demo, "pm", "pages/site_settings.py")
    box = [
        n
        for n in at.number_input
        if "no contact" in n.label.lower() or "without contact" in n.label.lower()
    ][0]
    box.set_value(21)
    [b for b in at.button if b.label == "Save settings"][0].click().run()
    assert not at.exception
    assert "Site settings saved." in [s.value for s in at.success]


def test_the_settings_page_refuses_an_unknown_zone_or_empty_notice_with_a_message(demo):
    from services.core.site import get_settings

    before = get_settings(demo)
    at = signed_in(demo, "pm", "pages/site_settings.py")
    for zone, notice, message in (
        ("Nowhere/Atlantis", before.redisclosure_notice, "Time zone: not a zone"),
        (before.time_zone, "", "Redisclosure notice:"),
    ):
        [t for t in at.text_input if t.label.startswith("Time zone")][0].input(zone)
        [t for t in at.text_area if "Redisclosure notice" in t.label][0].input(notice)
        [b for b in at.button if b.label == "Save settings"][0].click().run()
        assert not at.exception
        assert [e.value for e in at.error if e.value.startswith(message)]
        assert "Site settings saved." not in [s.value for s in at.success]
    after = get_settings(demo)
    assert (after.version, after.redisclosure_notice, after.time_zone) == (
        before.version,
        before.redisclosure_notice,
        before.time_zone,
    )


def test_audit_log_page_shows_rows_and_verifies_the_chain(demo):
    at = signed_in(demo, "pm", "pages/audit_log.py")
    assert "demo.seed" in list(at.dataframe[0].value["action"])
    [b for b in at.button if b.label == "Verify the audit chain"][0].click().run()
    assert at.success[0].value.startswith("Intact:")


def test_the_session_is_checked_once_per_run_and_again_on_the_next(demo, monkeypatch):
    """The page guard reuses the router's check of this run; a session ended between runs is
    refused on the next one (SECURITY 4, 14)."""
    import services.access.auth as auth

    calls = []
    real_resume = auth.resume
    monkeypatch.setattr(auth, "resume", lambda *a, **k: calls.append(1) or real_resume(*a, **k))
    at = signed_in(demo, "cm1", "pages/participants.py")
    calls.clear()
    at.run()
    assert len(calls) == 1
    assert not at.exception and at.title[-1].value == "Participants"

    auth.end_session(demo, at.session_state["lead_session_id"], reason="revoked by an admin")
    at.run()
    assert "Participants" not in [t.value for t in at.title]
    assert "Sign in" in rendered_text(at)


def test_in_production_the_session_cookie_is_set_secure_and_same_site_strict(demo, monkeypatch):
    """Issue 12 item 14: set from JavaScript it cannot be HttpOnly, but it can be Secure."""
    import secrets

    import ui.session
    from services.core import audit

    monkeypatch.setenv("LEAD_AUDIT_KEY", audit._key().decode())  # the chain's own key
    monkeypatch.setenv("LEAD_MODE", "production")
    monkeypatch.setenv("LEAD_COOKIE_KEY", secrets.token_urlsafe(48))
    written = []

    class CookieManager:
        def set(self, name, value, **options):
            written.append((name, options))

    monkeypatch.setattr(ui.session, "_cookie_manager", CookieManager)
    current = sign_in(demo, "pm")
    at = app_test()
    at.session_state["lead_session_id"] = current.session_id
    at.session_state[ui.session.COOKIE_KEY] = ("a.signed.token", 2_000_000_000.0)
    at.run()
    assert not at.exception
    assert written, "the sidebar did not set the session cookie"
    name, options = written[-1]
    assert name == "lead_session"
    assert options["secure"] is True and options["same_site"] == "strict"
