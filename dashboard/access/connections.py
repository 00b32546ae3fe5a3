"""Read-only warehouse cursors for the data layer, and the named queries of sql/queries/."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines import appstate
from pipelines.appstate import StoreUnavailable, accounts, tables
from pipelines.config import database_path
from pipelines.sqlfiles import named_query
from pipelines.warehouse import close_read_only, connect_read_only
from pipelines.warehouse.calendar import today  # noqa: F401 (the pages' as-of default)

# What a page shows while the app store (PostgreSQL) cannot be reached.
STORE_UNAVAILABLE = (
    "Il database dell'applicazione non è raggiungibile in questo momento: accesso e "
    "abilitazioni non sono disponibili. La pagina riprende da sola appena torna disponibile."
)
# How long a reader waits for the queries still running on a replaced warehouse to end
# before it is closed; past that the old file keeps being served a little longer.
SWAP_WAIT_SECONDS = 10.0

FileKey = tuple[int, int, int]  # (inode, mtime_ns, size); a load renames a new file over the old


def warehouse_or_default(warehouse: Path | str | None) -> Path:
    """The warehouse given, else the configured one ($KASKO_DB, else data/kasko.duckdb)."""
    return Path(warehouse) if warehouse else database_path()


def file_key(path: Path) -> FileKey:
    """Which version of a file is there; (0, 0, 0) when there is none."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return 0, 0, 0
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def data_version(warehouse: Path | str | None = None) -> tuple[FileKey, int, int]:
    """Changes whenever an answer of the data layer may change: part of every query-cache key.

    That is when a load swaps in a new warehouse, and when an enablement change commits
    or a request, document or address of the intake commits in the app store, whichever
    process or server made it (the store's own counters).
    """
    path = warehouse_or_default(warehouse)
    return (file_key(path), accounts.enablement_version(path),
            appstate.store_for(path).version(tables.INTAKE))


def store_available(warehouse: Path | str | None = None) -> bool:
    """Whether the app store answers now (a page waiting for it polls this)."""
    try:
        return appstate.store_for(warehouse_or_default(warehouse)).ping()
    except StoreUnavailable:
        return False


def query(name: str) -> str:
    """The text of sql/queries/<name>.sql."""
    return named_query(name)


def frame(cursor: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    """Run a named query with its parameters bound (never formatted into the text)."""
    return cursor.execute(query(name), params).df()


def is_missing(value: Any) -> bool:
    """A cell that holds no value (None, NaN, NA, NaT); lists and arrays are values."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def first_row(result: pd.DataFrame) -> dict[str, Any] | None:
    """The first row as a dict with None for missing cells, or None when there is none."""
    if result.empty:
        return None
    return {key: (None if is_missing(value) else value) for key, value in result.iloc[0].items()}


@dataclass
class _Open:
    key: FileKey
    con: duckdb.DuckDBPyConnection
    users: int = 0


class WarehouseConnections:
    """One read-only connection per warehouse file per process, a cursor per call.

    DuckDB connections are not shared between threads, but cursors of one connection
    are independent connections to the same database: each call gets its own. When a load
    has swapped in a new file (another inode), the old connection is closed once the
    calls using it have ended, and the new file is opened. (DuckDB hands out the already
    open database for a path, so the old one must be closed before the new one is opened.)
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._open: dict[Path, _Open] = {}

    @contextlib.contextmanager
    def cursor(self, warehouse: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        path = warehouse_or_default(warehouse).resolve()
        entry = self._acquire(path)
        try:
            cursor = entry.con.cursor()
            try:
                yield cursor
            finally:
                cursor.close()
        finally:
            with self._changed:
                entry.users -= 1
                self._changed.notify_all()

    def _acquire(self, path: Path) -> _Open:
        with self._changed:
            waited_for: _Open | None = None
            while True:
                if not path.exists():
                    raise FileNotFoundError(f"no warehouse at {path}: run `kasko load` first")
                key = file_key(path)
                entry = self._open.get(path)
                if entry is not None and (entry.key == key or entry is waited_for):
                    entry.users += 1
                    return entry
                if entry is not None and entry.users > 0:
                    if not self._changed.wait_for(lambda e=entry: e.users == 0, SWAP_WAIT_SECONDS):
                        waited_for = entry  # serve the old file once more rather than fail
                    continue
                if entry is not None:
                    # its claim on the replaced file goes now: a load may rewrite that file
                    close_read_only(entry.con)
                    del self._open[path]
                entry = _Open(key, connect_read_only(path))
                self._open[path] = entry


connections = WarehouseConnections()
