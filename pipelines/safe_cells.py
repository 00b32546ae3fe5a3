"""Text cells made safe for spreadsheets: no value is ever run as a formula."""

from __future__ import annotations

from typing import Any

import pandas as pd

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and
# carriage return, may shift it into one). A leading single quote makes it plain text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value, with a single quote in front when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame whose text columns are neutralised; other columns are untouched."""
    result = frame.copy()
    for name in result.columns:
        column = result[name]
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            texts = column.map(neutralise, na_action="ignore")
            result[name] = texts.astype(column.dtype)
    return result
