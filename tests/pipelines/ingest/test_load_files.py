"""What `kasko load` is given that is not a plain export file, or is named with a bad date:
each refused with a message naming it, never skipped or guessed around."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta

import pytest

from pipelines.cli import main
from pipelines.ingest.load import FileRefused, file_date, print_results
from pipelines.warehouse.calendar import today

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("segnalazioni_2026-11-30.csv", date(2026, 11, 30)),
        ("segnalazioni_20261130.csv", date(2026, 11, 30)),
        ("segnalazioni_2026-11.csv", date(2026, 11, 30)),
        ("segnalazioni_2026-12.csv", date(2026, 12, 31)),  # this month: its end
        ("segnalazioni_2026-12-08.csv", date(2026, 12, 8)),  # tomorrow: time zones
        ("segnalazioni.csv", TODAY),
        ("segnalazioni_v123456789.csv", TODAY),  # a run of digits is no date
    ],
)
def test_dates_in_file_names(name: str, expected: date) -> None:
    assert file_date(name, TODAY, TODAY) == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("segnalazioni_2026-13-45.csv", "the date in the file name, '2026-13-45', is not a valid"),
        ("segnalazioni_20261345.csv", "the date in the file name, '20261345', is not a valid"),
        ("segnalazioni_2026-02-30.csv", "'2026-02-30', is not a valid date"),
        ("segnalazioni_2026-00.csv", "'2026-00', is not a valid date"),
        ("segnalazioni_2062-01-01.csv", "'2062-01-01', is after tomorrow (2026-12-07 is today)"),
        ("segnalazioni_2026-12-09.csv", "'2026-12-09', is after tomorrow"),
        ("segnalazioni_2027-01.csv", "the month in the file name, '2027-01', has not begun"),
    ],
)
def test_invalid_or_future_dates_in_file_names_are_refused(name: str, message: str) -> None:
    with pytest.raises(FileRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        file_date(name, TODAY, TODAY)


def _load_json(capsys, *args: str) -> tuple[int, list[dict]]:
    code = main(["load", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_a_file_dated_in_the_future_is_refused_and_the_others_load(
    exports, warehouse, rows, capsys
) -> None:
    # today where the exports come from (Europe/Rome), which may be a day ahead of the machine
    tomorrow = today() + timedelta(days=1)
    later = today() + timedelta(days=2)
    exports.csv(f"clienti_{tomorrow.isoformat()}.csv", [rows.customer()])
    exports.csv(f"segnalazioni_{later.isoformat()}.csv", [rows.claim()])
    exports.csv("dispositivi_2026-13-45.csv", [rows.device()])

    code, results = _load_json(capsys, str(exports.path), "--db", str(warehouse.db))

    assert code == 1
    by_kind = {r["kind"]: r for r in results}
    assert (by_kind["customers"]["loaded"], by_kind["customers"]["error"]) == (1, None)
    assert by_kind["claims"]["error"] == (
        f"segnalazioni_{later.isoformat()}.csv: the date in the file name, "
        f"'{later.isoformat()}', is after tomorrow ({today().isoformat()} is today): "
        "an export cannot come from the future"
    )
    assert by_kind["devices"]["error"] == (
        "dispositivi_2026-13-45.csv: the date in the file name, '2026-13-45', is not a valid date"
    )
    assert warehouse.rows("select count(*) from core.claims") == [(0,)]


def test_fifos_dangling_links_and_devices_are_refused_not_skipped(
    exports, warehouse, rows, capsys
) -> None:
    exports.csv("clienti_2026-01-01.csv", [rows.customer()])
    os.mkfifo(exports.path / "segnalazioni_2026-01-02.csv")
    (exports.path / "segnalazioni_2026-01-03.csv").symlink_to(exports.path / "gone.csv")
    (exports.path / "segnalazioni_2026-01-04.csv").symlink_to("/dev/zero")
    exports.csv("segnalazioni_2026-01-05.txt", [rows.claim()])
    exports.csv("segnalazioni_2026-01-06.xlsm", [rows.claim()])

    code, results = _load_json(capsys, str(exports.path), "--db", str(warehouse.db))

    assert code == 1
    errors = {r["file"].rsplit("/", 1)[1]: r["error"] for r in results}
    assert errors == {
        "clienti_2026-01-01.csv": None,
        "segnalazioni_2026-01-02.csv":
            "segnalazioni_2026-01-02.csv: not a regular file but a FIFO: not an export",
        "segnalazioni_2026-01-03.csv":
            f"segnalazioni_2026-01-03.csv: a link to a missing file ({exports.path}/gone.csv)",
        "segnalazioni_2026-01-04.csv": "segnalazioni_2026-01-04.csv: not a regular file but "
                                       "a device (through a link): not an export",
        "segnalazioni_2026-01-05.txt":
            "segnalazioni_2026-01-05.txt: unsupported file type '.txt': exports are .csv or .xlsx",
        "segnalazioni_2026-01-06.xlsm":
            "segnalazioni_2026-01-06.xlsm: unsupported file type '.xlsm': exports are .csv or "
            ".xlsx",
    }
    assert warehouse.rows("select count(*) from core.customers") == [(1,)]


def test_a_fifo_named_on_the_command_line_is_refused_too(exports, warehouse, capsys) -> None:
    fifo = exports.path / "segnalazioni_2026-01-02.csv"
    os.mkfifo(fifo)

    code, [result] = _load_json(capsys, str(fifo), "--db", str(warehouse.db))

    assert code == 1
    assert result["error"].endswith("not a regular file but a FIFO: not an export")


def test_control_characters_in_names_stay_on_one_line_of_the_table(capsys, tmp_path) -> None:
    from pipelines.ingest.load import FileResult

    name = "clienti_\x1b[31mrosso\n.csv"
    print_results([FileResult(file=str(tmp_path / name), kind=None,
                              error=f"{name}: the name matches no export kind")])

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3  # header, the file, total
    assert lines[1].startswith("clienti_\\x1b[31mrosso\\n.csv  -")
    assert "\x1b" not in lines[1]
