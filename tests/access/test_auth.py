"""Sign-in truth: passwords, lockout, equal answers, sessions and revocation (SECURITY 11-15)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models import AuditEvent, AuthSession, Role, User
from services.access import auth
from services.access.users import reset_password, set_disabled
from services.core.audit import SYSTEM
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import ValidationError
from tests.factories import PASSWORD, make_user, sign_in


def audit_outcomes(engine, action="sign_in"):
    with read_session(engine) as session:
        return [
            (e.username, e.outcome)
            for e in session.exec(select(AuditEvent).where(AuditEvent.action == action))
        ]


@pytest.mark.real_bcrypt
def test_passwords_are_hashed_with_bcrypt_cost_12_and_long_passwords_work():
    long_password = "correct horse battery staple " * 10  # 290 bytes, beyond bcrypt's 72
    hashed = auth.hash_password(long_password)
    assert hashed.startswith("$2b$12$")
    assert auth.password_matches(long_password, hashed)
    assert not auth.password_matches(long_password[:-1] + "X", hashed)
    # two passwords sharing their first 72 bytes are still different passwords
    assert not auth.password_matches(long_password[:72] + "different tail", hashed)


def test_short_and_oversized_passwords_are_refused_with_a_clear_message():
    with pytest.raises(ValidationError, match="at least 10"):
        auth.hash_password("short")
    with pytest.raises(ValidationError, match="at most 1024"):
        auth.hash_password("x" * 1025)


def test_right_password_signs_in_and_wrong_one_does_not(engine):
    make_user(engine, "cm.one", Role.case_manager)
    assert auth.verify_login(engine, "cm.one", PASSWORD)
    assert auth.verify_login(engine, "  CM.One ", PASSWORD)  # usernames are case-insensitive
    assert not auth.verify_login(engine, "cm.one", PASSWORD + "!")
    assert audit_outcomes(engine) == [("cm.one", "ok"), ("cm.one", "ok"), ("cm.one", "failed")]


def test_unknown_user_gets_the_same_answer_and_is_audited_without_the_password(engine):
    assert auth.verify_login(engine, "nobody", "some password here") is False
    with read_session(engine) as session:
        rows = list(session.exec(select(AuditEvent)))
    assert [(r.username, r.action, r.outcome) for r in rows] == [("(unknown)", "sign_in", "failed")]
    assert all("some password" not in str(r.model_dump()) for r in rows)


def test_five_failures_lock_the_account_and_the_right_password_is_refused(engine):
    make_user(engine, "cm.two", Role.case_manager)
    now = utcnow()
    for i in range(5):
        assert not auth.verify_login(
            engine, "cm.two", "wrong password", now=now + timedelta(seconds=i)
        )
    assert not auth.verify_login(engine, "cm.two", PASSWORD, now=now + timedelta(minutes=1))
    assert ("cm.two", "locked") in audit_outcomes(engine, "lockout")
    assert ("cm.two", "refused: locked") in audit_outcomes(engine)


def test_the_lock_ends_by_itself_after_15_minutes(engine):
    make_user(engine, "cm.three", Role.case_manager)
    now = utcnow()
    for _ in range(5):
        auth.verify_login(engine, "cm.three", "wrong password", now=now)
    assert not auth.verify_login(engine, "cm.three", PASSWORD, now=now + timedelta(minutes=14))
    assert auth.verify_login(
        engine, "cm.three", PASSWORD, now=now + timedelta(minutes=15, seconds=1)
    )
    assert ("cm.three", "automatic") in audit_outcomes(engine, "unlock")


def test_failures_spread_beyond_the_window_do_not_lock(engine):
    make_user(engine, "cm.four", Role.case_manager)
    now = utcnow()
    for i in range(8):
        auth.verify_login(engine, "cm.four", "wrong password", now=now + timedelta(minutes=4 * i))
    assert auth.verify_login(engine, "cm.four", PASSWORD, now=now + timedelta(minutes=33))


def test_lock_survives_a_restart_because_it_is_stored(engine, db_url):
    from services.core.db import make_engine

    make_user(engine, "cm.five", Role.case_manager)
    for _ in range(5):
        auth.verify_login(engine, "cm.five", "wrong password")
    engine.dispose()
    fresh = make_engine(db_url)
    assert not auth.verify_login(fresh, "cm.five", PASSWORD)
    fresh.dispose()


def test_a_disabled_user_cannot_sign_in_and_open_sessions_end(engine):
    make_user(engine, "pm.one", Role.project_manager)
    make_user(engine, "pm.two", Role.project_manager)
    target = make_user(engine, "cm.six", Role.case_manager)
    current = sign_in(engine, "cm.six")
    set_disabled(engine, actor=SYSTEM, user_id=target.id, expected_version=1, disabled=True)
    assert auth.resume(engine, current.session_id) is None
    assert not auth.verify_login(engine, "cm.six", PASSWORD)


def test_idle_timeout_and_absolute_lifetime_end_a_session(engine):
    make_user(engine, "cm.seven", Role.case_manager)
    start = utcnow()
    idle_id = auth.start_session(engine, "cm.seven", token_exp=1.0, now=start)
    assert auth.resume(engine, idle_id, now=start + timedelta(minutes=14)) is not None
    assert auth.resume(engine, idle_id, now=start + timedelta(minutes=30)) is None

    busy_id = auth.start_session(engine, "cm.seven", token_exp=2.0, now=start)
    moment = start
    while moment < start + timedelta(hours=11, minutes=50):
        moment += timedelta(minutes=10)
        assert auth.resume(engine, busy_id, now=moment) is not None
    assert auth.resume(engine, busy_id, now=start + timedelta(hours=12, minutes=1)) is None
    with read_session(engine) as session:
        reasons = {s.id: s.end_reason for s in session.exec(select(AuthSession))}
    assert reasons == {idle_id: "idle timeout", busy_id: "session expired"}


def test_sign_out_revokes_every_earlier_session_and_cookie(engine):
    make_user(engine, "cm.eight", Role.case_manager)
    phone = sign_in(engine, "cm.eight")
    desk = sign_in(engine, "cm.eight")
    auth.sign_out(engine, desk)
    assert auth.resume(engine, desk.session_id) is None
    assert auth.resume(engine, phone.session_id) is None
    # the cookie of the ended session still names a session, but that session is over
    with read_session(engine) as session:
        row = session.get(AuthSession, desk.session_id)
    assert auth.session_for_cookie(engine, "cm.eight", row.token_exp) == desk.session_id
    assert auth.resume(engine, desk.session_id) is None
    assert ("cm.eight", "signed out") in audit_outcomes(engine, "sign_out")


def test_a_forged_cookie_matches_no_session(engine):
    make_user(engine, "cm.nine", Role.case_manager)
    sign_in(engine, "cm.nine")
    assert auth.session_for_cookie(engine, "cm.nine", 12345.0) is None
    assert auth.session_for_cookie(engine, "pm", 12345.0) is None


def test_password_change_and_admin_reset_revoke_sessions(engine):
    target = make_user(engine, "cm.ten", Role.case_manager)
    current = sign_in(engine, "cm.ten")
    with pytest.raises(ValidationError, match="not your current password"):
        auth.change_password(engine, current, old="wrong one!!", new="a brand new passphrase")
    auth.change_password(engine, current, old=PASSWORD, new="a brand new passphrase")
    assert auth.resume(engine, current.session_id) is None
    assert auth.verify_login(engine, "cm.ten", "a brand new passphrase")
    again = sign_in(engine, "cm.ten")
    with read_session(engine) as session:
        version = session.get(User, target.id).version
    reset_password(
        engine,
        actor=SYSTEM,
        user_id=target.id,
        expected_version=version,
        new_password="reset by admin 1",
    )
    assert auth.resume(engine, again.session_id) is None
    assert auth.verify_login(engine, "cm.ten", "reset by admin 1")
    events = audit_outcomes(engine, "password_change")
    assert events == [("cm.ten", "failed"), ("cm.ten", "ok")]


def test_unknown_and_known_users_take_comparable_time(engine):
    """Equal work, not a timed assertion: both paths run exactly one bcrypt check."""
    make_user(engine, "cm.eleven", Role.case_manager)
    calls = []
    original = auth.password_matches

    def counting(password, password_hash):
        calls.append(password_hash[:7])
        return original(password, password_hash)

    auth.password_matches = counting
    try:
        auth.verify_login(engine, "nobody-at-all", "wrong password")
        auth.verify_login(engine, "cm.eleven", "wrong password")
    finally:
        auth.password_matches = original
    assert len(calls) == 2 and calls[0] == calls[1]  # same algorithm and cost both times


def test_session_rows_never_hold_passwords(engine):
    make_user(engine, "cm.twelve", Role.case_manager)
    sign_in(engine, "cm.twelve")
    with write_session(engine) as session:
        dumped = [str(r.model_dump()) for r in session.exec(select(AuthSession))]
    assert dumped and all(PASSWORD not in d for d in dumped)


# --- The session cookie: anything unexpected means "signed out" (SECURITY 31) -----------------

COOKIE_KEY = "a-test-cookie-key-9f3Kq2LmZx7Rv1Tb8Nw4Hc6Yp0Sd5Gj-wE2uA7oI3pL9kJ5hG1fD6sQ0zX"


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forged(header: dict, claims, signature: str = "") -> str:
    import json

    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}.{signature}"


def _future() -> float:
    return (utcnow() + timedelta(hours=1)).timestamp()


def _signed(claims, *, key: str = COOKIE_KEY, algorithm: str = "HS256") -> str:
    import json

    import jwt

    return jwt.api_jws.encode(json.dumps(claims).encode(), key, algorithm=algorithm)


FORGED_COOKIES = {
    "alg-none": lambda: _forged(
        {"alg": "none", "typ": "JWT"}, {"username": "pm", "exp_date": _future()}
    ),
    "alg-none-uppercase": lambda: _forged(
        {"alg": "NONE"}, {"username": "pm", "exp_date": _future()}
    ),
    "rs256-header": lambda: _forged(
        {"alg": "RS256", "typ": "JWT"}, {"username": "pm", "exp_date": _future()}, "c2lnbmF0dXJl"
    ),
    "hs512-with-the-right-key": lambda: _signed(
        {"username": "pm", "exp_date": _future()}, algorithm="HS512"
    ),
    "signed-with-another-key": lambda: _signed(
        {"username": "pm", "exp_date": _future()}, key="another key, 32 bytes or more long!"
    ),
    "garbage": lambda: "not a token at all",
    "two-parts": lambda: "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VybmFtZSI6InBtIn0",
    "four-parts": lambda: _signed({"username": "pm", "exp_date": _future()}) + ".extra",
    "dots-only": lambda: "..",
    "header-not-an-object": lambda: f"{_b64(b'[1]')}.{_b64(b'{}')}.",
    "header-not-json": lambda: f"{_b64(b'{not json')}.{_b64(b'{}')}.",
    "claims-a-list": lambda: _signed(["pm", _future()]),
    "claims-a-string": lambda: _signed("pm"),
    "missing-username": lambda: _signed({"exp_date": _future()}),
    "missing-exp-date": lambda: _signed({"username": "pm"}),
    "username-a-list": lambda: _signed({"username": ["pm"], "exp_date": _future()}),
    "username-blank": lambda: _signed({"username": "  ", "exp_date": _future()}),
    "exp-date-a-string": lambda: _signed({"username": "pm", "exp_date": "tomorrow"}),
    "exp-date-true": lambda: _signed({"username": "pm", "exp_date": True}),
    "exp-date-nan": lambda: _signed({"username": "pm", "exp_date": float("nan")}),
    "expired": lambda: _signed({"username": "pm", "exp_date": utcnow().timestamp() - 1}),
    "too-long": lambda: _signed({"username": "pm" * 3000, "exp_date": _future()}),
}


@pytest.mark.parametrize("make", FORGED_COOKIES.values(), ids=FORGED_COOKIES.keys())
def test_a_forged_or_malformed_cookie_reads_as_signed_out_and_never_raises(make):
    assert auth.cookie_claims(make(), COOKIE_KEY, now=utcnow()) is None


@pytest.mark.parametrize("token", [None, "", 42, b"bytes"], ids=["none", "empty", "int", "bytes"])
def test_a_missing_or_non_text_cookie_reads_as_signed_out(token):
    assert auth.cookie_claims(token, COOKIE_KEY, now=utcnow()) is None


def test_a_cookie_the_app_signed_gives_its_username_and_date():
    import jwt

    exp = _future()
    token = jwt.encode({"username": "pm", "exp_date": exp}, COOKIE_KEY)  # as ui.session does
    assert auth.cookie_claims(token, COOKIE_KEY, now=utcnow()) == {
        "username": "pm",
        "exp_date": exp,
    }


def test_the_authenticators_own_reader_raises_on_alg_none_so_the_app_reads_cookies_itself():
    """Why ui.session replaces streamlit-authenticator's cookie reader (upstream behaviour)."""
    import jwt
    from streamlit_authenticator.models.cookie_model import CookieModel

    model = object.__new__(CookieModel)
    model.cookie_key = COOKIE_KEY
    model.token = FORGED_COOKIES["alg-none"]()
    with pytest.raises(jwt.InvalidAlgorithmError):
        model._token_decode()
