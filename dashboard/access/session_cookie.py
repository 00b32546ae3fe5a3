"""The signed session cookie: a sign-in that survives a refresh, for the session's lifetime.

The cookie carries the login, when it was issued, when it expires and a fingerprint of
the account's password hash, signed with HMAC-SHA256. Changing the password changes the
fingerprint, which ends every session signed in with the old one. The key comes from
$KASKO_SECRET_KEY, else from a file created (mode 0600) beside the warehouse at first
use, so that every server process on one host signs and checks alike; several hosts
behind one address must all be given the same $KASKO_SECRET_KEY (docs/access.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

COOKIE_NAME = "kasko_sessione"
KEY_ENV = "KASKO_SECRET_KEY"
KEY_FILE_SUFFIX = ".session.key"
LIFETIME_SECONDS = 12 * 3600  # auth.SESSION_MAX_HOURS: a session ends 12 hours after sign-in
_FIELD = "|"


@dataclass(frozen=True)
class SessionClaim:
    """What a valid cookie says: who signed in and when."""

    login: str
    issued_at: int
    expires_at: int
    password_fingerprint: str


def key_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.stem + KEY_FILE_SUFFIX)


def signing_key(warehouse: Path) -> bytes:
    """$KASKO_SECRET_KEY, else the key file beside the warehouse (made 0600 when missing)."""
    configured = os.environ.get(KEY_ENV)
    if configured:
        return configured.encode()
    path = key_path(warehouse)
    try:
        # O_EXCL: two processes starting together make one key, and the loser reads it
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(descriptor, "wb") as handle:
        key = secrets.token_urlsafe(48).encode()
        handle.write(key)
    return key


def password_fingerprint(password_hash: str | None) -> str:
    """A short digest of the stored hash: it changes whenever the password does."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:24]


def _signature(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(key: bytes, login: str, password_hash: str | None, now: float | None = None,
          lifetime: int = LIFETIME_SECONDS) -> str:
    """A cookie value for a login that has just signed in."""
    issued = int(now if now is not None else time.time())
    login_text = base64.urlsafe_b64encode(login.encode()).decode()
    payload = _FIELD.join((login_text, str(issued), str(issued + lifetime),
                           password_fingerprint(password_hash)))
    return f"{payload}{_FIELD}{_signature(key, payload)}"


def read(key: bytes, value: str | None, now: float | None = None) -> SessionClaim | None:
    """The claim of a well-signed, unexpired cookie; None for anything else."""
    if not value:
        return None
    payload, _, signature = value.rpartition(_FIELD)
    if not payload or not hmac.compare_digest(signature, _signature(key, payload)):
        return None
    try:
        login_text, issued, expires, fingerprint = payload.split(_FIELD)
        claim = SessionClaim(base64.urlsafe_b64decode(login_text.encode()).decode(),
                             int(issued), int(expires), fingerprint)
    except ValueError:
        return None
    moment = now if now is not None else time.time()
    return claim if claim.issued_at <= moment < claim.expires_at else None
