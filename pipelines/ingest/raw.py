"""What every reader shares: a refused file, an opened export, the raw rows it read into."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pyarrow as pa

    from pipelines.ingest.csv_reader import Scan


HASH_CHUNK = 16 * 1024 * 1024  # read at a time to hash a file


# The widest export has 25 columns; extra columns are read and ignored up to this many.
# (Each column costs the staging query an expression: 10,000 of them took minutes.)
MAX_COLUMNS = 256


class FileRefused(Exception):
    """The file as a whole cannot be loaded; nothing of it is."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class RejectedLine:
    line: int
    text: str
    message: str


# (headers, the relation of cells c0, c1, ..., whether it has a `line` column, whether a
# cell may hold a line break) -> the SELECT over that relation whose rows the reader keeps
Select = Callable[[list[str], str, bool, bool], str]


def keep_cells(headers: list[str], source: str, numbered: bool, line_breaks: bool) -> str:
    """Keep the cells as read."""
    return f"select * from {source}"


@dataclass
class RawFile:
    """What a reader found: the headers as written, and where the rows went."""

    path: Path
    file_format: str
    content_hash: str
    headers: list[str]
    row_count: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    rejected: list[RejectedLine] = field(default_factory=list)


FileState = tuple[int, int, int, int, int]  # device, inode, mtime, ctime (ns), size


@dataclass
class Opened:
    """An export looked at, not yet read: what tells a file loaded before, and its headers."""

    path: Path
    file_format: str
    content_hash: str
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    scan: Scan | None = None  # CSV: what the pass over its bytes found
    readable: Path | None = None  # CSV: the file DuckDB reads (itself, or a UTF-8 copy)
    cells: pa.Table | None = None  # XLSX: the sheet's rows, read whole (sheets are small)
    state: FileState = (0, 0, 0, 0, 0)  # the file as opened: a change before the read refuses
    # CSV: the lines a quoted cell crossing a line break would merge, quarantined each
    broken: list[RejectedLine] = field(default_factory=list)

    @property
    def read_encoding(self) -> str:
        """The encoding DuckDB reads `readable` in: UTF-8, or Latin-1 for a Windows-1252
        file read as it is."""
        return "latin-1" if self.encoding == "cp1252" and self.readable == self.path else "utf-8"

    def discard(self) -> None:
        """Remove what opening made beside the file (a UTF-8 copy); safe to call again."""
        if self.readable is not None and self.readable != self.path:
            self.readable.unlink(missing_ok=True)


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def cell_name(index: int) -> str:
    return f"c{index}"


def located(table: str) -> tuple[str, str, str]:
    """(catalog, bare name, "temp " or "") of where read_into puts `table`: a bare name is a
    temporary table of the connection; `database.name` lives in an attached database, where
    the other connections (cursors) of the same database see it."""
    if "." in table:
        catalog, name = table.split(".", 1)
        return catalog, name, ""
    return "temp", table, "temp "


def is_view(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    catalog, name, _ = located(table)
    found = con.execute(
        """select table_type from information_schema.tables
           where table_catalog = $catalog and table_name = $name""",
        {"catalog": catalog, "name": name},
    ).fetchone()
    return found is not None and found[0] == "VIEW"


def drop_raw(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Drop what read_into left under `table`: a table, or a view over `<table>_cells`."""
    con.execute(f"drop {'view' if is_view(con, table) else 'table'} if exists {table}")
    con.execute(f"drop table if exists {table}_cells")


def checked_headers(headers: list[str]) -> list[str]:
    """The headers in NFC (an accent typed as a letter and a combining mark looks the same,
    and is the same column), refusing a header wider than any export's."""
    if len(headers) > MAX_COLUMNS:
        raise FileRefused(
            f"the header has {len(headers):,} columns; an export has at most {MAX_COLUMNS}",
            line=1,
        )
    return [unicodedata.normalize("NFC", header) for header in headers]
