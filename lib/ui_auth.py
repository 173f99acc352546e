"""Who is signed in, on the Streamlit side: local passwords or single sign-on, idle expiry.

The session holds only the signed-in user's id and when they were last seen; the user row is
read again on every run, so a deactivated user or a changed role takes effect at once.
"""
from __future__ import annotations

import os
import secrets
from datetime import datetime, timezone

import streamlit as st

from lib import auth
from lib.db import Database
from lib.users import Actor, get_user

USER_KEY, SEEN_KEY, SESSION_KEY, NOTICE_KEY = "auth_user_id", "auth_last_seen", "auth_session", "auth_notice"
SSO_KEY = "auth_sso_email"   # the single-sign-on email whose sign-in this session recorded


def sso_configured() -> bool:
    """Single sign-on is on when .streamlit/secrets.toml has an [auth] section."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own not-found error
        return False


def session_key() -> str:
    """A random key per browser session, for the per-session sign-in throttle."""
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = secrets.token_urlsafe(24)
    return st.session_state[SESSION_KEY]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def signed_in(db: Database) -> Actor | None:
    """The signed-in person, or None (never signed in, signed out, expired or deactivated)."""
    if sso_configured():
        return _sso_user(db)
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return None
    now, idle = _now(), auth.idle_minutes_from_env(os.environ)
    if auth.session_expired(st.session_state.get(SEEN_KEY, now), now, idle):
        sign_out(f"You were signed out after {idle} minutes without activity. Please sign in again.")
        return None
    actor = get_user(db, user_id)
    if actor is None:
        sign_out("Your account is no longer active. Ask your admin if you need access.")
        return None
    st.session_state[SEEN_KEY] = now
    return actor


def _sso_user(db: Database) -> Actor | None:
    if not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "")
    if st.session_state.get(SSO_KEY) == email:   # this session's sign-in is recorded already
        return auth.user_for_sso_email(db, email)
    actor = auth.sso_sign_in(db, email, session_key=session_key())
    st.session_state[SSO_KEY] = email
    return actor


def sign_in(db: Database, email: str, password: str) -> Actor:
    """Check the password (throttled in lib) and remember the person in this session."""
    actor = auth.sign_in(db, email, password, session_key=session_key())
    st.session_state[USER_KEY] = actor.id
    st.session_state[SEEN_KEY] = _now()
    st.session_state.pop(NOTICE_KEY, None)
    return actor


def sign_out(notice: str | None = None) -> None:
    for key in (USER_KEY, SEEN_KEY, SSO_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice
    if sso_configured() and st.user.is_logged_in:
        st.logout()


def notice() -> str | None:
    return st.session_state.get(NOTICE_KEY)
