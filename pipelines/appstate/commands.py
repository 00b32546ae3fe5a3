"""`kasko app migrate`, and the migration `kasko serve` runs before it starts."""

from __future__ import annotations

import sys
from pathlib import Path

from pipelines.appstate import MigrationFailed, StoreUnavailable, migrate_for

EXIT_OK, EXIT_REFUSED = 0, 1


def _migrate(warehouse: Path, command: str, quiet: bool) -> bool:
    """Migrate, saying in one line on stderr what went wrong (never a traceback)."""
    try:
        store, result = migrate_for(warehouse)
    except (StoreUnavailable, MigrationFailed) as error:
        print(f"{command}: {error}", file=sys.stderr)
        return False
    if result.before != result.after:
        print(f"{command}: app database {store} migrated from "
              f"{result.before or 'nothing'} to {result.after}", file=sys.stderr)
    elif not quiet:
        print(f"{command}: app database {store} is at {result.after}", file=sys.stderr)
    if result.imported is not None:
        imported = result.imported
        print(f"{command}: imported {imported.file}: {imported.accounts} accounts, "
              f"{imported.sign_in_attempts} sign-in attempts, "
              f"{imported.enablement_changes} enablement changes", file=sys.stderr)
    return True


def migrate_command(warehouse: Path) -> int:
    return EXIT_OK if _migrate(warehouse, "kasko app migrate", quiet=False) else EXIT_REFUSED


def migrated_for_serving(warehouse: Path) -> bool:
    return _migrate(warehouse, "kasko serve", quiet=True)
