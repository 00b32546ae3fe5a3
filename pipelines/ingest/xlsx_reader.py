"""The XLSX reader: the first sheet, checked against expansion before it is read."""

from __future__ import annotations

import re
import zipfile
from array import array
from datetime import date, datetime, time
from pathlib import Path
from xml.etree import ElementTree

import duckdb

from pipelines.ingest.raw import (
    FileRefused,
    Opened,
    RawFile,
    Select,
    cell_name,
    checked_headers,
    content_hash,
    located,
)

# An XLSX sheet above this many cells is refused rather than read into memory.
MAX_XLSX_CELLS = 20_000_000

# The parts of the archive are read this many bytes at a time.
PART_CHUNK = 16 * 1024 * 1024


# An XLSX part (sheet or shared strings) whose XML is larger than this is refused unread.
MAX_XLSX_PART_BYTES = 512 * 1024 * 1024


# A part larger than this that expands more than MAX_XLSX_EXPANSION times its compressed
# size is refused unread: spreadsheet XML compresses 5 to 30 times, a bomb a thousand.
XLSX_EXPANSION_FLOOR = 16 * 1024 * 1024


MAX_XLSX_EXPANSION = 100


# Excel holds at most 32,767 characters in a cell: a shared string's XML longer than this
# (every character an entity such as &quot;, and rich-text runs) is not a cell's.
MAX_SHARED_STRING_XML = 8 * 32_767


# The XML of the shared strings the sheet's cells use, summed over its cells (a string used
# by many cells is held once per cell when read): above this the sheet is refused.
MAX_XLSX_TEXT_BYTES = 256 * 1024 * 1024


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


_DIMENSION = re.compile(
    rb'<dimension\s+ref="\$?[A-Z]{1,3}\$?[0-9]{1,7}(?::\$?([A-Z]{1,3})\$?([0-9]{1,7}))?"'
)


_ROW_REFERENCE = re.compile(rb'<row\s[^>]*?\br="([0-9]{1,9})"')


# Spreadsheet programs write a cell's reference first (`<c r="B7" ...`); any order is read.
_CELL_REFERENCE_FIRST = re.compile(rb'<c r="([A-Z]{1,9})([0-9]{1,9})"')


_CELL_REFERENCE = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,9})([0-9]{1,9})"')


_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _cells_in(xml: bytes) -> int:
    return xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")


def _first_sheet_part(archive: zipfile.ZipFile) -> str | None:
    """The archive member holding the workbook's first sheet (None: cannot tell)."""
    try:
        if any(archive.getinfo(name).file_size > 16 * 1024 * 1024
               for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")):
            return None
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    sheet = next((e for e in workbook.iter() if e.tag.rpartition("}")[2] == "sheet"), None)
    if sheet is None:
        return None
    for relation in relations:
        if relation.get("Id") == sheet.get(_RELATIONSHIP_ID):
            target = relation.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _check_xlsx_size(path: Path) -> None:
    """Refuse a workbook whose first sheet would not fit in memory, before anything parses it.

    The XLSX reader builds the sheet as one dense grid from its first to its last cell, so
    two cells far apart (a few bytes of XML) would ask for gigabytes. The sheet's XML is
    streamed once: its declared dimension, every row and cell reference, and (for cells
    written without one) the most cells in a row bound the grid's size.
    """
    with zipfile.ZipFile(path) as archive:
        first = _first_sheet_part(archive)
        names = set(archive.namelist())
        parts = [first] if first in names else [
            n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")
        ]
        for name in [*parts, _SHARED_STRINGS]:
            if name not in names:
                continue
            info = archive.getinfo(name)
            if info.file_size > MAX_XLSX_PART_BYTES:
                raise FileRefused(
                    f"{name} holds {info.file_size:,} bytes of XML:"
                    " too large for an XLSX export, send it as CSV"
                )
            if (info.file_size > XLSX_EXPANSION_FLOOR
                    and info.file_size > MAX_XLSX_EXPANSION * max(info.compress_size, 1)):
                raise FileRefused(
                    f"{name} expands from {info.compress_size:,} to {info.file_size:,} bytes"
                    f" ({info.file_size // max(info.compress_size, 1):,} times): not a"
                    " spreadsheet export"
                )
        shared = _shared_string_sizes(archive) if _SHARED_STRINGS in names else array("q")
        for name in parts:
            rows, columns, text = _sheet_extent(archive, name, shared)
            if rows * max(columns, 1) > MAX_XLSX_CELLS:
                raise FileRefused(
                    f"the first sheet spans {rows:,} rows x {columns:,} columns:"
                    " too large for an XLSX export, send it as CSV"
                )
            if text > MAX_XLSX_TEXT_BYTES:
                raise FileRefused(
                    f"the first sheet's cells hold {text:,} bytes of shared text (over"
                    f" {MAX_XLSX_TEXT_BYTES:,}): too large for an XLSX export, send it as CSV"
                )


_SHARED_STRINGS = "xl/sharedStrings.xml"


# a shared string (`<si>...</si>`, or an empty `<si/>`), any namespace prefix
_SHARED_ITEM = re.compile(rb"<(?:\w+:)?si\b(?:[^>]*/>|.*?</(?:\w+:)?si>)", re.DOTALL)


# a cell whose value is the index of a shared string
_SHARED_CELL = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\bt="s"[^>]*>\s*<(?:\w+:)?v>\s*([0-9]{1,9})\s*</'
)


def _shared_string_sizes(archive: zipfile.ZipFile) -> array[int]:
    """The size of each shared string's XML, streamed; refuses a string no cell can hold."""
    sizes: array[int] = array("q")
    tail = b""
    with archive.open(_SHARED_STRINGS) as part:
        while chunk := part.read(PART_CHUNK):
            xml, end = tail + chunk, 0
            for item in _SHARED_ITEM.finditer(xml):
                sizes.append(item.end() - item.start())
                end = item.end()
            tail = xml[end:]
            if len(tail) > MAX_SHARED_STRING_XML or max(sizes, default=0) > MAX_SHARED_STRING_XML:
                raise FileRefused(
                    "a shared string is longer than the 32,767 characters an Excel cell"
                    " holds: not a spreadsheet export"
                )
    return sizes


def _sheet_extent(
    archive: zipfile.ZipFile, name: str, shared: array[int]
) -> tuple[int, int, int]:
    """An upper bound of the (rows, columns) of the grid a sheet's cells span, and the XML
    bytes of the shared strings its cells use (`shared`: each string's size)."""
    text = 0
    max_row = max_column = 0
    rows_without_reference = 0
    widest = in_row = 0  # the most cells without a reference in one row; the current row's
    tail = b""
    with archive.open(name) as sheet:
        while chunk := sheet.read(PART_CHUNK):
            if not tail and max_row == 0 and (declared := _DIMENSION.search(chunk, 0, 65536)):
                letters, number = declared.groups()
                if letters and _column_number(letters) * int(number) > MAX_XLSX_CELLS:
                    return int(number), _column_number(letters), 0  # as declared: not read on
            xml, tail = tail + chunk, b""
            cut = xml.rfind(b"<")
            if cut >= 0 and xml.find(b">", cut) < 0:  # carry an unfinished tag over
                if len(xml) - cut > 65536:
                    raise FileRefused("the first sheet's XML has a tag longer than 64 KB")
                xml, tail = xml[:cut], xml[cut:]
            indexes = [int(i) for i in _SHARED_CELL.findall(xml)]
            text += sum(shared[i] for i in indexes if i < len(shared))
            row_numbers = _ROW_REFERENCE.findall(xml)
            max_row = max([max_row, *map(int, set(row_numbers))])
            row_elements = xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b"<row/>")
            rows_without_reference += row_elements - len(row_numbers)
            cells = _cells_in(xml)
            references = _CELL_REFERENCE_FIRST.findall(xml)
            if len(references) != cells:
                references = _CELL_REFERENCE.findall(xml)
            max_row = max([max_row, *map(int, {row for _, row in references})])
            max_column = max([max_column, *map(_column_number, {c for c, _ in references})])
            if cells == len(references):
                widest, in_row = max(widest, in_row), 0
                continue
            # cells without a reference sit after the previous cell: count them row by row
            pieces = xml.split(b"<row")
            in_row += _cells_in(pieces[0])
            for piece in pieces[1:]:
                widest, in_row = max(widest, in_row), _cells_in(piece)
    widest = max(widest, in_row)
    return max_row + rows_without_reference, max_column + widest, text


def open_xlsx(path: Path) -> Opened:
    from python_calamine import CalamineError, CalamineWorkbook

    digest = content_hash(path)
    if not zipfile.is_zipfile(path):
        raise FileRefused("not a valid XLSX file (not a zip archive)")
    try:
        _check_xlsx_size(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        raise FileRefused(f"cannot be read as XLSX: {error}") from error
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
    except MemoryError as error:
        raise FileRefused("does not fit in memory as XLSX: send it as CSV") from error
    if not rows or all(_cell_text(v) is None for v in rows[0]):
        raise FileRefused("the first sheet is empty: no header row", line=1)
    headers = [_cell_text(v) or "" for v in rows[0]]
    while headers and headers[-1] == "":
        headers.pop()
    headers = checked_headers(headers)
    width = len(headers)
    lines, cells = [], [[] for _ in range(width)]
    for offset, row in enumerate(rows[1:], start=2):
        texts = [_cell_text(v) for v in row[:width]] + [None] * max(0, width - len(row))
        if all(t is None for t in texts):
            continue  # blank rows Excel leaves behind are not records
        lines.append(offset)
        for index, text in enumerate(texts):
            cells[index].append(text)
    import pyarrow as pa

    arrow = pa.table(
        {"line": pa.array(lines, pa.int64())}
        | {cell_name(i): pa.array(cells[i], pa.string()) for i in range(width)}
    )
    return Opened(path, "xlsx", digest, headers, cells=arrow)


def read_xlsx_into(
    con: duckdb.DuckDBPyConnection, opened: Opened, table: str, select: Select,
    params: dict[str, object],
) -> RawFile:
    _, name, temporary = located(table)
    source = f"{name}_arrow"
    con.register(source, opened.cells)
    try:
        con.execute(
            f"create or replace {temporary}table {table} as"
            f" {select(opened.headers, source, True, True)}",
            params,
        )
    except duckdb.OutOfMemoryException as error:
        raise FileRefused("does not fit in memory as XLSX: send it as CSV") from error
    finally:
        con.unregister(source)
    return RawFile(
        path=opened.path, file_format="xlsx", content_hash=opened.content_hash,
        headers=opened.headers, row_count=opened.cells.num_rows,
    )
