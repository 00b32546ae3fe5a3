"""The sign-in and sign-out forms: plain HTML posting to dashboard/server.py's routes."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dashboard.access.session_routes import SIGN_IN_PATH, SIGN_OUT_PATH

TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENVIRONMENT = Environment(loader=FileSystemLoader(TEMPLATES),
                           autoescape=select_autoescape(["html"]))


def sign_in_form(next_page: str, login: str = "") -> str:
    return _ENVIRONMENT.get_template("sign_in_form.html").render(
        action=SIGN_IN_PATH, next=next_page, login=login)


def sign_out_form() -> str:
    return _ENVIRONMENT.get_template("sign_out_form.html").render(action=SIGN_OUT_PATH)
