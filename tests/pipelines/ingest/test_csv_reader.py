"""Quotes and line breaks never merge records: every physical line of a CSV export is one."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from unittest import mock

import duckdb
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import pipelines.ingest.csv_reader
import pipelines.ingest.raw
import pipelines.ingest.readers
from pipelines.ingest.load import FileResult, load_file, settle_current
from pipelines.warehouse import ensure_schema
from tests.pipelines.exports import claim_row

if TYPE_CHECKING:
    from tests.pipelines.exports import ExportFolder, Warehouse

HEADER = ";".join(claim_row())
NO_BREAK = "a cell cannot hold a line break"


def record(number: int, **changes: str) -> str:
    return ";".join(claim_row(number=f"R{number:04}", **changes).values())


def counts(result: FileResult) -> tuple[str, int, int, int, int, str | None]:
    return (Path(result.file).name, result.read, result.loaded, result.superseded,
            result.quarantined, result.error)


def as_json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def test_a_quote_closed_four_lines_later_merges_no_record(
    exports: ExportFolder, warehouse: Warehouse
) -> None:
    lines = [record(n) for n in range(1, 11)]
    # record 3 (line 4) opens a quote in its fault causes; a cell of record 7 (line 8) closes it
    lines[2] = record(3, **{"Causali guasto": '"Schermo rotto'})
    lines[6] = record(7, **{"Causali guasto": 'Batteria"'})
    exports.text("segnalazioni_2024-03-05.csv", "\r\n".join([HEADER, *lines]) + "\r\n")

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [("segnalazioni_2024-03-05.csv", 10, 8, 0, 2, None)]
    assert warehouse.rows(
        "select line, reasons, raw_values::varchar from raw.quarantine order by 1"
    ) == [
        (4, [f"malformed_row: a quoted cell opened on this line closes on line 8: {NO_BREAK}"],
         as_json(lines[2])),
        (8, [f"malformed_row: closes a quoted cell opened on line 4: {NO_BREAK}"],
         as_json(lines[6])),
    ]
    # the records between the two lines are records of their own, loaded as written
    assert warehouse.rows(
        "select request_number, line, fault_causes from core.claims order by 1"
    ) == [(f"R{n:04}", n + 1, claim_row()["Causali guasto"]) for n in (1, 2, 4, 5, 6, 8, 9, 10)]


def test_a_quote_never_closed_swallows_nothing(
    exports: ExportFolder, warehouse: Warehouse
) -> None:
    lines = [record(n) for n in range(1, 11)]
    lines[3] = record(4, **{"Indirizzo consegna": '"Via Roma 1'})
    exports.text("segnalazioni_2024-03-05.csv", "\n".join([HEADER, *lines]) + "\n")

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [("segnalazioni_2024-03-05.csv", 10, 9, 0, 1, None)]
    assert warehouse.rows("select line, reasons from raw.quarantine") == [
        (5, [f"malformed_row: a quoted cell opened on this line is never closed: {NO_BREAK}"]),
    ]
    assert warehouse.rows("select count(*), max(line) from core.claims") == [(9, 11)]


@pytest.mark.parametrize("header", [
    HEADER.replace("NMU", '"NMU'),
    HEADER.replace("NMU", ' "NMU'),  # DuckDB opens a quoted cell after one space
    '\ufeff"' + HEADER,  # a byte order mark is no part of the first cell
])
def test_a_header_opening_a_quote_it_does_not_close_refuses_the_file(
    exports: ExportFolder, warehouse: Warehouse, header: str
) -> None:
    exports.text("segnalazioni.csv", header + "\n" + record(1) + '"\n')

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [(
        "segnalazioni.csv", 0, 0, 0, 0,
        "segnalazioni.csv, line 1: the header opens a quoted cell it does not close:"
        " not an export",
    )]


def test_quotes_that_close_on_their_line_are_cells_as_ever(
    exports: ExportFolder, warehouse: Warehouse
) -> None:
    # a quoted cell holding the delimiter and doubled quotes, and a quote inside a cell
    address = 'Via "Roma"; 1'
    quoted = record(1, **{"Indirizzo consegna": "ADDRESS"}).replace(
        "ADDRESS", '"' + address.replace('"', '""') + '"')
    inch = record(2, **{"Indirizzo consegna": 'Piazza 10" 3'})
    exports.text("segnalazioni.csv", "\r\n".join([HEADER, quoted, inch]))

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [("segnalazioni.csv", 2, 2, 0, 0, None)]
    assert warehouse.rows("select delivery_address from core.claims order by request_number") == [
        (address,), ('Piazza 10" 3',)
    ]


def test_mixed_line_ends_each_end_a_line(exports: ExportFolder, warehouse: Warehouse) -> None:
    exports.text("segnalazioni.csv",
                 HEADER + "\n" + record(1) + "\r\n" + record(2) + "\r" + record(3) + "\n")

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [("segnalazioni.csv", 3, 3, 0, 0, None)]
    assert warehouse.rows("select request_number, line from core.claims order by 1") == [
        ("R0001", 2), ("R0002", 3), ("R0003", 4)
    ]


# ------------------------------------------------------------------ the property

LINE_BREAKS = ["\n", "\r\n", "\r"]
BLANK_LINES = ["", "  ", "\t", ";;;;", " ; ;"]


@st.composite
def cell_text(draw: st.DrawFn, value: str) -> str:
    """A cell as an export might spoil it: quotes, delimiters and line breaks anywhere."""
    pieces = [value]
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(pieces[0])))
        # a line break always has text on both sides: each physical line holds a value
        nasty = draw(st.sampled_from(['"', '""', ";", ",", ' "', '  "', '" ']
                                     + [f"x{b}y" for b in LINE_BREAKS]))
        pieces[0] = pieces[0][:at] + nasty + pieces[0][at:]
    text = pieces[0]
    if draw(st.integers(0, 3)) == 0:
        # DuckDB opens a quoted cell after one space (two are text) and skips spaces after it
        text = (draw(st.sampled_from(["", " ", "  "])) + '"' + text.replace('"', '""') + '"'
                + draw(st.sampled_from(["", " ", "  "])))
    return text


@st.composite
def export_texts(draw: st.DrawFn) -> str:
    lines = [HEADER]
    for number in range(1, draw(st.integers(1, 8)) + 1):
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(BLANK_LINES)))
        cells = list(claim_row(number=f"R{number:04}").values())
        for _ in range(draw(st.integers(0, 2))):
            at = draw(st.integers(0, len(cells) - 1))
            cells[at] = draw(cell_text(cells[at]))
        lines.append(";".join(cells))
    text = lines[0]
    for line in lines[1:]:
        text += draw(st.sampled_from(LINE_BREAKS)) + line
    return text + draw(st.sampled_from(["", *LINE_BREAKS]))


# a cell read as blank: spaces and tabs, or a quoted cell of them (DuckDB opens a quoted
# cell after one space, and skips spaces after the closing quote)
BLANK_CELL = re.compile(r'[ \t]*| ?"[ \t]*" *')


def physical_records(text: str) -> int:
    """The oracle: the lines after the header holding anything but blank cells (BLANK_CELL)
    and delimiters."""
    lines = re.split(r"\r\n|\r|\n", text)[1:]
    return sum(
        1 for line in lines if not all(BLANK_CELL.fullmatch(cell) for cell in line.split(";"))
    )


@pytest.fixture(scope="module")
def quoting_db() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    ensure_schema(con)
    yield con
    con.close()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=export_texts(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    # the reader's passes read the file in chunks: tiny ones cut lines, CRLFs and quoted
    # cells at every place
    chunk=st.sampled_from([pipelines.ingest.csv_reader.CHUNK, 3, 7, 64]),
)
def test_every_physical_line_is_read_once_or_the_file_is_refused(
    quoting_db: duckdb.DuckDBPyConnection, text: str, encoding: str, chunk: int
) -> None:
    con = quoting_db
    for table in ("core.claims", "core.claims_versions", "raw.quarantine", "raw.load_log"):
        con.execute(f"delete from {table}")  # noqa: S608
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "segnalazioni_quoting.csv"
        path.write_bytes(text.encode(encoding))

        with mock.patch.object(pipelines.ingest.csv_reader, "CHUNK", chunk):
            result = load_file(con, path, date(2024, 4, 1))
        settle_current(con, [result])

    event("refused" if result.error else "quarantined rows" if result.quarantined else "loaded")
    if result.error is not None:
        event(result.error)
        assert result.error.startswith("segnalazioni_quoting.csv")
        assert result.read == 0
        # records and lines tally: the patterns read quotes as DuckDB does
        assert "found line by line" not in result.error
        return
    assert result.read == physical_records(text)
    assert result.read == result.loaded + result.superseded + result.quarantined
    # each record in one place, under its own line
    lines = con.execute(
        "select line from raw.quarantine union all select line from core.claims"
    ).fetchall()
    assert len(lines) == result.read
    assert len(set(lines)) == len(lines)


# ------------------------------------------------------------------ the lines cleared unread

CLOSES = "malformed_row: closes a quoted cell"


def flagged_by_the_patterns(text: bytes, delimiter: str, width: int) -> set[int]:
    """The oracle: each physical line read by the quote and width patterns on its own."""
    reader = pipelines.ingest.csv_reader
    quote = reader._broken_line_pattern(delimiter)
    wide = reader._wide_line_pattern(delimiter, width)
    return {
        number
        for number, line in enumerate(re.split(rb"\r\n|\r|\n", text), start=1)
        if quote.match(b"\n" + line) or wide.match(b"\n" + line)
    }


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.sampled_from(["a", "b c", "", '"', '""', '"a"', '"a;b"', '"a,b"', '"x""y"',
                                  'a"b', '"a"b', ' "', ' "a;b"', '  "a;b"', '"a;b" ', '"a" b',
                                  ' "a" ']),
                 min_size=1, max_size=6),
        min_size=1, max_size=12,
    ),
    delimiter=st.sampled_from([";", ","]),
    breaks=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=12, max_size=12),
    chunk=st.sampled_from([3, 7, 64, pipelines.ingest.csv_reader.CHUNK]),
)
def test_the_lines_cleared_without_the_patterns_are_those_the_patterns_would_clear(
    rows: list[list[str]], delimiter: str, breaks: list[str], chunk: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    width = 3
    header = delimiter.join(["h1", "h2", "h3"])
    text = header
    for row, line_break in zip(rows, breaks, strict=False):
        text += line_break + delimiter.join(row)
    data = text.encode()
    path = tmp_path_factory.mktemp("suspects") / "segnalazioni.csv"
    path.write_bytes(data)

    reader = pipelines.ingest.csv_reader
    with mock.patch.object(reader, "CHUNK", chunk):
        broken = reader._broken_lines(path, delimiter, True, width)

    flagged = flagged_by_the_patterns(data, delimiter, width) - {1}  # the header is as wide
    # a line the patterns flag may already be named as closing another line's quoted cell
    assert {b.line for b in broken if not b.message.startswith(CLOSES)} <= flagged
    assert flagged <= {b.line for b in broken}
    for line in broken:  # each names its own line's text
        assert data[line.start:line.end] == re.split(rb"\r\n|\r|\n", data)[line.line - 1]


# ------------------------------------------------------------------ encodings, read in pieces

LINE_TEXTS = {
    "ascii": b"Via Roma 1;Milano",
    "utf-8": "Città;Forlì;€ 5".encode(),
    "cp1252": "Città;Forlì;€ 5".encode("cp1252"),
    "undefined": b"caf\x81;x",  # a byte Windows-1252 leaves undefined
    # counted in a full piece by numpy, in a part-filled one by bytes.count
    "quotes": b'"Rossi; Srl";"x""y";1',
    "carriage return": b"a;b\rc;d\r\ne;f",
}


def scanned(path: Path) -> object:
    """What the scan says of a file: its findings, or the refusal's message and line."""
    reader = pipelines.ingest.csv_reader
    try:
        return reader._scan_csv(path, ";")
    except pipelines.ingest.raw.FileRefused as refused:
        return str(refused), refused.line


@settings(max_examples=200, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(sorted(LINE_TEXTS)), min_size=1, max_size=10),
    bom=st.booleans(),
    chunk=st.sampled_from([1, 2, 3, 5, 8, 64]),
    decode=st.sampled_from([1, 2, 3, 7]),
)
def test_the_scan_finds_the_same_reading_the_file_in_any_pieces(
    kinds: list[str], bom: bool, chunk: int, decode: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    path = tmp_path_factory.mktemp("encodings") / "segnalazioni.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + b"a;b\n"
                     + b"\n".join(LINE_TEXTS[kind] for kind in kinds) + b"\n")
    whole = scanned(path)

    reader = pipelines.ingest.csv_reader
    with mock.patch.multiple(reader, CHUNK=chunk, DECODE_BYTES=decode):
        pieces = scanned(path)

    assert pieces == whole
    if "undefined" in kinds and not isinstance(whole, reader.Scan):
        assert "neither UTF-8 nor Windows-1252" in whole[0] or "byte order mark" in whole[0]
    if set(kinds) >= {"utf-8", "cp1252"} and not bom:
        # mixed: the first UTF-8 line and the first line that is not are named
        assert whole[0].startswith("mixed encodings") or "neither" in whole[0]
