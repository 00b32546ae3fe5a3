"""Kasko Ops dashboard: sign-in, then the pages the signed-in profile may see."""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on the path, not the project root
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from dashboard import app_pages, session  # noqa: E402
from dashboard.access.connections import (  # noqa: E402
    STORE_UNAVAILABLE,
    StoreUnavailable,
    store_available,
)
from dashboard.components import as_of_picker, hide_english_chrome, identity_bar  # noqa: E402

st.set_page_config(page_title="Kasko Ops", page_icon="📱", layout="wide")
hide_english_chrome()


@st.fragment(run_every=5)
def _wait_for_the_store() -> None:
    if store_available(session.warehouse()):
        st.rerun()


try:
    principal = session.current_principal()
    if principal is None:
        page = st.navigation(app_pages.signed_out_pages(), position="hidden")
        st.session_state[app_pages.REQUESTED_PATH_KEY] = (
            "" if page.url_path == "accedi" else page.url_path)
    else:
        # the menu across the top: at 1280 pixels the tables get the whole width
        page = st.navigation(app_pages.signed_in_pages(principal), position="top")
        as_of_picker(identity_bar(principal))
    page.run()
except StoreUnavailable:
    # PostgreSQL lost while serving: say so, and come back by itself once it answers.
    st.error(STORE_UNAVAILABLE, icon="⚠️")
    _wait_for_the_store()
