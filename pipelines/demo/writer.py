"""Writes the demo rows as exports: CSV (UTF-8 or Windows-1252, ; or ,) and XLSX."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import xlsxwriter

from pipelines.contract import (
    HEADERS,
    ColumnKind,
    SourceRecord,
    columns,
)
from pipelines.demo.claims import Claims
from pipelines.demo.days import day_stamps
from pipelines.demo.dirt import Dirt
from pipelines.demo.identifiers import members
from pipelines.demo.plan import take
from pipelines.demo.reference import MODELS, PROTECTION_STATES, XLSX_MAX_ROWS
from pipelines.demo.world import Customers, Devices


@dataclass(frozen=True)
class FileFormat:
    """How one export file is written: what the back office or a spreadsheet made of it."""

    delimiter: str = ";"
    encoding: str = "utf-8"  # "utf-8", "utf-8-sig" (with BOM) or "cp1252"
    seconds: bool = False
    booleans: tuple[str, str] = ("Sì", "No")
    odd_headers: bool = False
    xlsx: bool = False

    @property
    def suffix(self) -> str:
        return ".xlsx" if self.xlsx else ".csv"


def _odd_header(header: str, rng: np.random.Generator) -> str:
    """Headers as someone re-typed them: any case, stray spaces."""
    words = header.split(" ")
    style = rng.integers(0, 5)
    if style == 0:
        return header.upper()
    if style == 1:
        return f"  {header.lower()} "
    if style == 2:
        return " ".join([words[0].lower(), *[w.upper() for w in words[1:]]]) + " "
    if style == 3:
        return f" {header}"
    return header.title()


def _with_dirt(frame: pd.DataFrame, dirt: Dirt | None) -> pd.DataFrame:
    """The rows as the file shows them: dirt texts in `dirt_<column>` columns, repeats in place."""
    if dirt is None:
        return frame
    overrides = dirt.overrides()
    row_id = frame["row_id"].to_numpy()
    result = frame.copy(deep=False)
    if len(overrides.columns) > 1:
        matched = frame[["row_id"]].merge(overrides, on="row_id", how="left", sort=False)
        for column in overrides.columns.drop("row_id"):
            result[f"dirt_{column}"] = matched[column].array
    if len(dirt.duplicates):
        copies = 1 + members(row_id, np.sort(dirt.duplicates))
        if (copies > 1).any():
            result = result.iloc[np.repeat(np.arange(len(result)), copies)]
    return result


def _with_format(
    rows: pd.DataFrame, file_of_row: np.ndarray, formats: list[FileFormat]
) -> pd.DataFrame:
    """Each row with its file's format: seconds in date-times, the words for true and false."""
    true_words = list(dict.fromkeys(fmt.booleans[0] for fmt in formats))
    false_words = list(dict.fromkeys(fmt.booleans[1] for fmt in formats))
    true_code = np.array([true_words.index(fmt.booleans[0]) for fmt in formats])
    false_code = np.array([false_words.index(fmt.booleans[1]) for fmt in formats])
    return rows.assign(
        seconds=np.array([fmt.seconds for fmt in formats])[file_of_row],
        true_word=pd.Categorical.from_codes(true_code[file_of_row], true_words),
        false_word=pd.Categorical.from_codes(false_code[file_of_row], false_words),
    )


class Writer:
    """Writes export files from pandas frames, DuckDB formatting every value as the file says.

    A frame holds the rows in file order, one contract column each, plus row_id, iso and
    bool_variant, and a `dirt_<column>` text column where dirt replaces a value. Every
    file is one scan of its frame: no joins and no sorting, so DuckDB keeps the order.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        out_dir: Path,
        workdir: Path,
        created: datetime,
        rng: np.random.Generator,
        progress: Callable[[str], None],
    ):
        self.con = con
        self.out_dir = out_dir
        self.workdir = workdir
        self.created = created
        self.rng = rng
        self.progress = progress
        self.written: list[Path] = []
        self._views: dict[str, str] = {}
        self._columns: dict[tuple[str, tuple[str, ...]], set[str]] = {}

    def write(
        self,
        model: type[SourceRecord],
        frame: pd.DataFrame,
        stem: str,
        fmt: FileFormat,
        dirt: Dirt | None = None,
        view: str | None = None,
    ) -> Path:
        """One file from a frame; `view` is a select over `export_rows` to write instead."""
        rows = _with_dirt(frame, dirt)
        rows = _with_format(rows, np.zeros(len(rows), dtype=np.int64), [fmt])
        relation = self._register(rows, view)
        path = self.out_dir / f"{stem}{fmt.suffix}"
        if fmt.xlsx:
            count = self._write_xlsx(model, relation, path, fmt)
        else:
            count = self._copy(self._select(model, relation, fmt, typed=False), path, fmt)
        self._finish(path, count)
        return path

    def write_many(
        self,
        model: type[SourceRecord],
        frame: pd.DataFrame,
        files: list[tuple[str, FileFormat, int]],
        dirt: Dirt | None = None,
        view: str | None = None,
    ) -> None:
        """Small CSV files of one kind at once: (stem, format, period) per file, `period` per row.

        Planning the wide formatting query costs DuckDB more than writing a small file,
        so it runs once for all of them, each row in its own file's format, and Python
        writes the files.
        """
        rows = _with_dirt(frame, dirt)
        file_of_period = {period: number for number, (_, _, period) in enumerate(files)}
        lookup = np.zeros(max(file_of_period) + 1, dtype=np.int64)
        for period, number in file_of_period.items():
            lookup[period] = number
        file_of_row = lookup[rows["period"].to_numpy()]
        rows = _with_format(rows, file_of_row, [fmt for _, fmt, _ in files])
        relation = self._register(rows, view)
        query = self._select(model, relation, FileFormat(), typed=False, with_period=True)
        grouped: dict[int, list[tuple]] = {}
        for row in self.con.execute(query).fetchall():
            grouped.setdefault(row[0], []).append(row[1:])
        for stem, fmt, number in files:
            path = self.out_dir / f"{stem}{fmt.suffix}"
            # utf-8-sig files already carry U+FEFF in their first header
            encoding = "cp1252" if fmt.encoding == "cp1252" else "utf-8"
            with open(path, "w", encoding=encoding, newline="") as handle:
                writer = csv.writer(handle, delimiter=fmt.delimiter, lineterminator="\n")
                writer.writerow(self._headers(model, fmt))
                writer.writerows(grouped.get(number, []))
            self._finish(path, len(grouped.get(number, [])))

    def _register(self, rows: pd.DataFrame, view: str | None) -> str:
        """Makes the rows the relation to write; a view over them is created once, then reused."""
        self.con.register("export_rows", rows)
        if view is None:
            relation = "export_rows"
        else:
            relation = self._views.get(view, f"export_view_{len(self._views)}")
            if view not in self._views:
                self.con.execute(f"create temp view {relation} as {view}")
                self._views[view] = relation
        key = (relation, tuple(rows.columns))
        if key not in self._columns:
            described = self.con.execute(f"describe {relation}").fetchall()
            self._columns[key] = {name for name, *_ in described}
        self._present = self._columns[key]
        return relation

    def _finish(self, path: Path, count: int) -> None:
        self.written.append(path)
        self.progress(f"wrote {path.name} ({count:,} rows)")

    def _headers(self, model: type[SourceRecord], fmt: FileFormat) -> list[str]:
        headers = [HEADERS[model][column.name] for column in columns(model)]
        if fmt.odd_headers:
            headers = [_odd_header(header, self.rng) for header in headers]
        if fmt.encoding == "utf-8-sig" and not fmt.xlsx:
            # a byte-order mark is U+FEFF encoded first: the first header carries it
            headers[0] = "\ufeff" + headers[0]
        return headers

    def _select(
        self,
        model: type[SourceRecord],
        relation: str,
        fmt: FileFormat,
        typed: bool,
        with_period: bool = False,
    ) -> str:
        """The query that turns the relation's typed values into the file's texts.

        Each row carries its file's format (seconds, true_word, false_word columns); a
        `dirt_<column>` text replaces the value, a `text_<column>` is the value already
        formatted. typed: values as XLSX cells want them (numbers, dates), beside the dirt.
        """
        present = self._present
        true_word, false_word, seconds = "r.true_word", "r.false_word", "r.seconds"
        headers = self._headers(model, fmt)
        expressions = ["r.period"] if with_period else []
        for index, column in enumerate(columns(model)):
            value = f'r."{column.name}"'
            if column.kind is ColumnKind.IMEI:
                text = f"lpad(cast({value} as varchar), 15, '0')"
                typed_value = value
            elif column.kind is ColumnKind.DATE:
                text = (
                    f"case when r.iso then strftime({value}, '%Y-%m-%d') "
                    f"else strftime({value}, '%d/%m/%Y') end"
                )
                typed_value = f"cast({value} as date)"
            elif column.kind is ColumnKind.DATETIME:
                text = (
                    f"case when r.iso then strftime({value}, '%Y-%m-%dT%H:%M:%S') "
                    f"when {seconds} then strftime({value}, '%d/%m/%Y %H:%M:%S') "
                    f"else strftime({value}, '%d/%m/%Y %H:%M') end"
                )
                typed_value = f"cast({value} as timestamp)"
            elif column.kind is ColumnKind.BOOLEAN:
                text = (
                    f"case when {value} is null then null "
                    f"when r.bool_variant then (case when {value} then 'si' else 'no' end) "
                    f"when {value} then {true_word} else {false_word} end"
                )
                typed_value = text
            else:
                text = f"cast({value} as varchar)"
                typed_value = text
            if f"text_{column.name}" in present:
                text = f'r."text_{column.name}"'
            override = f'r."dirt_{column.name}"' if f"dirt_{column.name}" in present else "null"
            if typed:
                expressions.append(f"{override}, {typed_value}")
            else:
                header = headers[index].replace('"', '""')
                expressions.append(f"nullif(coalesce({override}, {text}), '') as \"{header}\"")
        listed = ",\n    ".join(expressions)
        return f"select\n    {listed}\nfrom {relation} r"  # noqa: S608 - names from the contract

    def _copy(self, query: str, path: Path, fmt: FileFormat) -> int:
        # DuckDB writes UTF-8 only: Windows-1252 files are transcoded from a scratch copy
        target = self.workdir / path.name if fmt.encoding == "cp1252" else path
        target_sql = str(target).replace("'", "''")
        delimiter = fmt.delimiter.replace("'", "''")
        count = self.con.execute(
            f"copy ({query}) to '{target_sql}' (format csv, delimiter '{delimiter}', header true)"
        ).fetchone()[0]
        if fmt.encoding == "cp1252":
            with (
                open(target, encoding="utf-8", newline="") as source,
                open(path, "w", encoding="cp1252", newline="") as destination,
            ):
                shutil.copyfileobj(source, destination, 1 << 20)
            target.unlink()
        return int(count)

    def _write_xlsx(
        self, model: type[SourceRecord], relation: str, path: Path, fmt: FileFormat
    ) -> int:
        rows = self.con.execute(self._select(model, relation, fmt, typed=True)).fetchall()
        workbook = xlsxwriter.Workbook(str(path))
        # a fixed creation time keeps the bytes identical from run to run
        workbook.set_properties({"created": self.created})
        sheet = workbook.add_worksheet("Export")
        date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
        datetime_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        for column, header in enumerate(self._headers(model, fmt)):
            sheet.write_string(0, column, header)
        width = len(columns(model))
        for number, row in enumerate(rows, start=1):
            for column in range(width):
                override, value = row[2 * column], row[2 * column + 1]
                if override is not None:
                    if override != "":
                        sheet.write_string(number, column, override)
                elif value is None:
                    continue
                elif isinstance(value, datetime):
                    sheet.write_datetime(number, column, value, datetime_format)
                elif isinstance(value, date):
                    sheet.write_datetime(
                        number, column, datetime.combine(value, time()), date_format
                    )
                elif isinstance(value, int):
                    # identifiers typed into Excel become numbers: IMEI cells are numeric
                    sheet.write_number(number, column, value)
                elif value != "":
                    sheet.write_string(number, column, value)
        workbook.close()
        return len(rows)


def claim_formats(periods: list[str], rows: np.ndarray) -> list[FileFormat]:
    """Formats of the claims files: mostly `;` UTF-8, some Windows-1252, some `,`, one XLSX."""
    formats = []
    months = sum(1 for p in periods if len(p) == 7)
    for index, period in enumerate(periods):
        daily = len(period) == 10
        i = index - months if daily else index
        if daily:
            fmt = FileFormat(
                delimiter="," if i % 10 == 7 else ";",
                encoding="cp1252" if i % 3 == 1 else "utf-8-sig" if i % 5 == 0 else "utf-8",
                seconds=i % 4 == 3,
                booleans=("S", "N") if i % 6 == 5 else ("Sì", "No"),
                odd_headers=i % 9 == 2,
            )
        else:
            fmt = FileFormat(
                delimiter="," if i % 6 == 4 else ";",
                encoding="cp1252" if i % 4 == 2 else "utf-8-sig" if i % 3 == 0 else "utf-8",
                seconds=i % 5 == 3,
                booleans=("S", "N") if i % 7 == 5 else ("Si", "No") if i % 7 == 6 else ("Sì", "No"),
                odd_headers=i % 6 == 1,
            )
        formats.append(fmt)
    # one file comes as an Excel workbook: the oldest month when it is small enough, else
    # the busiest day
    if months and rows[0] <= XLSX_MAX_ROWS:
        formats[0] = FileFormat(xlsx=True)
    else:
        busiest = months + int(np.argmax(rows[months:]))
        formats[busiest] = FileFormat(xlsx=True)
    return formats


# The claim's state as one version shows it: what had happened by its timestamp.
CLAIM_VERSION_SQL = """
select
    v.row_id,
    v.iso,
    v.bool_variant,
    v.* exclude (row_id, iso, bool_variant, theft, mode, documents_at, partial_at, available_at,
                 id_open, report_open, form_open, id_partial, report_partial, form_partial,
                 replacement_imei, replacement_model, equivalent, reason, event,
                 point_code, company_address, imei_text, replacement_imei_text,
                 opened_min, opened_sec, opened_iso, documents_min, documents_sec, documents_iso,
                 available_min, available_sec, available_iso),
    case when v.theft then 'Furto/Smarrimento' else 'Guasto/Malfunzionamento' end as request_type,
    case when not v.theft then null
         when v.documents_at <= v.updated_at then true
         when v.partial_at <= v.updated_at then v.id_partial
         else v.id_open end as id_document,
    case when not v.theft then null
         when v.documents_at <= v.updated_at then true
         when v.partial_at <= v.updated_at then v.report_partial
         else v.report_open end as police_report,
    case when not v.theft then null
         when v.documents_at <= v.updated_at then true
         when v.partial_at <= v.updated_at then v.form_partial
         else v.form_open end as blocking_form,
    case when v.documents_at <= v.updated_at then v.documents_at end as documentation_received_at,
    case when v.mode = 0 then 'Punto assistenza' else 'Sede azienda' end as delivery_mode,
    case when v.mode = 0 then v.point_code end as assistance_point_code,
    case when v.mode = 1 then v.company_address end as delivery_address,
    case v.event
        when 0 then case when v.documents_at <= v.updated_at then 'Aperta'
                         else 'In attesa documentazione' end
        when 1 then 'In attesa documentazione'
        when 2 then 'In lavorazione'
        when 3 then 'In consegna'
        when 4 then case when v.mode = 0 then 'Disponibile al ritiro' else 'Consegnata' end
        when 5 then 'Chiusa'
        when 6 then 'Non accolta'
        when 7 then 'KO tecnico'
        when 8 then 'Annullata'
    end as status,
    case when v.event in (6, 7) then cast(v.reason as varchar) end as rejection_reason,
    case when v.available_at <= v.updated_at then v.available_at end as replacement_available_at,
    case when v.event >= 5 then v.updated_at end as closed_at,
    case when v.available_at <= v.updated_at then v.replacement_imei end as replacement_imei,
    case when v.available_at <= v.updated_at then cast(v.replacement_model as varchar) end
        as replacement_model,
    case when v.available_at <= v.updated_at then v.equivalent end as equivalent_model,
    -- texts formatted once per claim (see claim_texts): only the choice is made per version
    v.imei_text as text_imei,
    case when v.iso then strftime(v.updated_at, '%Y-%m-%dT%H:%M:%S')
         when v.seconds then strftime(v.updated_at, '%d/%m/%Y %H:%M:%S')
         else strftime(v.updated_at, '%d/%m/%Y %H:%M') end as text_updated_at,
    case when v.iso then v.opened_iso when v.seconds then v.opened_sec else v.opened_min end
        as text_opened_at,
    case when v.documents_at > v.updated_at then null
         when v.iso then v.documents_iso
         when v.seconds then v.documents_sec
         else v.documents_min end as text_documentation_received_at,
    case when v.available_at > v.updated_at then null
         when v.iso then v.available_iso
         when v.seconds then v.available_sec
         else v.available_min end as text_replacement_available_at,
    case when v.available_at <= v.updated_at then v.replacement_imei_text end
        as text_replacement_imei
from export_rows v
"""

# The month-end inventory: lines activated since were still Non attiva then.
DEVICE_SNAPSHOT_SQL = """
select * replace (
    case when preregistered then 'Non attiva' else protection_state end as protection_state,
    case when preregistered then null else protection_start end as protection_start,
    case when preregistered then null else protection_end end as protection_end)
from export_rows
where in_snapshot
"""


CLAIM_TEXTS_SQL = """
select
    lpad(cast(imei as varchar), 15, '0') as imei_text,
    lpad(cast(replacement_imei as varchar), 15, '0') as replacement_imei_text,
    strftime(opened_at, '%d/%m/%Y %H:%M') as opened_min,
    strftime(opened_at, '%d/%m/%Y %H:%M:%S') as opened_sec,
    strftime(opened_at, '%Y-%m-%dT%H:%M:%S') as opened_iso,
    strftime(documents_at, '%d/%m/%Y %H:%M') as documents_min,
    strftime(documents_at, '%d/%m/%Y %H:%M:%S') as documents_sec,
    strftime(documents_at, '%Y-%m-%dT%H:%M:%S') as documents_iso,
    strftime(available_at, '%d/%m/%Y %H:%M') as available_min,
    strftime(available_at, '%d/%m/%Y %H:%M:%S') as available_sec,
    strftime(available_at, '%Y-%m-%dT%H:%M:%S') as available_iso
from claim_frame
"""


def claim_texts(con: duckdb.DuckDBPyConnection, claims: Claims) -> None:
    """Formats the values a claim keeps in every version once, not once per version."""
    con.register("claim_frame", claims.frame)
    texts = con.execute(CLAIM_TEXTS_SQL).df()
    con.unregister("claim_frame")
    claims.frame = pd.concat([claims.frame, texts], axis=1)


def claim_rows(claims: Claims, versions: pd.DataFrame) -> pd.DataFrame:
    """Versions with their claim's columns: the rows of some claims files, in file order."""
    rows = claims.frame.take(versions["claim"].to_numpy())
    rows.index = versions.index
    return pd.concat([versions, rows], axis=1)


def make_device_frame(devices: Devices, customers: Customers) -> pd.DataFrame:
    """The inventory as rows: one per device, in customer-code order."""
    count = len(devices.customer)
    brands = [m.brand for m in MODELS]
    names = [m.name for m in MODELS]
    types = [m.device_type for m in MODELS]
    type_names = ("Smartphone", "Tablet")
    return pd.DataFrame(
        {
            "row_id": np.arange(count, dtype=np.int64),
            "customer_code": take(customers.frame["customer_code"], devices.customer),
            "nmu": pd.Series(devices.nmu, dtype="str"),
            "imei": devices.imei,
            "brand": pd.Categorical(np.array(brands, dtype=object)[devices.model]),
            "model": pd.Categorical.from_codes(devices.model, names),
            "device_type": pd.Categorical.from_codes(
                np.array([type_names.index(t) for t in types])[devices.model], type_names
            ),
            "protection_state": pd.Categorical.from_codes(devices.state, PROTECTION_STATES),
            "protection_start": day_stamps(devices.start),
            "protection_end": day_stamps(devices.end),
            "assignee": devices.assignee,
            "assignee_email": devices.email,
            "in_snapshot": devices.snapshot,
            "preregistered": devices.preregistered,
            "iso": False,
            "bool_variant": False,
        }
    )
