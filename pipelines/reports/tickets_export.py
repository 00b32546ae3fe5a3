"""`kasko export tickets`: one CSV row per claim with its SLA figures, in stable columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.output import check_output, output_file
from pipelines.safe_cells import write_csv
from pipelines.sqlfiles import named_query
from pipelines.warehouse import connect_read_only
from pipelines.warehouse.calendar import require_covered, today

# The columns operators script against, in their order (README, "Command line"). The query
# renders every value as text: dates read yyyy-mm-dd, counts carry no decimals and a
# missing value is an empty cell.
TICKET_COLUMNS = (
    "request_number",
    "customer_code",
    "imei",
    "nmu",
    "request_type",
    "status",
    "opened_date",
    "clock_start_date",
    "due_date",
    "available_date",
    "business_days_taken",
    "business_days_remaining",
    "sla_state",
)



def export_tickets(db_path: Path, out: Path, as_of: date | None = None) -> int:
    """Write the tickets CSV (UTF-8, comma-delimited, CRLF, header) and return its row count."""
    check_output(out, (".csv",))
    as_of = as_of or today()
    with connect_read_only(db_path) as con:
        require_covered(con, as_of)
        tickets = con.execute(named_query("tickets_export"), {"as_of": as_of}).df()
    assert tuple(tickets.columns) == TICKET_COLUMNS
    with output_file(out, encoding="utf-8") as handle:
        write_csv(tickets, handle)
    return len(tickets)
