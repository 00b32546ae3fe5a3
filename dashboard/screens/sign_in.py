"""Sign-in page: the local account form (and the single sign-on button when configured).

The form posts to /api/accedi (dashboard/server.py), which sets the session cookie and
opens the page first asked for, with its filters: `dopo` carries it through.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from dashboard import session
from dashboard.access.connections import STORE_UNAVAILABLE
from dashboard.access.session_routes import STORE_DOWN, safe_next
from dashboard.app_pages import REQUESTED_PATH_KEY
from dashboard.forms import sign_in_form

st.title("Kasko Ops")
st.caption("Protezione Kasko All Risk — monitoraggio sinistri e SLA")

if st.session_state.pop("session_expired", False):
    st.info("Sessione scaduta: accedi di nuovo.")
refused = st.query_params.get("errore")
if refused == STORE_DOWN:
    st.error(STORE_UNAVAILABLE, icon="⚠️")
elif refused == "bloccato":
    st.error("Troppi tentativi non riusciti: riprova più tardi.")
elif refused:
    st.error("Utente o password non corretti.")



def requested_page() -> str:
    """The address to open after sign-in: the page first asked for, with its filters."""
    if "dopo" in st.query_params:  # back from a refused attempt
        return safe_next(st.query_params["dopo"])
    query = urlencode([(name, value) for name in st.query_params
                       for value in st.query_params.get_all(name)])
    path = "/" + st.session_state.get(REQUESTED_PATH_KEY, "")
    return path + (f"?{query}" if query else "")


st.html(sign_in_form(requested_page()))

if session.single_sign_on_configured():
    st.divider()
    st.button("Accedi con il single sign-on aziendale", on_click=st.login)
