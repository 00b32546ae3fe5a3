"""The signed session cookie and the routes that set and clear it."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.access import session_cookie
from dashboard.access.session_routes import safe_next, sign_in_route, sign_out_route
from dashboard.session import principal_from_cookie
from pipelines.appstate import accounts
from pipelines.ingest.load import load_paths
from tests.form_posts import posted

FIXTURES = Path(__file__).parents[1] / "fixtures" / "access"
LOGIN, PASSWORD = "mandatario@beta.it", "Una-Password-Lunga-2026"
KEY = b"k" * 32


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "kasko.duckdb"
    assert [r.error for r in load_paths([FIXTURES], db) if r.error] == []
    accounts.set_password(db, LOGIN, PASSWORD)
    monkeypatch.setenv("KASKO_DB", str(db))
    monkeypatch.delenv(session_cookie.KEY_ENV, raising=False)
    return db


def test_a_cookie_reads_back_only_while_valid_and_untouched() -> None:
    value = session_cookie.issue(KEY, "chi@x.it", "$argon2$hash", now=1_000)
    claim = session_cookie.read(KEY, value, now=1_001)
    assert claim is not None and (claim.login, claim.issued_at) == ("chi@x.it", 1_000)
    assert claim.expires_at == 1_000 + session_cookie.LIFETIME_SECONDS
    assert session_cookie.read(KEY, value, now=1_000 + session_cookie.LIFETIME_SECONDS) is None
    assert session_cookie.read(b"another key", value, now=1_001) is None
    _, rest = value.split("|", 1)
    forged = session_cookie.issue(KEY, "altro@x.it", "$argon2$hash", now=1_000).split("|")[0]
    assert session_cookie.read(KEY, f"{forged}|{rest}", now=1_001) is None
    assert session_cookie.read(KEY, "", now=1_001) is None
    assert session_cookie.read(KEY, "a|b|c", now=1_001) is None


def test_the_key_file_is_made_once_private_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(session_cookie.KEY_ENV, raising=False)
    db = tmp_path / "kasko.duckdb"
    first = session_cookie.signing_key(db)
    assert session_cookie.signing_key(db) == first and len(first) >= 32
    assert stat.S_IMODE(os.stat(session_cookie.key_path(db)).st_mode) == 0o600
    monkeypatch.setenv(session_cookie.KEY_ENV, "chiave-condivisa-tra-host")
    assert session_cookie.signing_key(db) == b"chiave-condivisa-tra-host"


def test_a_changed_password_ends_the_sessions_signed_in_before(warehouse: Path) -> None:
    key = session_cookie.signing_key(warehouse)
    facts = accounts.sign_in_facts(warehouse, LOGIN, accounts.local_now())
    value = session_cookie.issue(key, LOGIN, facts.password_hash)
    found = principal_from_cookie(warehouse, value)
    assert found is not None and found[0].login == LOGIN and found[0].customer_code == "Y002"
    accounts.set_password(warehouse, LOGIN, "Un-Altra-Password-2026")
    assert principal_from_cookie(warehouse, value) is None


def test_signing_in_sets_an_httponly_cookie_and_opens_the_page_asked_for(
    warehouse: Path
) -> None:
    answer = asyncio.run(sign_in_route(posted("/api/accedi", {
        "login": LOGIN, "password": PASSWORD, "dopo": "/sla?al=2025-03-04&vista=Storico"})))
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sla?al=2025-03-04&vista=Storico"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{session_cookie.COOKIE_NAME}=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    value = cookie.split(";")[0].split("=", 1)[1].strip('"')
    found = principal_from_cookie(warehouse, value)
    assert found is not None and found[0].login == LOGIN


def test_a_wrong_password_goes_back_to_the_form_keeping_the_page_asked_for(
    warehouse: Path
) -> None:
    answer = asyncio.run(sign_in_route(posted("/api/accedi", {
        "login": LOGIN, "password": "sbagliata", "dopo": "/abilitazioni?cerca=Samsung"})))
    assert "set-cookie" not in answer.headers
    target = urlsplit(answer.headers["location"])
    assert target.path == "/" and parse_qs(target.query) == {
        "errore": ["credenziali"], "dopo": ["/abilitazioni?cerca=Samsung"]}


def test_signing_out_clears_the_cookie() -> None:
    answer = asyncio.run(sign_out_route(posted("/api/esci", {})))
    assert answer.headers["location"] == "/"
    assert 'kasko_sessione=""' in answer.headers["set-cookie"]
    assert "Max-Age=0" in answer.headers["set-cookie"]


@pytest.mark.parametrize("target", ["https://altro.example/", "//altro.example/x",
                                    "javascript:alert(1)", "sla", ""])
def test_only_pages_of_this_site_are_opened_after_sign_in(target: str) -> None:
    assert safe_next(target) == "/"
