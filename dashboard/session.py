"""The signed-in person of a Streamlit session: sign-in state, expiry and sign-out."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import streamlit as st

from dashboard.access.auth import principal_for_oidc_user, session_expired
from dashboard.access.connections import warehouse_or_default
from dashboard.access.principal import Principal
from pipelines.appstate import accounts

PRINCIPAL_KEY = "principal"
SIGNED_IN_AT_KEY = "signed_in_at"
LAST_ACTIVITY_KEY = "last_activity_at"


def warehouse() -> Path:
    """The served warehouse: `kasko serve --db` sets $KASKO_DB."""
    return warehouse_or_default(None)


def start(principal: Principal) -> None:
    now = accounts.local_now()
    st.session_state[PRINCIPAL_KEY] = principal
    st.session_state[SIGNED_IN_AT_KEY] = now
    st.session_state[LAST_ACTIVITY_KEY] = now


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
        return principal
    now = accounts.local_now()
    signed_in_at: datetime = st.session_state.get(SIGNED_IN_AT_KEY, now)
    last_activity: datetime = st.session_state.get(LAST_ACTIVITY_KEY, signed_in_at)
    if session_expired(signed_in_at, now, last_activity_at=last_activity):
        end()
        st.session_state["session_expired"] = True
        return None
    st.session_state[LAST_ACTIVITY_KEY] = now
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
