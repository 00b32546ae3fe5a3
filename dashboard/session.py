"""The signed-in person of a Streamlit session: sign-in state, expiry and sign-out."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import streamlit as st

from dashboard.access import session_cookie
from dashboard.access.auth import (
    local_time,
    principal_for_oidc_user,
    principal_from_cookie,
    session_expired,
)
from dashboard.access.connections import warehouse_or_default
from dashboard.access.principal import Principal

PRINCIPAL_KEY = "principal"
SIGNED_IN_AT_KEY = "signed_in_at"
LAST_ACTIVITY_KEY = "last_activity_at"


def warehouse() -> Path:
    """The served warehouse: `kasko serve --db` sets $KASKO_DB."""
    return warehouse_or_default(None)


COOKIE_SPENT_KEY = "session_cookie_spent"  # this tab's session ended: the cookie is not reused


def start(principal: Principal, signed_in_at: datetime | None = None) -> None:
    moment = local_time()
    st.session_state[PRINCIPAL_KEY] = principal
    st.session_state[SIGNED_IN_AT_KEY] = signed_in_at or moment
    st.session_state[LAST_ACTIVITY_KEY] = moment


def end() -> None:
    for key in (PRINCIPAL_KEY, SIGNED_IN_AT_KEY, LAST_ACTIVITY_KEY):
        st.session_state.pop(key, None)


def current_principal() -> Principal | None:
    """The session's principal, None when nobody is signed in or the session expired."""
    principal = st.session_state.get(PRINCIPAL_KEY)
    if principal is None:
        principal = _single_sign_on_principal()
        if principal is not None:
            start(principal)
        else:
            principal = _cookie_principal()
        return principal
    moment = local_time()
    signed_in_at: datetime = st.session_state.get(SIGNED_IN_AT_KEY, moment)
    last_activity: datetime = st.session_state.get(LAST_ACTIVITY_KEY, signed_in_at)
    if session_expired(signed_in_at, moment, last_activity_at=last_activity):
        end()
        st.session_state["session_expired"] = True
        st.session_state[COOKIE_SPENT_KEY] = True
        return None
    st.session_state[LAST_ACTIVITY_KEY] = moment
    return principal


def single_sign_on_configured() -> bool:
    """Whether .streamlit/secrets.toml configures an OIDC provider for st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _single_sign_on_principal() -> Principal | None:
    """With an OIDC provider configured (st.login), the person signed in there."""
    if not single_sign_on_configured():
        return None
    try:
        user = st.user
        if not user.get("is_logged_in", False):
            return None
        return principal_for_oidc_user(warehouse(), user.to_dict())
    except Exception:  # no [auth] section in secrets.toml: local accounts only
        return None


def _cookie_principal() -> Principal | None:
    """The person the signed session cookie names (a refresh keeps the session)."""
    if st.session_state.get(COOKIE_SPENT_KEY):
        return None
    try:
        value = st.context.cookies.get(session_cookie.COOKIE_NAME)
    except Exception:  # no browser behind this run (a script run without a server)
        return None
    if not isinstance(value, str):  # no cookie, or a test run's stand-in for the browser
        return None
    found = principal_from_cookie(warehouse(), value)
    if found is None:
        return None
    principal, issued_at = found
    age = timedelta(seconds=max(0.0, time.time() - issued_at))
    start(principal, signed_in_at=local_time() - age)
    return principal
