"""Dashboard accounts, sign-in attempts and enablement changes (in the store); `kasko users`."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select

from pipelines import appstate
from pipelines.appstate import tables
from pipelines.config import database_path, settings

EXIT_OK, EXIT_REFUSED = 0, 1
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# OWASP's Password Storage Cheat Sheet, first Argon2id configuration: 19 MiB, 2 passes,
# 1 lane. Hashes made with other parameters still verify and are rehashed at sign-in.
OWASP_ARGON2 = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}

# The store's changes as the warehouse queries read them (a registered Arrow relation).
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
    """argon2id hashing with OWASP's parameters, and checking."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher(**OWASP_ARGON2)
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


# ---------------------------------------------------------------- passwords


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRejected(f"the password must be at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip() == "":
        raise PasswordRejected("the password must not be only spaces")


def set_password(warehouse: Path, login: str, password: str) -> None:
    """Store the argon2 hash of a new password for a login (the caller checked the login)."""
    check_password_policy(password)
    password_hash = passwords.hash(password)
    store = appstate.store_for(warehouse)
    with store.write() as con:
        _store_hash(store, con, login, password_hash)


def _store_hash(
    store: appstate.Store, con: Connection, login: str, password_hash: str
) -> None:
    con.execute(store.upsert(
        tables.accounts,
        {"login": login_key(login), "password_hash": password_hash, "updated_at": local_now()},
        keys=["login"],
    ))


# ---------------------------------------------------------------- sign-in attempts


@dataclass(frozen=True)
class SignInFacts:
    """What a sign-in needs from the store, read in one go."""

    password_hash: str | None  # None: the login has no account
    failures: list[datetime]  # failed attempts after `since` and after the last success


def sign_in_facts(warehouse: Path, login: str, since: datetime) -> SignInFacts:
    """The login's password hash and its recent failures, oldest first.

    Attempts the throttle refused are not failures: they were never checked.
    """
    key = login_key(login)
    attempts = tables.sign_in_attempts
    recent = (attempts.c.login == key) & (attempts.c.attempted_at >= since)
    with appstate.store_for(warehouse).read() as con:
        password_hash = con.execute(
            select(tables.accounts.c.password_hash).where(tables.accounts.c.login == key)
        ).scalar_one_or_none()
        last_success = con.execute(
            select(attempts.c.attempted_at).where(recent & attempts.c.success)
            .order_by(attempts.c.attempted_at.desc()).limit(1)
        ).scalar_one_or_none()
        failures = con.execute(
            select(attempts.c.attempted_at)
            .where(recent, ~attempts.c.success, ~attempts.c.throttled,
                   attempts.c.attempted_at > (last_success or since))
            .order_by(attempts.c.attempted_at)
        ).scalars().all()
    return SignInFacts(password_hash, list(failures))


def record_sign_in(
    warehouse: Path,
    login: str,
    success: bool,
    throttled: bool = False,
    new_password_hash: str | None = None,
) -> None:
    """Append the attempt; after a success, store a hash made with raised parameters if given."""
    store = appstate.store_for(warehouse)
    with store.write() as con:
        con.execute(insert(tables.sign_in_attempts).values(
            login=login_key(login), attempted_at=local_now(), success=success,
            throttled=throttled,
        ))
        if success and new_password_hash is not None:
            _store_hash(store, con, login, new_password_hash)


# ---------------------------------------------------------------- enablement changes


def read_enablement_changes(
    con: Connection, customers: Sequence[str] | None, nmu: str | None = None
) -> pa.Table:
    """The dashboard's changes for some customers (None: all), optionally one line, oldest first."""
    changes = tables.enablement_changes
    query = select(*(changes.c[name] for name in ENABLEMENT_CHANGES_SCHEMA.names))
    if customers is not None:
        query = query.where(changes.c.customer_code.in_(list(customers)))
    if nmu is not None:
        query = query.where(changes.c.nmu == nmu)
    rows = con.execute(query.order_by(changes.c.change_id)).mappings().all()
    return pa.Table.from_pylist([dict(row) for row in rows], schema=ENABLEMENT_CHANGES_SCHEMA)


def enablement_changes(
    warehouse: Path, customers: Sequence[str] | None, nmu: str | None = None
) -> pa.Table:
    """`read_enablement_changes` in a transaction of its own."""
    if customers is not None and not customers:
        return ENABLEMENT_CHANGES_SCHEMA.empty_table()
    with appstate.store_for(warehouse).read() as con:
        return read_enablement_changes(con, customers, nmu)


def append_enablement_changes(
    con: Connection,
    changed_by: str,
    changes: Iterable[EnablementChange],
    changed_at: datetime,
) -> None:
    """Append one audit row per change, in the caller's transaction."""
    rows = [
        {"changed_at": changed_at, "changed_by": changed_by, "customer_code": c.customer_code,
         "nmu": c.nmu, "enabled_before": c.enabled_before, "enabled_after": c.enabled_after}
        for c in changes
    ]
    if rows:
        con.execute(insert(tables.enablement_changes), rows)


@contextlib.contextmanager
def enablement_transaction(warehouse: Path) -> Iterator[Connection]:
    """A write transaction in which this writer alone changes enablements, on every server.

    A change reads the lines' states, then appends: another writer must not slip in
    between. Taking the turn also moves `enablement_version`, so every process's caches
    see the change at their next page run.
    """
    store = appstate.store_for(warehouse)
    with store.write() as con:
        store.bump(con, tables.ENABLEMENTS)
        yield con


def enablement_version(warehouse: Path) -> int:
    """Moves with every committed enablement change, whichever process made it."""
    return appstate.store_for(warehouse).version(tables.ENABLEMENTS)


# ---------------------------------------------------------------- `kasko users`


def warehouse_logins(warehouse: Path, logins: Iterable[str]) -> dict[str, str]:
    """login key -> login as core.users writes it, for the given logins that exist there."""
    from pipelines.warehouse import close_read_only, connect_read_only

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
        close_read_only(con)
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
        set_password(warehouse, login, password)
    except PasswordRejected as error:
        print(f"kasko users: {error}; nothing changed", file=sys.stderr)
        return EXIT_REFUSED
    print(f"password set for {login}")
    return EXIT_OK


def _demo_accounts_command(args: argparse.Namespace,
                           demo_accounts: Mapping[str, tuple[str, str]]) -> int:
    warehouse = database_path(args.db)
    try:
        known = warehouse_logins(warehouse, demo_accounts)
    except FileNotFoundError as error:
        print(f"kasko users: {error}", file=sys.stderr)
        return EXIT_REFUSED
    done = []
    for demo_login, (profile, password) in demo_accounts.items():
        login = known.get(login_key(demo_login))
        if login is None:
            print(f"kasko users: {demo_login} is not in core.users; skipped", file=sys.stderr)
            continue
        try:
            set_password(warehouse, login, password)
        except PasswordRejected as error:
            print(f"kasko users: {login}: {error}; skipped", file=sys.stderr)
            continue
        done.append((login, profile))
    for login, profile in done:
        print(f"{login}  ({profile})")
    print(f"{len(done)} demo accounts ready")
    return EXIT_OK


def command(args: argparse.Namespace,
            demo_accounts: Mapping[str, tuple[str, str]] | None = None) -> int:
    """`kasko users set-password LOGIN` and `kasko users demo-accounts`: 0 done, 1 refused.

    `demo_accounts` (login -> profile, password) are the demo's, given by the caller.
    """
    try:
        if args.what == "set-password":
            return _set_password_command(args)
        if args.what == "demo-accounts":
            return _demo_accounts_command(args, demo_accounts or {})
    except appstate.StoreUnavailable as error:
        print(f"kasko users: {error}", file=sys.stderr)
        return EXIT_REFUSED
    raise AssertionError(args.what)
