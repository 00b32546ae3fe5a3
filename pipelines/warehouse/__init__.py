"""The DuckDB warehouse: its schema and SQL layers, the file swap that loads write through,
and the tables derived after every load (the business-day calendar, marts.tickets).

Modules: schema (tables, sql/ layers, indexes), swap (read-only connections, the
copy-and-swap write session, upgrades), claims (the files readers hold, which no load
rewrites), calendar, tickets, derived (their refresh).
"""

from pipelines.warehouse.schema import HISTORY_KINDS, ensure_schema, schema_fingerprint
from pipelines.warehouse.swap import (
    KILL_AT_VARIABLE,
    WarehouseError,
    WriteSession,
    check_warehouse_file,
    close_read_only,
    connect_read_only,
    upgrade,
    write_session,
)

__all__ = [
    "HISTORY_KINDS",
    "KILL_AT_VARIABLE",
    "WarehouseError",
    "WriteSession",
    "check_warehouse_file",
    "close_read_only",
    "connect_read_only",
    "ensure_schema",
    "schema_fingerprint",
    "upgrade",
    "write_session",
]
