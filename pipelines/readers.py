"""Readers: turn one CSV or XLSX export into a DuckDB table of text cells with line numbers."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pyarrow as pa

CHUNK = 16 * 1024 * 1024
# A line longer than this is not a record of any export; it is refused as malformed.
MAX_LINE_BYTES = 1024 * 1024
# An XLSX sheet above this many cells is refused rather than read into memory.
MAX_XLSX_CELLS = 20_000_000


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


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def cell_name(index: int) -> str:
    return f"c{index}"


# ------------------------------------------------------------------------------ CSV


@dataclass(frozen=True)
class _Scan:
    digest: str
    encoding: str  # utf-8, utf-8-sig or cp1252
    size: int
    lines: int  # physical lines, a last line without a line break included


# The five bytes Windows-1252 does not define: a file holding one (and not UTF-8) is neither.
_CP1252_UNDEFINED = re.compile(b"[\x81\x8d\x8f\x90\x9d]")


def _scan_csv(path: Path) -> _Scan:
    """One pass over the bytes: the content hash, and whether they are UTF-8."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = newlines = 0
    first = last = b""
    not_cp1252: int | None = None  # offset of the first byte Windows-1252 leaves undefined
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            if not first:
                first = chunk[:3]
            size += len(chunk)
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
            digest.update(chunk)
            if b"\x00" in chunk:
                raise FileRefused("contains NUL bytes: not a text export")
            if not_cp1252 is None and (undefined := _CP1252_UNDEFINED.search(chunk)):
                not_cp1252 = size - len(chunk) + undefined.start()
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if size == 0:
        raise FileRefused("the file is empty: no header row")
    if utf8:
        encoding = "utf-8-sig" if first == codecs.BOM_UTF8 else "utf-8"
    elif not_cp1252 is not None:
        raise FileRefused(f"neither UTF-8 nor Windows-1252 (byte {not_cp1252} cannot be decoded)")
    else:
        encoding = "cp1252"
    return _Scan(digest.hexdigest(), encoding, size, newlines + (last != b"\n"))


def _header_line(path: Path, encoding: str) -> str:
    with path.open("r", encoding=encoding, newline="", errors="strict") as handle:
        line = handle.readline(MAX_LINE_BYTES + 1)
    if len(line) > MAX_LINE_BYTES:
        raise FileRefused("the header line is longer than 1 MB: not an export", line=1)
    return line.rstrip("\r\n")


def _transcode_to_utf8(path: Path, encoding: str) -> Path:
    """DuckDB reads UTF-8 only: a Windows-1252 file is rewritten as UTF-8 beside the temp dir."""
    handle, name = tempfile.mkstemp(prefix="kasko-", suffix=".csv")
    os.close(handle)
    target = Path(name)
    try:
        with (
            path.open("r", encoding=encoding, errors="strict", newline="") as source,
            target.open("w", encoding="utf-8", newline="") as sink,
        ):
            while chunk := source.read(CHUNK):
                sink.write(chunk)
    except UnicodeDecodeError as error:
        target.unlink(missing_ok=True)
        raise FileRefused(
            f"neither UTF-8 nor Windows-1252 (byte {error.start} cannot be decoded)"
        ) from error
    return target


def read_csv_into(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> RawFile:
    scan = _scan_csv(path)
    header_text = _header_line(path, scan.encoding)
    if header_text.strip() == "":
        raise FileRefused("the first line is empty: no header row", line=1)
    delimiter = ";" if header_text.count(";") >= header_text.count(",") else ","
    headers = next(csv.reader(io.StringIO(header_text), delimiter=delimiter))
    headers[0] = headers[0].lstrip("\ufeff")

    readable = path if scan.encoding != "cp1252" else _transcode_to_utf8(path, scan.encoding)
    try:
        rejected = _read_csv_table(con, readable, table, delimiter, len(headers))
        [(row_count,)] = con.execute(f"select count(*) from {table}").fetchall()
        starts = None
        if scan.lines != 1 + row_count + len(rejected):
            # Not one record per line (blank lines, line breaks inside quoted cells): DuckDB
            # skips blank lines and counts a record spanning lines once, so find where each
            # record starts in the file.
            encoding = "utf-8-sig" if scan.encoding == "utf-8-sig" else "utf-8"
            starts = _record_starts(readable, encoding, delimiter)
    except duckdb.Error as error:
        raise FileRefused(f"cannot be read as CSV: {str(error).splitlines()[0]}") from error
    finally:
        if readable != path:
            readable.unlink(missing_ok=True)

    rejected = _number_lines(con, table, rejected, row_count, starts)
    return RawFile(
        path=path,
        file_format="csv",
        content_hash=scan.digest,
        headers=headers,
        row_count=row_count,
        encoding=scan.encoding,
        delimiter=delimiter,
        rejected=rejected,
    )


def _read_csv_table(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, delimiter: str, width: int
) -> list[RejectedLine]:
    """The rows DuckDB can read into `table` (file order), and the lines it rejected."""
    rejects, scans = f"{table}_rejects", f"{table}_scans"
    statement = f"""
        create or replace temp table {table} as
        select * from read_csv(
            $path, delim = $delim, header = true, columns = $columns,
            auto_detect = false, quote = '"', escape = '"', null_padding = true,
            store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{scans}',
            max_line_size = {MAX_LINE_BYTES}, parallel = $parallel
        )
    """
    parameters = {
        "path": str(path),
        "delim": delimiter,
        "columns": {cell_name(i): "VARCHAR" for i in range(width)},
    }
    try:
        con.execute(statement, parameters | {"parallel": True})
    except duckdb.Error as error:
        if "quoted new lines" not in str(error):
            raise
        # the parallel reader cannot pad short rows once a quoted cell spans lines
        con.execute(statement, parameters | {"parallel": False})
    rejected = [
        # DuckDB keeps the line break before the line in a CRLF file; it is not the row's text
        RejectedLine(int(line), (text or "").strip("\r\n"), f"malformed_row: {error_type.lower()}")
        for line, text, error_type in con.execute(
            f"select distinct on (line) line, csv_line, error_type from {rejects} order by line"
        ).fetchall()
    ]
    con.execute(f"drop table if exists {rejects}; drop table if exists {scans}")
    return rejected


def _record_starts(path: Path, encoding: str, delimiter: str) -> list[int | None] | None:
    """The line each record starts on, in DuckDB's count of lines (blank lines as None).

    Entry 0 is the header. None when Python's csv module cannot read the file either.
    """
    starts: list[int | None] = []
    try:
        with path.open("r", encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter, quotechar='"', doublequote=True)
            previous_end = 0
            for record in reader:
                starts.append(previous_end + 1 if record else None)
                previous_end = reader.line_num
    except csv.Error:
        return None
    return starts


def _number_lines(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rejected: list[RejectedLine],
    row_count: int,
    starts: list[int | None] | None,
) -> list[RejectedLine]:
    """Give each row its line in the file; returns the rejected lines, numbered the same way."""
    if starts is not None:
        rejected_lines = {r.line for r in rejected}
        good = [
            start
            for line, start in enumerate(starts[1:], start=2)
            if start is not None and line not in rejected_lines
        ]
        if len(good) == row_count and all(r.line <= len(starts) for r in rejected):
            lines = pa.table({"line": pa.array(good, pa.int64())})
            con.register(f"{table}_lines", lines)
            con.execute(
                f"""
                create or replace temp table {table} as
                select lines.line, rows.* exclude (row_position)
                from (select rowid - min(rowid) over () as row_position, * from {table}) as rows
                join (select line, row_number() over (order by line) - 1 as row_position
                      from {table}_lines) as lines using (row_position)
                order by lines.line
                """
            )
            con.unregister(f"{table}_lines")
            return [
                RejectedLine(starts[r.line - 1] or r.line, r.text, r.message) for r in rejected
            ]
    if not rejected:
        con.execute(
            f"""create or replace temp table {table} as
                select rowid - min(rowid) over () + 2 as line, * from {table} order by rowid"""
        )
        return rejected
    con.execute(
        f"""
        create or replace temp table {table} as
        with
        good_lines as (
            select line, row_number() over (order by line) - 1 as position
            from (select range + 2 as line from range((select count(*) from {table}) + $n))
            where line not in (select unnest($lines))
        )
        select good_lines.line, rows.* exclude (row_position)
        from (select rowid - min(rowid) over () as row_position, * from {table}) as rows
        join good_lines on good_lines.position = rows.row_position
        order by good_lines.line
        """,
        {"n": len(rejected), "lines": [r.line for r in rejected]},
    )
    return rejected


# ------------------------------------------------------------------------------ XLSX


def _cell_text(value: object) -> str | None:
    """Excel cells to the text a CSV export would hold; numbers keep every digit."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "Sì" if value else "No"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def read_xlsx_into(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> RawFile:
    from python_calamine import CalamineError, CalamineWorkbook

    digest = content_hash(path)
    if not zipfile.is_zipfile(path):
        raise FileRefused("not a valid XLSX file (not a zip archive)")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        if sheet.total_height * max(sheet.total_width, 1) > MAX_XLSX_CELLS:
            raise FileRefused(
                f"the first sheet has {sheet.total_height} rows x {sheet.total_width} columns:"
                " too large for an XLSX export, send it as CSV"
            )
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, zipfile.BadZipFile) as error:
        raise FileRefused(f"cannot be read as XLSX: {error}") from error
    if not rows or all(_cell_text(v) is None for v in rows[0]):
        raise FileRefused("the first sheet is empty: no header row", line=1)
    headers = [_cell_text(v) or "" for v in rows[0]]
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    lines, cells = [], [[] for _ in range(width)]
    for offset, row in enumerate(rows[1:], start=2):
        texts = [_cell_text(v) for v in row[:width]] + [None] * max(0, width - len(row))
        if all(t is None for t in texts):
            continue  # blank rows Excel leaves behind are not records
        lines.append(offset)
        for index, text in enumerate(texts):
            cells[index].append(text)
    arrow = pa.table(
        {"line": pa.array(lines, pa.int64())}
        | {cell_name(i): pa.array(cells[i], pa.string()) for i in range(width)}
    )
    con.register(f"{table}_arrow", arrow)
    con.execute(f"create or replace temp table {table} as select * from {table}_arrow")
    con.unregister(f"{table}_arrow")
    return RawFile(
        path=path, file_format="xlsx", content_hash=digest, headers=headers, row_count=len(lines)
    )


def read_into(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> RawFile:
    """Read any export into `table` (line, c0, c1, ...): all cells as text.

    Call it outside a transaction: a CSV whose quoted cells span lines is read a second time
    when the first, parallel, read fails, and a failed statement would abort the transaction.
    """
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx_into(con, path, table)
    if path.suffix.lower() in (".csv", ".txt"):
        return read_csv_into(con, path, table)
    raise FileRefused(f"unsupported file type {path.suffix!r}: exports are .csv or .xlsx")
