"""The product's Italian words and number forms, shared by the screen, downloads and reports."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

MONTHS = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
)
NO_VALUE = "–"

# SLA states in the order a reader scans them: the good, the bad, the open, the rest.
SLA_STATES = ("met", "breached", "at_risk", "on_track", "pending_documentation", "excluded")
# One claim's state ("the claim is Violato"), most urgent first...
SLA_STATE_LABELS = {
    "breached": "Violato",
    "at_risk": "A rischio",
    "on_track": "In tempo",
    "pending_documentation": "In attesa documenti",
    "met": "Rispettato",
    "excluded": "Escluso",
}
# ...and a count of claims in it ("12 Violate").
SLA_STATE_COUNT_LABELS = {
    "met": "Rispettate",
    "breached": "Violate",
    "at_risk": "A rischio",
    "on_track": "In tempo",
    "pending_documentation": "In attesa documenti",
    "excluded": "Escluse",
}
SLA_STATE_COLOURS = {
    "met": "#2e7d32",
    "breached": "#c62828",
    "at_risk": "#ef6c00",
    "on_track": "#1565c0",
    "pending_documentation": "#9e9e9e",
    "excluded": "#616161",
}

NOT_GIVEN = "(non indicato)"
# Claims delivered at the company have no assistance point: say so rather than "not given".
NOT_GIVEN_BY_DIMENSION = {
    "assistance_point": "(nessun punto assistenza)",
    "assistance_point_region": "(nessun punto assistenza)",
}


def italian_number(value: float | int | None, decimals: int = 0) -> str:
    """12.345,6 (Italian separators); a dash when there is no value."""
    if value is None:
        return NO_VALUE
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def italian_numbers(values: pd.Series, decimals: int = 0) -> pd.Series:
    """italian_number of a whole column, the dash where a value is missing.

    A table of every customer has a million cells: Python writes each number's digits with
    its own thousands separator, and Arrow swaps the separators for the whole column at
    once, rather than three string replacements per cell.
    """
    digits = values.astype("float64").map(f"{{:,.{decimals}f}}".format, na_action="ignore")
    text = digits.astype("string[pyarrow]").str
    swapped = (text.replace(",", "\0", regex=False).str.replace(".", ",", regex=False)
               .str.replace("\0", ".", regex=False))
    return swapped.fillna(NO_VALUE)


def italian_percent(share: float | None, decimals: int = 1) -> str:
    """0.9515 -> '95,2%'; a dash when there is no value."""
    return NO_VALUE if share is None else italian_number(share * 100, decimals) + "%"


def italian_date(day: date | None) -> str:
    """dd/mm/yyyy; empty when there is no date."""
    return day.strftime("%d/%m/%Y") if day else ""


def month_label(year: int, month: int) -> str:
    """(2026, 11) -> 'novembre 2026'."""
    return f"{MONTHS[month - 1]} {year}"
