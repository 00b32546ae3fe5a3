"""`kasko export tickets`: the command line's columns and formats on a hand-made export."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from pipelines.cli import main
from pipelines.ingest.load import load_paths
from pipelines.reports import tickets_export as export
from pipelines.reports.tickets_export import TICKET_COLUMNS, export_tickets
from pipelines.safe_cells import neutralise, neutralise_frame
from pipelines.warehouse import calendar
from pipelines.warehouse.calendar import CalendarError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sla"

# Friday 14 March 2025, for the claims of segnalazioni_2025-03-14.csv
EXPECTED = (FIXTURES.parent / "sla_expected_tickets_2025-03-14.csv").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sla_warehouse(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("export") / "kasko.duckdb"
    results = load_paths([FIXTURES], db)
    assert not any(result.error or result.quarantined for result in results)
    return db


def test_export_columns_and_values(sla_warehouse, tmp_path) -> None:
    out = tmp_path / "tickets.csv"
    count = export_tickets(sla_warehouse, out, as_of=date(2025, 3, 14))
    assert count == 9
    # RFC 4180 line ends: the csv writer quotes every cell holding a CR or an LF
    assert out.read_bytes().decode("utf-8") == EXPECTED.replace("\n", "\r\n")
    with out.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == TICKET_COLUMNS


def test_export_as_of_changes_open_claims_only(sla_warehouse, tmp_path) -> None:
    out = tmp_path / "tickets.csv"
    export_tickets(sla_warehouse, out, as_of=date(2025, 3, 18))
    frame = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("request_number")
    assert frame.loc["K-001", "sla_state"] == "met"
    assert frame.loc["K-004", ["sla_state", "business_days_remaining"]].tolist() == [
        "breached", ""]
    assert frame.loc["K-006", ["sla_state", "business_days_remaining"]].tolist() == [
        "at_risk", "1"]
    assert frame.loc["K-007", "sla_state"] == "pending_documentation"


def test_export_default_as_of_is_today_in_the_configured_zone(sla_warehouse, tmp_path,
                                                              monkeypatch) -> None:
    monkeypatch.setattr(export, "today", lambda: date(2025, 3, 13))
    out = tmp_path / "tickets.csv"
    export_tickets(sla_warehouse, out)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("request_number")
    # on Thursday 13th, K-004 (due Friday 14th) is at risk with two business days left
    assert frame.loc["K-004", "business_days_remaining"] == "2"
    assert frame.loc["K-006", ["sla_state", "business_days_remaining"]].tolist() == [
        "on_track", "4"]
    assert calendar.today() == pd.Timestamp.now(tz="Europe/Rome").date()


def test_export_leaves_the_warehouse_untouched(sla_warehouse, tmp_path) -> None:
    stamp = sla_warehouse.stat().st_mtime_ns
    export_tickets(sla_warehouse, tmp_path / "a.csv", as_of=date(2025, 3, 14))
    assert sla_warehouse.stat().st_mtime_ns == stamp


def test_export_refuses_an_as_of_before_the_calendar(sla_warehouse, tmp_path) -> None:
    with pytest.raises(CalendarError, match="before the business-day calendar"):
        export_tickets(sla_warehouse, tmp_path / "a.csv", as_of=date(1999, 1, 1))


def test_cli_export(sla_warehouse, tmp_path, capsys) -> None:
    out = tmp_path / "cli.csv"
    code = main(["export", "tickets", "--out", str(out), "--as-of", "2025-03-14",
                 "--db", str(sla_warehouse)])
    assert code == 0
    assert "wrote 9 claims" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8") == EXPECTED
    missing = main(["export", "tickets", "--out", str(out), "--db", str(tmp_path / "no.duckdb")])
    assert missing == 2
    assert "run `kasko load` first" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+39 335", "'+39 335"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("K-001", "K-001"),
        ("", ""),
        (None, None),
        (5, 5),
        (-3, -3),
    ],
)
def test_neutralise(value, expected) -> None:
    assert neutralise(value) == expected


def test_neutralise_frame_touches_text_columns_only() -> None:
    frame = pd.DataFrame({"text": ["=1+1", "ok", None], "number": [-1, 2, 3]})
    safe = neutralise_frame(frame)
    assert safe["text"].tolist()[:2] == ["'=1+1", "ok"]
    assert pd.isna(safe["text"].iloc[2])
    assert safe["number"].tolist() == [-1, 2, 3]
    assert frame["text"].iloc[0] == "=1+1"  # the original is left as it was
