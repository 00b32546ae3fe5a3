"""The dashboard's own state (accounts, sign-ins, enablement changes) in SQLite or PostgreSQL.

`store_for(warehouse)` gives the store of a warehouse, migrated to this release's schema
(and, the first time, with the DuckDB app database of earlier releases imported). New
kinds of state get a table in `tables`, an Alembic revision in `migrations/versions/`,
and their reads and writes inside `Store.read()` / `Store.write()` transactions.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.appstate.legacy import LegacyImport
from pipelines.appstate.store import (
    APP_DB_ENV,
    Store,
    StoreBusy,
    StoreUnavailable,
    cached_store,
    create_store,
    default_sqlite_path,
    describe,
    forget_stores,
    store_url,
    without_password,
)
from pipelines.appstate.upgrade import (
    MigrationFailed,
    MigrationResult,
    current_revision,
    head_revision,
    migrate,
)
from pipelines.config import app_database_path, database_path

__all__ = [
    "APP_DB_ENV",
    "LegacyImport",
    "MigrationFailed",
    "MigrationResult",
    "Store",
    "StoreBusy",
    "StoreUnavailable",
    "create_store",
    "current_revision",
    "default_sqlite_path",
    "describe",
    "forget_stores",
    "head_revision",
    "migrate",
    "migrate_for",
    "store_for",
    "store_url",
    "without_password",
]


def migrate_for(warehouse: Path | None = None) -> tuple[Store, MigrationResult]:
    """Migrate the warehouse's store, importing the earlier DuckDB app database beside it once."""
    warehouse = warehouse or database_path()
    store = cached_store(store_url(warehouse))
    with store.lock:
        return store, migrate(store, app_database_path(warehouse))


def store_for(warehouse: Path | None = None) -> Store:
    """The warehouse's store, migrated once per process before its first use."""
    warehouse = warehouse or database_path()
    store = cached_store(store_url(warehouse))
    if not _ready(store):
        with store.lock:
            if not _ready(store):
                migrate(store, app_database_path(warehouse))
    return store


def _ready(store: Store) -> bool:
    # A SQLite file removed since (a test's folder, a reset) is created again.
    return store.migrated and (not store.is_sqlite or Path(store.url.database or "").exists())
