"""The sign-in and sign-out routes: the only place the HttpOnly session cookie is set.

Streamlit scripts cannot set an HttpOnly cookie: the sign-in form therefore posts here;
the route checks the password (auth.sign_in: throttled, every attempt recorded), sets the
signed session cookie (dashboard/access/session_cookie.py) HttpOnly and SameSite=Lax, and sends
the browser on to the page it asked for. The app reads the cookie from st.context.cookies.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from dashboard.access import session_cookie
from dashboard.access.auth import sign_in
from dashboard.access.connections import warehouse_or_default
from pipelines.appstate import StoreUnavailable, accounts

SIGN_IN_PATH = "/api/accedi"  # served beside the app by dashboard/server.py
SIGN_OUT_PATH = "/api/esci"
# the reason code sent back to the form when the app database does not answer
STORE_DOWN = "archivio"


def _check(login: str, password: str) -> tuple[str | None, str]:
    """(cookie value, '') when the password is right, else (None, the reason's code)."""
    warehouse = warehouse_or_default(None)
    try:
        return _checked(warehouse, login, password)
    except StoreUnavailable:
        return None, STORE_DOWN


def _checked(warehouse: Path, login: str, password: str) -> tuple[str | None, str]:
    result = sign_in(warehouse, login, password)
    if result.principal is None:
        return None, "bloccato" if result.throttled else "credenziali"
    facts = accounts.sign_in_facts(warehouse, login,
                                   since=accounts.local_now())
    key = session_cookie.signing_key(warehouse)
    return session_cookie.issue(key, result.principal.login, facts.password_hash), ""


def safe_next(target: str | None) -> str:
    """A page of this site to go on to: a path, never another host ('//x', 'https://x')."""
    text = target or "/"
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or not text.startswith("/") or text.startswith("//"):
        return "/"
    return text


async def sign_in_route(request: Request) -> RedirectResponse:
    form = await request.form()
    login = str(form.get("login", "")).strip()
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("dopo", "/")))
    value, refused = await run_in_threadpool(_check, login, password)
    if value is None:
        query = urlencode({"errore": refused, "dopo": target})
        return RedirectResponse(f"/?{query}", status_code=303)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(session_cookie.COOKIE_NAME, value,
                        max_age=session_cookie.LIFETIME_SECONDS, path="/", httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return response


async def sign_out_route(request: Request) -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(session_cookie.COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response


ROUTES = [
    Route(SIGN_IN_PATH, sign_in_route, methods=["POST"]),
    Route(SIGN_OUT_PATH, sign_out_route, methods=["POST"]),
]
