"""What is derived from the loaded data as a whole: the business-day calendar, marts.tickets."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from pipelines.warehouse import tickets
from pipelines.warehouse.calendar import calendar_outdated, calendar_signature, refresh_calendar
from pipelines.warehouse.schema import indexes_missing
from pipelines.warehouse.tickets import DESCRIBING_KINDS, tickets_columns_changed, tickets_outdated


def refresh_derived(con: duckdb.DuckDBPyConnection, kinds: Iterable[str] | None = None,
                    new_warehouse: bool = False) -> None:
    """Rebuild what is derived from the loaded data as a whole: the business-day calendar,
    then the claims' stored SLA dates (marts.tickets), which are counted on it.

    `kinds` names the kinds whose data changed (None: any may have): when only claims
    changed and the calendar came out the same, only the changed claims are recomputed.
    In a `new_warehouse` one load wrote core.claims whole, in its stored order.
    """
    before = calendar_signature(con)
    # a load of new data keeps a calendar that would come out the same; a new release or
    # new settings (no kinds named) rebuild it, its SQL may have changed
    refresh_calendar(con, force=kinds is None)
    rebuild = (
        kinds is None
        or bool(DESCRIBING_KINDS & set(kinds))
        or calendar_signature(con) != before
        or tickets_columns_changed(con)
    )
    tickets.refresh_tickets(con, rebuild=rebuild, claims_in_order=new_warehouse)


def derived_outdated(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the derived tables must be rebuilt even though no data changed."""
    return calendar_outdated(con) or tickets_outdated(con) or indexes_missing(con)
