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
    LargeBinary,
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

# ---------------------------------------------------------------- claim intake
# The handovers of intake items to the back office (`kasko intake export`). A run is
# recorded, with its items, before any file is written; finished_at is set once its files
# are in place, and a run found unfinished is completed by the next with the same items.
intake_handovers = Table(
    "intake_handovers",
    metadata,
    Column("handover_id", Identifier, primary_key=True, autoincrement=True),
    Column("stamp", String(32), nullable=False, unique=True),  # the files' timestamp
    Column("out_dir", String(4096), nullable=False),
    Column("started_at", DateTime(), nullable=False),
    Column("finished_at", DateTime(), nullable=True),
)

# Delivery addresses added by a Rappresentante Legale while opening a claim.
intake_addresses = Table(
    "intake_addresses",
    metadata,
    Column("address_id", Identifier, primary_key=True, autoincrement=True),
    Column("customer_code", String(64), nullable=False),
    Column("site_code", String(32), nullable=False),  # KP + the id: never a back-office code
    Column("address", String(200), nullable=False),
    Column("postcode", String(5), nullable=False),
    Column("municipality", String(100), nullable=False),
    Column("province", String(2), nullable=False),
    Column("added_by", String(320), nullable=False),
    Column("added_at", DateTime(), nullable=False),
    Column("handover_id", Identifier, nullable=True),
    Index(None, "customer_code"),
    Index(None, "handover_id"),
)

# One row per request opened in the dashboard, its current state as Kasko Ops knows it.
intake_requests = Table(
    "intake_requests",
    metadata,
    Column("request_number", String(32), primary_key=True),  # KP-<year>-<7 digits>
    Column("customer_code", String(64), nullable=False),
    Column("imei", String(15), nullable=False),
    Column("nmu", String(32), nullable=True),
    Column("request_type", String(32), nullable=False),
    Column("fault_causes", String(400), nullable=True),  # separated by |, as in the exports
    Column("opened_by", String(320), nullable=False),
    Column("opening_profile", String(32), nullable=False),
    Column("opened_at", DateTime(), nullable=False),
    Column("updated_at", DateTime(), nullable=False),
    Column("delivery_mode", String(32), nullable=False),
    Column("assistance_point_code", String(64), nullable=True),
    Column("address_id", Identifier, nullable=True),
    Column("delivery_address", String(400), nullable=True),
    Column("documentation_received_at", DateTime(), nullable=True),
    # set when a claims export carries the number: the back office has it from then on
    Column("acknowledged_at", DateTime(), nullable=True),
    # the handover that carried the request's current version; null: not handed over yet
    Column("handover_id", Identifier, nullable=True),
    CheckConstraint("request_number like 'KP-%'", name="kp_number"),
    Index(None, "customer_code"),
    Index(None, "handover_id"),
    # one request not yet acknowledged per device, on every server at once
    Index("uq_intake_requests_open_imei", "imei", unique=True,
          sqlite_where=text("acknowledged_at is null"),
          postgresql_where=text("acknowledged_at is null")),
)

# The documents of theft/loss requests, kept in the store; one per kind, never replaced.
intake_documents = Table(
    "intake_documents",
    metadata,
    Column("document_id", Identifier, primary_key=True, autoincrement=True),
    Column("request_number", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("media_type", String(64), nullable=False),
    Column("size", Integer(), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary(), nullable=False),
    Column("uploaded_by", String(320), nullable=False),
    Column("uploaded_at", DateTime(), nullable=False),
    Column("handover_id", Identifier, nullable=True),
    Index("uq_intake_documents_request_kind", "request_number", "kind", unique=True),
    Index(None, "handover_id"),
)

# Who submitted, uploaded or added what, and when. Append-only.
intake_audit = Table(
    "intake_audit",
    metadata,
    Column("audit_id", Identifier, primary_key=True, autoincrement=True),
    Column("at", DateTime(), nullable=False),
    Column("login", String(320), nullable=False),
    Column("action", String(32), nullable=False),
    Column("request_number", String(32), nullable=True),
    Column("customer_code", String(64), nullable=False),
    Column("detail", String(1000), nullable=False),
    CheckConstraint("action in ('submission', 'upload', 'address', 'refused_upload')",
                    name="action"),
    Index(None, "request_number"),
    Index(None, "customer_code"),
)

# On SQLite, the last request number given (PostgreSQL: the sequence below); updated in
# the transaction that inserts the request, so a number is given once and never again.
intake_counters = Table(
    "intake_counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger(), nullable=False),
)
REQUEST_NUMBER_SEQUENCE = "intake_request_number_seq"

ENABLEMENTS = "enablements"
INTAKE = "intake"
