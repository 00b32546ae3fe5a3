"""The monthly SLA report for the signed-in person: the data layer's door to pipelines.reports.

The report covers every customer, so only a profile that sees every customer (Management)
may have it; anyone else gets PermissionError, as for any refused operation.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from dashboard.access.connections import connections, warehouse_or_default
from dashboard.access.data import REFUSED
from dashboard.access.principal import Principal
from pipelines.reports import write_report


def may_have_monthly_report(principal: Principal) -> bool:
    return principal.sees_all


def monthly_report(
    principal: Principal, month: str, suffix: str, as_of: date, warehouse: Path | None = None
) -> bytes:
    """The month's report as .xlsx or .html bytes; PermissionError for anyone but Management."""
    if not may_have_monthly_report(principal):
        raise PermissionError(REFUSED)
    path = warehouse_or_default(warehouse)
    # through the data layer's own connection: a second connection of this process could
    # be handed the file a load has replaced (DuckDB reuses a path's open database)
    with (tempfile.TemporaryDirectory(prefix="kasko-report-") as folder,
          connections.cursor(path) as cursor):
        out = Path(folder) / f"report_sla_{month}{suffix}"
        write_report(path, month, out, as_of=as_of, connection=cursor)
        return out.read_bytes()
