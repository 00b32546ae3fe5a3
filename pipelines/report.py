"""`kasko report`: the monthly management SLA report, as an Excel workbook or a standalone page."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
import plotly.graph_objects as go
import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from pipelines.calendar import CalendarSettings, require_covered, today
from pipelines.config import settings
from pipelines.errors import CommandError
from pipelines.output import check_output, output_file
from pipelines.safe_cells import neutralise
from pipelines.warehouse import connect_read_only

SUFFIXES = (".xlsx", ".html")

MONTHS = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
)

# The dashboard's words for the states (dashboard/i18n.py), so both read the same.
STATE_LABELS = {
    "met": "Rispettate",
    "breached": "Violate",
    "at_risk": "A rischio",
    "on_track": "In tempo",
    "pending_documentation": "In attesa documenti",
    "excluded": "Escluse",
}
STATE_COLOURS = {
    "met": "#2e7d32",
    "breached": "#c62828",
    "at_risk": "#ef6c00",
    "on_track": "#1565c0",
    "pending_documentation": "#9e9e9e",
    "excluded": "#cfd8dc",
}
NOT_GIVEN = "(non indicato)"
# Claims delivered at the company have no assistance point: say so rather than "not given".
NOT_GIVEN_BY_DIMENSION = {
    "assistance_point": "(nessun punto assistenza)",
    "assistance_point_region": "(nessun punto assistenza)",
}

# Breakdowns of the summary sheet and page: (dimension of marts.sla_breakdown, heading).
SHORT_BREAKDOWNS = (
    ("request_type", "Tipo richiesta"),
    ("channel", "Canale"),
    ("delivery_mode", "Modalità consegna"),
    ("region", "Regione cliente"),
    ("assistance_point_region", "Regione punto assistenza"),
)
# Long breakdowns get a sheet each in the workbook and their worst rows in the page.
LONG_BREAKDOWNS = (
    ("customer", "Cliente", "Per cliente"),
    ("assistance_point", "Punto assistenza", "Per punto assistenza"),
    ("device_model", "Modello dispositivo", "Per modello"),
)
TOP_ROWS_IN_PAGE = 10
TICKETS_IN_PAGE = 200


class ReportError(CommandError):
    """The report cannot be written as asked; the message says why."""


# ---------------------------------------------------------------- the figures


@dataclass(frozen=True)
class ReportData:
    """Everything one month's report shows, read once from the warehouse."""

    month_start: date
    month_end: date
    as_of: date
    target: float
    calendar: CalendarSettings
    summary: dict[str, Any]
    weekly: list[dict[str, Any]]
    breakdowns: dict[str, list[dict[str, Any]]]
    breaches: list[dict[str, Any]]
    at_risk: list[dict[str, Any]]

    @property
    def month_label(self) -> str:
        return f"{MONTHS[self.month_start.month - 1]} {self.month_start.year}"

    @property
    def title(self) -> str:
        return f"Report SLA — {self.month_label}"


SUMMARY_SQL = """
select * from marts.sla_summary(
    $as_of, customers := $customers, date_from := $date_from, date_to := $date_to
)
"""
WEEKLY_SQL = """
select * from marts.sla_by_period(
    $as_of, 'week', customers := $customers, date_from := $date_from, date_to := $date_to
)
"""
BREAKDOWN_SQL = """
select * from marts.sla_breakdown(
    $as_of, $dimension, customers := $customers, date_from := $date_from, date_to := $date_to
)
"""
TICKETS_SQL = """
select
    request_number,
    customer_code,
    company_name,
    request_type,
    channel,
    delivery_mode,
    coalesce(assistance_point_name, assistance_point_code) as assistance_point,
    customer_region,
    imei,
    concat_ws(' ', device_brand, device_model) as device,
    status,
    opened_date,
    clock_start_date,
    effective_start_date,
    due_date,
    available_date,
    business_days_taken,
    business_days_late,
    business_days_remaining
from marts.ticket_sla($as_of, customers := $customers)
where due_date between $date_from and $date_to
  and sla_state = $state
order by due_date, request_number
"""


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a 'YYYY-MM' month."""
    try:
        start = date.fromisoformat(f"{month}-01")
    except ValueError as error:
        raise ReportError(f"not a month (YYYY-MM): {month!r}") from error
    if start.year == date.max.year and start.month == 12:
        # its last day is the calendar's last; the report's weeks and due dates run past it
        raise ReportError(f"month {month} is beyond the dates the report can count")
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def collect(
    db_path: Path, month: str, as_of: date, customers: Sequence[str] | None = None
) -> ReportData:
    """Read the month's figures: the claims whose due date falls in the month."""
    month_start, month_end = month_bounds(month)
    params = {
        "as_of": as_of,
        "customers": list(customers) if customers is not None else None,
        "date_from": month_start,
        "date_to": month_end,
    }
    with connect_read_only(db_path) as con:
        calendar = require_covered(con, as_of)
        summary = _records(con, SUMMARY_SQL, params)[0]
        weekly = _records(con, WEEKLY_SQL, params)
        breakdowns = {
            dimension: _records(con, BREAKDOWN_SQL, {**params, "dimension": dimension})
            for dimension, *_ in SHORT_BREAKDOWNS + LONG_BREAKDOWNS
        }
        tickets = {
            state: _records(
                con,
                TICKETS_SQL,
                {"as_of": as_of, "customers": params["customers"], "date_from": month_start,
                 "date_to": month_end, "state": state},
            )
            for state in ("breached", "at_risk")
        }
    return ReportData(
        month_start=month_start,
        month_end=month_end,
        as_of=as_of,
        target=settings().sla.compliance_target,
        calendar=calendar,
        summary=summary,
        weekly=_month_weeks(weekly, month_start, month_end),
        breakdowns=breakdowns,
        breaches=tickets["breached"],
        at_risk=tickets["at_risk"],
    )


def _month_weeks(
    weekly: list[dict[str, Any]], month_start: date, month_end: date
) -> list[dict[str, Any]]:
    """Every ISO week that overlaps the month, empty ones too, cut to the month's days."""
    by_start = {row["period_start"]: row for row in weekly}
    empty = {key: 0 for key in ("claims", "met", "breached", *STATE_LABELS)}
    monday = month_start - timedelta(days=month_start.weekday())
    weeks = []
    while monday <= month_end:
        row = {**empty, "compliance": None, **by_start.get(monday, {})}
        iso_year, iso_week, _ = monday.isocalendar()
        row.update(
            period_start=monday,
            week=iso_week,
            week_label=f"{iso_year}-W{iso_week:02d}",
            first_day=max(monday, month_start),
            last_day=min(monday + timedelta(days=6), month_end),
        )
        weeks.append(row)
        monday += timedelta(days=7)
    return weeks


def write_report(
    db_path: Path,
    month: str,
    out: Path,
    as_of: date | None = None,
    customers: Sequence[str] | None = None,
) -> None:
    """Write the month's SLA report to `out`: .xlsx or .html, told by the suffix."""
    check_output(out, SUFFIXES)
    data = collect(db_path, month, as_of or today(), customers)
    if out.suffix.lower() == ".xlsx":
        # built in memory (a report is small): the zip writer's own errors on a failing
        # file would come after the one reported, as noise
        workbook = io.BytesIO()
        write_xlsx(data, workbook)
        content = workbook.getvalue()
    else:
        content = render_html(data).encode("utf-8")
    with output_file(out) as handle:
        handle.write(content)


# ---------------------------------------------------------------- shared wording


def italian_number(value: float | int | None, decimals: int = 0) -> str:
    """12.345,6 (Italian separators); a dash when there is no value."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def italian_percent(share: float | None, decimals: int = 1) -> str:
    return "–" if share is None else italian_number(share * 100, decimals) + "%"


def italian_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def calendar_description(calendar: CalendarSettings) -> str:
    text = "festività nazionali italiane"
    if calendar.province:
        text += f" e patrono della provincia {calendar.province}"
    return text


def kpis(data: ReportData) -> list[tuple[str, Any, str]]:
    """(label, value, kind) of the headline figures, kind: pct, int or dec."""
    summary = data.summary
    return [
        ("Conformità SLA", summary["compliance"], "pct"),
        ("Obiettivo", data.target, "pct"),
        ("Pratiche con scadenza nel mese", summary["claims"], "int"),
        ("Rispettate", summary["met"], "int"),
        ("Violate", summary["breached"], "int"),
        ("A rischio", summary["at_risk"], "int"),
        ("In tempo", summary["on_track"], "int"),
        ("In attesa documenti (per data apertura)", summary["pending_documentation"], "int"),
        ("Escluse", summary["excluded"], "int"),
        ("Giorni lavorativi impiegati (mediana)", summary["median_business_days_taken"], "dec"),
        ("Attesa documentazione, giorni lavorativi (mediana)",
         summary["median_documentation_wait_days"], "dec"),
    ]


def key_label(row: dict[str, Any]) -> str:
    return row["label"] or row["key"] or NOT_GIVEN_BY_DIMENSION.get(row["dimension"], NOT_GIVEN)


# ---------------------------------------------------------------- workbook


@dataclass(frozen=True)
class Column:
    """One column of a sheet table: the record's key, its Italian header, kind and width."""

    key: str
    header: str
    kind: str  # text, date, int, pct, dec
    width: float


WEEK_COLUMNS = (
    Column("week_label", "Settimana", "text", 11),
    Column("first_day", "Dal", "date", 11),
    Column("last_day", "Al", "date", 11),
    Column("claims", "Pratiche", "int", 10),
    Column("met", "Rispettate", "int", 11),
    Column("breached", "Violate", "int", 10),
    Column("compliance", "Conformità", "pct", 11),
    Column("at_risk", "A rischio", "int", 10),
    Column("on_track", "In tempo", "int", 10),
    Column("pending_documentation", "In attesa documenti", "int", 12),
    Column("excluded", "Escluse", "int", 10),
)


def breakdown_columns(heading: str) -> tuple[Column, ...]:
    return (
        Column("label", heading, "text", 34),
        Column("claims", "Pratiche", "int", 10),
        Column("met", "Rispettate", "int", 11),
        Column("breached", "Violate", "int", 10),
        Column("compliance", "Conformità", "pct", 11),
        Column("at_risk", "A rischio", "int", 10),
        Column("on_track", "In tempo", "int", 10),
        Column("pending_documentation", "In attesa documenti", "int", 12),
        Column("excluded", "Escluse", "int", 10),
        Column("median_business_days_taken", "Giorni impiegati (mediana)", "dec", 14),
    )


TICKET_COLUMNS_COMMON = (
    Column("request_number", "Numero richiesta", "text", 16),
    Column("customer_code", "Codice cliente", "text", 13),
    Column("company_name", "Ragione sociale", "text", 24),
    Column("request_type", "Tipo richiesta", "text", 23),
    Column("channel", "Canale", "text", 12),
    Column("delivery_mode", "Modalità consegna", "text", 16),
    Column("assistance_point", "Punto assistenza", "text", 22),
    Column("imei", "IMEI", "text", 17),
    Column("device", "Dispositivo", "text", 20),
    Column("status", "Stato", "text", 18),
    Column("opened_date", "Data apertura", "date", 12),
    Column("clock_start_date", "Ricezione documentazione", "date", 15),
    Column("due_date", "Scadenza SLA", "date", 12),
)
BREACH_COLUMNS = TICKET_COLUMNS_COMMON + (
    Column("available_date", "Disponibilità sostitutivo", "date", 14),
    Column("business_days_taken", "Giorni lavorativi impiegati", "int", 13),
    Column("business_days_late", "Giorni lavorativi di ritardo", "int", 13),
)
AT_RISK_COLUMNS = TICKET_COLUMNS_COMMON + (
    Column("business_days_remaining", "Giorni lavorativi rimanenti", "int", 13),
)
# The page is narrower than a sheet: the lists keep the columns a reader acts on.
PAGE_TICKET_KEYS = (
    "request_number", "company_name", "request_type", "assistance_point", "device", "status",
    "opened_date", "clock_start_date", "due_date", "available_date", "business_days_taken",
    "business_days_late", "business_days_remaining",
)
PAGE_BREACH_COLUMNS = tuple(c for c in BREACH_COLUMNS if c.key in PAGE_TICKET_KEYS)
PAGE_AT_RISK_COLUMNS = tuple(c for c in AT_RISK_COLUMNS if c.key in PAGE_TICKET_KEYS)


class _Formats:
    """The workbook's cell formats: Italian date order, thousands, one-decimal percentages."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        # [$-410] asks for Italian (0x410) separators where the spreadsheet honours it
        add = workbook.add_format
        border = {"border": 1, "border_color": "#c9ced6"}
        self.title = add({"bold": True, "font_size": 16, "font_color": "#1f3864"})
        self.subtitle = add({"italic": True, "font_color": "#555555"})
        self.section = add({"bold": True, "font_size": 12, "font_color": "#1f3864"})
        self.header = add({
            "bold": True, "font_color": "#ffffff", "bg_color": "#1f3864", "text_wrap": True,
            "valign": "vcenter", "align": "center", **border,
        })
        self.cells = {
            "text": add({**border}),
            "date": add({"num_format": "dd/mm/yyyy", "align": "center", **border}),
            "int": add({"num_format": "[$-410]#,##0", **border}),
            "pct": add({"num_format": "[$-410]0.0%", **border}),
            "dec": add({"num_format": "[$-410]#,##0.0", **border}),
        }
        self.kpi_label = add({"bold": True, **border})
        self.below_target = add({"font_color": "#9c0006", "bg_color": "#ffc7ce"})
        self.on_target = add({"font_color": "#006100", "bg_color": "#c6efce"})


def _write_cell(sheet: Any, row: int, col: int, value: Any, kind: str, formats: _Formats) -> None:
    cell_format = formats.cells[kind]
    if value is None:
        sheet.write_blank(row, col, None, cell_format)
    elif kind == "date":
        sheet.write_datetime(row, col, datetime.combine(value, time()), cell_format)
    elif kind == "text":
        # typed as a string, never a formula; the quote keeps it text if retyped elsewhere
        sheet.write_string(row, col, neutralise(str(value)), cell_format)
    else:
        sheet.write_number(row, col, value, cell_format)


def _write_table(
    sheet: Any,
    first_row: int,
    columns: Sequence[Column],
    records: Sequence[dict[str, Any]],
    formats: _Formats,
    target: float,
) -> int:
    """Header and rows from `first_row`; returns the last row written."""
    sheet.set_row(first_row, 45)
    for col, column in enumerate(columns):
        sheet.write_string(first_row, col, column.header, formats.header)
    for offset, record in enumerate(records, start=1):
        for col, column in enumerate(columns):
            _write_cell(sheet, first_row + offset, col, record.get(column.key), column.kind,
                        formats)
    last_row = first_row + max(len(records), 1)
    if not records:
        sheet.write_string(first_row + 1, 0, "Nessuna pratica", formats.subtitle)
    for col, column in enumerate(columns):
        if column.kind == "pct" and records:
            _compliance_colours(sheet, first_row + 1, last_row, col, target, formats)
    return last_row


def _compliance_colours(
    sheet: Any, first: int, last: int, col: int, target: float, formats: _Formats
) -> None:
    # a formula rule, because a plain "< target" rule would paint empty cells as below it
    cell = xl_rowcol_to_cell(first, col)
    for test, cell_format in (("<", formats.below_target), (">=", formats.on_target)):
        sheet.conditional_format(first, col, last, col, {
            "type": "formula",
            "criteria": f"=AND(ISNUMBER({cell}),{cell}{test}{target})",
            "format": cell_format,
        })


def _set_widths(sheet: Any, columns: Sequence[Column]) -> None:
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width)


def _print_setup(sheet: Any, header_row: int | None = None) -> None:
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if header_row is not None:
        sheet.repeat_rows(header_row)


def _list_sheet(
    workbook: xlsxwriter.Workbook,
    name: str,
    columns: Sequence[Column],
    records: Sequence[dict[str, Any]],
    formats: _Formats,
    target: float,
) -> None:
    """A sheet that is one table: frozen header, autofilter, widths, printable."""
    sheet = workbook.add_worksheet(name)
    _set_widths(sheet, columns)
    last_row = _write_table(sheet, 0, columns, records, formats, target)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last_row if records else 0, len(columns) - 1)
    _print_setup(sheet, header_row=0)


def write_xlsx(data: ReportData, out: Path | BinaryIO) -> None:
    workbook = xlsxwriter.Workbook(
        str(out) if isinstance(out, Path) else out,
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    workbook.set_properties({"title": data.title, "subject": "Conformità SLA"})
    formats = _Formats(workbook)

    sheet = workbook.add_worksheet("Riepilogo")
    sheet.hide_gridlines(2)
    _set_widths(sheet, breakdown_columns(""))
    sheet.set_column(0, 0, 50)
    sheet.write_string(0, 0, data.title, formats.title)
    sheet.write_string(
        1, 0,
        f"Pratiche con scadenza SLA a {data.month_label}; dati al {italian_date(data.as_of)}; "
        f"SLA di {data.calendar.sla_business_days} giorni lavorativi "
        f"(calendario: {calendar_description(data.calendar)}).",
        formats.subtitle,
    )
    sheet.freeze_panes(3, 0)

    row = 3
    sheet.write_string(row, 0, "Indicatore", formats.header)
    sheet.write_string(row, 1, "Valore", formats.header)
    for label, value, kind in kpis(data):
        row += 1
        sheet.write_string(row, 0, label, formats.kpi_label)
        _write_cell(sheet, row, 1, value, kind, formats)
    if data.summary["compliance"] is not None:
        _compliance_colours(sheet, 4, 4, 1, data.target, formats)

    row += 2
    sheet.write_string(row, 0, "Conformità per settimana (ISO) della scadenza", formats.section)
    row = _write_table(sheet, row + 1, WEEK_COLUMNS, data.weekly, formats, data.target)
    for dimension, heading in SHORT_BREAKDOWNS:
        row += 2
        sheet.write_string(row, 0, f"Per {heading.lower()}", formats.section)
        records = [{**r, "label": key_label(r)} for r in data.breakdowns[dimension]]
        row = _write_table(sheet, row + 1, breakdown_columns(heading), records, formats,
                           data.target)
    row += 2
    sheet.write_string(
        row, 0,
        "Conformità = rispettate / (rispettate + violate). Le pratiche in attesa di "
        "documentazione non hanno scadenza: sono contate nel mese di apertura.",
        formats.subtitle,
    )
    _print_setup(sheet)

    _list_sheet(workbook, "Violazioni", BREACH_COLUMNS, data.breaches, formats, data.target)
    _list_sheet(workbook, "A rischio", AT_RISK_COLUMNS, data.at_risk, formats, data.target)
    for dimension, heading, sheet_name in LONG_BREAKDOWNS:
        records = [{**r, "label": key_label(r)} for r in data.breakdowns[dimension]]
        _list_sheet(workbook, sheet_name, breakdown_columns(heading), records, formats,
                    data.target)
    workbook.close()


# ---------------------------------------------------------------- web page

CSS = """
:root { --ink: #1d2433; --muted: #5f6b7a; --line: #dde2ea; --brand: #1f3864; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1120px; padding: 24px 32px 48px; line-height: 1.4; }
h1 { color: var(--brand); margin: 0 0 4px; font-size: 28px; }
h2 { color: var(--brand); font-size: 19px; margin: 32px 0 10px;
     border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.subtitle, .note { color: var(--muted); font-size: 13px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr));
         gap: 10px; margin-top: 18px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.tile .label { color: var(--muted); font-size: 12px; }
.tile .value { font-size: 24px; font-weight: 600; margin-top: 2px; }
.tile.main { grid-column: span 2; border-width: 2px; }
.tile.main .value { font-size: 34px; }
.good { color: #2e7d32; border-color: #a5d6a7; }
.bad { color: #c62828; border-color: #ef9a9a; }
.state-breached { color: #c62828; } .state-at_risk { color: #ef6c00; }
.state-met { color: #2e7d32; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; margin: 4px 0 8px; }
th { background: var(--brand); color: #fff; text-align: left; padding: 5px 7px;
     font-weight: 600; }
td { border-bottom: 1px solid var(--line); padding: 4px 7px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #f6f8fb; }
.scroll { overflow-x: auto; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 0 28px; }
.chart { width: 100%; page-break-inside: avoid; break-inside: avoid; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px;
         border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .tiles { margin-top: 10px; gap: 6px; }
  .tile { padding: 5px 8px; }
  .tile .value { font-size: 17px; }
  .tile.main .value { font-size: 24px; }
  h2 { margin: 14px 0 6px; }
  h2 { page-break-after: avoid; break-after: avoid; }
  table, .tiles, .chart { page-break-inside: avoid; break-inside: avoid; }
  tr { page-break-inside: avoid; break-inside: avoid; }
  thead { display: table-header-group; }
  .pagebreak { page-break-before: always; break-before: page; }
}
@media (max-width: 800px) { .scroll { overflow-x: auto; }
.grid2 { grid-template-columns: 1fr; } }
"""


def _escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _format_html(value: Any, kind: str) -> str:
    if value is None:
        return "" if kind in ("text", "date") else "–"
    if kind == "date":
        return italian_date(value)
    if kind == "int":
        return italian_number(value)
    if kind == "dec":
        return italian_number(value, 1)
    if kind == "pct":
        return italian_percent(value)
    return _escape(value)


def _html_table(columns: Sequence[Column], records: Sequence[dict[str, Any]]) -> str:
    if not records:
        return '<p class="note">Nessuna pratica.</p>'
    numeric = {"int", "dec", "pct"}

    def cls(column: Column) -> str:
        return ' class="num"' if column.kind in numeric else ""

    head = "".join(f"<th{cls(c)}>{_escape(c.header)}</th>" for c in columns)
    body = "\n".join(
        "<tr>" + "".join(
            f"<td{cls(c)}>{_format_html(record.get(c.key), c.kind)}</td>" for c in columns
        ) + "</tr>"
        for record in records
    )
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>\n{body}\n'
            "</tbody></table></div>")


def _layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        height=height,
        margin={"l": 60, "r": 30, "t": 50, "b": 50},
        separators=",.",  # Italian: decimal comma, thousands dot
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font={"family": "Segoe UI, Roboto, Arial, sans-serif", "size": 12, "color": "#1d2433"},
        legend={"orientation": "h", "y": -0.18, "x": 0},
    )
    fig.update_xaxes(showgrid=False, linecolor="#9aa4b2")
    fig.update_yaxes(gridcolor="#e6e9ef", zeroline=False)
    return fig


def weekly_chart(data: ReportData) -> go.Figure:
    """Compliance by ISO week of the due date, with the target as a line."""
    labels = [
        f"Sett. {w['week']}<br>{w['first_day']:%d/%m}–{w['last_day']:%d/%m}" for w in data.weekly
    ]
    compliance = [w["compliance"] for w in data.weekly]
    colours = [
        "#bdbdbd" if c is None else ("#2e7d32" if c >= data.target else "#c62828")
        for c in compliance
    ]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=compliance,
            marker_color=colours,
            name="Conformità",
            text=[italian_percent(c) if c is not None else "" for c in compliance],
            textposition="outside",
            customdata=[[w["met"], w["breached"]] for w in data.weekly],
            hovertemplate="%{x}<br>Conformità %{y:.1%}<br>Rispettate %{customdata[0]}"
            " · Violate %{customdata[1]}<extra></extra>",
        )
    )
    fig.add_hline(
        y=data.target,
        line={"color": "#1f3864", "dash": "dash", "width": 2},
        annotation={"text": f"Obiettivo {italian_percent(data.target)}", "font": {"size": 12}},
        annotation_position="top left",
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.15], title="Conformità")
    fig.update_layout(showlegend=False)
    return _layout(fig, "Conformità per settimana di scadenza", height=320)


def breakdown_chart(data: ReportData, dimension: str, heading: str) -> go.Figure:
    """Claims by SLA state for each value of a dimension, as stacked horizontal bars."""
    records = sorted(data.breakdowns[dimension], key=lambda r: r["claims"])
    labels = [f"{key_label(r)} · {italian_percent(r['compliance'])}" for r in records]
    fig = go.Figure()
    for state in ("met", "breached", "at_risk", "on_track", "pending_documentation", "excluded"):
        fig.add_trace(
            go.Bar(
                y=labels,
                x=[r[state] for r in records],
                name=STATE_LABELS[state],
                orientation="h",
                marker_color=STATE_COLOURS[state],
                hovertemplate="%{y}: %{x} " + STATE_LABELS[state].lower() + "<extra></extra>",
            )
        )
    height = max(300, 150 + 34 * len(records))
    fig = _layout(fig, f"Pratiche per {heading.lower()} e stato SLA · conformità", height=height)
    fig.update_layout(
        barmode="stack",
        legend={"orientation": "h", "y": -0.12, "x": 0, "yanchor": "top",
                "traceorder": "normal"},
        margin={"l": 10, "r": 20, "t": 50, "b": 40},
    )
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(rangemode="tozero", tickformat=",d")
    return fig


def _chart_html(fig: go.Figure, first: bool) -> str:
    # plotly.js goes inline once, with the first chart: the page works offline
    return '<div class="chart">' + fig.to_html(
        full_html=False,
        include_plotlyjs=True if first else False,
        config={"displayModeBar": False, "responsive": True},
    ) + "</div>"


def _tiles(data: ReportData) -> str:
    tiles = []
    for index, (label, value, kind) in enumerate(kpis(data)):
        classes = "tile"
        if index == 0:
            classes += " main"
            if value is not None:
                classes += " good" if value >= data.target else " bad"
        tiles.append(
            f'<div class="{classes}"><div class="label">{_escape(label)}</div>'
            f'<div class="value">{_format_html(value, kind)}</div></div>'
        )
    return '<div class="tiles">' + "".join(tiles) + "</div>"


def render_html(data: ReportData) -> str:
    """The whole report as one self-contained page (styles and plotly.js inline)."""
    charts = [
        _chart_html(weekly_chart(data), first=True),
        _chart_html(breakdown_chart(data, "channel", "Canale"), first=False),
        _chart_html(breakdown_chart(data, "region", "Regione cliente"), first=False),
    ]
    short_tables = "".join(
        f"<h3>Per {_escape(heading.lower())}</h3>"
        + _html_table(
            breakdown_columns(heading),
            [{**r, "label": key_label(r)} for r in data.breakdowns[dimension]],
        )
        for dimension, heading in SHORT_BREAKDOWNS
    )
    worst_tables = "".join(
        f"<h3>{_escape(heading)}: i {TOP_ROWS_IN_PAGE} con più violazioni</h3>"
        + _html_table(
            breakdown_columns(heading),
            [
                {**r, "label": key_label(r)}
                for r in sorted(
                    (r for r in data.breakdowns[dimension] if r["breached"]),
                    key=lambda r: (-r["breached"], key_label(r)),
                )[:TOP_ROWS_IN_PAGE]
            ],
        )
        for dimension, heading, _ in LONG_BREAKDOWNS
    )

    def ticket_section(title: str, columns: Sequence[Column], records: list[dict]) -> str:
        shown = records[:TICKETS_IN_PAGE]
        note = (
            f'<p class="note">Le prime {len(shown)} di {italian_number(len(records))}, '
            "per scadenza.</p>" if len(records) > len(shown) else ""
        )
        return (f"<h2>{_escape(title)} ({italian_number(len(records))})</h2>" + note
                + _html_table(columns, shown))

    generated = datetime.now().strftime("%d/%m/%Y %H:%M")
    return f"""<!DOCTYPE html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_escape(data.title)}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>{_escape(data.title)}</h1>
<div class="subtitle">Pratiche con scadenza SLA a {_escape(data.month_label)} ·
dati al {italian_date(data.as_of)} · SLA di {data.calendar.sla_business_days} giorni lavorativi
dalla ricezione della documentazione · obiettivo {italian_percent(data.target)}</div>
</header>
{_tiles(data)}
<p class="note">Conformità = rispettate / (rispettate + violate). A rischio: scadenza oggi o il
prossimo giorno lavorativo. Le pratiche in attesa di documentazione non hanno ancora una
scadenza e sono contate nel mese di apertura.</p>
<h2>Andamento settimanale</h2>
{charts[0]}
{_html_table(WEEK_COLUMNS, data.weekly)}
<h2 class="pagebreak">Dettaglio</h2>
<div class="grid2">{charts[1]}{charts[2]}</div>
{short_tables}
{worst_tables}
<div class="pagebreak"></div>
{ticket_section("Violazioni", PAGE_BREACH_COLUMNS, data.breaches)}
{ticket_section("A rischio", PAGE_AT_RISK_COLUMNS, data.at_risk)}
<footer>Calendario: {_escape(calendar_description(data.calendar))}. Generato il {generated}.
</footer>
</body>
</html>
"""
