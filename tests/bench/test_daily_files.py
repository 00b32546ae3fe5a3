"""The bench's daily files: the same claims, a day newer in each, so every row is a version."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest

from bench import run
from pipelines.contract import parse_datetime
from tests.pipelines.exports import ExportFolder, RowBuilders

UPDATED = "Data ultimo aggiornamento"


def test_each_day_updates_the_newest_daily_files_first_rows_one_day_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(run, "DAILY_ROWS", 3)
    exports = ExportFolder(tmp_path / "exports")
    exports.path.mkdir()
    rows = RowBuilders()
    exports.csv("segnalazioni_2026-11-20.csv", [rows.claim(number="OLD")])
    exports.csv("segnalazioni_2026-11-27.csv", [
        rows.claim(number="R1", updated="05/03/2024 10:30"),
        rows.claim(number="R2", updated="non è una data"),
        rows.claim(number="R3", updated="31/12/2024 23:59"),
        rows.claim(number="R4", updated="01/01/2025 08:00"),  # past DAILY_ROWS
    ])

    days = run.daily_files(exports.path)

    assert [d.name for d in days] == [
        f"segnalazioni_2026-11-{day}.csv" for day in (28, 29, 30)
    ] + [f"segnalazioni_2026-12-0{day}.csv" for day in (1, 2, 3)]
    for offset, day in enumerate(days, start=1):
        with day.open(encoding="utf-8", newline="") as handle:
            written = list(csv.DictReader(handle, delimiter=";"))
        assert [r["Numero richiesta"] for r in written] == ["R1", "R2", "R3"]
        later = timedelta(days=offset)
        assert [r[UPDATED] for r in written] == [
            (parse_datetime("05/03/2024 10:30") + later).strftime("%d/%m/%Y %H:%M"),
            "non è una data",
            (parse_datetime("31/12/2024 23:59") + later).strftime("%d/%m/%Y %H:%M"),
        ]
        assert written[0]["IMEI"] == rows.imei_a  # the other cells as they were
    # made once, then found in the cache
    stamps = [d.stat().st_mtime_ns for d in days]
    assert run.daily_files(exports.path) == days
    assert [d.stat().st_mtime_ns for d in days] == stamps
