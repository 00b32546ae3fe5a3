"""Readers: turn one CSV or XLSX export into a DuckDB table with line numbers.

A reader first opens an export (open_export: its content hash, encoding and headers, so
that a file loaded before is known unread), then reads its rows into a table through a
SELECT the caller gives over the cells as text (c0, c1, ...): the loader stages rows as
they are read, so no copy of the cells as text is ever written.
"""

from __future__ import annotations

import contextlib
import os
import time as clock
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipelines.ingest.csv_reader import open_csv, read_csv_into
from pipelines.ingest.raw import (
    FileRefused,
    FileState,
    Opened,
    RawFile,
    Select,
    content_hash,
    keep_cells,
)
from pipelines.ingest.xlsx_reader import open_xlsx, read_xlsx_into

# A file modified this recently may change again within its timestamp's granularity.
RECENT_WRITE_NS = 2_000_000_000


def open_export(path: Path) -> Opened:
    """Look at an export before reading it: content hash, encoding, delimiter, headers."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt"):
        raise FileRefused(f"unsupported file type {path.suffix!r}: exports are .csv or .xlsx")
    with _refusing_os_errors():
        state = _file_state(path)
        try:
            opened = open_xlsx(path) if suffix in (".xlsx", ".xlsm") else open_csv(path)
        except FileRefused:
            if _file_state(path) != state:
                raise _CHANGED from None  # what the reader stumbled on was the change
            raise
    opened.state = state
    return opened


def read_into(
    con: duckdb.DuckDBPyConnection,
    opened: Opened | Path,
    table: str,
    select: Select = keep_cells,
    params: dict[str, object] | None = None,
    parallel: bool = True,
) -> RawFile:
    """Read an export's rows into `table` through `select` (by default the cells as text:
    line, c0, c1, ...), numbered with their lines; drop_raw drops it. A CSV is read by all
    of DuckDB's threads, or (not `parallel`: other reads keep the cores busy, and the file
    holds no quote) by one.

    Call it outside a transaction: a CSV whose quoted cells span lines is read a second time
    when the first, parallel, read fails, and a failed statement would abort the transaction.
    """
    if isinstance(opened, Path):
        opened = open_export(opened)
    path, before = opened.path, opened.state
    with _refusing_os_errors():
        try:
            if opened.file_format == "xlsx":
                raw = read_xlsx_into(con, opened, table, select, params or {})
            else:
                raw = read_csv_into(con, opened, table, select, params or {}, parallel)
        except FileRefused:
            if _file_state(path) != before:
                raise _CHANGED from None
            raise
        finally:
            opened.discard()
        # A file still being written (or replaced) would load a mix of two versions. Any
        # write moves the file's times or size, except within the timestamps' granularity
        # of a file written just now: then the bytes themselves are compared.
        if _file_state(path) != before or clock.time_ns() - max(before[2:4]) < RECENT_WRITE_NS:
            if content_hash(path) != raw.content_hash:
                raise _CHANGED
    return raw


_CHANGED = FileRefused("the file changed while being read: load it again once it is complete")


@contextlib.contextmanager
def _refusing_os_errors() -> Iterator[None]:
    try:
        yield
    except FileNotFoundError as error:
        raise FileRefused("the file disappeared while being read") from error
    except OSError as error:
        raise FileRefused(f"cannot be read: {error.strerror or error}") from error


def _file_state(path: Path) -> FileState:
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size
