"""The dashboard's own database (accounts, enablement changes, sign-ins) and `kasko users`."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import itertools
import random
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipelines.config import app_database_path, database_path, settings
from pipelines.sqlfiles import SQL_DIR

EXIT_OK, EXIT_REFUSED = 0, 1
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# How long a caller waits for another process to let go of the app database.
LOCK_WAIT_SECONDS = 15.0
APP_DUCKDB_CONFIG = {"threads": 1}

# The app-DB changes as the warehouse queries read them (a registered Arrow relation).
ENABLEMENT_CHANGES_SCHEMA = pa.schema(
    [
        ("change_id", pa.int64()),
        ("changed_at", pa.timestamp("us")),
        ("changed_by", pa.string()),
        ("customer_code", pa.string()),
        ("nmu", pa.string()),
        ("enabled_before", pa.bool_()),
        ("enabled_after", pa.bool_()),
        ("source", pa.string()),
    ]
)


class AppDatabaseBusy(Exception):
    """Another process held the app database for longer than callers wait."""


class PasswordRejected(ValueError):
    """A new password does not meet the policy; the message says why (never the password)."""


@dataclass(frozen=True)
class EnablementChange:
    """One line's change as the dashboard records it."""

    customer_code: str
    nmu: str
    enabled_before: bool | None
    enabled_after: bool


class Passwords:
    """argon2id hashing (argon2-cffi's defaults, RFC 9106's low-memory choice) and checking."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        # Checked against when a login has no account, so that the answer takes as long.
        self._dummy_hash: str | None = None

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether the password matches the stored hash; no hash costs the same time."""
        if stored is None:
            if self._dummy_hash is None:
                self._dummy_hash = self.hasher.hash("no account has this password")
            with contextlib.suppress(VerificationError, InvalidHashError):
                self.hasher.verify(self._dummy_hash, password)
            return False
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self.hasher.check_needs_rehash(stored)


passwords = Passwords()


def local_now() -> datetime:
    """Now as a naive local time in the configured zone, comparable with the exports' times."""
    return datetime.now(ZoneInfo(settings().sla.timezone)).replace(tzinfo=None)


def login_key(login: str) -> str:
    """Logins are e-mails: compared trimmed and case-insensitively."""
    return login.strip().lower()


# ---------------------------------------------------------------- connections


def _is_lock_conflict(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


def _connect(path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Open the app database read-write, retrying while another process holds it."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.02
    while True:
        try:
            return duckdb.connect(str(path), config=APP_DUCKDB_CONFIG)
        except duckdb.IOException as error:
            if not _is_lock_conflict(error):
                raise
            if time.monotonic() + delay > deadline:
                raise AppDatabaseBusy(
                    f"{path} is held by another process; try again in a moment"
                ) from error
        time.sleep(delay * (1 + random.random() / 2))
        delay = min(delay * 2, 0.5)


@contextlib.contextmanager
def app_connection(
    app_path: Path, wait_seconds: float = LOCK_WAIT_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-write connection to the app database: open, work, close.

    DuckDB lets one process at a time hold the file, so nobody keeps it open: the
    dashboard and `kasko users` take turns, retrying with backoff while the other holds it.
    """
    app_path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(app_path, wait_seconds)
    try:
        _ensure_schema(con, app_path)
        yield con
    finally:
        con.close()


# Files whose schema this process has already created or checked, by path and inode.
_schema_ready: set[tuple[str, int]] = set()


def _ensure_schema(con: duckdb.DuckDBPyConnection, app_path: Path) -> None:
    key = (str(app_path.resolve()), app_path.stat().st_ino)
    if key in _schema_ready:
        return
    for path in sorted((SQL_DIR / "app").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
    _schema_ready.add(key)


# ---------------------------------------------------------------- passwords


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRejected(f"the password must be at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip() == "":
        raise PasswordRejected("the password must not be only spaces")


def set_password(app_path: Path, login: str, password: str) -> None:
    """Store the argon2 hash of a new password for a login (the caller checked the login)."""
    check_password_policy(password)
    password_hash = passwords.hash(password)
    with app_connection(app_path) as con:
        _store_hash(con, login, password_hash)


def _store_hash(con: duckdb.DuckDBPyConnection, login: str, password_hash: str) -> None:
    con.execute(
        """
        insert or replace into accounts (login, password_hash, updated_at)
        values ($login, $password_hash, $updated_at)
        """,
        {"login": login_key(login), "password_hash": password_hash, "updated_at": local_now()},
    )


# ---------------------------------------------------------------- sign-in attempts


@dataclass(frozen=True)
class SignInFacts:
    """What a sign-in needs from the app database, read in one go."""

    password_hash: str | None  # None: the login has no account
    failures: list[datetime]  # failed attempts after `since` and after the last success


def sign_in_facts(app_path: Path, login: str, since: datetime) -> SignInFacts:
    """The login's password hash and its recent failures, oldest first.

    Attempts the throttle refused are not failures: they were never checked.
    """
    if not app_path.exists():
        return SignInFacts(None, [])
    key = login_key(login)
    with app_connection(app_path) as con:
        row = con.execute(
            "select password_hash from accounts where login = $login", {"login": key}
        ).fetchone()
        failures = con.execute(
            """
            with attempts as (
                select * from sign_in_attempts where login = $login and attempted_at >= $since
            )
            select attempted_at
            from attempts
            where not success and not throttled
              and attempted_at > coalesce(
                  (select max(attempted_at) from attempts where success), $since
              )
            order by attempted_at
            """,
            {"login": key, "since": since},
        ).fetchall()
    return SignInFacts(row[0] if row else None, [at for (at,) in failures])


def record_sign_in(
    app_path: Path,
    login: str,
    success: bool,
    throttled: bool = False,
    new_password_hash: str | None = None,
) -> None:
    """Append the attempt; after a success, store a hash made with raised parameters if given."""
    with app_connection(app_path) as con:
        con.execute(
            "insert into sign_in_attempts values ($login, $attempted_at, $success, $throttled)",
            {"login": login_key(login), "attempted_at": local_now(), "success": success,
             "throttled": throttled},
        )
        if success and new_password_hash is not None:
            _store_hash(con, login, new_password_hash)


# ---------------------------------------------------------------- enablement changes


def read_enablement_changes(
    con: duckdb.DuckDBPyConnection, customers: Sequence[str] | None, nmu: str | None = None
) -> pa.Table:
    """The dashboard's changes for some customers (None: all), optionally one line, oldest first."""
    return con.sql(
        """
        select change_id, changed_at, changed_by, customer_code, nmu,
               enabled_before, enabled_after, source
        from enablement_changes
        where ($customers is null or list_contains($customers, customer_code))
          and ($nmu is null or nmu = $nmu)
        order by change_id
        """,
        params={"customers": None if customers is None else list(customers), "nmu": nmu},
    ).to_arrow_table().cast(ENABLEMENT_CHANGES_SCHEMA)


def enablement_changes(
    app_path: Path, customers: Sequence[str] | None, nmu: str | None = None
) -> pa.Table:
    """`read_enablement_changes` with a connection of its own; empty before the first change."""
    if (customers is not None and not customers) or not app_path.exists():
        return ENABLEMENT_CHANGES_SCHEMA.empty_table()
    with app_connection(app_path) as con:
        return read_enablement_changes(con, customers, nmu)


def append_enablement_changes(
    con: duckdb.DuckDBPyConnection,
    changed_by: str,
    changes: Iterable[EnablementChange],
    changed_at: datetime,
) -> None:
    """Append one audit row per change, in one transaction."""
    rows = [
        (changed_at, changed_by, c.customer_code, c.nmu, c.enabled_before, c.enabled_after)
        for c in changes
    ]
    if not rows:
        return
    con.execute("begin transaction")
    try:
        con.executemany(
            """
            insert into enablement_changes
                (changed_at, changed_by, customer_code, nmu, enabled_before, enabled_after)
            values (?, ?, ?, ?, ?, ?)
            """,
            rows,
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    global _current_generation
    _current_generation = next(_enablement_generation)


# Enablement changes read a line's state, then append: one writer per process at a time
# (other processes are kept out by DuckDB's file lock while the connection is open).
enablement_write_lock = threading.Lock()
_enablement_generation = itertools.count(1)
_current_generation = 0


def enablement_generation() -> int:
    """How many enablement changes this process has appended: query caches key on it."""
    return _current_generation


# ---------------------------------------------------------------- `kasko users`


def warehouse_logins(warehouse: Path, logins: Iterable[str]) -> dict[str, str]:
    """login key -> login as core.users writes it, for the given logins that exist there."""
    from pipelines.warehouse import connect_read_only

    keys = sorted({login_key(login) for login in logins})
    con = connect_read_only(warehouse)
    try:
        rows = con.execute(
            """
            select lower(trim(login)), login
            from core.users
            where list_contains($keys, lower(trim(login)))
            """,
            {"keys": keys},
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def _read_new_password(from_stdin: bool) -> str | None:
    if from_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    first = getpass.getpass("New password: ")
    second = getpass.getpass("Repeat the new password: ")
    if first != second:
        print("kasko users: the two passwords differ; nothing changed", file=sys.stderr)
        return None
    return first


def _set_password_command(args: argparse.Namespace) -> int:
    warehouse = database_path(args.db)
    try:
        known = warehouse_logins(warehouse, [args.login])
    except FileNotFoundError as error:
        print(f"kasko users: {error}", file=sys.stderr)
        return EXIT_REFUSED
    login = known.get(login_key(args.login))
    if login is None:
        print(
            f"kasko users: {args.login!r} is not a user in {warehouse} (core.users): "
            "load the utenti export that lists it first",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    password = _read_new_password(args.password_stdin)
    if password is None:
        return EXIT_REFUSED
    try:
        set_password(app_database_path(warehouse), login, password)
    except PasswordRejected as error:
        print(f"kasko users: {error}; nothing changed", file=sys.stderr)
        return EXIT_REFUSED
    print(f"password set for {login}")
    return EXIT_OK


def _demo_accounts_command(args: argparse.Namespace) -> int:
    try:
        from pipelines.demo.accounts import DEMO_ACCOUNTS
    except ImportError as error:
        print(f"kasko users: no demo accounts available ({error})", file=sys.stderr)
        return EXIT_REFUSED
    warehouse = database_path(args.db)
    try:
        known = warehouse_logins(warehouse, DEMO_ACCOUNTS)
    except FileNotFoundError as error:
        print(f"kasko users: {error}", file=sys.stderr)
        return EXIT_REFUSED
    app_path = app_database_path(warehouse)
    done = []
    for demo_login, (profile, password) in DEMO_ACCOUNTS.items():
        login = known.get(login_key(demo_login))
        if login is None:
            print(f"kasko users: {demo_login} is not in core.users; skipped", file=sys.stderr)
            continue
        try:
            set_password(app_path, login, password)
        except PasswordRejected as error:
            print(f"kasko users: {login}: {error}; skipped", file=sys.stderr)
            continue
        done.append((login, profile))
    for login, profile in done:
        print(f"{login}  ({profile})")
    print(f"{len(done)} demo accounts ready")
    return EXIT_OK


def command(args: argparse.Namespace) -> int:
    """`kasko users set-password LOGIN` and `kasko users demo-accounts`: 0 done, 1 refused."""
    try:
        if args.what == "set-password":
            return _set_password_command(args)
        if args.what == "demo-accounts":
            return _demo_accounts_command(args)
    except AppDatabaseBusy as error:
        print(f"kasko users: {error}", file=sys.stderr)
        return EXIT_REFUSED
    raise AssertionError(args.what)
