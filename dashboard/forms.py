"""The sign-in and sign-out forms: plain HTML posting to dashboard/server.py's routes."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"
SIGN_IN_PATH = "/api/accedi"  # dashboard/server.py
SIGN_OUT_PATH = "/api/esci"
_ENVIRONMENT = Environment(loader=FileSystemLoader(TEMPLATES),
                           autoescape=select_autoescape(["html"]))


def sign_in_form(next_page: str, login: str = "") -> str:
    return _ENVIRONMENT.get_template("sign_in_form.html").render(
        action=SIGN_IN_PATH, next=next_page, login=login)


def sign_out_form() -> str:
    return _ENVIRONMENT.get_template("sign_out_form.html").render(action=SIGN_OUT_PATH)


def safe_next(target: str | None) -> str:
    """A page of this site to go on to: a path, never another host ('//x', 'https://x')."""
    text = target or "/"
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or not text.startswith("/") or text.startswith("//"):
        return "/"
    return text
