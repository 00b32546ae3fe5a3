"""Kasko Ops dashboard: the Streamlit app and its scoped data-access layer."""
