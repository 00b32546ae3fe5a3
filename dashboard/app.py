"""Kasko Ops dashboard: sign-in, then the pages the signed-in profile may see."""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on the path, not the project root
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from dashboard import session  # noqa: E402
from dashboard.components import as_of_picker, sidebar_identity  # noqa: E402
from dashboard.i18n import PAGE_TITLES  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Kasko Ops", page_icon="📱", layout="wide")

principal = session.current_principal()
if principal is None:
    pages = [st.Page(PAGES_DIR / "sign_in.py", title="Accedi", icon="🔑", url_path="accedi")]
else:
    pages = [
        st.Page(PAGES_DIR / "monitoring.py", title=PAGE_TITLES["monitoring"], icon="📋",
                url_path="monitoraggio", default=True),
    ]
    if principal.may_see_sla_aggregates:
        pages.append(st.Page(PAGES_DIR / "sla.py", title=PAGE_TITLES["sla"], icon="⏱️",
                             url_path="sla"))
    if principal.may_see_lines:
        pages.append(st.Page(PAGES_DIR / "enablement.py", title=PAGE_TITLES["enablement"],
                             icon="📱", url_path="abilitazioni"))
    if principal.may_see_portfolio:
        pages.append(st.Page(PAGES_DIR / "portfolio.py", title=PAGE_TITLES["portfolio"],
                             icon="💼", url_path="portafoglio"))
    if principal.may_see_data_quality:
        pages.append(st.Page(PAGES_DIR / "data_quality.py", title=PAGE_TITLES["data_quality"],
                             icon="🧪", url_path="qualita-dati"))
    sidebar_identity(principal)
    as_of_picker()

st.navigation(pages).run()
