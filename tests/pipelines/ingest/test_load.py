"""The loader over small hand-written exports: formats, quarantine, versions, flags, the CLI."""

from __future__ import annotations

import errno
import io
import itertools
import json
import os
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pytest

import pipelines.ingest.csv_reader
import pipelines.ingest.load
import pipelines.ingest.readers
import pipelines.warehouse.swap
from pipelines.cli import main
from pipelines.ingest.load import FileResult, load_file, settle_current
from pipelines.warehouse import ensure_schema

if TYPE_CHECKING:
    from tests.pipelines.exports import ExportFolder, RowBuilders, Warehouse

IMEI_A, IMEI_B, IMEI_C = "490154203237518", "356938035643809", "352099001761481"
CLAIM = "select * exclude (load_id, line, file_date, row_hash) from core.claims order by all"
LOAD_LOG = """
    select file_name, kind, file_format, encoding, delimiter,
           read_rows, loaded_rows, superseded_rows, quarantined_rows, extra_columns
    from raw.load_log order by load_id
"""
QUARANTINE = "select file_name, kind, line, reasons from raw.quarantine order by file_name, line"


def counts(result: FileResult) -> tuple[str, str | None, int, int, int, int, str | None]:
    return (
        Path(result.file).name,
        result.kind,
        result.read,
        result.loaded,
        result.superseded,
        result.quarantined,
        result.error,
    )


def assert_reconciled(results: list[FileResult], warehouse: Warehouse) -> None:
    """read = loaded + superseded + quarantined, per file and in the load log."""
    for result in results:
        assert result.read == result.loaded + result.superseded + result.quarantined, result
    for read, loaded, superseded, quarantined, in_quarantine in warehouse.rows(
        """select read_rows, loaded_rows, superseded_rows, quarantined_rows,
                  (select count(*) from raw.quarantine as q where q.load_id = l.load_id)
           from raw.load_log as l"""
    ):
        assert read == loaded + superseded + quarantined
        assert quarantined == in_quarantine


# ------------------------------------------------------------------ two claims, every format

# R0001: a fault at an assistance point, still being worked on.
EXPECTED_R0001 = (
    "R0001", datetime(2024, 3, 5, 10, 30), "C001", "3351234567", IMEI_A,
    "Guasto/Malfunzionamento", "Schermo rotto|Batteria", "Area Clienti", "mario.rossi@rossi.it",
    "Dipendente abilitato", datetime(2024, 3, 4, 9, 15), None, None, None,
    datetime(2024, 3, 4, 9, 15), "Punto assistenza", "PA001", None, "In lavorazione", None,
    None, None, None, None, None,
)
# R0002: a theft delivered at the company, every kind of date and boolean spelling.
EXPECTED_R0002 = (
    "R0002", datetime(2024, 3, 9, 10, 0), "C001", "3479876543", IMEI_C, "Furto/Smarrimento",
    None, "191", "operatore.191", "Servizio Clienti", datetime(2024, 3, 4, 18, 40), True, True,
    False, datetime(2024, 3, 6, 11, 0), "Sede azienda", None, "Via Roma 1, Milano", "Consegnata",
    None, datetime(2024, 3, 8, 16, 0), datetime(2024, 3, 9, 10, 0), IMEI_B, "Galaxy S24", False,
)


def two_claims(rows: RowBuilders) -> list[dict[str, Any]]:
    return [
        rows.claim(),
        rows.claim(**{
            "number": "R0002",
            "updated": "09/03/2024 10:00:00",
            "nmu": "0039 347 987 6543",
            "imei": IMEI_C,
            "request_type": "Furto/Smarrimento",
            "Causali guasto": "",
            "Canale": "191",
            "Aperta da": "operatore.191",
            "Profilo apertura": "Servizio Clienti",
            "opened": "2024-03-04T18:40",
            "id_document": "Sì",
            "police_report": "SÌ",
            "Modulo blocco": "n",
            "Data ricezione documentazione": "06/03/2024 11:00",
            "Modalità consegna": "Sede azienda",
            "Codice punto assistenza": "",
            "Indirizzo consegna": "Via Roma 1, Milano",
            "status": "Consegnata",
            "available": "08/03/2024 16:00:00",
            "closed": "2024-03-09 10:00",
            "IMEI sostitutivo": "35693803-5643809",
            "Modello sostitutivo": "Galaxy S24",
            "Modello equivalente": "No",
        }),
    ]


# file, delimiter, encoding
CSV_VARIANTS = [
    ("segnalazioni_2024-03-16.csv", ";", "utf-8"),
    ("segnalazioni_2024-03-17.csv", ",", "utf-8"),
    ("segnalazioni_2024-03-18.csv", ";", "utf-8-sig"),
    ("segnalazioni_2024-03-19.csv", ",", "utf-8-sig"),
    ("segnalazioni_2024-03-20.csv", ";", "cp1252"),
]


def test_csv_variants_load_the_same_claims(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the reader's copies go to a folder of this test's own: other tests' copies are not seen
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    claims = [row | {"Città": "Milano"} for row in two_claims(rows)]
    for name, delimiter, encoding in CSV_VARIANTS:
        exports.csv(name, claims, delimiter=delimiter, encoding=encoding)
    cp1252 = (exports.path / "segnalazioni_2024-03-20.csv").read_bytes()
    assert b"Modalit\xe0 consegna" in cp1252 and b"Citt\xe0" in cp1252 and b"S\xec" in cp1252
    bom = (exports.path / "segnalazioni_2024-03-18.csv").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbfNumero richiesta")
    copies_before = set(private.glob("kasko-*.csv"))

    results = warehouse.load(exports.path)

    # no copy of a file is left behind (also when loaded again)
    assert [r.already_loaded for r in warehouse.load(exports.path)] == [True] * 5
    assert set(private.glob("kasko-*.csv")) == copies_before == set()

    assert [counts(r) for r in results] == [(name, "claims", 2, 2, 0, 0, None)
                                            for name, _, _ in CSV_VARIANTS]
    assert [r.extra_columns for r in results] == [["Città"]] * 5
    assert warehouse.rows(CLAIM) == [EXPECTED_R0001, EXPECTED_R0002]
    # every file gave the same two versions: a value read differently would be a third
    assert warehouse.rows(
        "select * exclude (load_id, line, file_date, row_hash) from core.claims_versions"
        " order by all"
    ) == [EXPECTED_R0001, EXPECTED_R0002]
    assert warehouse.rows(LOAD_LOG) == [
        (name, "claims", "csv", encoding, delimiter, 2, 2, 0, 0, ["Città"])
        for name, delimiter, encoding in CSV_VARIANTS
    ]


def test_windows_1252_bytes_that_latin_1_reads_otherwise_go_through_a_utf8_copy(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Windows-1252 and Latin-1 differ only in bytes 0x80-0x9F (the euro sign, typographic
    # quotes): a file without them is read as Latin-1 as it is, one with them from a copy
    address = "Via dell\u2019Orto 1 \u2013 \u20ac 5 di spedizione"
    exports.csv("segnalazioni_2024-03-11.csv", [rows.claim(**{"Indirizzo consegna": address})],
                encoding="cp1252")
    exports.csv("segnalazioni_2024-03-12.csv",
                [rows.claim(number="R0002", imei=IMEI_B,
                            **{"Aperta da": "Nicolò", "Indirizzo consegna": "Piazza Unità 3"})],
                encoding="cp1252")
    typographic = (exports.path / "segnalazioni_2024-03-11.csv").read_bytes()
    assert b"dell\x92Orto 1 \x96 \x80 5" in typographic
    copied = []
    real_copy = pipelines.ingest.csv_reader._readable_copy
    monkeypatch.setattr(pipelines.ingest.csv_reader, "_readable_copy",
                        lambda path, *args: copied.append(path.name) or real_copy(path, *args))

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [
        ("segnalazioni_2024-03-11.csv", "claims", 1, 1, 0, 0, None),
        ("segnalazioni_2024-03-12.csv", "claims", 1, 1, 0, 0, None),
    ]
    assert copied == ["segnalazioni_2024-03-11.csv"]
    assert warehouse.rows(
        "select request_number, delivery_address, opened_by from core.claims order by 1"
    ) == [("R0001", address, "mario.rossi@rossi.it"), ("R0002", "Piazza Unità 3", "Nicolò")]
    assert [row[3] for row in warehouse.rows(LOAD_LOG)] == ["cp1252", "cp1252"]


def test_xlsx_keeps_numeric_identifiers_and_reads_date_cells(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    headers = list(rows.claim())
    r0001 = rows.claim(**{
        "updated": datetime(2024, 3, 5, 10, 30),
        "nmu": 3351234567,
        "imei": 490154203237518,
        "opened": datetime(2024, 3, 4, 9, 15),
        "Data ricezione documentazione": datetime(2024, 3, 4, 9, 15),
    })
    r0002 = two_claims(rows)[1] | {
        "Data ultimo aggiornamento": datetime(2024, 3, 9, 10, 0),
        "NMU": 3479876543,
        "IMEI": 352099001761481,
        "Data apertura": datetime(2024, 3, 4, 18, 40),
        "Documento identità": True,
        "Modulo blocco": False,
        "Data ricezione documentazione": datetime(2024, 3, 6, 11, 0),
        "Data disponibilità sostitutivo": datetime(2024, 3, 8, 16, 0),
        "Data chiusura": datetime(2024, 3, 9, 10, 0),
        "IMEI sostitutivo": 356938035643809,
    }
    # line 4 is left blank; line 5 holds an IMEI Excel turned into a float
    r0003 = rows.claim(number="R0003", imei=3.52099e14)
    grid = [[None if row[h] == "" else row[h] for h in headers] for row in (r0001, r0002, r0003)]
    grid.insert(2, [None] * len(headers))
    claims = exports.xlsx("Segnalazioni_2024-03-10.xlsx", headers, grid)
    devices = exports.xlsx(
        "dispositivi_2024-03-01.xlsx",
        list(rows.device()),
        [[None if v == "" else v for v in rows.device(**{
            "nmu": 3351234567, "imei": 490154203237518,
            "start": date(2024, 1, 1), "end": datetime(2025, 12, 31, 0, 0),
        }).values()]],
    )

    results = warehouse.load(claims, devices)

    assert [counts(r) for r in results] == [
        ("dispositivi_2024-03-01.xlsx", "devices", 1, 1, 0, 0, None),
        ("Segnalazioni_2024-03-10.xlsx", "claims", 3, 2, 0, 1, None),
    ]
    assert warehouse.rows(CLAIM) == [EXPECTED_R0001, EXPECTED_R0002]
    assert warehouse.rows(QUARANTINE) == [
        ("Segnalazioni_2024-03-10.xlsx", "claims", 5, ["invalid_imei: IMEI = 352099000000000"]),
    ]
    assert warehouse.rows("select line from core.claims order by line") == [(2,), (3,)]
    assert warehouse.rows(
        "select imei, nmu, protection_start, protection_end from core.devices"
    ) == [(IMEI_A, "3351234567", date(2024, 1, 1), date(2025, 12, 31))]
    assert warehouse.rows("select file_format, encoding, delimiter from raw.load_log") == [
        ("xlsx", None, None), ("xlsx", None, None)
    ]


def test_odd_headers_reordered_with_an_extra_column(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    def odd(header: str, index: int) -> str:
        spaced = "   ".join(header.split(" "))
        return [f"  {spaced.upper()} ", f"{header.lower()}  ", f" {spaced.title()}"][index % 3]

    good = two_claims(rows)
    headers = list(reversed(good[0]))
    written = [odd(h, i) for i, h in enumerate(headers)] + ["Note interne"]
    reordered = [
        {**{odd(h, i): row[h] for i, h in enumerate(headers)}, "Note interne": "verificare"}
        for row in good
    ]
    path = exports.csv("SEGNALAZIONI_marzo.csv", reordered, headers=written)
    assert path.read_text().startswith(
        "  MODELLO   EQUIVALENTE ;modello sostitutivo  ; Imei   Sostitutivo;  DATA   CHIUSURA ;"
    )

    results = warehouse.load(path)

    assert [counts(r) for r in results] == [("SEGNALAZIONI_marzo.csv", "claims", 2, 2, 0, 0, None)]
    assert results[0].extra_columns == ["Note interne"]
    assert warehouse.rows(CLAIM) == [EXPECTED_R0001, EXPECTED_R0002]
    assert warehouse.rows("select extra_columns from raw.load_log") == [(["Note interne"],)]


def test_a_repeated_extra_column_is_ignored_and_kept_in_raw_values(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    bad = rows.customer(customer="C002", vat="01234567890")
    exports.text("clienti.csv", "\r\n".join([
        ";".join(rows.customer()) + ";Note;Note;",
        ";".join(rows.customer().values()) + ";uno;due;tre",
        ";".join(bad.values()) + ";uno;due;",
    ]) + "\r\n")

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [("clienti.csv", "customers", 2, 1, 0, 1, None)]
    assert results[0].extra_columns == ["Note"]
    ((raw_values,),) = warehouse.rows("select raw_values from raw.quarantine")
    assert json.loads(raw_values) == bad | {
        "Note": "uno", "Note (colonna 9)": "due", "colonna 10": None
    }


# ------------------------------------------------------------------ refused files


def test_a_missing_column_refuses_the_whole_file(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    without_stato = [{h: v for h, v in row.items() if h != "Stato"} for row in two_claims(rows)]
    exports.csv("segnalazioni_2024-03-10.csv", without_stato)
    exports.csv("clienti.csv", [rows.customer()])

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [
        ("clienti.csv", "customers", 1, 1, 0, 0, None),
        ("segnalazioni_2024-03-10.csv", "claims", 0, 0, 0, 0,
         "segnalazioni_2024-03-10.csv, line 1, column 'Stato': missing column 'Stato'"),
    ]
    assert warehouse.rows("select file_name from raw.load_log") == [("clienti.csv",)]
    assert warehouse.rows("select count(*) from core.claims") == [(0,)]
    assert warehouse.rows("select count(*) from core.claims_versions") == [(0,)]
    assert warehouse.rows("select count(*) from raw.quarantine") == [(0,)]


def test_a_missing_column_through_the_cli(
    exports: ExportFolder, tmp_path: Path, rows: RowBuilders, capsys: pytest.CaptureFixture[str]
) -> None:
    without = [{h: v for h, v in row.items() if h not in ("Stato", "IMEI")} for row in
               two_claims(rows)]
    exports.csv("segnalazioni.csv", without)
    db = tmp_path / "kasko.duckdb"

    assert main(["load", str(exports.path), "--db", str(db), "--json"]) == 1

    (result,) = json.loads(capsys.readouterr().out)
    assert result["error"] == (
        "segnalazioni.csv, line 1, column 'IMEI': missing column 'IMEI', 'Stato'"
    )
    assert (result["kind"], result["read"], result["loaded"]) == ("claims", 0, 0)


def test_a_name_matching_no_prefix_is_refused(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    exports.csv("reclami_2024-03.csv", two_claims(rows))
    exports.csv("clienti.csv", [rows.customer()])

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [
        ("reclami_2024-03.csv", None, 0, 0, 0, 0,
         "reclami_2024-03.csv: the name matches no export kind (prefixes: clienti, "
         "dispositivi, segnalazioni, abilitazioni, punti_assistenza, utenti, sedi)"),
        ("clienti.csv", "customers", 1, 1, 0, 0, None),
    ]
    assert warehouse.rows("select file_name from raw.load_log") == [("clienti.csv",)]


def _not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


HEADER = ";".join([
    "Numero richiesta", "Data ultimo aggiornamento", "Codice cliente", "NMU", "IMEI",
    "Tipo richiesta", "Causali guasto", "Canale", "Aperta da", "Profilo apertura",
    "Data apertura", "Documento identità", "Denuncia", "Modulo blocco",
    "Data ricezione documentazione", "Modalità consegna", "Codice punto assistenza",
    "Indirizzo consegna", "Stato", "Motivo esito negativo", "Data disponibilità sostitutivo",
    "Data chiusura", "IMEI sostitutivo", "Modello sostitutivo", "Modello equivalente",
])
GOOD_LINE = (
    "R0001;05/03/2024 10:30;C001;3351234567;490154203237518;Guasto/Malfunzionamento;;"
    "Email;;;04/03/2024 09:15;;;;;;;;Aperta;;;;;;"
)


HEADER_BYTES = len(HEADER.encode("cp1252") + b"\r\n")
# name, content, the error reported for the file
HOSTILE_FILES = [
    ("segnalazioni_vuoto.csv", b"", "segnalazioni_vuoto.csv: the file is empty: no header row"),
    ("segnalazioni_riga1.csv", ("\r\n" + GOOD_LINE + "\r\n").encode(),
     "segnalazioni_riga1.csv, line 1: the first line is empty: no header row"),
    ("segnalazioni_binario.csv", bytes(range(256)) * 8,
     "segnalazioni_binario.csv: contains NUL bytes: not a text export"),
    ("segnalazioni_rumore.csv", bytes(range(128, 256)) * 4,
     "segnalazioni_rumore.csv: neither UTF-8 nor Windows-1252 (byte 1 cannot be decoded)"),
    ("segnalazioni_rumore2.csv", HEADER.encode("cp1252") + b"\r\n" + bytes(range(128, 256)),
     f"segnalazioni_rumore2.csv: neither UTF-8 nor Windows-1252 (byte {HEADER_BYTES + 1} "
     "cannot be decoded)"),
    ("segnalazioni_nul.csv", (HEADER + "\r\n" + GOOD_LINE + "\x00\r\n").encode(),
     "segnalazioni_nul.csv: contains NUL bytes: not a text export"),
    ("segnalazioni_doppia.csv", (HEADER + ";  stato \r\n" + GOOD_LINE + ";\r\n").encode(),
     "segnalazioni_doppia.csv, line 1, column 'stato': column 'stato' appears twice in the header"),
    ("segnalazioni.xlsx", (HEADER + "\r\n" + GOOD_LINE + "\r\n").encode(),
     "segnalazioni.xlsx: not a valid XLSX file (not a zip archive)"),
    ("segnalazioni_zip.xlsx", _not_a_workbook(), "segnalazioni_zip.xlsx: cannot be read as XLSX: "),
    ("segnalazioni.json", b"[]",
     "segnalazioni.json: unsupported file type '.json': exports are .csv or .xlsx"),
]


def test_hostile_files_are_refused_cleanly(
    exports: ExportFolder,
    warehouse: Warehouse,
    rows: RowBuilders,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, content, _ in HOSTILE_FILES:
        exports.binary(name, content)
    exports.csv("clienti.csv", [rows.customer()])

    assert main(["load", str(exports.path), "--db", str(warehouse.db), "--json"]) == 1

    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    results = {Path(result["file"]).name: result for result in json.loads(captured.out)}
    assert results.pop("clienti.csv")["loaded"] == 1
    assert sorted(results) == sorted(name for name, _, _ in HOSTILE_FILES)
    for name, _, error in HOSTILE_FILES:
        result = results[name]
        assert (result["kind"], result["read"], result["loaded"], result["quarantined"]) == (
            "claims", 0, 0, 0
        )
        if error.endswith(": "):  # the rest is the XLSX library's own words
            assert result["error"].startswith(error)
        else:
            assert result["error"] == error
    assert warehouse.rows("select file_name from raw.load_log") == [("clienti.csv",)]
    assert warehouse.rows("select count(*) from core.claims") == [(0,)]
    assert warehouse.rows("select count(*) from raw.quarantine") == [(0,)]


def test_a_header_only_file_loads_with_no_rows(
    exports: ExportFolder, warehouse: Warehouse
) -> None:
    exports.text("segnalazioni_vuote.csv", HEADER)  # not even a final newline
    exports.text("segnalazioni_vuote2.csv", HEADER + "\r\n")

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [
        ("segnalazioni_vuote.csv", "claims", 0, 0, 0, 0, None),
        ("segnalazioni_vuote2.csv", "claims", 0, 0, 0, 0, None),
    ]
    assert warehouse.rows("select file_name, read_rows from raw.load_log order by 1") == [
        ("segnalazioni_vuote.csv", 0), ("segnalazioni_vuote2.csv", 0)
    ]


# ------------------------------------------------------------------ quarantine


def test_every_quarantine_reason_with_line_and_raw_values(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    claims = [
        rows.claim(number="R0001"),  # line 2
        rows.claim(number=""),  # 3
        rows.claim(number="R0003", imei="490154203237519"),  # 4
        rows.claim(number="R0004", imei="3,52E+14"),  # 5
        rows.claim(number="R0005", imei="3.52099E+14"),  # 6
        rows.claim(number="R0006", nmu="06 1234567"),  # 7
        rows.claim(number="R0007", opened="31/02/2024 09:00"),  # 8
        rows.claim(number="R0008", updated="ieri"),  # 9
        rows.claim(number="R0009", status="Sospesa"),  # 10
        rows.claim(number="R0010", police_report="Forse"),  # 11
        rows.claim(number="R0011", available="01/03/2024 10:00"),  # 12: before Data apertura
        rows.claim(number="R0012", opened=""),  # 13
        rows.claim(number="R0013", request_type="Rottura", **{"IMEI sostitutivo": "123"}),  # 14
        rows.claim(number="R0014", status="Chiusa", closed="06/03/2024 18:00:05"),  # 15
    ]
    path = exports.csv("segnalazioni_2024-03-10.csv", claims)
    # line 16: a malformed line, one field too many
    malformed = "R0015;" + ";".join(["x"] * 25)
    path.write_bytes(path.read_bytes() + (malformed + "\r\n").encode())
    exports.csv("dispositivi.csv", [
        rows.device(),  # line 2
        rows.device(imei=IMEI_B, start="31/02/2024", end="2025-13-01"),  # 3
        rows.device(imei=IMEI_C, **{"Tipo dispositivo": "Phablet"}),  # 4
    ])
    exports.csv("clienti.csv", [rows.customer(), rows.customer(customer="C002", vat="01234567890")])
    exports.csv("punti_assistenza.csv", [rows.assistance_point(province="Roma")])
    exports.csv("abilitazioni.csv", [rows.enablement(enabled="Forse", nmu="")])

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [
        ("clienti.csv", "customers", 2, 1, 0, 1, None),
        ("dispositivi.csv", "devices", 3, 1, 0, 2, None),
        ("segnalazioni_2024-03-10.csv", "claims", 15, 2, 0, 13, None),
        ("abilitazioni.csv", "enablements", 1, 0, 0, 1, None),
        ("punti_assistenza.csv", "assistance_points", 1, 0, 0, 1, None),
    ]
    assert_reconciled(results, warehouse)
    assert warehouse.rows(QUARANTINE) == [
        ("abilitazioni.csv", "enablements", 2,
         ["missing: NMU", "invalid_boolean: Abilitata = Forse"]),
        ("clienti.csv", "customers", 3, ["invalid_partita_iva: Partita IVA = 01234567890"]),
        ("dispositivi.csv", "devices", 3, [
            "invalid_date: Data attivazione protezione = 31/02/2024",
            "invalid_date: Data scadenza protezione = 2025-13-01",
        ]),
        ("dispositivi.csv", "devices", 4, ["unknown_value: Tipo dispositivo = Phablet"]),
        ("punti_assistenza.csv", "assistance_points", 2, ["invalid_province: Provincia = Roma"]),
        ("segnalazioni_2024-03-10.csv", "claims", 3, ["missing: Numero richiesta"]),
        ("segnalazioni_2024-03-10.csv", "claims", 4, ["invalid_imei: IMEI = 490154203237519"]),
        ("segnalazioni_2024-03-10.csv", "claims", 5, ["invalid_imei: IMEI = 3,52E+14"]),
        ("segnalazioni_2024-03-10.csv", "claims", 6, ["invalid_imei: IMEI = 3.52099E+14"]),
        ("segnalazioni_2024-03-10.csv", "claims", 7, ["invalid_nmu: NMU = 06 1234567"]),
        ("segnalazioni_2024-03-10.csv", "claims", 8,
         ["invalid_datetime: Data apertura = 31/02/2024 09:00"]),
        ("segnalazioni_2024-03-10.csv", "claims", 9,
         ["invalid_datetime: Data ultimo aggiornamento = ieri"]),
        ("segnalazioni_2024-03-10.csv", "claims", 10, ["unknown_value: Stato = Sospesa"]),
        ("segnalazioni_2024-03-10.csv", "claims", 11, ["invalid_boolean: Denuncia = Forse"]),
        ("segnalazioni_2024-03-10.csv", "claims", 12, [
            "available_before_opened: Data disponibilità sostitutivo precedes Data apertura"
        ]),
        ("segnalazioni_2024-03-10.csv", "claims", 13, ["missing: Data apertura"]),
        ("segnalazioni_2024-03-10.csv", "claims", 14, [
            "unknown_value: Tipo richiesta = Rottura",
            "invalid_imei: IMEI sostitutivo = 123",
        ]),
        ("segnalazioni_2024-03-10.csv", "claims", 16, ["malformed_row: too many columns"]),
    ]
    raw = dict(warehouse.rows(
        "select line, raw_values from raw.quarantine where kind = 'claims' order by line"
    ))
    as_read = {header: value or None for header, value in claims[3].items()}
    assert json.loads(raw[5]) == as_read  # every cell as read, empty cells as null
    assert json.loads(raw[5])["IMEI"] == "3,52E+14"
    assert json.loads(raw[16]) == malformed
    assert warehouse.rows("select request_number, status, line from core.claims order by 1") == [
        ("R0001", "In lavorazione", 2), ("R0014", "Chiusa", 15)
    ]


def test_blank_lines_keep_true_line_numbers_and_a_quoted_line_break_merges_no_record(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    def line(**changes: str) -> str:
        return ";".join(rows.claim(**changes).values())

    address = '"Via Roma 1\nScala B"'
    text = "\r\n".join([
        HEADER,  # 1
        line(number="R0001"),  # 2
        "",  # 3: blank
        line(number="R0002", imei="490154203237519"),  # 4
        line(number="R0003", **{"Indirizzo consegna": "ADDRESS"}).replace("ADDRESS", address),
        # 5 and 6: no cell holds a line break: two broken lines, not one record
        line(number="R0004", status="Sospesa"),  # 7
        line(number="R0005") + ";x",  # 8: malformed
        line(number="R0006"),  # 9
        "",  # 10: blank
        "",
    ])
    path = exports.text("segnalazioni.csv", text)

    results = warehouse.load(path)

    assert [counts(r) for r in results] == [("segnalazioni.csv", "claims", 7, 2, 0, 5, None)]
    assert warehouse.rows("select line, reasons from raw.quarantine order by line") == [
        (4, ["invalid_imei: IMEI = 490154203237519"]),
        (5, ["malformed_row: a quoted cell opened on this line closes on line 6:"
             " a cell cannot hold a line break"]),
        (6, ["malformed_row: closes a quoted cell opened on line 5:"
             " a cell cannot hold a line break"]),
        (7, ["unknown_value: Stato = Sospesa"]),
        (8, ["malformed_row: too many columns"]),
    ]
    assert warehouse.rows(
        "select request_number, line, delivery_address from core.claims order by 1"
    ) == [("R0001", 2, None), ("R0006", 9, None)]


# ------------------------------------------------------------------ identifiers


def test_imeisv_and_phone_numbers_are_normalised(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    exports.csv("dispositivi.csv", [
        rows.device(imei="4901542032375107", nmu="+39 335 123 4567"),
        rows.device(imei="35-693803-564380-12", nmu="0039 347.987.6543"),
        rows.device(imei="35 209900 176148 1", nmu="347-9876543"),
    ])

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [("dispositivi.csv", "devices", 3, 3, 0, 0, None)]
    assert warehouse.rows("select imei, nmu from core.devices order by line") == [
        (IMEI_A, "3351234567"), (IMEI_B, "3479876543"), (IMEI_C, "3479876543")
    ]


# ------------------------------------------------------------------ versions and supersession


def claim_versions(rows: RowBuilders) -> dict[str, list[dict[str, Any]]]:
    """R0001 in three files (names out of date order on purpose), R0002 in one of them."""
    return {
        "segnalazioni_c.csv": [
            rows.claim(updated="01/03/2024 09:00", status="Aperta", **{
                "Data ricezione documentazione": ""}),
            rows.claim(number="R0002", imei=IMEI_B, updated="01/03/2024 10:00", status="Aperta"),
        ],
        "segnalazioni_a.csv": [rows.claim(updated="04/03/2024 12:00", status="In lavorazione")],
        "segnalazioni_b.csv": [
            rows.claim(updated="08/03/2024 17:00", status="Chiusa",
                       available="07/03/2024 15:00", closed="08/03/2024 17:00"),
        ],
    }


def test_claim_versions_end_the_same_in_every_load_order(
    exports: ExportFolder, rows: RowBuilders
) -> None:
    versions = claim_versions(rows)
    paths = [exports.csv(name, file_rows) for name, file_rows in versions.items()]
    expected_current = [
        ("R0001", datetime(2024, 3, 8, 17, 0), "Chiusa", datetime(2024, 3, 8, 17, 0)),
        ("R0002", datetime(2024, 3, 1, 10, 0), "Aperta", None),
    ]
    expected_history = [
        ("R0001", datetime(2024, 3, 1, 9, 0), "Aperta", None),
        ("R0001", datetime(2024, 3, 4, 12, 0), "In lavorazione", None),
        ("R0001", datetime(2024, 3, 8, 17, 0), "Chiusa", datetime(2024, 3, 8, 17, 0)),
        ("R0002", datetime(2024, 3, 1, 10, 0), "Aperta", None),
    ]
    r0001_updated = {
        name: datetime.strptime(file_rows[0]["Data ultimo aggiornamento"], "%d/%m/%Y %H:%M")
        for name, file_rows in versions.items()
    }
    # One warehouse, emptied before each order and way: the files load in one run (the current
    # rows chosen once, at its end), or one by one, as separate runs would load them (a
    # folder would load them in name order).
    con = duckdb.connect()
    ensure_schema(con)
    for order, one_run in itertools.product(itertools.permutations(paths), (True, False)):
        for table in ("core.claims", "core.claims_versions", "raw.load_log", "raw.quarantine"):
            con.execute(f"delete from {table}")  # noqa: S608 - the table names above
        results = []
        for path in order:
            results.append(load_file(con, path, date(2024, 3, 10)))
            if not one_run:
                settle_current(con, results[-1:])
        settle_current(con, results)

        assert all(r.error is None and r.quarantined == 0 for r in results)
        assert all(r.read == r.loaded + r.superseded + r.quarantined for r in results)
        assert con.execute(
            "select count(*) from raw.load_log where read_rows = loaded_rows + superseded_rows"
        ).fetchall() == [(3,)]
        # R0001 is loaded each time a version newer than all before it arrives
        newest, promotions = datetime.min, 0
        for path in order:
            if r0001_updated[path.name] > newest:
                newest, promotions = r0001_updated[path.name], promotions + 1
        assert [sum(r.read for r in results), sum(r.loaded for r in results),
                sum(r.superseded for r in results)] == [4, promotions + 1, 3 - promotions]
        assert con.execute(
            "select request_number, updated_at, status, closed_at from core.claims order by 1"
        ).fetchall() == expected_current
        assert con.execute(
            """select request_number, updated_at, status, closed_at
               from core.claims_versions order by all"""
        ).fetchall() == expected_history
    con.close()


@pytest.mark.parametrize("pending_rows", [1, 1_000_000], ids=["after-each-file", "once"])
def test_a_version_sent_again_is_history_once(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch, pending_rows: int,
) -> None:
    # the history is written after every file, or once for the whole load: the same outcome
    monkeypatch.setattr(pipelines.ingest.load, "PENDING_ROWS", pending_rows)
    opened = rows.claim(updated="01/03/2024 09:00", status="Aperta")
    exports.csv("segnalazioni_2024-03-11.csv", [
        opened,
        rows.claim(number="R0002", imei=IMEI_B, updated="01/03/2024 10:00", status="Aperta"),
    ])
    exports.csv("segnalazioni_2024-03-14.csv", [
        rows.claim(updated="04/03/2024 12:00", status="In lavorazione"), opened,
    ])
    exports.csv("segnalazioni_2024-03-15.csv", [opened])

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [
        ("segnalazioni_2024-03-11.csv", "claims", 2, 2, 0, 0, None),
        ("segnalazioni_2024-03-14.csv", "claims", 2, 1, 1, 0, None),
        ("segnalazioni_2024-03-15.csv", "claims", 1, 0, 1, 0, None),
    ]
    # each distinct version once, where it was first read
    assert warehouse.rows(
        """select request_number, status, file_date, line from core.claims_versions
           order by all"""
    ) == [
        ("R0001", "Aperta", date(2024, 3, 11), 2),
        ("R0001", "In lavorazione", date(2024, 3, 14), 2),
        ("R0002", "Aperta", date(2024, 3, 11), 3),
    ]
    # the current version keeps its own lineage
    assert warehouse.rows(
        "select request_number, status, file_date, line from core.claims order by 1"
    ) == [
        ("R0001", "In lavorazione", date(2024, 3, 14), 2),
        ("R0002", "Aperta", date(2024, 3, 11), 3),
    ]
    assert warehouse.rows(
        "select file_name, loaded_rows, superseded_rows from raw.load_log order by load_id"
    ) == [(counts(r)[0], counts(r)[3], counts(r)[4]) for r in results]


def test_a_later_dated_device_file_supersedes(
    exports: ExportFolder, rows: RowBuilders, warehouse_at: Callable[[str], Warehouse]
) -> None:
    january = exports.csv("dispositivi_2024-01-31.csv", [
        rows.device(state="Attiva", model="iPhone 14"),
        rows.device(imei=IMEI_B, nmu="3479876543"),
    ])
    february = exports.csv("dispositivi_2024-02-29.csv", [
        rows.device(imei="49015420323751 07", state="Cessata", model="iPhone 14"),
    ])
    expected = [(IMEI_B, "Attiva", date(2024, 1, 31)), (IMEI_A, "Cessata", date(2024, 2, 29))]
    current = "select imei, protection_state, file_date from core.devices order by 1"

    in_order = warehouse_at("in-order")
    assert [counts(r) for r in in_order.load(exports.path)] == [
        ("dispositivi_2024-01-31.csv", "devices", 2, 2, 0, 0, None),
        ("dispositivi_2024-02-29.csv", "devices", 1, 1, 0, 0, None),
    ]
    assert in_order.rows(current) == expected

    backwards = warehouse_at("backwards")
    assert [counts(r) for r in backwards.load(february) + backwards.load(january)] == [
        ("dispositivi_2024-02-29.csv", "devices", 1, 1, 0, 0, None),
        ("dispositivi_2024-01-31.csv", "devices", 2, 1, 1, 0, None),
    ]
    assert backwards.rows(current) == expected


def test_exact_duplicate_rows_load_once(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    exports.csv("segnalazioni.csv", [rows.claim(), rows.claim(), rows.claim(number="R0002")])
    exports.csv("dispositivi.csv", [rows.device(), rows.device()])

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [
        ("dispositivi.csv", "devices", 2, 1, 1, 0, None),
        ("segnalazioni.csv", "claims", 3, 2, 1, 0, None),
    ]
    assert warehouse.rows("select request_number, line from core.claims order by 1") == [
        ("R0001", 3), ("R0002", 4)
    ]
    assert warehouse.rows("select request_number, line from core.claims_versions order by 1") == [
        ("R0001", 2), ("R0002", 4)
    ]
    assert warehouse.rows("select imei, line from core.devices") == [(IMEI_A, 3)]


# ------------------------------------------------------------------ flags, not quarantine


def test_inconsistent_rows_are_loaded_and_flagged(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    exports.csv("clienti.csv", [rows.customer()])
    exports.csv("dispositivi.csv", [
        rows.device(),
        rows.device(imei=IMEI_B, nmu="3479876543", state="Non attiva"),
    ])
    exports.csv("segnalazioni.csv", [
        rows.claim(number="R0001", imei=IMEI_C, status="Aperta"),
        rows.claim(number="R0002", imei=IMEI_B, status="Chiusa", closed="06/03/2024 10:00"),
        rows.claim(number="R0003", status="Aperta"),
        rows.claim(number="R0004", status="In lavorazione"),
        rows.claim(number="R0005", status="Annullata"),
        # delivered: no longer open, so not a second open claim for the device
        rows.claim(number="R0006", status="Consegnata"),
    ])
    exports.csv("abilitazioni.csv", [rows.enablement(), rows.enablement(nmu="340 000 0000")])

    results = warehouse.load(exports.path)

    assert [counts(r) for r in results] == [
        ("clienti.csv", "customers", 1, 1, 0, 0, None),
        ("dispositivi.csv", "devices", 2, 2, 0, 0, None),
        ("segnalazioni.csv", "claims", 6, 6, 0, 0, None),
        ("abilitazioni.csv", "enablements", 2, 2, 0, 0, None),
    ]
    assert warehouse.rows("select * from core.claim_flags order by all") == [
        ("R0001", "imei_not_in_inventory", f"IMEI {IMEI_C} is not in the device inventory"),
        ("R0002", "protection_not_active",
         "opened 04/03/2024 while protection was Non attiva (01/01/2024 - 31/12/2025)"),
        ("R0003", "several_open_claims", f"2 open claims for IMEI {IMEI_A}"),
        ("R0004", "several_open_claims", f"2 open claims for IMEI {IMEI_A}"),
    ]
    # a claim's detail view asks for the flags of its IMEI only: the same, claim by claim
    for number, imei in warehouse.rows("select request_number, imei from core.claims"):
        assert warehouse.rows(
            """select * from core.claim_flags_of(of_imei := $1)
               where request_number = $2 order by all""", [imei, number]
        ) == warehouse.rows(
            "select * from core.claim_flags where request_number = $1 order by all", [number]
        )
    assert warehouse.rows("select * from core.enablement_flags") == [
        ("C001", "3400000000", "line_without_device",
         "no device of customer C001 uses line 3400000000"),
    ]


# ------------------------------------------------------------------ idempotency and safety


def every_kind(exports: ExportFolder, rows: RowBuilders) -> None:
    exports.csv("clienti_2024-03.csv", [rows.customer(), rows.customer(vat="1")])
    exports.csv("dispositivi_2024-03-01.csv", [rows.device(), rows.device(imei=IMEI_B)],
                encoding="cp1252")
    exports.csv("segnalazioni_2024-03-05.csv", two_claims(rows), delimiter=",")
    exports.csv("segnalazioni_2024-03-10.csv", [rows.claim(updated="09/03/2024 08:00")])
    exports.csv("abilitazioni.csv", [rows.enablement()], encoding="utf-8-sig")
    exports.csv("punti_assistenza.csv", [rows.assistance_point()])
    exports.csv("utenti.csv", [rows.user(), rows.user(login="dip@rossi.it", profile="Dipendente",
                                                      nmu="3351234567")])


def test_the_same_content_twice_in_one_load_is_loaded_once(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    # the second file is read while the first loads, before the first's hash is in the log
    first = exports.csv("segnalazioni_2024-03-11.csv", [rows.claim(), rows.claim(number="R0002")])
    (exports.path / "segnalazioni_2024-03-12.csv").write_bytes(first.read_bytes())

    results = warehouse.load(exports.path)

    assert [(counts(r), r.already_loaded) for r in results] == [
        (("segnalazioni_2024-03-11.csv", "claims", 2, 2, 0, 0, None), False),
        (("segnalazioni_2024-03-12.csv", "claims", 2, 2, 0, 0, None), True),
    ]
    assert warehouse.rows("select file_name from raw.load_log") == [
        ("segnalazioni_2024-03-11.csv",)
    ]
    assert warehouse.rows("select count(*) from core.claims_versions") == [(2,)]



def test_load_ids_follow_the_files_order_when_the_second_is_staged_first(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # files are staged two at a time; the first, slowed here, is read after the second
    stage_file = pipelines.ingest.load.stage_file
    staged: list[str] = []

    def first_file_slow(con: duckdb.DuckDBPyConnection, path: Path, *args: Any) -> Any:
        if path.name == "segnalazioni_2024-03-11.csv":
            threading.Event().wait(0.5)
        staged.append(path.name)
        return stage_file(con, path, *args)

    monkeypatch.setattr(pipelines.ingest.load, "stage_file", first_file_slow)
    names = ["segnalazioni_2024-03-11.csv", "segnalazioni_2024-03-12.csv"]
    for name, status in zip(names, ["Aperta", "In lavorazione"], strict=True):
        exports.csv(name, [rows.claim(updated="01/03/2024 09:00", status=status)])

    results = warehouse.load(exports.path)

    assert staged == list(reversed(names))
    assert [Path(r.file).name for r in sorted(results, key=lambda r: r.load_id)] == names
    assert warehouse.rows("select file_name from raw.load_log order by load_id") == [
        (name,) for name in names
    ]
    # the same update time in both: the later file's version is current
    assert warehouse.rows("select status from core.claims") == [("In lavorazione",)]

def test_loading_the_same_files_again_changes_nothing(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    every_kind(exports, rows)
    first = warehouse.load(exports.path)
    assert all(r.error is None and not r.already_loaded for r in first)
    assert_reconciled(first, warehouse)
    snapshot, digest = warehouse.snapshot(), warehouse.file_digest()
    assert len(snapshot["raw.load_log"]) == 7

    # a file known by its content hash is not read into DuckDB again, and the copy of a
    # load that changes nothing is never written out to disk
    read, fsynced = [], []
    real_read_into, real_fsync = pipelines.ingest.load.read_into, os.fsync
    monkeypatch.setattr(pipelines.ingest.load, "read_into",
                        lambda con, opened, *rest: read.append(opened.path.name)
                        or real_read_into(con, opened, *rest))
    monkeypatch.setattr(os, "fsync", lambda fd: fsynced.append(fd) or real_fsync(fd))
    second = warehouse.load(exports.path)
    assert read == [] and fsynced == []
    assert not [t for t in threading.enumerate() if t.name.startswith("fsync ")]

    assert [r.already_loaded for r in second] == [True] * 7
    assert [counts(r) for r in second] == [counts(r) for r in first]
    assert warehouse.snapshot() == snapshot
    assert warehouse.file_digest() == digest
    assert warehouse.progress[-1] == "[7/7] utenti.csv: already loaded, unchanged"

    # the same content under another name is the same export
    copy = exports.path / "copia" / "segnalazioni_copia.csv"
    copy.parent.mkdir()
    copy.write_bytes((exports.path / "segnalazioni_2024-03-10.csv").read_bytes())
    assert [r.already_loaded for r in warehouse.load(copy)] == [True]
    assert warehouse.file_digest() == digest


def test_a_load_that_fails_midway_leaves_the_served_warehouse_unchanged(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    warehouse.load(exports.csv("clienti.csv", [rows.customer()]))
    snapshot, digest = warehouse.snapshot(), warehouse.file_digest()
    later = type(exports)(tmp_path / "later")
    later.path.mkdir()
    later.csv("dispositivi.csv", [rows.device()])
    later.csv("segnalazioni.csv", [rows.claim()])
    load_rows = pipelines.ingest.load._load_rows
    calls: list[str] = []

    def fails_after_the_first_file(*args: Any, **kwargs: Any) -> tuple[int, int, int]:
        calls.append(args[1].name)
        if len(calls) > 1:
            raise OSError("No space left on device")
        return load_rows(*args, **kwargs)

    fsync = os.fsync

    def slow_on_the_flushing_thread(fd: int) -> None:
        if threading.current_thread().name.startswith("fsync "):
            time.sleep(0.5)
        fsync(fd)

    monkeypatch.setattr(pipelines.ingest.load, "_load_rows", fails_after_the_first_file)
    monkeypatch.setattr(os, "fsync", slow_on_the_flushing_thread)
    with pytest.raises(OSError, match="No space left"):
        warehouse.load(later.path)

    assert calls == ["devices", "claims"]
    # the first file changed the copy, which was being written out: that ends with the load
    assert not [t for t in threading.enumerate() if t.name.startswith("fsync ")]
    assert warehouse.file_digest() == digest
    assert warehouse.snapshot() == snapshot
    assert sorted(p.name for p in warehouse.db.parent.iterdir()) == [
        "kasko.duckdb", "kasko.duckdb.lock"
    ]

    monkeypatch.undo()
    results = warehouse.load(later.path)
    assert [counts(r) for r in results] == [
        ("dispositivi.csv", "devices", 1, 1, 0, 0, None),
        ("segnalazioni.csv", "claims", 1, 1, 0, 0, None),
    ]


def test_a_first_load_that_fails_leaves_no_warehouse(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports.csv("clienti.csv", [rows.customer()])

    def fails(*args: Any, **kwargs: Any) -> tuple[int, int, int]:
        raise RuntimeError("killed")

    monkeypatch.setattr(pipelines.ingest.load, "_load_rows", fails)
    with pytest.raises(RuntimeError):
        warehouse.load(exports.path)
    assert not warehouse.db.exists()
    assert not warehouse.db.with_name("kasko.duckdb.loading").exists()


def test_a_failed_early_flush_of_the_copy_fails_the_load(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy is fsynced on a thread while the load works: its error fails the load (a
    later fsync of the same file may not report it), and the served file stays as it was."""
    warehouse.load(exports.csv("clienti.csv", [rows.customer()]))
    snapshot, digest = warehouse.snapshot(), warehouse.file_digest()
    fsync = os.fsync
    flushed_on: list[str] = []

    def fails_on_the_flushing_thread(fd: int) -> None:
        flushed_on.append(threading.current_thread().name)
        if threading.current_thread().name.startswith("fsync "):
            raise OSError(errno.EIO, "Input/output error")
        fsync(fd)

    monkeypatch.setattr(os, "fsync", fails_on_the_flushing_thread)
    with pytest.raises(OSError, match="Input/output error"):
        warehouse.load(exports.csv("dispositivi.csv", [rows.device()]))
    monkeypatch.undo()
    assert not [t for t in threading.enumerate() if t.name.startswith("fsync ")]

    assert flushed_on == ["fsync kasko.duckdb.loading"]
    assert warehouse.file_digest() == digest
    assert warehouse.snapshot() == snapshot
    assert sorted(p.name for p in warehouse.db.parent.iterdir()) == [
        "kasko.duckdb", "kasko.duckdb.lock"
    ]


def test_daily_loads_leave_row_groups_unmerged_until_enough_are_spare(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each daily load deletes current rows and appends their new versions as a row group;
    the checkpoint merges the table's row groups (and drops the deleted rows) only once
    SPARE_ROW_GROUPS_BEFORE_MERGE row groups are more than the rows need."""
    monkeypatch.setattr(pipelines.warehouse.swap, "SPARE_ROW_GROUPS_BEFORE_MERGE", 3)
    numbers = [f"R000{n}" for n in range(1, 8)]
    warehouse.load(exports.csv("segnalazioni_2024-03-05.csv", [
        rows.claim(number=number) for number in numbers
    ]))
    layout = """
        select count(distinct row_group_id), sum(count)
        from pragma_storage_info('core.claims') where column_id = 0 and column_path = '[0]'
    """
    assert warehouse.rows(layout) == [(1, 7)]
    after_each_day = []
    for day, number in zip(range(6, 12), numbers[:6], strict=True):
        # one claim changes a day: its current row is deleted, its new version appended
        warehouse.load(exports.csv(f"segnalazioni_2024-03-{day:02}.csv", [
            rows.claim(number=number, updated=f"{day:02}/03/2024 18:00"),
        ]))
        after_each_day.append(warehouse.rows(layout)[0])
    # (row groups, rows stored counting the deleted ones): the third day's checkpoint merges
    assert after_each_day == [(2, 8), (3, 9), (1, 7), (2, 8), (3, 9), (1, 7)]
    assert warehouse.rows("select request_number, updated_at from core.claims order by 1") == [
        (number, datetime(2024, 3, day, 18, 0))
        for day, number in zip(range(6, 12), numbers[:6], strict=True)
    ] + [("R0007", datetime(2024, 3, 5, 10, 30))]  # as first loaded


def test_row_groups_are_merged_only_where_duckdb_would_and_a_change_needs_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The merge is asked for by a changed kind's current table without an index (DuckDB
    merges no other) once it holds enough spare row groups; or when no kind is named."""
    monkeypatch.setattr(pipelines.warehouse.swap, "SPARE_ROW_GROUPS_BEFORE_MERGE", 2)
    con = duckdb.connect(str(tmp_path / "layout.duckdb"))
    con.execute("set max_vacuum_tasks = 0")  # the appends below keep their row groups
    con.execute("create schema core")
    for table in ("claims", "devices"):
        con.execute(f"create table core.{table} (imei varchar)")
        for _ in range(3):  # three appends, each checkpointed: three row groups of one row
            con.execute(f"insert into core.{table} values ($1)", [IMEI_A])  # noqa: S608
            con.execute("checkpoint")
    con.execute("create index devices_imei on core.devices (imei)")
    for table in ("claims", "devices"):
        assert con.execute(
            "select count(distinct row_group_id) from pragma_storage_info($1)", [f"core.{table}"]
        ).fetchall() == [(3,)]
    merge = pipelines.warehouse.swap.row_groups_to_merge
    assert merge(con, {"claims"}) is True  # 3 row groups where 1 would do: 2 spare
    assert merge(con, {"devices"}) is False  # as many spare, but an index: never merged
    assert merge(con, set()) is True  # a new release or new settings
    monkeypatch.setattr(pipelines.warehouse.swap, "SPARE_ROW_GROUPS_BEFORE_MERGE", 3)
    assert merge(con, {"claims", "devices"}) is False


# ------------------------------------------------------------------ the command line


def quarantining_folder(exports: ExportFolder, rows: RowBuilders) -> None:
    exports.csv("segnalazioni_2024-03-05.csv", [
        rows.claim(), rows.claim(number="R0002", imei="3.52099E+14"),
        rows.claim(updated="01/03/2024 08:00"),
    ])
    exports.csv("clienti.csv", [rows.customer()], delimiter=",")


def test_cli_load_prints_a_table_and_exits_0_with_quarantined_rows(
    exports: ExportFolder, tmp_path: Path, rows: RowBuilders, capsys: pytest.CaptureFixture[str]
) -> None:
    quarantining_folder(exports, rows)
    exports.csv("utenti.csv", [rows.user() | {"Telefono": "06 1234567"}])
    db = tmp_path / "kasko.duckdb"

    assert main(["load", str(exports.path), "--db", str(db)]) == 0

    captured = capsys.readouterr()
    table = [line.split() for line in captured.out.splitlines()]
    assert table == [
        ["file", "kind", "read", "loaded", "superseded", "quarantined", "note"],
        ["clienti.csv", "customers", "1", "1", "0", "0"],
        ["segnalazioni_2024-03-05.csv", "claims", "3", "1", "1", "1"],
        ["utenti.csv", "users", "1", "1", "0", "0", "extra", "columns", "ignored:", "Telefono"],
        ["total", "5", "3", "1", "1"],
    ]
    # off a terminal the progress is a log's trail, on standard error; the table is once
    assert "[3/3] utenti.csv: 1 rows" in captured.err
    assert captured.out.count("utenti.csv") == 1


def test_load_progress_on_a_terminal_is_one_line_rewritten_then_cleared() -> None:
    import io

    from pipelines.progress import TransientProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    progress = TransientProgress(terminal)
    progress("[1/2] clienti.csv: 1 rows")
    progress("[2/2] utenti.csv: 1 rows")
    progress.clear()
    assert terminal.getvalue() == ("\r\033[K[1/2] clienti.csv: 1 rows"
                                   "\r\033[K[2/2] utenti.csv: 1 rows\r\033[K")
    assert "\n" not in terminal.getvalue()  # nothing is left above the table


def test_cli_load_json(
    exports: ExportFolder, tmp_path: Path, rows: RowBuilders, capsys: pytest.CaptureFixture[str]
) -> None:
    quarantining_folder(exports, rows)
    db = tmp_path / "kasko.duckdb"

    assert main(["load", str(exports.path), "--db", str(db), "--json"]) == 0

    captured = capsys.readouterr()
    assert captured.err == ""
    results = json.loads(captured.out)
    required = ("file", "kind", "read", "loaded", "superseded", "quarantined", "error")
    assert all(set(required) <= set(result) for result in results)
    assert [{key: result[key] for key in required} for result in results] == [
        {"file": str(exports.path / "clienti.csv"), "kind": "customers", "read": 1, "loaded": 1,
         "superseded": 0, "quarantined": 0, "error": None},
        {"file": str(exports.path / "segnalazioni_2024-03-05.csv"), "kind": "claims", "read": 3,
         "loaded": 1, "superseded": 1, "quarantined": 1, "error": None},
    ]
    assert [r["already_loaded"] for r in results] == [False, False]

    assert main(["load", str(exports.path), "--db", str(db), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert [r["already_loaded"] for r in again] == [True, True]
    assert [r["read"] for r in again] == [1, 3]


def test_cli_load_exits_1_when_a_file_is_refused(
    exports: ExportFolder, tmp_path: Path, rows: RowBuilders, capsys: pytest.CaptureFixture[str]
) -> None:
    quarantining_folder(exports, rows)
    exports.text("note.txt", "appunti")
    db = tmp_path / "kasko.duckdb"

    assert main(["load", str(exports.path), "--db", str(db)]) == 1

    table = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert table[1][:9] == ["note.txt", "-", "0", "0", "0", "0", "note.txt:", "the", "name"]
    assert table[2:] == [
        ["clienti.csv", "customers", "1", "1", "0", "0"],
        ["segnalazioni_2024-03-05.csv", "claims", "3", "1", "1", "1"],
        ["total", "4", "2", "1", "1"],
    ]


def test_cli_load_exits_2_on_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "kasko.duckdb"
    missing = tmp_path / "non-esiste"

    assert main(["load", str(missing), "--db", str(db)]) == 2
    assert f"no such file or folder: {missing}" in capsys.readouterr().err
    assert main(["load", str(missing), "--db", str(db), "--json"]) == 2
    assert main(["load", "--db", str(db)]) == 2
    empty = tmp_path / "vuota"
    empty.mkdir()
    assert main(["load", str(empty), "--db", str(db)]) == 2
    assert not db.exists()
