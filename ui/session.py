"""Sign-in, the current user and the page guard: the only UI code that touches sessions.

streamlit-authenticator draws the sign-in form and sets the cookie; services.access.auth decides.
Every page calls `require_page` first (SECURITY 3): with Streamlit's legacy `pages/` routing a
page can run without app.py, so the guard must stand on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy import Engine
from sqlmodel import select
from streamlit.runtime.scriptrunner import get_script_run_ctx

from models import User
from services.access import auth
from services.access.auth import CurrentUser
from services.access.policy import PAGE_BY_KEY, ROLE_LABELS, can_open, pages_for
from services.core.clock import utcnow
from services.core.config import AppConfig, ConfigError, load_config
from services.core.db import (
    SchemaError,
    make_engine,
    quick_check,
    read_session,
    require_current_schema,
)
from ui.style import close_sidebar_on_navigation
from ui.text import plain

SESSION_KEY = "lead_session_id"
VERIFIED_KEY = "_lead_verified_username"
COOKIE_KEY = "_lead_cookie_token"
RUN_USER_KEY = "_lead_run_user"
AUTHENTICATOR_KEYS = ("name", "username", "authentication_status", "email", "roles")


@dataclass(frozen=True)
class Context:
    config: AppConfig
    engine: Engine


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url)


@st.cache_resource(show_spinner=False)
def _checked(url: str) -> bool:
    # Cached only when it passes: an exception is not cached, so a fixed database is seen.
    engine = _engine(url)
    require_current_schema(engine)
    quick_check(engine)
    return True


def context() -> Context:
    """Configuration and engine, or a clear message and stop (no data, no traceback)."""
    try:
        config = load_config()
        _checked(config.database_url)
    except (ConfigError, SchemaError) as exc:
        st.error(plain(str(exc)), icon=":material/error:")
        st.stop()
    return Context(config=config, engine=_engine(config.database_url))


def demo_banner(ctx: Context) -> None:
    if ctx.config.is_demo:
        # Keyed so the presenter's room mode can leave it off the shared screen (issue 11).
        st.container(key="lead_demo_banner").warning(
            "**DEMO** — synthetic people only. Never enter real names or case information here.",
            icon=":material/science:",
        )


def _this_run() -> object | None:
    """A token unique to the current script run (Streamlit gives each run new cursors)."""
    run = get_script_run_ctx()
    return run.cursors if run is not None else None


def current_user(ctx: Context) -> CurrentUser | None:
    """The signed-in user, validated against the database on every rerun (SECURITY 4, 14).

    Validated once per run: the router's check is reused by the page guard in the same run (a
    page run on its own, without the router, is checked afresh).
    """
    session_id = st.session_state.get(SESSION_KEY)
    if session_id is None:
        return None
    run = _this_run()
    checked = st.session_state.get(RUN_USER_KEY)
    if run is not None and checked and checked[0] is run and checked[1].session_id == session_id:
        return checked[1]
    user = auth.resume(ctx.engine, session_id)
    if user is None:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state.pop(RUN_USER_KEY, None)
        st.session_state["lead_signed_out_reason"] = "Your session ended. Please sign in again."
    elif run is not None:
        st.session_state[RUN_USER_KEY] = (run, user)
    return user


def require_page(page_key: str) -> tuple[Context, CurrentUser]:
    """The guard every page calls first: stop unless the user may open this page."""
    ctx = context()
    user = current_user(ctx)
    if user is None:
        st.title("Sign in required")
        st.info("Please sign in on the home page to continue.", icon=":material/lock:")
        # A button, not a markdown link: Streamlit opens links in a new tab (issue 11).
        if st.button("Go to sign-in", icon=":material/login:", type="primary"):
            st.switch_page("app.py")
        st.stop()
    if not can_open(user.role, page_key):
        st.error("You do not have access to this page.", icon=":material/block:")
        st.stop()
    return ctx, user


def _authenticator(ctx: Context) -> stauth.Authenticate:
    with read_session(ctx.engine) as session:
        usernames = list(session.exec(select(User.username)))
    credentials = {
        "usernames": {
            name: {"email": "", "first_name": name, "last_name": "", "password": "", "roles": []}
            for name in usernames
        }
    }
    authenticator = stauth.Authenticate(
        credentials,
        cookie_name=ctx.config.cookie_name,
        cookie_key=ctx.config.cookie_key,
        cookie_expiry_days=auth.cookie_lifetime_days(ctx.engine),  # site setting, SECURITY 14
        auto_hash=False,
        login_sleep_time=0,
    )

    def check_credentials(username: str, password: str) -> bool:
        ok = auth.verify_login(ctx.engine, username, password)
        if ok:
            st.session_state[VERIFIED_KEY] = auth.normalize_username(username)
        return ok

    # The app's auth service decides (lockout, equal answers, audit); the library only draws.
    authenticator.authentication_controller.authentication_model.check_credentials = (
        check_credentials
    )
    # And reads the cookie: the library's reader raises on `alg: none`, another algorithm or
    # a missing field, and the sign-in form would never render (SECURITY 31).
    authenticator.cookie_controller.cookie_model.get_cookie = lambda: _cookie_claims(ctx)
    return authenticator


def _cookie_claims(ctx: Context) -> dict | None:
    if st.session_state.get("logout"):  # signed out in this tab: ignore the cookie
        return None
    token = st.context.cookies.get(ctx.config.cookie_name)
    return auth.cookie_claims(token, ctx.config.cookie_key, now=utcnow())


def _cookie_session(ctx: Context) -> int | None:
    claims = _cookie_claims(ctx)
    if claims is None:
        return None
    return auth.session_for_cookie(ctx.engine, claims["username"], claims["exp_date"])


def sign_in(ctx: Context) -> CurrentUser:
    """Return the signed-in user, or draw the sign-in form and stop."""
    user = current_user(ctx)
    if user is not None:
        return user
    authenticator = _authenticator(ctx)
    if st.session_state.get("authentication_status"):
        authenticator.logout(location="unrendered")  # our session ended: drop theirs too
    slot = st.empty()  # cleared when a cookie signs the user in, so the page renders in place
    with slot.container():
        st.title("LEAD operational dashboard")
        st.write("Sign in with the account your project manager gave you.")
        reason = st.session_state.pop("lead_signed_out_reason", None)
        if reason:
            st.info(reason, icon=":material/info:")
        try:
            authenticator.login(
                location="main",
                fields={
                    "Form name": "Sign in",
                    "Username": "Username",
                    "Password": "Password",
                    "Login": "Sign in",
                },
            )
        except stauth.LoginError:
            st.session_state["authentication_status"] = None
    if st.session_state.get("authentication_status"):
        verified = st.session_state.pop(VERIFIED_KEY, None)
        if verified:  # the form, just now
            exp = authenticator.cookie_controller.cookie_model.exp_date
            session_id = auth.start_session(ctx.engine, verified, token_exp=exp or 0.0)
            # The library's own cookie write is lost in the rerun below; ours follows in sidebar().
            st.session_state[COOKIE_KEY] = (
                jwt.encode({"username": verified, "exp_date": exp}, ctx.config.cookie_key),
                exp,
            )
        else:  # a cookie from an earlier visit: valid only if its server session still is
            session_id = _cookie_session(ctx)
        if session_id is not None:
            st.session_state[SESSION_KEY] = session_id
            user = auth.resume(ctx.engine, session_id)
        if user is not None and not verified:
            slot.empty()  # no rerun: a deep link keeps its page
            return user
        if user is not None:
            st.rerun()
        authenticator.logout(location="unrendered")  # and ignore that cookie from now on
        st.session_state.pop(SESSION_KEY, None)
        st.session_state["lead_signed_out_reason"] = "Your earlier session ended. Please sign in."
        st.rerun()
    elif st.session_state.get("authentication_status") is False:
        st.error(auth.SIGN_IN_FAILED, icon=":material/error:")
    st.stop()


def navigation(user: CurrentUser):
    """The role's pages only. Drawn as plain links: Streamlit's own sidebar menu nests <div>s
    in a <ul>, which screen readers cannot follow (axe: list, listitem)."""
    specs = pages_for(user.role)
    pages = {s.key: st.Page(s.path, title=s.title, icon=s.icon, url_path=s.key) for s in specs}
    page = st.navigation(list(pages.values()), position="hidden")
    with st.sidebar:
        section = None
        for spec in specs:
            if spec.section != section:
                section = spec.section
                st.markdown(f"**{section}**")
            st.page_link(pages[spec.key], label=spec.title, icon=spec.icon)
    close_sidebar_on_navigation()
    return page


def _cookie_manager():
    import extra_streamlit_components as stx

    return stx.CookieManager(key="lead_cookie_manager")


def sidebar(ctx: Context, user: CurrentUser) -> None:
    with st.sidebar:
        st.caption("Signed in as")
        st.text(f"{user.display_name}\n{ROLE_LABELS[user.role]} · {user.organization_code}")
        signing_out = st.button("Sign out", icon=":material/logout:", key="sign_out")
        pending = st.session_state.get(COOKIE_KEY)
        if pending and not signing_out:
            # Keeps the sign-in across reloads; the server session decides if it still counts.
            token, exp = pending
            # Set from JavaScript, so never HttpOnly: docs/security.md has the proxy settings.
            _cookie_manager().set(
                ctx.config.cookie_name,
                token,
                expires_at=datetime.fromtimestamp(exp),
                key="lead_cookie_set",
                secure=not ctx.config.is_demo,  # production is served over HTTPS only
                same_site="strict",
            )
        if signing_out:
            auth.sign_out(ctx.engine, user)  # revokes this and every earlier cookie
            for key in (SESSION_KEY, RUN_USER_KEY, COOKIE_KEY, *AUTHENTICATOR_KEYS):
                st.session_state.pop(key, None)
            st.session_state["logout"] = True  # the library: ignore the cookie in this tab
            st.session_state["lead_signed_out_reason"] = "You are signed out."
            st.rerun()


def page_title(page_key: str) -> str:
    return PAGE_BY_KEY[page_key].title
