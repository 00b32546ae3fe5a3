"""`kasko intake export`, and the acknowledgement `kasko load` makes after loading claims."""

from __future__ import annotations

import sys
from pathlib import Path

from pipelines.appstate import MigrationFailed, StoreUnavailable, store_for
from pipelines.intake.acknowledgement import acknowledge_from_warehouse
from pipelines.intake.handover import export_handover
from pipelines.warehouse import connect_read_only
from pipelines.warehouse.calendar import now_local

EXIT_OK, EXIT_REFUSED = 0, 1


def export_command(warehouse: Path, out_dir: Path) -> int:
    try:
        store = store_for(warehouse)
        result = export_handover(store, out_dir, now_local())
    except (StoreUnavailable, MigrationFailed) as error:
        print(f"kasko intake export: {error}", file=sys.stderr)
        return EXIT_REFUSED
    if result.empty:
        print("nothing to hand over")
        return EXIT_OK
    again = " (an interrupted run, completed)" if result.resumed else ""
    print(f"handed over {result.requests} requests, {result.addresses} addresses and "
          f"{result.documents} documents in {len(result.files)} files to {out_dir}{again}")
    return EXIT_OK


def acknowledge_after_load(warehouse: Path) -> None:
    """Requests a just-loaded claims export carries become the back office's. A store that
    cannot be reached now is told on stderr; the next load or dashboard read does it.

    For a warehouse that has a store (`app_store_exists`, which `kasko load` asks before it
    imports this module): without one, no request was ever opened there."""
    try:
        store = store_for(warehouse)
        con = connect_read_only(warehouse)
        try:
            count = acknowledge_from_warehouse(store, con, now_local())
        finally:
            con.close()
    except (StoreUnavailable, MigrationFailed) as error:
        print(f"kasko load: requests not acknowledged now: {error}", file=sys.stderr)
        return
    if count:
        print(f"acknowledged {count} requests opened in the dashboard", file=sys.stderr)
