"""Small hand-written export files, row builders and a warehouse helper for the pipelines' tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter

from pipelines.ingest.load import FileResult, load_paths

# ------------------------------------------------------------------ headers, typed from the spec

SPEC_HEADERS: dict[str, list[str]] = {
    "customers": [
        "Codice cliente",
        "Ragione sociale",
        "Partita IVA",
        "Segmento",
        "Contratto",
        "Regione",
        "Account manager",
    ],
    "devices": [
        "Codice cliente",
        "NMU",
        "IMEI",
        "Marca",
        "Modello",
        "Tipo dispositivo",
        "Stato protezione",
        "Data attivazione protezione",
        "Data scadenza protezione",
        "Assegnatario",
        "Email assegnatario",
    ],
    "claims": [
        "Numero richiesta",
        "Data ultimo aggiornamento",
        "Codice cliente",
        "NMU",
        "IMEI",
        "Tipo richiesta",
        "Causali guasto",
        "Canale",
        "Aperta da",
        "Profilo apertura",
        "Data apertura",
        "Documento identità",
        "Denuncia",
        "Modulo blocco",
        "Data ricezione documentazione",
        "Modalità consegna",
        "Codice punto assistenza",
        "Indirizzo consegna",
        "Stato",
        "Motivo esito negativo",
        "Data disponibilità sostitutivo",
        "Data chiusura",
        "IMEI sostitutivo",
        "Modello sostitutivo",
        "Modello equivalente",
    ],
    "enablements": ["Codice cliente", "NMU", "Abilitata", "Modificata da", "Data modifica"],
    "assistance_points": [
        "Codice punto",
        "Denominazione",
        "Indirizzo",
        "Comune",
        "Provincia",
        "Regione",
    ],
    "users": ["Utente", "Nome", "Profilo", "Codice cliente", "NMU"],
    "delivery_addresses": [
        "Codice cliente", "Codice sede", "Indirizzo", "CAP", "Comune", "Provincia", "Attiva",
    ],
}

# Valid identifiers, their check digits worked out by hand.
IMEI_A = "490154203237518"
IMEI_B = "356938035643809"
IMEI_C = "352099001761481"
PARTITA_IVA = "01234567897"
NMU_A = "3351234567"
NMU_B = "3479876543"

Row = dict[str, Any]


def customer_row(**changes: Any) -> Row:
    return _row("customers", {
        "Codice cliente": "C001",
        "Ragione sociale": "Rossi Impianti Srl",
        "Partita IVA": PARTITA_IVA,
        "Segmento": "Aziende",
        "Contratto": "Multibusiness",
        "Regione": "Lazio",
        "Account manager": "giulia.bianchi@kasko.demo",
    }, changes)


def device_row(**changes: Any) -> Row:
    return _row("devices", {
        "Codice cliente": "C001",
        "NMU": NMU_A,
        "IMEI": IMEI_A,
        "Marca": "Apple",
        "Modello": "iPhone 15",
        "Tipo dispositivo": "Smartphone",
        "Stato protezione": "Attiva",
        "Data attivazione protezione": "01/01/2024",
        "Data scadenza protezione": "31/12/2025",
        "Assegnatario": "Mario Rossi",
        "Email assegnatario": "mario.rossi@rossi.it",
    }, changes)


def claim_row(**changes: Any) -> Row:
    return _row("claims", {
        "Numero richiesta": "R0001",
        "Data ultimo aggiornamento": "05/03/2024 10:30",
        "Codice cliente": "C001",
        "NMU": NMU_A,
        "IMEI": IMEI_A,
        "Tipo richiesta": "Guasto/Malfunzionamento",
        "Causali guasto": "Schermo rotto|Batteria",
        "Canale": "Area Clienti",
        "Aperta da": "mario.rossi@rossi.it",
        "Profilo apertura": "Dipendente abilitato",
        "Data apertura": "04/03/2024 09:15",
        "Documento identità": "",
        "Denuncia": "",
        "Modulo blocco": "",
        "Data ricezione documentazione": "04/03/2024 09:15",
        "Modalità consegna": "Punto assistenza",
        "Codice punto assistenza": "PA001",
        "Indirizzo consegna": "",
        "Stato": "In lavorazione",
        "Motivo esito negativo": "",
        "Data disponibilità sostitutivo": "",
        "Data chiusura": "",
        "IMEI sostitutivo": "",
        "Modello sostitutivo": "",
        "Modello equivalente": "",
    }, changes)


def enablement_row(**changes: Any) -> Row:
    return _row("enablements", {
        "Codice cliente": "C001",
        "NMU": NMU_A,
        "Abilitata": "Sì",
        "Modificata da": "legale@rossi.it",
        "Data modifica": "01/02/2024 12:00",
    }, changes)


def assistance_point_row(**changes: Any) -> Row:
    return _row("assistance_points", {
        "Codice punto": "PA001",
        "Denominazione": "Centro Assistenza Roma Nord",
        "Indirizzo": "Via Salaria 100",
        "Comune": "Roma",
        "Provincia": "RM",
        "Regione": "Lazio",
    }, changes)


def user_row(**changes: Any) -> Row:
    return _row("users", {
        "Utente": "mandatario@rossi.it",
        "Nome": "Anna Verdi",
        "Profilo": "Mandatario",
        "Codice cliente": "C001",
        "NMU": "",
    }, changes)


def delivery_address_row(**changes: Any) -> Row:
    return _row("delivery_addresses", {
        "Codice cliente": "C001",
        "Codice sede": "S001",
        "Indirizzo": "Via Tiburtina 1234",
        "CAP": "00156",
        "Comune": "Roma",
        "Provincia": "RM",
        "Attiva": "Sì",
    }, changes)


# Keyword names for the headers a test changes most often.
_CHANGE_NAMES = {
    "number": "Numero richiesta",
    "updated": "Data ultimo aggiornamento",
    "customer": "Codice cliente",
    "nmu": "NMU",
    "imei": "IMEI",
    "request_type": "Tipo richiesta",
    "opened": "Data apertura",
    "status": "Stato",
    "available": "Data disponibilità sostitutivo",
    "closed": "Data chiusura",
    "id_document": "Documento identità",
    "police_report": "Denuncia",
    "state": "Stato protezione",
    "start": "Data attivazione protezione",
    "end": "Data scadenza protezione",
    "vat": "Partita IVA",
    "enabled": "Abilitata",
    "changed": "Data modifica",
    "point": "Codice punto",
    "province": "Provincia",
    "login": "Utente",
    "profile": "Profilo",
    "model": "Modello",
}


def _row(kind: str, base: Row, changes: dict[str, Any]) -> Row:
    row = dict(base)
    for name, value in changes.items():
        header = _CHANGE_NAMES.get(name, name)
        assert header in row, f"{kind} has no column {header!r}"
        row[header] = value
    assert list(row) == SPEC_HEADERS[kind]
    return row


# ------------------------------------------------------------------ writing files


def _cell(value: Any, delimiter: str) -> str:
    """A CSV cell as Excel writes it: quoted only when it holds a delimiter, quote or newline."""
    text = str(value)
    if any(char in text for char in (delimiter, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


@dataclass
class ExportFolder:
    """A folder of export files written by hand for one test."""

    path: Path

    def csv(
        self,
        name: str,
        rows: Sequence[Row],
        *,
        headers: Sequence[str] | None = None,
        delimiter: str = ";",
        encoding: str = "utf-8",
        newline: str = "\r\n",
    ) -> Path:
        """Rows by header; `headers` (as written in the file) default to the first row's keys."""
        written = list(headers if headers is not None else rows[0].keys())
        keys = list(rows[0].keys()) if rows else written
        lines = [delimiter.join(_cell(h, delimiter) for h in written)]
        lines += [delimiter.join(_cell(row[key], delimiter) for key in keys) for row in rows]
        return self.text(name, newline.join(lines) + newline, encoding=encoding)

    def text(self, name: str, text: str, *, encoding: str = "utf-8") -> Path:
        path = self.path / name
        path.write_bytes(text.encode(encoding))
        return path

    def binary(self, name: str, data: bytes) -> Path:
        path = self.path / name
        path.write_bytes(data)
        return path

    def xlsx(self, name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
        """One sheet: strings as text cells, numbers as numeric cells, dates as date cells."""
        path = self.path / name
        workbook = xlsxwriter.Workbook(str(path))
        sheet = workbook.add_worksheet("Export")
        day_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
        moment_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        sheet.write_row(0, 0, list(headers))
        for row_index, row in enumerate(rows, start=1):
            for column_index, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime):
                    sheet.write_datetime(row_index, column_index, value, moment_format)
                elif isinstance(value, date):
                    sheet.write_datetime(row_index, column_index, value, day_format)
                elif isinstance(value, bool):
                    sheet.write_boolean(row_index, column_index, value)
                elif isinstance(value, int | float):
                    sheet.write_number(row_index, column_index, value)
                else:
                    sheet.write_string(row_index, column_index, str(value))
        workbook.close()
        return path


# ------------------------------------------------------------------ the warehouse


@dataclass
class Warehouse:
    """The warehouse file a test loads into, and read-only queries over it."""

    db: Path
    progress: list[str] = field(default_factory=list)

    def load(self, *paths: Path) -> list[FileResult]:
        return load_paths(list(paths), self.db, progress=self.progress.append)

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every table's rows, sorted: equal snapshots mean equal contents."""
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            tables = con.execute(
                """select table_schema || '.' || table_name from information_schema.tables
                   where table_type = 'BASE TABLE' order by all"""
            ).fetchall()
            return {
                table: con.execute(f"select * from {table} order by all").fetchall()  # noqa: S608
                for (table,) in tables
            }
        finally:
            con.close()

    def file_digest(self) -> str:
        return hashlib.sha256(self.db.read_bytes()).hexdigest()


class RowBuilders:
    """Good rows of each kind, with the named cells changed."""

    customer = staticmethod(customer_row)
    device = staticmethod(device_row)
    claim = staticmethod(claim_row)
    enablement = staticmethod(enablement_row)
    assistance_point = staticmethod(assistance_point_row)
    user = staticmethod(user_row)
    delivery_address = staticmethod(delivery_address_row)
    imei_a, imei_b, imei_c = IMEI_A, IMEI_B, IMEI_C
    partita_iva = PARTITA_IVA
    nmu_a, nmu_b = NMU_A, NMU_B
