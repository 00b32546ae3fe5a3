"""Hostile files are refused or quarantined with a message naming file and line, memory bounded."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pytest
import xlsxwriter
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import pipelines.ingest.csv_reader
import pipelines.ingest.raw
import pipelines.ingest.readers
import pipelines.ingest.xlsx_reader
from pipelines.ingest.load import FileResult, load_file
from pipelines.reports.tickets_export import export_tickets
from pipelines.warehouse import ensure_schema

if TYPE_CHECKING:
    from tests.pipelines.exports import ExportFolder, RowBuilders, Warehouse

CLAIM_HEADERS = [
    "Numero richiesta", "Data ultimo aggiornamento", "Codice cliente", "NMU", "IMEI",
    "Tipo richiesta", "Causali guasto", "Canale", "Aperta da", "Profilo apertura",
    "Data apertura", "Documento identità", "Denuncia", "Modulo blocco",
    "Data ricezione documentazione", "Modalità consegna", "Codice punto assistenza",
    "Indirizzo consegna", "Stato", "Motivo esito negativo", "Data disponibilità sostitutivo",
    "Data chiusura", "IMEI sostitutivo", "Modello sostitutivo", "Modello equivalente",
]
HEADER = ";".join(CLAIM_HEADERS)


def line(rows: RowBuilders, **changes: str) -> str:
    return ";".join(rows.claim(**changes).values())


def counts(result: FileResult) -> tuple[str, int, int, int, int, str | None]:
    return (Path(result.file).name, result.read, result.loaded, result.superseded,
            result.quarantined, result.error)


# ------------------------------------------------------------------ cut short, blank, mixed


def test_cut_short_or_unbalanced_records_are_quarantined_or_refused(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    cells_cut = line(rows, number="R0002").split(";")[:19]  # ends after Stato: all required there
    exports.text("segnalazioni_1.csv", "\r\n".join(
        [HEADER, line(rows), ";".join(cells_cut)]))  # no line break at the end
    exports.text("segnalazioni_2.csv", "\r\n".join(
        [HEADER, line(rows, number="R0003"), '"R0004;' + line(rows)[6:]]))
    exports.text("segnalazioni_3.csv", "\r\n".join(
        [HEADER, line(rows, number="R0005"), line(rows, number="R0006")]))  # whole, no break
    # a quote never closed: its line is quarantined, every line after it is read on its own
    exports.text("segnalazioni_4.csv", "\r\n".join(
        [HEADER, line(rows, number="R0007"), '"R0008;x'] + ["y"] * 40_000
        + [line(rows, number="R0009")]))
    # a lone carriage return after a quoted line break: three lines, three records
    exports.text("segnalazioni_5.csv", HEADER + '\nR0010;"Via Roma\r\n"\rR0011\n')

    results = warehouse.load(exports.path)

    never_closed = ("malformed_row: a quoted cell opened on this line is never closed:"
                    " a cell cannot hold a line break")
    assert [counts(r) for r in results] == [
        ("segnalazioni_1.csv", 2, 1, 0, 1, None),
        ("segnalazioni_2.csv", 2, 1, 0, 1, None),
        ("segnalazioni_3.csv", 2, 2, 0, 0, None),
        ("segnalazioni_4.csv", 40_003, 2, 0, 40_001, None),
        ("segnalazioni_5.csv", 3, 0, 0, 3, None),
    ]
    assert warehouse.rows(
        """select file_name, line, reasons, raw_values::varchar from raw.quarantine
           where reasons[1] like 'malformed_row%' order by 1, 2"""
    ) == [
        ("segnalazioni_1.csv", 3,
         ["malformed_row: truncated: 19 of 25 cells and no line break at the end of the file"],
         json.dumps(";".join(cells_cut), ensure_ascii=False)),
        ("segnalazioni_2.csv", 3, [never_closed],
         json.dumps('"R0004;' + line(rows)[6:], ensure_ascii=False)),
        ("segnalazioni_4.csv", 3, [never_closed], '"\\"R0008;x"'),
        ("segnalazioni_5.csv", 2,
         ["malformed_row: a quoted cell opened on this line closes on line 3:"
          " a cell cannot hold a line break"], '"R0010;\\"Via Roma"'),
        ("segnalazioni_5.csv", 3, [never_closed], '"\\""'),
    ]
    # the lines after the quote never closed, and after the lone carriage return, are records
    assert warehouse.rows(
        """select file_name, count(*), min(line), max(line),
                  min(raw_values->>'$."Numero richiesta"')
           from raw.quarantine where reasons[1] like 'missing%' group by 1 order by 1"""
    ) == [("segnalazioni_4.csv", 40_000, 4, 40_003, "y"),
          ("segnalazioni_5.csv", 1, 4, 4, "R0011")]
    assert warehouse.rows("select request_number from core.claims order by 1") == [
        ("R0001",), ("R0003",), ("R0005",), ("R0006",), ("R0007",), ("R0009",)
    ]


def test_lines_with_no_value_are_no_records(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    exports.text("segnalazioni_spazi.csv", "\r\n".join([
        HEADER,  # 1
        line(rows),  # 2
        "   ",  # 3: spaces
        "\t ",  # 4: a tab and a space
        ";" * 24,  # 5: only delimiters, as Excel leaves behind
        " ; ;\t;",  # 6: short, and nothing in it
        line(rows, number="R0002", status="Sospesa"),  # 7
        "  ",  # 8: the last line, no line break
    ]))
    exports.text("segnalazioni_vuoto.csv", "  \r\n\t\r\n   \r\n")
    headers = list(rows.claim())
    exports.xlsx("segnalazioni_spazi.xlsx", headers, [
        list(rows.claim(number="R0003").values()), [" "] * len(headers), [None, "\t"],
    ])

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [
        ("segnalazioni_spazi.csv", 2, 1, 0, 1, None),
        ("segnalazioni_spazi.xlsx", 1, 1, 0, 0, None),
        ("segnalazioni_vuoto.csv", 0, 0, 0, 0,
         "segnalazioni_vuoto.csv, line 1: the first line is empty: no header row"),
    ]
    assert warehouse.rows("select file_name, line, reasons from raw.quarantine") == [
        ("segnalazioni_spazi.csv", 7, ["unknown_value: Stato = Sospesa"]),
    ]
    assert warehouse.rows("select request_number, line from core.claims order by 1") == [
        ("R0001", 2), ("R0003", 2)
    ]


def test_spaces_around_cells_are_not_part_of_them(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    plain = rows.claim(number="R0001")
    pads = ["  {}", "{} ", " {}  ", "{}"]
    padded = [pads[i % len(pads)].format(value) if value else value
              for i, value in enumerate(rows.claim(number="R0002").values())]
    required_blank = rows.claim(number="R0003") | {"Stato": "   "}
    exports.text("segnalazioni_spazi.csv", "\r\n".join(
        [HEADER, ";".join(plain.values()), ";".join(padded), ";".join(required_blank.values())]
    ))

    warehouse.load(exports.path)

    stored = warehouse.rows(
        """select * exclude (request_number, load_id, line, file_date, row_hash)
           from core.claims order by request_number"""
    )
    assert len(stored) == 2
    assert stored[1] == stored[0]
    assert warehouse.rows("select line, reasons from raw.quarantine") == [
        (4, ["missing: Stato"])
    ]


def test_mixed_encodings_are_refused_naming_both_lines(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    """Read as Windows-1252, the UTF-8 lines would be garbled ("SÃ¬"); read as UTF-8 the others
    cannot be: the file is refused whole and re-exported in one encoding."""
    utf8_header = (HEADER + "\r\n").encode("utf-8")
    utf8_line = (line(rows, **{"Aperta da": "Niccolò"}) + "\r\n").encode("utf-8")
    cp1252_line = (line(rows, number="R0002", **{"Aperta da": "Nicolò"}) + "\r\n").encode(
        "cp1252")
    exports.binary("segnalazioni_1.csv", utf8_header + utf8_line + cp1252_line)
    exports.binary("segnalazioni_2.csv",
                   (HEADER + "\r\n").encode("cp1252") + cp1252_line * 3 + utf8_line)
    exports.binary("segnalazioni_3.csv", (HEADER + "\r\n").encode("cp1252") + cp1252_line)

    results = warehouse.load(exports.path)

    advice = "save the whole file in one encoding (UTF-8 or Windows-1252)"
    assert [counts(r) for r in results] == [
        ("segnalazioni_1.csv", 0, 0, 0, 0, "segnalazioni_1.csv: mixed encodings: line 1 is UTF-8"
         f" but line 3 is not; {advice}"),
        ("segnalazioni_2.csv", 0, 0, 0, 0, "segnalazioni_2.csv: mixed encodings: line 5 is UTF-8"
         f" but line 1 is not; {advice}"),
        ("segnalazioni_3.csv", 1, 1, 0, 0, None),  # Windows-1252 throughout: read as such
    ]
    assert warehouse.rows("select opened_by from core.claims") == [("Nicolò",)]


# ------------------------------------------------------------------ a file that changes


def test_a_file_that_changes_while_it_is_read_is_refused(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    growing = exports.text("segnalazioni_1.csv", HEADER + "\r\n" + line(rows) + "\r\n")
    rewritten = exports.xlsx("segnalazioni_2.xlsx", CLAIM_HEADERS,
                             [list(rows.claim(number="R0002").values())])
    vanishing = exports.text("segnalazioni_3.csv", HEADER + "\r\n" + line(rows) + "\r\n")
    read_csv_table = pipelines.ingest.csv_reader._read_csv_table
    check_xlsx_size = pipelines.ingest.xlsx_reader._check_xlsx_size

    def csv_written_meanwhile(con: Any, path: Path, *args: Any) -> Any:
        if path == growing:  # the producer appends while the loader reads
            with growing.open("a", encoding="utf-8") as handle:
                handle.write(line(rows, number="R0009") + "\r\n")
        if path == vanishing:
            vanishing.unlink()
        return read_csv_table(con, path, *args)

    def xlsx_written_meanwhile(path: Path) -> None:
        check_xlsx_size(path)
        exports.xlsx(path.name, CLAIM_HEADERS, [list(rows.claim(number="R0003").values())])

    monkeypatch.setattr(pipelines.ingest.csv_reader, "_read_csv_table", csv_written_meanwhile)
    monkeypatch.setattr(pipelines.ingest.xlsx_reader, "_check_xlsx_size", xlsx_written_meanwhile)
    results = warehouse.load(exports.path)
    monkeypatch.undo()

    changed = "the file changed while being read: load it again once it is complete"
    assert [counts(r) for r in results] == [
        ("segnalazioni_1.csv", 0, 0, 0, 0, f"segnalazioni_1.csv: {changed}"),
        ("segnalazioni_2.xlsx", 0, 0, 0, 0, f"segnalazioni_2.xlsx: {changed}"),
        ("segnalazioni_3.csv", 0, 0, 0, 0,
         "segnalazioni_3.csv: the file disappeared while being read"),
    ]
    assert warehouse.rows("select count(*) from core.claims") == [(0,)]

    # once complete, the same files load
    assert [counts(r) for r in warehouse.load(growing, rewritten)] == [
        ("segnalazioni_1.csv", 2, 2, 0, 0, None), ("segnalazioni_2.xlsx", 1, 1, 0, 0, None),
    ]


def test_a_change_that_leaves_size_and_times_alone_is_caught_by_the_hash(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Within a timestamp's granularity, a rewrite of a just-written file keeps its stat."""
    path = exports.text("segnalazioni.csv", HEADER + "\r\n" + line(rows) + "\r\n")
    read_csv_table = pipelines.ingest.csv_reader._read_csv_table
    stat = os.stat(path)
    same_stat = (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)

    def rewritten_in_place(con: Any, readable: Path, *args: Any) -> Any:
        with path.open("r+b") as handle:
            handle.seek(len(HEADER.encode()) + 2)
            handle.write(b"X")  # R0001 -> X0001, same size
        return read_csv_table(con, readable, *args)

    monkeypatch.setattr(pipelines.ingest.readers, "_file_state", lambda p: same_stat)
    monkeypatch.setattr(pipelines.ingest.csv_reader, "_read_csv_table", rewritten_in_place)
    [result] = warehouse.load(path)

    assert result.error == (
        "segnalazioni.csv: the file changed while being read: load it again once it is complete"
    )


def test_a_file_that_cannot_be_opened_is_refused_with_the_reason(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = exports.text("segnalazioni.csv", HEADER + "\r\n" + line(rows) + "\r\n")

    def not_allowed(path: Path) -> None:  # the tests run as root, who may open anything
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(pipelines.ingest.csv_reader, "_delimiter", not_allowed)
    [result] = warehouse.load(path)

    assert counts(result) == ("segnalazioni.csv", 0, 0, 0, 0,
                              "segnalazioni.csv: cannot be read: Permission denied")


# ------------------------------------------------------------------ a 100 MB line

LOAD_AND_MEASURE = """
import json, resource, sys
from pipelines.cli import main
code = main(sys.argv[1:])
print(json.dumps({"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}),
      file=sys.stderr)
sys.exit(code)
"""


def test_a_100_mb_line_is_refused_without_holding_it_in_memory(
    exports: ExportFolder, tmp_path: Path, rows: RowBuilders
) -> None:
    path = exports.path / "segnalazioni_riga_lunga.csv"
    with path.open("wb") as handle:
        handle.write(f"{HEADER}\r\n{line(rows)}\r\nR0002;".encode())
        block = b"x" * (1024 * 1024)
        for _ in range(100):
            handle.write(block)
        handle.write(f"\r\n{line(rows, number='R0003')}\r\n".encode())
    assert path.stat().st_size > 100 * 1024 * 1024
    small = exports.path / "piccolo" / "segnalazioni_piccolo.csv"
    small.parent.mkdir()
    small.write_bytes(f"{HEADER}\r\n{line(rows)}\r\n".encode())

    def load_and_measure(export: Path, db: str) -> tuple[subprocess.CompletedProcess, float]:
        run = subprocess.run(
            [sys.executable, "-c", LOAD_AND_MEASURE, "load", str(export), "--db",
             str(tmp_path / db), "--json"],
            capture_output=True, text=True, timeout=120,
        )
        return run, json.loads(run.stderr.strip().splitlines()[-1])["maxrss_kb"] / 1024

    run, maxrss_mb = load_and_measure(path, "kasko.duckdb")
    baseline, baseline_mb = load_and_measure(small, "small.duckdb")

    assert run.returncode == 1, run.stderr
    assert baseline.returncode == 0, baseline.stderr
    assert "Traceback" not in run.stderr
    [result] = json.loads(run.stdout)
    assert (result["read"], result["loaded"], result["error"]) == (
        0, 0, "segnalazioni_riga_lunga.csv, line 3: the line is longer than 1 MB:"
        " not a record of an export"
    )
    # the same process loading a one-line file is the yardstick (DuckDB and Python's own
    # memory vary from machine to machine); holding the line would add 100 MB at least
    assert maxrss_mb - baseline_mb < 64, f"{maxrss_mb:.0f} MB against {baseline_mb:.0f} MB"


def test_long_files_with_any_line_ends_are_measured_line_by_line(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    """Over 1 MB, the line-length guard must see CR (old Mac exports) as a line end too."""
    claims = [line(rows, number=f"R{n:05d}") for n in range(5_000)]
    for name, newline in (("segnalazioni_cr.csv", "\r"), ("segnalazioni_crlf.csv", "\r\n")):
        exports.text(name, newline.join([HEADER, *claims]) + newline)
    assert (exports.path / "segnalazioni_cr.csv").stat().st_size > 1024 * 1024

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [
        ("segnalazioni_cr.csv", 5_000, 5_000, 0, 0, None),
        ("segnalazioni_crlf.csv", 5_000, 5_000, 0, 0, None),  # the later file wins ties
    ]
    assert warehouse.rows("select min(line), max(line) from core.claims") == [(2, 5_001)]


# ------------------------------------------------------------------ XLSX


def rewrite_sheet(path: Path, change: Callable[[bytes], bytes]) -> Path:
    """The workbook with its first sheet's XML changed (as a hostile tool could write it)."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item, data)
    return path


def test_an_xlsx_whose_sheet_is_huge_is_refused_before_it_is_read(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    good = [list(rows.claim().values())]

    def declared(xml: bytes) -> bytes:
        start = xml.index(b"<dimension ref=")
        end = xml.index(b"/>", start)
        return xml[:start] + b'<dimension ref="A1:XFD1048576"' + xml[end:]

    def far_corner(xml: bytes) -> bytes:  # two cells a few bytes apart in the XML
        return xml.replace(b"</sheetData>",
                           b'<row r="900000"><c r="ZZ900000"><v>1</v></c></row></sheetData>')

    def cells_without_references(xml: bytes) -> bytes:  # positions follow one another
        wide = b"<row>" + b"<c><v>1</v></c>" * 25_000 + b"</row>"
        return xml.replace(b"</sheetData>", b"<row/>" * 1_000 + wide + b"</sheetData>")

    for name, change in (("segnalazioni_1.xlsx", declared), ("segnalazioni_2.xlsx", far_corner),
                         ("segnalazioni_3.xlsx", cells_without_references)):
        rewrite_sheet(exports.xlsx(name, CLAIM_HEADERS, good), change)

    results = warehouse.load(exports.path)

    advice = "too large for an XLSX export, send it as CSV"
    assert [counts(r) for r in results] == [
        ("segnalazioni_1.xlsx", 0, 0, 0, 0,
         f"segnalazioni_1.xlsx: the first sheet spans 1,048,576 rows x 16,384 columns: {advice}"),
        ("segnalazioni_2.xlsx", 0, 0, 0, 0,
         f"segnalazioni_2.xlsx: the first sheet spans 900,000 rows x 702 columns: {advice}"),
        ("segnalazioni_3.xlsx", 0, 0, 0, 0,
         f"segnalazioni_3.xlsx: the first sheet spans 1,003 rows x 25,025 columns: {advice}"),
    ]


def test_xlsx_formulas_load_their_cached_values_and_formula_text_is_neutralised_on_export(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders, tmp_path: Path
) -> None:
    path = exports.path / "segnalazioni_2024-03-05.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, CLAIM_HEADERS)
    for row_index, number in ((1, "R0001"), (2, "=HYPERLINK(\"http://x.example\",\"R0002\")")):
        values = list(rows.claim(number="R", customer="C001").values())
        sheet.write_row(row_index, 0, values)
        sheet.write_string(row_index, 0, number)  # text, even when it starts with "="
    # a formula cell: its value as last calculated is what the export holds
    sheet.write_formula(1, 2, '="C"&"001"', None, "C001")
    sheet.write_formula(2, 2, '="C"&"00"&1', None, "C001")
    workbook.close()

    [result] = warehouse.load(path)

    assert counts(result) == ("segnalazioni_2024-03-05.xlsx", 2, 2, 0, 0, None)
    assert warehouse.rows("select request_number, customer_code from core.claims order by 1") == [
        ('=HYPERLINK("http://x.example","R0002")', "C001"), ("R0001", "C001"),
    ]
    out = tmp_path / "tickets.csv"
    assert export_tickets(warehouse.db, out, as_of=date(2024, 3, 15)) == 2
    with out.open(encoding="utf-8", newline="") as handle:
        exported = [(row["request_number"], row["customer_code"]) for row in csv.DictReader(handle)]
    assert exported == [("'=HYPERLINK(\"http://x.example\",\"R0002\")", "C001"), ("R0001", "C001")]


# ------------------------------------------------------------------ fuzzing the CSV path

HEADER_VARIANTS = st.sampled_from([
    CLAIM_HEADERS,
    CLAIM_HEADERS,
    [h.upper() for h in CLAIM_HEADERS],
    [f"  {h} " for h in reversed(CLAIM_HEADERS)],
    CLAIM_HEADERS + ["Note"],
    CLAIM_HEADERS[:-1],  # a missing column
    CLAIM_HEADERS + ["Stato"],  # a repeated one
])
GOOD_CELLS = ["R0001", "R0002", "05/03/2024 10:30", "C001", "3351234567", "490154203237518",
              "Guasto/Malfunzionamento", "Furto/Smarrimento", "Aperta", "Chiusa",
              "04/03/2024 09:15", "Sì", "No", "Email", ""]
NASTY = st.sampled_from(['"', '""', ";", ",", "\r", "\n", "\r\n", " ", "\t", "\xa0", "è"])
CELL_TEXT = st.one_of(
    st.sampled_from(GOOD_CELLS),
    st.lists(st.one_of(st.sampled_from(GOOD_CELLS), NASTY, st.text(max_size=4)), max_size=4)
    .map("".join),
)
RAW_BYTES = st.sampled_from([b"\xff", b"\xe0", b"\xc3\xa0", b"\x81", b"\x00", b'"', b"\r"])


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    headers = draw(HEADER_VARIANTS)
    delimiter = draw(st.sampled_from([";", ","]))
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    lines = [delimiter.join(headers)]
    for _ in range(draw(st.integers(0, 6))):
        cells = draw(st.lists(CELL_TEXT, min_size=0, max_size=len(headers) + 2))
        if draw(st.booleans()):
            cells = ['"' + c.replace('"', '""') + '"' for c in cells]
        lines.append(delimiter.join(cells))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # bytes no encoder would write
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(RAW_BYTES) + data[at:]
    return data


TABLE_COUNTS = """
    select (select count(*) from core.claims), (select count(*) from core.claims_versions),
           (select count(*) from raw.quarantine), (select count(*) from raw.load_log)
"""


@pytest.fixture(scope="module")
def fuzz_db() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    ensure_schema(con)
    yield con
    con.close()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=csv_files())
def test_any_bytes_give_a_result_and_counts_that_reconcile(
    fuzz_db: duckdb.DuckDBPyConnection, data: bytes
) -> None:
    con = fuzz_db
    for table in ("core.claims", "core.claims_versions", "raw.quarantine", "raw.load_log"):
        con.execute(f"delete from {table}")  # noqa: S608
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "segnalazioni_fuzz.csv"
        path.write_bytes(data)

        result = load_file(con, path, date(2024, 4, 1))

    claims, versions, quarantined, logged = con.execute(TABLE_COUNTS).fetchone()
    event("refused" if result.error else "quarantined rows" if result.quarantined else "loaded")
    if result.error is not None:
        event(result.error.split(":")[1].strip()[:40])
        assert result.error.startswith("segnalazioni_fuzz.csv")
        assert "Traceback" not in result.error
        assert (result.read, claims, versions, quarantined, logged) == (0, 0, 0, 0, 0)
        return
    assert result.read == result.loaded + result.superseded + result.quarantined
    # every claim loaded is a new key here: the tables grew by exactly the counts
    assert (claims, quarantined, logged) == (result.loaded, result.quarantined, 1)
    assert result.loaded <= versions <= result.loaded + result.superseded


# ------------------------------------------------------------------ one thread or all

unquoted_cell = st.text(alphabet="ab1 .-/:àè€", max_size=6)
unquoted_line = st.lists(unquoted_cell, max_size=7).map(";".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(unquoted_line, max_size=12),
    ending=st.sampled_from(["\n", "\r\n"]),
    final_break=st.booleans(),
)
def test_one_thread_and_all_read_an_unquoted_file_alike(
    lines: list[str], ending: str, final_break: bool
) -> None:
    # a load reads files staged side by side with one thread each; a lone file with all
    text = ending.join(["A;B;C;D", *lines]) + (ending if final_break else "")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "segnalazioni.csv"
        path.write_text(text, encoding="utf-8")
        con = duckdb.connect()
        read = {}
        for parallel in (True, False):
            raw = pipelines.ingest.readers.read_into(con, path, "cells", parallel=parallel)
            read[parallel] = (
                con.execute("select * from cells order by line").fetchall(),
                [(r.line, r.text, r.message) for r in raw.rejected],
                raw.row_count,
            )
            pipelines.ingest.raw.drop_raw(con, "cells")
        con.close()
    event(f"{len(read[True][0])} rows, {len(read[True][1])} rejected")
    assert read[False] == read[True]
