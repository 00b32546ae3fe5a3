"""The store's tables, as SQLAlchemy Core metadata: what the migrations create, what queries use."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    text,
)

# Names constraints and indexes the same way on every backend, so migrations can name them.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite gives rowid-backed automatic keys only to a column declared INTEGER PRIMARY KEY.
Identifier = BigInteger().with_variant(Integer(), "sqlite")

# Times are naive local times (the configured zone, Europe/Rome by default), as the exports'.

# One row per dashboard account: the argon2 hash of its password, never the password.
accounts = Table(
    "accounts",
    metadata,
    Column("login", String(320), primary_key=True),  # core.users login, lower-cased
    Column("password_hash", String(512), nullable=False),  # argon2id, PHC string format
    Column("updated_at", DateTime(), nullable=False),
)

# One row per sign-in attempt, by the login as typed (lower-cased): the throttle reads it.
sign_in_attempts = Table(
    "sign_in_attempts",
    metadata,
    Column("attempt_id", Identifier, primary_key=True, autoincrement=True),
    Column("login", String(320), nullable=False),
    Column("attempted_at", DateTime(), nullable=False),
    Column("success", Boolean(), nullable=False),
    # refused unverified while the login was throttled
    Column("throttled", Boolean(), nullable=False, server_default=text("false")),
    Index(None, "login", "attempted_at"),
)

# One row per enablement change made in the dashboard. Append-only: the audit record and
# the dashboard's side of each line's state.
enablement_changes = Table(
    "enablement_changes",
    metadata,
    Column("change_id", Identifier, primary_key=True, autoincrement=True),
    Column("changed_at", DateTime(), nullable=False),
    Column("changed_by", String(320), nullable=False),
    Column("customer_code", String(64), nullable=False),
    Column("nmu", String(32), nullable=False),
    Column("enabled_before", Boolean(), nullable=True),  # null: never set before
    Column("enabled_after", Boolean(), nullable=False),
    Column("source", String(16), nullable=False, server_default=text("'dashboard'")),
    CheckConstraint("source = 'dashboard'", name="source"),
    Index(None, "customer_code", "nmu"),
)

# A counter per kind of state that cached answers depend on. A writer bumps it in the
# transaction that changes the state; the row lock (PostgreSQL) or the write lock (SQLite)
# also makes writers of that kind take turns, across processes and machines.
state_versions = Table(
    "state_versions",
    metadata,
    Column("topic", String(64), primary_key=True),
    Column("version", BigInteger(), nullable=False),
)

# Which earlier databases were imported, so an import happens once.
legacy_imports = Table(
    "legacy_imports",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("imported_at", DateTime(), nullable=False),
    Column("file", String(4096), nullable=False),
    Column("accounts", Integer(), nullable=False),
    Column("sign_in_attempts", Integer(), nullable=False),
    Column("enablement_changes", Integer(), nullable=False),
)

ENABLEMENTS = "enablements"
