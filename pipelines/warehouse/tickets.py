"""marts.tickets: every claim's as-of-independent SLA dates and descriptions, stored.

Pages ask for the SLA as of a date many times a minute; the dates S', D and A, the
business days taken and the joins to devices, customers and assistance points do not
depend on that date, so they are computed once per load (marts.ticket_base) and stored
here, ordered by customer. marts.ticket_sla derives only the as-of part per call.
"""

from __future__ import annotations

import duckdb

from pipelines.sqlfiles import derived_statement
from pipelines.warehouse.schema import temp_table_exists

# Kinds marts.ticket_base reads besides the claims: a load of any of them rebuilds it all.
DESCRIBING_KINDS = frozenset({"devices", "customers", "assistance_points"})


def record_changed_claims(con: duckdb.DuckDBPyConnection) -> None:
    """Note the claims of the loader's `winners` table as changed by this load, with the
    load each new current version came with (in the temporary table changed_claims, which
    the connection's next refresh reads)."""
    con.execute(derived_statement("changed_claims_note"))


def refresh_tickets(con: duckdb.DuckDBPyConnection, rebuild: bool = True,
                    claims_in_order: bool = False) -> None:
    """Bring marts.tickets up to date with the claims, devices, customers and calendar.

    `rebuild` recomputes every row; otherwise only the claims the load recorded as changed
    (record_changed_claims) are recomputed: a daily file costs its own claims, not the
    warehouse's. `claims_in_order` says that core.claims was written whole, in customer
    order, by this session (a new warehouse): the rebuild keeps that order, unsorted.
    """
    if rebuild:
        con.execute(derived_statement(
            "tickets_rebuild_in_claims_order" if claims_in_order else "tickets_rebuild"
        ))
        return
    if not temp_table_exists(con, "changed_claims"):
        return
    # the changed claims are exactly the current rows this load wrote: load ids grow, so
    # every current row from the load's first id on (a bound value the scan can use); none
    # when no claim won (an older export come late)
    [(first_load_id,)] = con.execute("select min(load_id) from changed_claims").fetchall()
    if first_load_id is not None:
        con.execute(derived_statement("tickets_drop_changed"))
        con.execute(derived_statement("tickets_add_changed"), [first_load_id])
    con.execute("drop table changed_claims")


def tickets_columns_changed(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether marts.tickets' columns differ from what marts.ticket_base now gives."""
    stored = con.execute("describe marts.tickets").fetchall()
    wanted = con.execute("describe select * from marts.ticket_base()").fetchall()
    return [row[:2] for row in stored] != [row[:2] for row in wanted]


def tickets_outdated(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether marts.tickets must be rebuilt although no data changed: its columns changed
    (a new release), or it does not hold one row per claim (a warehouse written by a
    release that did not store them)."""
    if tickets_columns_changed(con):
        return True
    [(tickets, claims)] = con.execute(
        "select (select count(*) from marts.tickets), (select count(*) from core.claims)"
    ).fetchall()
    return tickets != claims
