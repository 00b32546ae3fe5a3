"""The one-time import of the DuckDB app database earlier releases kept beside the warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from sqlalchemy import Connection, Table, exc, insert, select, text

from pipelines.appstate import tables

if TYPE_CHECKING:
    from pipelines.appstate.store import Store

SOURCE = "duckdb-app-database"
# Rows are copied in batches so that a large sign-in history does not sit in memory twice.
BATCH_ROWS = 10_000


class LegacyImportError(Exception):
    """The earlier app database cannot be imported; the message names the file and why."""


@dataclass(frozen=True)
class LegacyImport:
    file: Path
    accounts: int
    sign_in_attempts: int
    enablement_changes: int


def already_imported(con: Connection) -> bool:
    found = con.execute(
        select(tables.legacy_imports.c.source).where(tables.legacy_imports.c.source == SOURCE)
    ).first()
    return found is not None


def import_legacy_database(store: Store, con: Connection, path: Path) -> LegacyImport | None:
    """Copy every account, sign-in attempt and enablement change, ids and times as they were.

    Runs inside the caller's transaction; None when this store imported one already.
    """
    if already_imported(con):
        return None
    try:
        source = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise LegacyImportError(
            f"{path}: the earlier app database cannot be opened ({error}); "
            "stop the processes of the earlier release and try again"
        ) from error
    try:
        present = {name for (name,) in source.execute("show tables").fetchall()}
        counts = {}
        for table, columns in (
            (tables.accounts, ["login", "password_hash", "updated_at"]),
            (tables.sign_in_attempts, ["login", "attempted_at", "success", "throttled"]),
            (tables.enablement_changes, [
                "change_id", "changed_at", "changed_by", "customer_code", "nmu",
                "enabled_before", "enabled_after", "source",
            ]),
        ):
            counts[table.name] = (
                _copy(source, con, table, columns) if table.name in present else 0
            )
    except exc.IntegrityError as error:
        raise LegacyImportError(
            f"{path}: its rows clash with rows already in the app database {store}"
        ) from error
    finally:
        source.close()
    if store.is_postgresql and counts["enablement_changes"]:
        # Explicit ids do not advance the sequence: the next change must come after them.
        con.execute(text(
            "select setval(pg_get_serial_sequence('enablement_changes', 'change_id'), "
            "(select max(change_id) from enablement_changes))"
        ))
    if counts["enablement_changes"]:
        store.bump(con, tables.ENABLEMENTS)
    result = LegacyImport(path, counts["accounts"], counts["sign_in_attempts"],
                          counts["enablement_changes"])
    con.execute(insert(tables.legacy_imports).values(
        source=SOURCE, imported_at=datetime.now(), file=str(path.absolute()),
        accounts=result.accounts, sign_in_attempts=result.sign_in_attempts,
        enablement_changes=result.enablement_changes,
    ))
    return result


def _copy(
    source: duckdb.DuckDBPyConnection, con: Connection, table: Table, columns: list[str]
) -> int:
    order = columns[0] if columns[0] == "change_id" else f"{columns[1]}, {columns[0]}"
    # Names come from this module's lists, never from the file.
    cursor = source.execute(
        f"select {', '.join(columns)} from {table.name} order by {order}"  # noqa: S608
    )
    copied = 0
    while rows := cursor.fetchmany(BATCH_ROWS):
        con.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        copied += len(rows)
    return copied

