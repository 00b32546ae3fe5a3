"""Headers and encodings that look right but are not: said plainly, or read as meant."""

from __future__ import annotations

import codecs
import time
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.ingest.load import FileResult
from pipelines.ingest.raw import MAX_COLUMNS
from tests.pipelines.exports import claim_row

if TYPE_CHECKING:
    from tests.pipelines.exports import ExportFolder, Warehouse

CLAIM = claim_row()
HEADER = ";".join(CLAIM)
LINE = ";".join(CLAIM.values())


def counts(result: FileResult) -> tuple[str, int, int, int, str | None]:
    return (Path(result.file).name, result.read, result.loaded, result.quarantined,
            result.error)


def test_a_byte_order_mark_before_windows_1252_text_is_called_the_wrong_encoding(
    exports: ExportFolder, warehouse: Warehouse
) -> None:
    # saved as Windows-1252 with a UTF-8 mark: "identità" is byte 0xE0 on the header line
    exports.binary("segnalazioni_1.csv",
                   codecs.BOM_UTF8 + f"{HEADER}\r\n{LINE}\r\n".encode("cp1252"))
    # the header in UTF-8, a record in Windows-1252 (line 3)
    second = LINE.replace("R0001", "R0002").replace("mario.rossi", "niccolò")
    exports.binary("segnalazioni_2.csv", codecs.BOM_UTF8 + f"{HEADER}\r\n{LINE}\r\n".encode()
                   + f"{second}\r\n".encode("cp1252"))

    results = warehouse.load(exports.path)

    at_header = len(codecs.BOM_UTF8) + HEADER.encode("cp1252").index(b"\xe0")
    at_line_3 = len(codecs.BOM_UTF8) + len(f"{HEADER}\r\n{LINE}\r\n".encode()) + second.index("ò")
    advice = "save it as UTF-8, or as Windows-1252 without the mark"
    assert [counts(r) for r in results] == [
        ("segnalazioni_1.csv", 0, 0, 0,
         "segnalazioni_1.csv, line 1: the file starts with a UTF-8 byte order mark but is not"
         f" UTF-8 (byte {at_header} is not; Windows-1252 text?): {advice}"),
        ("segnalazioni_2.csv", 0, 0, 0,
         "segnalazioni_2.csv, line 3: the file starts with a UTF-8 byte order mark but is not"
         f" UTF-8 (byte {at_line_3} is not; Windows-1252 text?): {advice}"),
    ]


def test_headers_with_decomposed_accents_are_the_same_columns(
    exports: ExportFolder, warehouse: Warehouse
) -> None:
    decomposed = unicodedata.normalize("NFD", HEADER)
    assert decomposed != HEADER and "a\u0300" in decomposed  # "identità": a + grave accent
    exports.text("segnalazioni_1.csv", f"{decomposed}\r\n{LINE}\r\n")
    exports.xlsx("segnalazioni_2.xlsx", decomposed.split(";"),
                 [list(claim_row(number="R0002").values())])

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [
        ("segnalazioni_1.csv", 1, 1, 0, None),
        ("segnalazioni_2.xlsx", 1, 1, 0, None),
    ]
    assert [r.extra_columns for r in results] == [[], []]


def test_a_header_wider_than_any_export_is_refused_at_once(
    exports: ExportFolder, warehouse: Warehouse
) -> None:
    extras = [f"colonna {i}" for i in range(10_000)]
    exports.text("segnalazioni_largo.csv",
                 ";".join([*CLAIM, *extras]) + "\r\n" + ";".join([*CLAIM.values(), *"x" * 10_000]))
    fitting = [f"colonna {i}" for i in range(MAX_COLUMNS - len(CLAIM))]
    exports.text("segnalazioni_stretto.csv",
                 ";".join([*CLAIM, *fitting]) + "\r\n" + LINE.replace("R0001", "R0002") + "\r\n")

    began = time.perf_counter()
    results = warehouse.load(exports.path)
    seconds = time.perf_counter() - began

    assert [counts(r) for r in results] == [
        ("segnalazioni_largo.csv", 0, 0, 0,
         f"segnalazioni_largo.csv, line 1: the header has 10,025 columns; an export has at"
         f" most {MAX_COLUMNS}"),
        ("segnalazioni_stretto.csv", 1, 1, 0, None),
    ]
    assert len(results[1].extra_columns) == MAX_COLUMNS - len(CLAIM)
    # read, the wide file took minutes; refused at its header, no time at all
    assert seconds < 30, f"{seconds:.1f} s"


def test_a_row_of_50000_cells_is_quarantined_without_reading_each_cell(
    exports: ExportFolder, warehouse: Warehouse
) -> None:
    wide = ";".join([*claim_row(number="R0002").values(), *"x" * 50_000])
    quoted = LINE.replace("R0001", "R0003") + ';"a;b";c'
    exports.text("segnalazioni_riga_larga.csv",
                 "\r\n".join([HEADER, LINE, wide, quoted, LINE.replace("R0001", "R0004")]))

    began = time.perf_counter()
    results = warehouse.load(exports.path)
    seconds = time.perf_counter() - began

    assert [counts(r) for r in results] == [("segnalazioni_riga_larga.csv", 4, 2, 2, None)]
    assert warehouse.rows("select line, reasons from raw.quarantine order by 1") == [
        (3, ["malformed_row: too many columns"]), (4, ["malformed_row: too many columns"])
    ]
    # each cell too many cost DuckDB's reader a recorded error: 14 s for this line alone
    assert seconds < 5, f"{seconds:.1f} s"
