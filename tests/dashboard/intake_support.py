"""A warehouse for the intake's tests: the access fixtures plus devices active today, a
customer's delivery addresses and an enabled Dipendente (fixtures/intake)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pipelines.ingest.load import load_paths

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 12, 7, 10, 30)  # a Monday

# IMEI -> (customer, line); eligible: protection Attiva on NOW's day
DEVICES = {
    "352099110000011": ("X001", "3331000001"),  # Carla's: RK-1001 still open
    "352099110000029": ("X001", "3331000002"),  # expired 31/03/2025
    "352099110000037": ("X001", "3331000003"),  # expired 31/12/2025
    "352099110000045": ("X001", "3331000004"),
    "352099220000018": ("Y002", "3332000001"),  # Fabio's: expired 31/05/2026
    "352099220000026": ("Y002", "3332000002"),  # Cessata
    "352099220000034": ("Y002", "3332000003"),
    "352099220000042": ("Y002", "3332000004"),  # Cessata
    "352099220000059": ("Y002", "3332000005"),  # Gino's, enabled
    "352099330000015": ("Z003", "3333000001"),  # expired 31/01/2026
    "352099330000023": ("Z003", "3333000002"),
}
ELIGIBLE = {"X001": {"352099110000011", "352099110000045"},
            "Y002": {"352099220000034", "352099220000059"},
            "Z003": {"352099330000023"}}
FREE = {"X001": "352099110000045", "Y002": "352099220000034", "Z003": "352099330000023"}


def build_intake_warehouse(db: Path) -> Path:
    results = load_paths([FIXTURES / "access", FIXTURES / "intake"], db)
    assert [r.error for r in results if r.error] == []
    assert sum(r.quarantined for r in results) == 0
    return db
