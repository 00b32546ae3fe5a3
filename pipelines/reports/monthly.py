"""`kasko report`: one month's SLA report written as .xlsx or .html, told by the suffix."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from pipelines.output import check_output, output_file
from pipelines.reports.figures import collect
from pipelines.reports.page import render_html
from pipelines.reports.workbook import write_xlsx
from pipelines.warehouse.calendar import today

SUFFIXES = (".xlsx", ".html")


def write_report(
    db_path: Path,
    month: str,
    out: Path,
    as_of: date | None = None,
    customers: Sequence[str] | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> None:
    """Write the month's SLA report to `out`: .xlsx or .html, told by the suffix; read
    through `connection` when given (see figures.collect)."""
    check_output(out, SUFFIXES)
    data = collect(db_path, month, as_of or today(), customers, connection)
    if out.suffix.lower() == ".xlsx":
        # built in memory (a report is small): the zip writer's own errors on a failing
        # file would come after the one reported, as noise
        workbook = io.BytesIO()
        write_xlsx(data, workbook)
        content = workbook.getvalue()
    else:
        content = render_html(data).encode("utf-8")
    with output_file(out) as handle:
        handle.write(content)
