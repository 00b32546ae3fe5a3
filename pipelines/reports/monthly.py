"""`kasko report`: one month's SLA report written as .xlsx or .html, told by the suffix."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pipelines.calendar import today
from pipelines.reports.figures import ReportError, collect
from pipelines.reports.page import render_html
from pipelines.reports.workbook import write_xlsx

SUFFIXES = (".xlsx", ".html")


def write_report(
    db_path: Path,
    month: str,
    out: Path,
    as_of: date | None = None,
    customers: Sequence[str] | None = None,
) -> None:
    """Write the month's SLA report to `out`: .xlsx or .html, told by the suffix."""
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReportError(
            f"cannot write a report as {out.name!r}: the file name must end in "
            + " or ".join(SUFFIXES)
        )
    data = collect(db_path, month, as_of or today(), customers)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        write_xlsx(data, out)
    else:
        out.write_text(render_html(data), encoding="utf-8")
