"""Text cells made safe for spreadsheets and CSV readers: no value is ever run as a formula,
and no line break inside a cell ever starts a new row."""

from __future__ import annotations

import csv
import re
from typing import IO, Any

import pandas as pd

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and
# carriage return, may shift it into one). A leading single quote makes it plain text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A reader that splits a cell at its line breaks (a lone CR is one for Excel and many
# others) sees each following line as a row of its own: a trigger there is neutralised too.
_TRIGGER_AFTER_BREAK = re.compile(r"([\r\n])(?=[=+\-@\t])")

# Every CSV the project writes: RFC 4180's CRLF line ends. Python's csv writer quotes a
# cell only for the characters of its line terminator, so with "\n" alone a cell holding
# a lone CR went out unquoted and split the row in two for every reader.
CSV_LINE_TERMINATOR = "\r\n"
CSV_QUOTING = csv.QUOTE_MINIMAL


def neutralise(value: Any) -> Any:
    """The value, with a single quote in front of each of its lines a spreadsheet would run."""
    if not isinstance(value, str):
        return value
    if "\r" in value or "\n" in value:
        value = _TRIGGER_AFTER_BREAK.sub(r"\1'", value)
    if value.startswith(FORMULA_TRIGGERS):
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


def write_csv(frame: pd.DataFrame, handle: IO[str], separator: str = ",") -> None:
    """The frame as CSV, neutralised, with a header: every cell holding CR or LF quoted."""
    neutralise_frame(frame).to_csv(handle, index=False, sep=separator,
                                   lineterminator=CSV_LINE_TERMINATOR, quoting=CSV_QUOTING)
