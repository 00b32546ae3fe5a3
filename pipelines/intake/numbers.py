"""Request numbers: KP-<year>-<7 digits>, unique across every server and never reused."""

from __future__ import annotations

import re

from sqlalchemy import Connection, text, update

from pipelines.appstate import tables
from pipelines.appstate.store import Store
from pipelines.intake.rules import REQUEST_NUMBER_PREFIX

REQUEST_NUMBER = re.compile(r"KP-\d{4}-\d{7}")
_COUNTER = "request_number"


def next_request_number(store: Store, con: Connection, year: int) -> str:
    """A number never given before, inside the write transaction that stores the request.

    PostgreSQL: the sequence (a number taken by a transaction that rolls back is skipped,
    never given again). SQLite: the counter row, updated in this transaction: writers hold
    the file's lock in turn, so two transactions never read the same value.
    """
    if store.is_postgresql:
        value = con.execute(
            text(f"select nextval('{tables.REQUEST_NUMBER_SEQUENCE}')")
        ).scalar_one()
    else:
        counters = tables.intake_counters
        value = con.execute(
            update(counters)
            .where(counters.c.name == _COUNTER)
            .values(value=counters.c.value + 1)
            .returning(counters.c.value)
        ).scalar_one()
    if value > 9_999_999:
        raise OverflowError("request numbers are exhausted (7 digits)")
    return f"{REQUEST_NUMBER_PREFIX}{year:04d}-{int(value):07d}"
