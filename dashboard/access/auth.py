"""Sign-in: local accounts (argon2, throttled), single sign-on users, session expiry.

Local accounts: `kasko users set-password LOGIN` stores an argon2 hash in the app store
(`pipelines.appstate`); `authenticate` checks it. In production an OIDC provider can sign
people in instead through Streamlit's `st.login()`; the app then maps `st.user` to a Principal with
`principal_for_oidc_user`. Either way the person must be listed in core.users (the utenti
export), which gives their profile and scope. docs/access.md has the configuration.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from dashboard.access import session_cookie
from dashboard.access.connections import connections, first_row, frame, warehouse_or_default
from dashboard.access.principal import PROFILES, Principal
from pipelines.appstate import accounts

SESSION_IDLE_MINUTES = 30
SESSION_MAX_HOURS = 12


@dataclass(frozen=True)
class Throttle:
    """After max_failures failed sign-ins of one login within window, refuse it for lockout.

    Refused attempts are not checked against the password, wait delay_seconds before
    answering and do not extend the lockout.
    """

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)
    delay_seconds: float = 2.0


THROTTLE = Throttle()


@dataclass(frozen=True)
class SignInResult:
    """A sign-in's outcome: the principal, or why not (throttled until retry_after, or refused)."""

    principal: Principal | None
    throttled: bool = False
    retry_after: datetime | None = None


def principal_for_login(warehouse: Path | str | None, login: str) -> Principal | None:
    """The Principal core.users describes for a login (trimmed, case-insensitive), or None.

    None also when the user has no known profile. For OIDC, pass the verified e-mail.
    """
    key = accounts.login_key(login or "")
    if not key:
        return None
    with connections.cursor(warehouse_or_default(warehouse)) as cursor:
        users = frame(cursor, "principal_by_login", login=key)
    if len(users) != 1:  # none, or an ambiguous export listing the login twice
        return None
    user = first_row(users)
    if user is None or user["profile"] not in PROFILES:
        return None
    return Principal(
        login=user["login"],
        full_name=user["full_name"],
        profile=user["profile"],
        customer_code=user["customer_code"],
        nmu=user["nmu"],
    )


def principal_for_oidc_user(
    warehouse: Path | str | None, user: Mapping[str, Any]
) -> Principal | None:
    """The Principal for a user signed in with st.login(): `st.user`'s e-mail in core.users.

    A provider that says the e-mail is not verified (`email_verified` false) gets None.
    """
    if not user.get("is_logged_in", True) or user.get("email_verified") is False:
        return None
    email = user.get("email")
    return principal_for_login(warehouse, email) if isinstance(email, str) else None


def sign_in(
    warehouse: Path | str | None, login: str, password: str, throttle: Throttle = THROTTLE
) -> SignInResult:
    """Check a local account's password, with throttling; every attempt is recorded.

    An unknown login and a wrong password get the same answer in about the same time
    (one argon2 verification each).
    """
    path = warehouse_or_default(warehouse)
    now = accounts.local_now()
    facts = accounts.sign_in_facts(path, login, since=now - throttle.window - throttle.lockout)
    retry_after = throttled_until(facts.failures, now, throttle)
    if retry_after is not None:
        accounts.record_sign_in(path, login, success=False, throttled=True)
        time.sleep(throttle.delay_seconds)
        return SignInResult(None, throttled=True, retry_after=retry_after)
    principal = principal_for_login(path, login)
    verified = accounts.passwords.verify(facts.password_hash, password)
    success = verified and principal is not None
    new_hash = None
    if success and facts.password_hash and accounts.passwords.needs_rehash(facts.password_hash):
        new_hash = accounts.passwords.hash(password)  # the hashing parameters were raised since
    accounts.record_sign_in(path, login, success=success, new_password_hash=new_hash)
    return SignInResult(principal if success else None)


def throttled_until(
    failures: Sequence[datetime], now: datetime, throttle: Throttle = THROTTLE
) -> datetime | None:
    """Until when a login is locked out, if max_failures of its failures fell within a window.

    `failures` are the login's failed attempts since its last success, oldest first. The
    lockout starts at the failure that completed the count, so its end is known in
    advance; attempts refused meanwhile change nothing.
    """
    for index in range(len(failures) - throttle.max_failures, -1, -1):
        first, last = failures[index], failures[index + throttle.max_failures - 1]
        if last - first <= throttle.window and now < last + throttle.lockout:
            return last + throttle.lockout
    return None


def authenticate(
    warehouse: Path | str | None, login: str, password: str, throttle: Throttle = THROTTLE
) -> Principal | None:
    """The Principal when login and password match a local account, else None."""
    return sign_in(warehouse, login, password, throttle).principal


def session_expired(
    signed_in_at: datetime,
    now: datetime | None = None,
    idle_minutes: int = SESSION_IDLE_MINUTES,
    last_activity_at: datetime | None = None,
    max_hours: int = SESSION_MAX_HOURS,
) -> bool:
    """Whether a session must sign in again: idle too long, or signed in too long ago.

    Idle time counts from last_activity_at (else signed_in_at). Pass aware or naive
    datetimes consistently; now defaults to the configured zone's local clock.
    """
    now = now or accounts.local_now()
    idle_since = last_activity_at or signed_in_at
    return (
        now - idle_since > timedelta(minutes=idle_minutes)
        or now - signed_in_at > timedelta(hours=max_hours)
    )


def local_time() -> datetime:
    """The time sign-ins and sessions are measured in: local time, as the store keeps it."""
    return accounts.local_now()


def principal_from_cookie(path: Path, value: str | None,
                          now: float | None = None) -> tuple[Principal, int] | None:
    """(principal, issue time) of a valid session cookie: well signed, unexpired, and
    issued under the account's current password (a changed password ends the session)."""
    claim = session_cookie.read(session_cookie.signing_key(path), value, now)
    if claim is None:
        return None
    facts = accounts.sign_in_facts(path, claim.login,
                                   since=accounts.local_now())
    if facts.password_hash is None or session_cookie.password_fingerprint(
            facts.password_hash) != claim.password_fingerprint:
        return None
    principal = principal_for_login(path, claim.login)
    return None if principal is None else (principal, claim.issued_at)
