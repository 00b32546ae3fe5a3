"""The dashboard served with its sign-in and sign-out routes (`kasko serve` runs this file).

dashboard/access/session_routes.py sets and clears the HttpOnly session cookie; app.py is the
Streamlit app itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/server.py` puts dashboard/ on the path, not the project root
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from dashboard.access.session_routes import ROUTES  # noqa: E402

app = st.App(Path(__file__).resolve().parent / "app.py", routes=ROUTES)
