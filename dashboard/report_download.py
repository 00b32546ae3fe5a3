"""The monthly SLA report's downloads on the SLA page: a month selector and two buttons.

Only Management may have the report (dashboard.access.reports refuses anyone else), and
the page does not offer it to others.
"""

from __future__ import annotations

import functools
from datetime import date

import streamlit as st

from dashboard import session
from dashboard.access.principal import Principal
from dashboard.access.reports import may_have_monthly_report, monthly_report
from pipelines.vocabulary import month_label

MONTHS_OFFERED = 24
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_months(as_of: date, count: int = MONTHS_OFFERED) -> list[str]:
    """'YYYY-MM' of the as-of month and the months before it, newest first."""
    index = as_of.year * 12 + as_of.month - 1
    return [f"{(index - back) // 12:04d}-{(index - back) % 12 + 1:02d}" for back in range(count)]


def month_name(month: str) -> str:
    """'2026-11' -> 'novembre 2026'."""
    year, number = month.split("-")
    return month_label(int(year), int(number))


def report_downloads(principal: Principal, as_of: date) -> None:
    """Month selector and the two downloads; the file is written only when clicked."""
    if not may_have_monthly_report(principal):
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
            functools.partial(monthly_report, principal, month, suffix, as_of, warehouse),
            file_name=f"report_sla_{month}{suffix}", mime=mime, icon=":material/description:",
            key=f"report{suffix}", on_click="ignore", width="stretch",
        )
