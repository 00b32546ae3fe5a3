"""Tables as people read them: Italian numbers and compliance against the target, server-side.

st.dataframe formats numbers with the browser's locale, so the same figure read
differently from one machine to the next; these helpers write every figure of a table
the one Italian way (format_number, format_percent), the same as tiles and charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.i18n import format_number, format_percent

MET_TARGET = "🟢"
BELOW_TARGET = "🔴"


def compliance_badge(share: Any, target: float) -> str:
    """'🟢 97,3%' at or above the target, '🔴 82,1%' below, '–' when nothing is in the ratio."""
    if share is None or pd.isna(share):
        return "–"
    sign = MET_TARGET if float(share) >= target else BELOW_TARGET
    return f"{sign} {format_percent(float(share))}"


def number_text(value: Any, decimals: int = 0) -> str:
    return "–" if value is None or pd.isna(value) else format_number(value, decimals)


def italian_table(frame: pd.DataFrame, counts: Iterable[str] = (),
                  decimals: Mapping[str, int] | None = None,
                  shares: Iterable[str] = (), target: float = 0.0) -> pd.DataFrame:
    """A copy of the frame with its numbers written the Italian way, as text."""
    shown = frame.copy()
    for name in counts:
        shown[name] = shown[name].map(number_text)
    for name, places in (decimals or {}).items():
        shown[name] = shown[name].map(lambda value, places=places: number_text(value, places))
    for name in shares:
        shown[name] = shown[name].map(lambda value: compliance_badge(value, target))
    return shown


def number_columns(names: Iterable[str], help: Mapping[str, str] | None = None,
                   ) -> dict[str, Any]:
    """Right-aligned text columns for figures already written by italian_table."""
    notes = help or {}
    return {name: st.column_config.TextColumn(alignment="right", help=notes.get(name))
            for name in names}
