"""Sign-in page: local account form (and the single sign-on button when configured)."""

from __future__ import annotations

import streamlit as st

from dashboard import session
from dashboard.access.auth import sign_in

st.title("Kasko Ops")
st.caption("Protezione Kasko All Risk — monitoraggio sinistri e SLA")

if st.session_state.pop("session_expired", False):
    st.info("Sessione scaduta: accedi di nuovo.")

with st.form("sign_in", border=True, width=420):
    login = st.text_input("Utente", placeholder="nome@azienda.it", autocomplete="username")
    password = st.text_input("Password", type="password", autocomplete="current-password")
    submitted = st.form_submit_button("Accedi", type="primary", width="stretch")

if submitted:
    result = sign_in(session.warehouse(), login.strip(), password)
    if result.principal is not None:
        session.start(result.principal)
        st.rerun()
    elif result.throttled:
        st.error("Troppi tentativi non riusciti: riprova più tardi.")
    else:
        st.error("Utente o password non corretti.")

if session.single_sign_on_configured():
    st.divider()
    st.button("Accedi con il single sign-on aziendale", on_click=st.login)
