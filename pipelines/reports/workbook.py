"""The monthly report as an Excel workbook: a summary sheet, the lists, the long breakdowns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from pipelines.reports.columns import (
    AT_RISK_COLUMNS,
    BREACH_COLUMNS,
    WEEK_COLUMNS,
    Column,
    breakdown_columns,
)
from pipelines.reports.figures import (
    LONG_BREAKDOWNS,
    SHORT_BREAKDOWNS,
    ReportData,
    calendar_description,
    kpis,
    labelled,
)
from pipelines.safe_cells import neutralise
from pipelines.vocabulary import italian_date


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
        records = labelled(data.breakdowns[dimension])
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
        records = labelled(data.breakdowns[dimension])
        _list_sheet(workbook, sheet_name, breakdown_columns(heading), records, formats,
                    data.target)
    workbook.close()
