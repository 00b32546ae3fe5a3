"""CSV and XLSX downloads of dashboard tables, safe to open in a spreadsheet."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from pipelines.safe_cells import neutralise_frame

# Italian Excel opens `;`-separated UTF-8 with a byte-order mark without an import wizard.
CSV_SEPARATOR = ";"
CSV_ENCODING = "utf-8-sig"
XLSX_SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def to_csv_bytes(frame: pd.DataFrame, separator: str = CSV_SEPARATOR) -> bytes:
    """The frame as CSV bytes; text cells a spreadsheet would run as formulas are quoted."""
    text = neutralise_frame(frame).to_csv(index=False, sep=separator, lineterminator="\r\n")
    return text.encode(CSV_ENCODING)


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Dati") -> bytes:
    """The frame as an XLSX workbook of one sheet; no text cell is ever written as a formula."""
    safe_name = sheet_name.translate(_SHEET_NAME_FORBIDDEN).strip("'")[:XLSX_SHEET_NAME_MAX]
    safe_frame = neutralise_frame(_excel_ready(frame))
    buffer = io.BytesIO()
    with pd.ExcelWriter(
        buffer,
        engine="xlsxwriter",
        # xlsxwriter would otherwise turn text starting with '=' into a formula, and URLs into links
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
    ) as writer:
        safe_frame.to_excel(writer, sheet_name=safe_name or "Dati", index=False)
    return buffer.getvalue()


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
