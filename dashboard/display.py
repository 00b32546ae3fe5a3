"""Tables as people read them: Italian numbers and compliance against the target, server-side.

st.dataframe formats numbers with the browser's locale, so the same figure read
differently from one machine to the next; these helpers write every figure of a table
the one Italian way (pipelines/vocabulary.py), the same as tiles and charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from pipelines.vocabulary import NO_VALUE, italian_numbers

MET_TARGET = "🟢"
BELOW_TARGET = "🔴"


def compliance_badges(shares: pd.Series, target: float) -> pd.Series:
    """'🟢 97,3%' at or above the target, '🔴 82,1%' below, '–' when nothing is in the ratio."""
    share = shares.astype("float64")
    signs = share.ge(target).map({True: MET_TARGET, False: BELOW_TARGET})
    badges = signs + " " + italian_numbers(share * 100, 1) + "%"
    return badges.where(share.notna(), NO_VALUE)


def italian_table(frame: pd.DataFrame, counts: Iterable[str] = (),
                  decimals: Mapping[str, int] | None = None,
                  shares: Iterable[str] = (), target: float = 0.0) -> pd.DataFrame:
    """A copy of the frame with its numbers written the Italian way, as text (a column at a
    time: the portfolio of every customer is a table of a million figures)."""
    shown = frame.copy()
    for name in counts:
        shown[name] = italian_numbers(shown[name])
    for name, places in (decimals or {}).items():
        shown[name] = italian_numbers(shown[name], places)
    for name in shares:
        shown[name] = compliance_badges(shown[name], target)
    return shown


def number_columns(names: Iterable[str], help: Mapping[str, str] | None = None,
                   ) -> dict[str, Any]:
    """Right-aligned text columns for figures already written by italian_table."""
    notes = help or {}
    return {name: st.column_config.TextColumn(alignment="right", help=notes.get(name))
            for name in names}
