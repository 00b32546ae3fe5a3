"""Dashboard accounts: argon2 hashes only (OWASP parameters), `kasko users`, sign-in throttling."""

from __future__ import annotations

import io
import logging
import shutil
import sys
import time
import types
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from dashboard.access import auth
from pipelines import appstate
from pipelines.appstate import accounts, tables
from pipelines.cli import main
from pipelines.ingest.load import load_paths

PASSWORD = "Correct-Horse-Battery-9"
NO_WAIT = auth.Throttle(delay_seconds=0)
# OWASP's first Argon2id configuration, the one accounts use: 19 MiB, 2 passes, 1 lane.
OWASP_PARAMETERS = "$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: the real ones take a good part of a second on a small machine."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "passwords", accounts.Passwords(cheap))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse whose core.users holds a Mandatario and a Management user."""
    folder = tmp_path_factory.mktemp("accounts")
    users = folder / "utenti_2025-01-31.csv"
    users.write_text(
        "Utente;Nome;Profilo;Codice cliente;NMU\n"
        "mandatario@rossi.it;Anna Verdi;Mandatario;C001;\n"
        "Direzione@Kasko.demo;Marta Direzione;Management;;\n",
        encoding="utf-8",
    )
    db = folder / "warehouse" / "kasko.duckdb"
    assert load_paths([users], db)[0].loaded == 2
    return db


@pytest.fixture
def db(loaded: Path, tmp_path: Path) -> Path:
    """A copy of the warehouse per test, so each has an app database of its own."""
    copy = tmp_path / "kasko.duckdb"
    shutil.copyfile(loaded, copy)
    return copy


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], None]:
    """The app database's clock, moved forward by hand."""
    now = [datetime(2025, 3, 14, 9, 0)]
    monkeypatch.setattr(accounts, "local_now", lambda: now[0])

    def advance(by: timedelta) -> None:
        now[0] += by

    return advance


def stored_hashes(db: Path) -> dict[str, str]:
    with appstate.store_for(db).read() as con:
        rows = con.execute(select(tables.accounts.c.login, tables.accounts.c.password_hash))
        return {login: password_hash for login, password_hash in rows}


def app_files_bytes(db: Path) -> bytes:
    store = appstate.default_sqlite_path(db)
    return b"".join(p.read_bytes() for p in store.parent.glob(store.name + "*"))


def set_password_cli(db: Path, login: str, stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["users", "set-password", login, "--db", str(db), "--password-stdin"])


def test_the_password_is_stored_only_as_an_argon2_hash(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(accounts, "passwords", accounts.Passwords())  # the real parameters
    caplog.set_level(logging.DEBUG)
    assert set_password_cli(db, "MANDATARIO@rossi.it", PASSWORD + "\n", monkeypatch) == 0
    out = capsys.readouterr()
    assert out.out == "password set for mandatario@rossi.it\n"
    hashes = stored_hashes(db)
    assert list(hashes) == ["mandatario@rossi.it"]
    assert hashes["mandatario@rossi.it"].startswith(OWASP_PARAMETERS)
    assert accounts.passwords.hasher.verify(hashes["mandatario@rossi.it"], PASSWORD)
    for text in (out.out, out.err, caplog.text):
        assert PASSWORD not in text
    stored = app_files_bytes(db)
    assert stored  # the app database exists ...
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        assert PASSWORD.encode(encoding) not in stored  # ... and holds no clear password


def test_set_password_asks_twice_and_refuses_a_mismatch(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["users", "set-password", "mandatario@rossi.it", "--db", str(db)]) == 1
    assert "differ" in capsys.readouterr().err
    assert stored_hashes(db) == {}
    answers = iter([PASSWORD, PASSWORD])
    assert main(["users", "set-password", "mandatario@rossi.it", "--db", str(db)]) == 0
    assert list(stored_hashes(db)) == ["mandatario@rossi.it"]


@pytest.mark.parametrize(
    ("login", "password", "message"),
    [
        ("nobody@rossi.it", PASSWORD, "'nobody@rossi.it' is not a user"),
        ("mandatario@rossi.it", "short-9", "at least 10 characters"),
        ("mandatario@rossi.it", " " * 12, "only spaces"),
    ],
)
def test_set_password_refusals(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    login: str, password: str, message: str,
) -> None:
    assert set_password_cli(db, login, password + "\n", monkeypatch) == 1
    err = capsys.readouterr().err
    assert message in err
    assert password.strip() == "" or password not in err
    assert stored_hashes(db) == {}


def test_set_password_without_a_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert set_password_cli(tmp_path / "none.duckdb", "a@b.it", PASSWORD + "\n", monkeypatch) == 1
    assert "run `kasko load` first" in capsys.readouterr().err


def test_demo_accounts_for_the_users_the_warehouse_knows(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generate = types.ModuleType("pipelines.demo.accounts")
    generate.DEMO_ACCOUNTS = {  # type: ignore[attr-defined]
        "direzione@kasko.demo": ("Management", "Demo-Management-2026"),
        "mandatario@rossi.it": ("Mandatario", "Demo-Mandatario-2026"),
        "ghost@kasko.demo": ("Master", "Demo-Master-2026"),
    }
    monkeypatch.setitem(sys.modules, "pipelines.demo.accounts", generate)
    assert main(["users", "demo-accounts", "--db", str(db)]) == 0
    out = capsys.readouterr()
    assert "Direzione@Kasko.demo" in out.out and "mandatario@rossi.it" in out.out
    assert "ghost@kasko.demo" in out.err
    assert "Demo-" not in out.out + out.err
    assert auth.authenticate(db, "direzione@kasko.demo", "Demo-Management-2026", NO_WAIT)
    assert auth.authenticate(db, "mandatario@rossi.it", "Demo-Mandatario-2026", NO_WAIT)


def test_sign_in(db: Path) -> None:
    accounts.set_password(db, "mandatario@rossi.it", PASSWORD)
    signed_in = auth.authenticate(db, " Mandatario@Rossi.it ", PASSWORD, NO_WAIT)
    assert signed_in is not None
    assert (signed_in.login, signed_in.profile, signed_in.customer_code) == (
        "mandatario@rossi.it", "Mandatario", "C001"
    )
    assert auth.authenticate(db, "mandatario@rossi.it", PASSWORD + "x", NO_WAIT) is None
    assert auth.authenticate(db, "mandatario@rossi.it", "", NO_WAIT) is None
    assert auth.authenticate(db, "nobody@rossi.it", PASSWORD, NO_WAIT) is None
    # listed in core.users but without a password yet
    assert auth.authenticate(db, "direzione@kasko.demo", PASSWORD, NO_WAIT) is None


def test_unknown_login_and_wrong_password_cost_the_same(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each verifies one argon2 hash (the time a sign-in takes), whether the login exists or not."""
    verified: list[str] = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
            verified.append(str(hash))
            return super().verify(hash, password)

    cheap = CountingHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "passwords", accounts.Passwords(cheap))
    accounts.set_password(db, "mandatario@rossi.it", PASSWORD)
    for login in ("mandatario@rossi.it", "nobody@rossi.it", "direzione@kasko.demo"):
        verified.clear()
        assert auth.authenticate(db, login, "Wrong-Password-123", NO_WAIT) is None
        assert len(verified) == 1 and verified[0].startswith("$argon2id$"), login


def test_throttling_after_five_failures(db: Path, clock: Callable[[timedelta], None]) -> None:
    accounts.set_password(db, "mandatario@rossi.it", PASSWORD)
    for _ in range(5):
        clock(timedelta(minutes=1))
        failed = auth.sign_in(db, "mandatario@rossi.it", "Wrong-Password-123", NO_WAIT)
        assert failed.principal is None and not failed.throttled
    last_failure = datetime(2025, 3, 14, 9, 5)
    clock(timedelta(minutes=1))
    refused = auth.sign_in(db, "MANDATARIO@rossi.it", PASSWORD, NO_WAIT)
    assert refused == auth.SignInResult(None, throttled=True,
                                        retry_after=last_failure + timedelta(minutes=15))
    # other logins are not affected
    assert auth.sign_in(db, "nobody@rossi.it", PASSWORD, NO_WAIT).throttled is False
    # refused attempts do not extend the lockout
    clock(timedelta(minutes=13))
    assert auth.sign_in(db, "mandatario@rossi.it", PASSWORD, NO_WAIT).throttled is True
    clock(timedelta(minutes=1, seconds=1))
    assert auth.sign_in(db, "mandatario@rossi.it", PASSWORD, NO_WAIT).principal is not None


def test_a_success_resets_the_count(db: Path, clock: Callable[[timedelta], None]) -> None:
    accounts.set_password(db, "mandatario@rossi.it", PASSWORD)
    for attempt in range(8):
        clock(timedelta(minutes=1))
        password = PASSWORD if attempt == 4 else "Wrong-Password-123"
        result = auth.sign_in(db, "mandatario@rossi.it", password, NO_WAIT)
        assert result.throttled is False
        assert (result.principal is not None) == (attempt == 4)


def test_throttled_answers_are_slowed(db: Path, clock: Callable[[timedelta], None]) -> None:
    for _ in range(5):
        auth.sign_in(db, "nobody@rossi.it", "Wrong-Password-123", NO_WAIT)
    began = time.perf_counter()
    result = auth.sign_in(db, "nobody@rossi.it", "x", auth.Throttle(delay_seconds=0.3))
    assert result.throttled and time.perf_counter() - began >= 0.3


def test_session_expiry() -> None:
    signed_in = datetime(2025, 3, 14, 9, 0)
    assert not auth.session_expired(signed_in, signed_in + timedelta(minutes=29))
    assert auth.session_expired(signed_in, signed_in + timedelta(minutes=31))
    active = signed_in + timedelta(hours=11, minutes=50)
    assert not auth.session_expired(signed_in, active + timedelta(minutes=5),
                                    last_activity_at=active)
    assert auth.session_expired(signed_in, signed_in + timedelta(hours=12, minutes=1),
                                last_activity_at=signed_in + timedelta(hours=12))


def test_oidc_users_map_to_core_users(db: Path) -> None:
    user = {"is_logged_in": True, "email": "DIREZIONE@kasko.demo", "email_verified": True}
    found = auth.principal_for_oidc_user(db, user)
    assert found is not None and found.profile == "Management"
    assert auth.principal_for_oidc_user(db, {**user, "email_verified": False}) is None
    assert auth.principal_for_oidc_user(db, {**user, "email": "nobody@kasko.demo"}) is None
    assert auth.principal_for_oidc_user(db, {"is_logged_in": False}) is None


def test_a_hash_made_with_other_parameters_is_rehashed_at_the_next_sign_in(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """argon2-cffi's defaults (64 MiB, 3 passes, 4 lanes) were used before OWASP's."""
    monkeypatch.setattr(accounts, "passwords", accounts.Passwords(PasswordHasher()))
    accounts.set_password(db, "mandatario@rossi.it", PASSWORD)
    before = stored_hashes(db)["mandatario@rossi.it"]
    assert before.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    monkeypatch.setattr(accounts, "passwords", accounts.Passwords())  # the release's parameters
    assert auth.authenticate(db, "mandatario@rossi.it", PASSWORD + "x", NO_WAIT) is None
    assert stored_hashes(db)["mandatario@rossi.it"] == before  # a failure rehashes nothing
    assert auth.authenticate(db, "mandatario@rossi.it", PASSWORD, NO_WAIT) is not None
    after = stored_hashes(db)["mandatario@rossi.it"]
    assert after.startswith(OWASP_PARAMETERS)
    assert PasswordHasher().verify(after, PASSWORD)
    assert auth.authenticate(db, "mandatario@rossi.it", PASSWORD, NO_WAIT) is not None
    assert stored_hashes(db)["mandatario@rossi.it"] == after  # rehashed once
