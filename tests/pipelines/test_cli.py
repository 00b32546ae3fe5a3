"""The command line given hostile arguments, settings or signals: one line on stderr and
exit 1 (2 for arguments refused before any work, 130 for Ctrl-C), nothing left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines import cli, config
from pipelines.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "sla"
AS_OF = ["--as-of", "2025-03-14"]


@pytest.fixture
def configure(tmp_path, monkeypatch) -> Iterator[Callable[[str], Path]]:
    """Point KASKO_CONFIG at a kasko.toml of the given text (read afresh)."""

    def write(text: str) -> Path:
        path = tmp_path / "kasko.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv(config.CONFIG_ENV, str(path))
        config.settings.cache_clear()
        return path

    write("")
    yield write
    config.settings.cache_clear()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("loaded") / "kasko.duckdb"
    config.settings.cache_clear()
    assert main(["load", str(FIXTURES), "--db", str(db), "--json"]) == 0
    return db


@pytest.fixture
def warehouse_copy(loaded, tmp_path) -> Path:
    db = tmp_path / "warehouse" / "kasko.duckdb"
    db.parent.mkdir()
    shutil.copyfile(loaded, db)
    return db


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args], cwd=cwd, capture_output=True,
        text=True, env=os.environ | {config.CONFIG_ENV: str(cwd / "none.toml")} | (env or {}),
        timeout=120, check=False,
    )


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


# ------------------------------------------------------------------ arguments the work refuses


def test_a_month_without_an_end_is_one_line_and_exit_1(loaded, tmp_path) -> None:
    out = tmp_path / "r.xlsx"
    done = run("report", "--month", "9999-12", "--out", str(out), "--db", str(loaded),
               *AS_OF, cwd=tmp_path)
    assert done.returncode == 1
    assert one_line(done.stderr) == (
        "kasko report: month 9999-12 is beyond the dates the report can count")
    assert not out.exists()


@pytest.mark.parametrize("what", ["text", "folder", "empty"])
def test_a_db_that_is_no_warehouse_is_refused_by_every_command(what, tmp_path, capsys) -> None:
    place = tmp_path / "place"
    place.mkdir()
    db = place / "kasko.duckdb"
    if what == "folder":
        db.mkdir()
        expected = f"{db} is a folder, not a warehouse file"
    else:
        db.write_text("not a database\n" if what == "text" else "", encoding="utf-8")
        expected = f"{db} is not a Kasko Ops warehouse (not a DuckDB database file)"
    before = sorted(p.name for p in place.iterdir())
    commands = {
        "load": ["load", str(FIXTURES / "clienti_2025-03-01.csv")],
        "export": ["export", "tickets", "--out", str(tmp_path / "t.csv"), *AS_OF],
        "report": ["report", "--month", "2025-03", "--out", str(tmp_path / "r.html"), *AS_OF],
    }
    for command, args in commands.items():
        assert main([*args, "--db", str(db)]) == 1, command
        assert one_line(capsys.readouterr().err) == f"kasko {command}: {expected}"
    # no copy, no lock file, no spill folder beside it; the file itself untouched
    assert sorted(p.name for p in place.iterdir()) == before
    assert not (tmp_path / "t.csv").exists() and not (tmp_path / "r.html").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
@pytest.mark.parametrize("args", [
    ["export", "tickets"],
    ["report", "--month", "2025-03"],
])
def test_a_full_disk_is_one_line_and_exit_1(args, loaded, tmp_path, monkeypatch) -> None:
    # /dev/full has no suffix: report and export check theirs first, so a link names it
    target = tmp_path / ("full.csv" if args[0] == "export" else "full.xlsx")
    target.symlink_to("/dev/full")
    done = run(*args, "--out", str(target), "--db", str(loaded), *AS_OF, cwd=tmp_path)
    assert done.returncode == 1
    assert one_line(done.stderr) == (
        f"kasko {args[0]}: cannot write {target}: No space left on device")


def test_an_output_that_cannot_be_written_keeps_the_earlier_file(loaded, tmp_path,
                                                                 monkeypatch, capsys) -> None:
    out = tmp_path / "tickets.csv"
    out.write_text("earlier\n", encoding="utf-8")
    import pandas as pd

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail)
    assert main(["export", "tickets", "--out", str(out), "--db", str(loaded), *AS_OF]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"kasko export: cannot write {out}: No space left on device")
    assert out.read_text(encoding="utf-8") == "earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tickets.csv"]


# ------------------------------------------------------------------ outputs refused before work


@pytest.mark.parametrize(("args", "out", "message"), [
    (["export", "tickets"], "x.xlsx",
     "cannot write 'x.xlsx': the file name must end in .csv"),
    (["export", "tickets"], "missing/t.csv",
     "cannot write {tmp}/missing/t.csv: the folder {tmp}/missing does not exist"),
    (["report", "--month", "2025-03"], "missing/deeper/r.html",
     "cannot write {tmp}/missing/deeper/r.html: the folder {tmp}/missing/deeper does not exist"),
    (["report", "--month", "2025-03"], "r.csv",
     "cannot write 'r.csv': the file name must end in .xlsx or .html"),
])
def test_outputs_named_wrong_or_in_missing_folders_are_refused(args, out, message, loaded,
                                                               tmp_path, capsys) -> None:
    assert main([*args, "--out", str(tmp_path / out), "--db", str(loaded), *AS_OF]) == 2
    error = one_line(capsys.readouterr().err)
    assert error == f"kasko {args[0]}: " + message.format(tmp=tmp_path)
    assert not (tmp_path / out).exists()
    assert not (tmp_path / "missing").exists()  # never created


# ------------------------------------------------------------------ the configuration


@pytest.mark.parametrize(("text", "key"), [
    ("[sla]\nbusiness_days = true\n", "sla.business_days: Input should be a valid integer"),
    ('[sla]\nbusiness_days = "5"\n', "sla.business_days: Input should be a valid integer"),
    ('[sla]\ncompliance_target = "0.9"\n', "sla.compliance_target: Input should be a valid"),
    ("[sla]\ncalendar_province = 1\n", "sla.calendar_province: Input should be a valid string"),
])
def test_config_types_are_strict_and_checked_before_any_work(text, key, configure, tmp_path,
                                                            capsys) -> None:
    path = configure(text)
    db = tmp_path / "w" / "kasko.duckdb"
    # a load would parse every file before reading the settings: nothing is made at all
    assert main(["load", str(FIXTURES), "--db", str(db)]) == 2
    error = one_line(capsys.readouterr().err)
    assert error.startswith(f"kasko: configuration error: {path}: ")
    assert key in error
    assert not db.parent.exists()
    # the tickets export reads the settings too, even given its as-of date
    assert main(["export", "tickets", "--out", str(tmp_path / "t.csv"), *AS_OF,
                 "--db", str(db)]) == 2
    assert key in capsys.readouterr().err


def test_a_changed_calendar_is_refused_until_a_load_recomputes_it(
    warehouse_copy, configure, tmp_path, capsys
) -> None:
    configure('[sla]\ncalendar_province = "RM"\nbusiness_days = 6\n')
    outputs = {
        "export": ["export", "tickets", "--out", str(tmp_path / "t.csv")],
        "report": ["report", "--month", "2025-03", "--out", str(tmp_path / "r.html")],
    }
    for command, args in outputs.items():
        assert main([*args, *AS_OF, "--db", str(warehouse_copy)]) == 1
        assert one_line(capsys.readouterr().err) == (
            f"kasko {command}: the warehouse's SLA figures were computed with no province, "
            f"5 business days, but {tmp_path / 'kasko.toml'} now says province RM, 6 business "
            "days: run `kasko load` (on the exports folder; files already loaded are not read "
            "again) to recompute them"
        )
    assert main(["serve", "--db", str(warehouse_copy)]) == 1  # before the server starts
    assert "run `kasko load`" in one_line(capsys.readouterr().err)

    assert main(["load", str(FIXTURES), "--db", str(warehouse_copy), "--json"]) == 0
    capsys.readouterr()
    assert main([*outputs["export"], *AS_OF, "--db", str(warehouse_copy)]) == 0
    con = duckdb.connect(str(warehouse_copy), read_only=True)
    try:
        assert con.execute(
            "select province, sla_business_days from core.calendar_settings").fetchall() == [
            ("RM", 6)]
    finally:
        con.close()


# ------------------------------------------------------------------ interrupted and killed loads


def test_a_killed_loads_spill_folder_is_removed_by_the_next_load(warehouse_copy, capsys) -> None:
    spill = warehouse_copy.with_name("kasko.duckdb.loading.tmp")
    spill.mkdir()  # what DuckDB leaves when its process is killed
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"")
    assert main(["load", str(FIXTURES), "--db", str(warehouse_copy)]) == 0
    # the file the load replaced is kept for the next load to copy into
    assert sorted(p.name for p in warehouse_copy.parent.iterdir()) == [
        "kasko.duckdb", "kasko.duckdb.lock", "kasko.duckdb.previous"]


def test_ctrl_c_during_a_load_exits_130_with_one_line_and_leaves_nothing(tmp_path) -> None:
    exports = tmp_path / "exports"
    done = run("generate", str(exports), "--customers", "40", "--devices", "2000",
               "--claims", "600", "--today", "2026-11-30", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    db = tmp_path / "w" / "kasko.duckdb"
    process = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "load", str(exports), "--db", str(db)],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=os.environ | {config.CONFIG_ENV: str(tmp_path / "none.toml")},
    )
    assert process.stderr is not None
    progress = process.stderr.readline()  # the first file is loaded: the load is under way
    assert progress.startswith("[1/"), progress
    process.send_signal(signal.SIGINT)
    rest = process.stderr.read()
    assert process.wait(timeout=60) == 130
    assert rest.splitlines()[-1:] == ["kasko load: interrupted"], rest
    assert "Traceback" not in rest
    # the served file was never made; no copy, WAL or spill folder is left
    assert sorted(p.name for p in db.parent.iterdir()) == ["kasko.duckdb.lock"]


def test_serve_lets_go_of_the_warehouse_it_checked_before_the_server_runs(
    warehouse_copy: Path,
) -> None:
    """`kasko serve` checks the stored SLA settings on a connection of its own, which it
    closes before the server starts: held, no load could reuse the file once replaced."""
    from pipelines.warehouse.claims import claims

    cli._require_configured_calendar(warehouse_copy)
    assert claims.held(warehouse_copy) == set()
