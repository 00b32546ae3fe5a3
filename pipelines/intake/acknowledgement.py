"""Acknowledgement: a request is the back office's once a claims export carries its number."""

from __future__ import annotations

from datetime import datetime

import duckdb
from sqlalchemy import select, update

from pipelines.appstate import tables
from pipelines.appstate.store import Store


def pending_numbers(store: Store) -> list[str]:
    requests = tables.intake_requests
    with store.read() as con:
        return list(con.execute(
            select(requests.c.request_number).where(requests.c.acknowledged_at.is_(None))
        ).scalars())


def acknowledge(store: Store, numbers: list[str], now: datetime) -> int:
    """Mark these requests acknowledged (the device may get a new request once the back
    office's claim is over); returns how many changed."""
    if not numbers:
        return 0
    requests = tables.intake_requests
    with store.write() as con:
        changed = con.execute(
            update(requests)
            .where(requests.c.request_number.in_(numbers), requests.c.acknowledged_at.is_(None))
            .values(acknowledged_at=now)
        ).rowcount
        if changed:
            store.bump(con, tables.INTAKE)
    return int(changed)


def acknowledge_from_warehouse(store: Store, warehouse: duckdb.DuckDBPyConnection,
                               now: datetime) -> int:
    """Acknowledge the pending requests whose number a loaded claims export carries."""
    pending = pending_numbers(store)
    if not pending:
        return 0
    found = [number for (number,) in warehouse.execute(
        "select request_number from core.claims where list_contains($numbers, request_number)",
        {"numbers": pending},
    ).fetchall()]
    return acknowledge(store, found, now)
