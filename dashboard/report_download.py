"""The SLA engine's monthly report (pipelines.report) as downloads of the served warehouse.

The report covers every customer, so only Management, who sees every customer, may have
it: report_bytes refuses anyone else, and the SLA page does not offer it to them.
"""

from __future__ import annotations

import functools
import tempfile
from datetime import date
from pathlib import Path

import streamlit as st

from dashboard import session
from dashboard.access.data import REFUSED
from dashboard.access.principal import Principal
from dashboard.i18n import MONTHS
from pipelines.report import write_report

MONTHS_OFFERED = 24
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def may_download(principal: Principal) -> bool:
    return principal.sees_all


def report_months(as_of: date, count: int = MONTHS_OFFERED) -> list[str]:
    """'YYYY-MM' of the as-of month and the months before it, newest first."""
    index = as_of.year * 12 + as_of.month - 1
    return [f"{(index - back) // 12:04d}-{(index - back) % 12 + 1:02d}" for back in range(count)]


def month_name(month: str) -> str:
    """'2026-11' -> 'novembre 2026'."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def report_bytes(principal: Principal, month: str, suffix: str, as_of: date,
                 warehouse: Path | None = None) -> bytes:
    """The month's report as .xlsx or .html bytes; PermissionError for anyone but Management."""
    if not may_download(principal):
        raise PermissionError(REFUSED)
    with tempfile.TemporaryDirectory(prefix="kasko-report-") as folder:
        out = Path(folder) / f"report_sla_{month}{suffix}"
        write_report(warehouse or session.warehouse(), month, out, as_of=as_of)
        return out.read_bytes()


def report_downloads(principal: Principal, as_of: date) -> None:
    """Month selector and the two downloads; the file is written only when clicked."""
    if not may_download(principal):
        return
    left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
    month = left.selectbox("Mese del report", report_months(as_of), format_func=month_name,
                           key="report_month")
    warehouse = session.warehouse()
    for column, suffix, label, mime in (
        (middle, ".xlsx", "Report Excel", XLSX_MIME),
        (right, ".html", "Report HTML", "text/html"),
    ):
        column.download_button(
            label,
            functools.partial(report_bytes, principal, month, suffix, as_of, warehouse),
            file_name=f"report_sla_{month}{suffix}", mime=mime, icon=":material/description:",
            key=f"report{suffix}", on_click="ignore", width="stretch",
        )
