"""Bringing a store to this release's schema (Alembic), importing the DuckDB app database once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from pipelines.appstate.legacy import LegacyImport, LegacyImportError, import_legacy_database
from pipelines.appstate.store import Store, StoreUnavailable

SCRIPT_LOCATION = "pipelines.appstate:migrations"
# Concurrent `kasko serve` starts on one PostgreSQL migrate one at a time.
MIGRATION_LOCK_KEY = 0x6B61736B6F


class MigrationFailed(Exception):
    """A migration or the import failed; the store was left as it was."""


@dataclass(frozen=True)
class MigrationResult:
    before: str | None  # the revision found; None for a new store
    after: str
    imported: LegacyImport | None  # what the DuckDB app database gave, when it was imported


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(store: Store) -> str | None:
    with store.read() as con:
        return MigrationContext.configure(con).get_current_revision()


def migrate(store: Store, legacy_file: Path | None = None) -> MigrationResult:
    """Upgrade the store to the head revision, then import `legacy_file` if never imported.

    Everything happens in one transaction: when a revision or the import fails, nothing
    of it stays (PostgreSQL and SQLite both roll DDL back).
    """
    try:
        with store.write() as con:
            if store.is_postgresql:
                con.execute(text("select pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            before = MigrationContext.configure(con).get_current_revision()
            try:
                command.upgrade(alembic_config(con), "head")
                after = MigrationContext.configure(con).get_current_revision()
                imported = None
                if legacy_file is not None and legacy_file.exists():
                    imported = import_legacy_database(store, con, legacy_file)
            except (StoreUnavailable, LegacyImportError):
                raise
            except Exception as error:
                raise MigrationFailed(
                    f"the migration of {store} failed, nothing was changed: "
                    f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
                ) from error
    except LegacyImportError as error:
        raise MigrationFailed(f"{error}; nothing was changed") from error
    assert after is not None
    store.migrated = True
    return MigrationResult(before, after, imported)
