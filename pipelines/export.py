"""`kasko export tickets`: one CSV row per claim with its SLA figures (interface.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.calendar import require_covered, today
from pipelines.output import check_output, output_file
from pipelines.safe_cells import write_csv
from pipelines.warehouse import connect_read_only

# interface.md's columns, in its order; every value is rendered as text here so that
# dates read yyyy-mm-dd, counts carry no decimals and a missing value is an empty cell.
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

TICKETS_SQL = """
select
    request_number,
    customer_code,
    imei,
    nmu,
    request_type_code as request_type,
    status,
    strftime(opened_date, '%Y-%m-%d') as opened_date,
    strftime(clock_start_date, '%Y-%m-%d') as clock_start_date,
    strftime(due_date, '%Y-%m-%d') as due_date,
    strftime(available_date, '%Y-%m-%d') as available_date,
    cast(business_days_taken as varchar) as business_days_taken,
    cast(business_days_remaining as varchar) as business_days_remaining,
    sla_state
from marts.ticket_sla($as_of)
order by request_number
"""


def export_tickets(db_path: Path, out: Path, as_of: date | None = None) -> int:
    """Write the tickets CSV (UTF-8, comma-delimited, CRLF, header) and return its row count."""
    check_output(out, (".csv",))
    as_of = as_of or today()
    with connect_read_only(db_path) as con:
        require_covered(con, as_of)
        tickets = con.execute(TICKETS_SQL, {"as_of": as_of}).df()
    assert tuple(tickets.columns) == TICKET_COLUMNS
    with output_file(out, encoding="utf-8") as handle:
        write_csv(tickets, handle)
    return len(tickets)
