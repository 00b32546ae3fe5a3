"""CSV and XLSX downloads of dashboard tables, safe to open in a spreadsheet.

One rule for numbers: the CSV follows Italian Excel's convention (`;` between fields,
decimal comma, UTF-8 with a byte-order mark), so it opens by double-click with numbers
as numbers; the XLSX holds real numbers and dates with Italian-looking formats. Shares
(column names in PERCENT_COLUMNS) stay fractions: the XLSX shows them as percentages.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd

from pipelines.safe_cells import neutralise_frame

CSV_SEPARATOR = ";"
CSV_DECIMAL = ","
CSV_ENCODING = "utf-8-sig"
CSV_DECIMALS = 4  # a share to a hundredth of a percent point: 0,9617
XLSX_SHEET_NAME_MAX = 31  # Excel's limit
XLSX_DATE = "dd/mm/yyyy"
XLSX_DATETIME = "dd/mm/yyyy hh:mm"
XLSX_INTEGER = "#,##0"
XLSX_DECIMAL = "#,##0.0"
XLSX_PERCENT = "0.0%"
# Columns holding a share (0..1) in the dashboard's downloads, by their Italian header.
PERCENT_COLUMNS = frozenset({"Conformità", "Conformità 12 mesi"})
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def to_csv_bytes(frame: pd.DataFrame, separator: str = CSV_SEPARATOR) -> bytes:
    """The frame as CSV bytes for Italian Excel; text a spreadsheet would run as a formula
    is quoted. Whole numbers stay whole (a count is `3`, never `3.0`)."""
    text = neutralise_frame(_csv_ready(_whole_numbers(frame))).to_csv(
        index=False, sep=separator, lineterminator="\r\n", decimal=CSV_DECIMAL,
    )
    return text.encode(CSV_ENCODING)


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Dati") -> bytes:
    """The frame as an XLSX workbook of one sheet: real numbers and dates, formatted, and
    no text cell ever written as a formula."""
    safe_name = sheet_name.translate(_SHEET_NAME_FORBIDDEN).strip("'")[:XLSX_SHEET_NAME_MAX]
    safe_name = safe_name or "Dati"
    dates = {name for name in frame.columns
             if frame[name].dtype == object and _all_dates(frame[name])}
    safe_frame = neutralise_frame(_excel_ready(_whole_numbers(frame)))
    buffer = io.BytesIO()
    with pd.ExcelWriter(
        buffer,
        engine="xlsxwriter",
        datetime_format=XLSX_DATETIME,
        date_format=XLSX_DATE,
        # xlsxwriter would otherwise turn text starting with '=' into a formula, and URLs into links
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
    ) as writer:
        safe_frame.to_excel(writer, sheet_name=safe_name, index=False)
        sheet = writer.sheets[safe_name]
        book = writer.book
        for position, name in enumerate(safe_frame.columns):
            style = XLSX_DATE if name in dates else _column_style(safe_frame[name], str(name))
            width = min(max(len(str(name)), 10) + 2, 60)
            sheet.set_column(position, position, width,
                             book.add_format({"num_format": style}) if style else None)
        sheet.freeze_panes(1, 0)
    return buffer.getvalue()


def _column_style(column: pd.Series, name: str) -> str | None:
    """The number format of a column: percent, integer, decimal, or none (text, dates)."""
    if name in PERCENT_COLUMNS:
        return XLSX_PERCENT
    if pd.api.types.is_integer_dtype(column.dtype):
        return XLSX_INTEGER
    if pd.api.types.is_float_dtype(column.dtype):
        return XLSX_DECIMAL
    return None


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns that hold only whole numbers (counts with a gap) as nullable integers."""
    result = frame.copy()
    for name in result.columns:
        column = result[name]
        if name in PERCENT_COLUMNS or not pd.api.types.is_float_dtype(column.dtype):
            continue
        values = column.dropna()
        if len(values) and bool((values == values.round()).all()):
            result[name] = column.round().astype("Int64")
    return result


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as Italian Excel reads them (31/12/2025, 31/12/2025 14:30); fractions rounded."""
    result = frame.copy()
    for name in result.columns:
        column = result[name]
        if pd.api.types.is_float_dtype(column.dtype):
            result[name] = column.round(CSV_DECIMALS)
        elif isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
            column.dtype
        ):
            result[name] = column.dt.strftime("%d/%m/%Y %H:%M")
        elif column.dtype == object and _all_dates(column):
            result[name] = column.map(lambda v: v.strftime("%d/%m/%Y") if pd.notna(v) else None)
    return result


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _excel_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel has no time zones and no list cells: local times stay, lists become text.

    Done before neutralising, so that text made from a list is neutralised too.
    """
    result = frame.copy()
    for name in result.columns:
        column = result[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            result[name] = column.dt.tz_localize(None)
        elif column.dtype == object and column.map(_is_list).any():
            result[name] = column.map(lambda v: ", ".join(map(str, v)) if _is_list(v) else v)
    return result


def _all_dates(column: pd.Series) -> bool:
    values = column.dropna()
    return len(values) > 0 and bool(values.map(lambda v: isinstance(v, dt.date)).all())
