"""The business-day calendar (placeholder until the SLA engine lands)."""

import duckdb


def refresh_calendar(con: duckdb.DuckDBPyConnection) -> None:
    return None
