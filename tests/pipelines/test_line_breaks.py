"""Line breaks inside cells: quoted in every CSV the project writes, never a live formula
after them, and never part of an identifier the loader accepts."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
from hypothesis import event, given, settings
from hypothesis import strategies as st

from pipelines.cli import main
from pipelines.ingest.load import load_paths
from pipelines.ingest.raw import FileRefused, keep_cells
from pipelines.ingest.readers import read_into
from pipelines.reports.tickets_export import TICKET_COLUMNS
from pipelines.safe_cells import FORMULA_TRIGGERS, write_csv

FIXTURES = Path(__file__).parent / "fixtures" / "sla"

# text as hostile as an export can carry: line breaks of every kind, quotes, delimiters,
# formula triggers, at any place
hostile_text = st.text(
    alphabet=st.sampled_from(list("ab1 ,;\"'\r\n\t=+-@")) | st.characters(codec="utf-8"),
    max_size=12,
)


def _physical_lines(text: str) -> list[str]:
    """What a reader that splits at every CR or LF (outside quotes or not) sees as lines."""
    return re.split(r"\r\n|\r|\n", text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(hostile_text, min_size=2, max_size=2), min_size=0, max_size=6))
def test_written_csv_reads_back_row_for_row_and_no_line_starts_a_formula(cells) -> None:
    frame = pd.DataFrame(cells, columns=["first", "second"], dtype=object)
    buffer = io.StringIO(newline="")
    write_csv(frame, buffer)
    text = buffer.getvalue()

    back = list(csv.reader(io.StringIO(text, newline="")))
    # one record per row and a header, whatever the cells hold
    assert len(back) == len(cells) + 1
    for row, written in zip(cells, back[1:], strict=True):
        # a cell comes back whole; only the neutralising quotes were added
        for value, read in zip(row, written, strict=True):
            assert read.replace("'", "") == value.replace("'", "")
    # neither at the start of a cell nor after a line break inside it does a line begin
    # with what a spreadsheet runs, quoted or not
    for line in _physical_lines(text):
        bare = line.lstrip('"')
        assert not bare.startswith(tuple(t for t in FORMULA_TRIGGERS if t not in "\r")), line


def test_a_lone_carriage_return_is_quoted_and_the_formula_after_it_neutralised() -> None:
    buffer = io.StringIO(newline="")
    write_csv(pd.DataFrame({"a": ["R1\r=2+2", "x"], "b": ["y", "z"]}), buffer)
    assert buffer.getvalue() == 'a,b\r\n"R1\r\'=2+2",y\r\nx,z\r\n'


def test_the_tickets_export_quotes_a_carriage_return_in_the_warehouse(tmp_path) -> None:
    # the loader lets no line break into an identifier; a warehouse changed by other means
    # (or an earlier release) must still not give a CSV with a row too many
    db = tmp_path / "kasko.duckdb"
    assert not any(r.error for r in load_paths([FIXTURES], db))
    con = duckdb.connect(str(db))
    con.execute("update marts.tickets set request_number = 'K\r=2+2' "
                "where request_number = 'K-001'")
    con.close()
    out = tmp_path / "tickets.csv"

    assert main(["export", "tickets", "--out", str(out), "--as-of", "2025-03-14",
                 "--db", str(db)]) == 0

    with out.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    assert tuple(records[0]) == TICKET_COLUMNS
    assert len(records) == 1 + 9
    assert "K\r'=2+2" in [r[0] for r in records[1:]]
    assert not any(line.startswith("=") for line in _physical_lines(out.read_text("utf-8")))


def test_line_breaks_in_identifiers_are_quarantined_with_a_reason(
    exports, warehouse, rows, spec_headers
) -> None:
    headers = spec_headers["claims"]
    hostile = {
        "R\r=2+2": {},
        "R0003": {"IMEI": rows.imei_b[:7] + "\n" + rows.imei_b[7:]},
        "R0004": {"NMU": "335\r1234567", "IMEI": rows.imei_c},
        "R0005": {"Codice cliente": "C001\n", "IMEI": "356938035643809"},
        "R0006": {"Codice punto assistenza": "PA\r\n001", "IMEI": "352099001761481"},
    }
    grid = [[rows.claim(number="R0001")[h] for h in headers]]
    for number, changes in hostile.items():
        row = rows.claim(number=number) | changes
        grid.append([row[h] for h in headers])
    path = exports.xlsx(f"segnalazioni_{date.today().isoformat()}.xlsx", headers, grid)

    [result] = warehouse.load(path)

    assert (result.read, result.loaded, result.quarantined, result.error) == (6, 1, 5, None)
    assert warehouse.rows("select line, reasons from raw.quarantine order by line") == [
        (3, ["line_break: Numero richiesta = R\\r=2+2"]),
        (4, [f"line_break: IMEI = {rows.imei_b[:7]}\\n{rows.imei_b[7:]}"]),
        (5, ["line_break: NMU = 335\\r1234567"]),
        (6, ["line_break: Codice cliente = C001\\n"]),
        (7, ["line_break: Codice punto assistenza = PA\\r\\n001"]),
    ]
    assert warehouse.rows("select request_number from core.claims") == [("R0001",)]


@settings(max_examples=300, deadline=None)
@given(
    records=st.lists(
        st.lists(st.text(alphabet='ab1 ;"\t\r\n', max_size=6)
                 | st.text(alphabet='ab1;"\r\n', max_size=5).map(lambda t: f' "{t}"'),
                 min_size=1, max_size=4),
        min_size=1, max_size=6,
    ),
    width=st.integers(min_value=1, max_value=4),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
)
def test_staging_looks_for_line_breaks_in_any_csv_holding_a_quote(
    records: list[list[str]], width: int, ending: str, bom: bool, tmp_path_factory
) -> None:
    # a CSV cell holds a line break only inside quotes: staging leaves the line-break checks
    # out for a file without a quote character, and keeps them for any other
    path = tmp_path_factory.mktemp("csv") / "segnalazioni.csv"
    header = ";".join("ABCD"[:width])
    text = ending.join([header, *(";".join(record) for record in records)]) + ending
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    told: list[bool] = []

    def select(headers: list[str], source: str, numbered: bool, line_breaks: bool) -> str:
        told.append(line_breaks)
        return keep_cells(headers, source, numbered, line_breaks)

    con = duckdb.connect()
    try:
        read_into(con, path, "cells", select)
        cells = [cell for row in con.execute("select * exclude (line) from cells").fetchall()
                 for cell in row if cell is not None]
    except FileRefused as refused:
        assert '"' in text, refused  # only quotes make a file unreadable here
        event("a quoted file refused")
        return
    finally:
        con.close()
    assert told == ['"' in text]
    with_break = [cell for cell in cells if "\r" in cell or "\n" in cell]
    event("a cell holds a line break" if with_break else "no cell holds a line break")
    assert '"' in text or not with_break


def test_a_quote_opened_after_a_space_quarantines_the_lines_it_crosses(
    exports, warehouse, rows, spec_headers
) -> None:
    # DuckDB opens a quoted cell after one space (`; "K-0<LF>99"`) as at a cell's start: the
    # line opening it and the line closing it are quarantined, each naming the other
    headers = spec_headers["claims"]
    claims = [rows.claim(number=f"R000{n}") for n in (1, 2, 3)]
    claims[1]["Codice cliente"] = ' "K-0\n99"'
    lines = [";".join(headers), *(";".join(claim[h] for h in headers) for claim in claims)]
    path = exports.text(f"segnalazioni_{date.today().isoformat()}.csv",
                        "\ufeff" + "\n".join(lines) + "\n")

    [result] = warehouse.load(path)

    assert (result.read, result.loaded, result.quarantined, result.error) == (4, 2, 2, None)
    assert warehouse.rows("select request_number, line from core.claims order by 1") == [
        ("R0001", 2), ("R0003", 5)
    ]
    no_break = "a cell cannot hold a line break"
    assert warehouse.rows("select line, reasons from raw.quarantine order by line") == [
        (3, [f"malformed_row: a quoted cell opened on this line closes on line 4: {no_break}"]),
        (4, [f"malformed_row: closes a quoted cell opened on line 3: {no_break}"]),
    ]
