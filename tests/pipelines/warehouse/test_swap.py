"""A `kasko load` killed at any phase loses nothing: the served state is the one before or after."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.cli import main
from pipelines.ingest.load import FileResult, load_paths
from pipelines.warehouse import KILL_AT_VARIABLE

# the served file's state is the one before the load up to the rename, the one after from then
KILL_PHASES = {
    "after-copy": "before",
    "mid-file": "before",  # inside the first file's transaction, before its commit
    "after-file-1": "before",
    "before-checkpoint": "before",
    "before-rename": "before",
    "after-rename": "after",
}
# An earlier load the warehouse already holds, then a later load of the next days' files.
EARLIER = ["clienti_2026-11-29.csv", "dispositivi_2026-10-31.csv", "utenti_2026-11-29.csv",
           "segnalazioni_2026-09.csv", "segnalazioni_2026-10.csv"]
LATER = ["dispositivi_2026-11-29.csv", "segnalazioni_2026-11-02.csv",
         "segnalazioni_2026-11-03.csv"]
# when a load ran and when it built the calendar: the only columns two equal loads differ in
VOLATILE = {
    "raw.load_log": "exclude (started_at, finished_at)",
    "core.calendar_settings": "exclude (built_at)",
}


def content(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, timestamps of the load log aside: equal content, equal state."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            """select table_schema || '.' || table_name from information_schema.tables
               where table_type = 'BASE TABLE' order by all"""
        ).fetchall()]
        return {
            table: con.execute(
                f"select * {VOLATILE.get(table, '')} from {table} order by all"  # noqa: S608
            ).fetchall()
            for table in tables
        }
    finally:
        con.close()


def counts(results: list[FileResult]) -> list[tuple[str, int, int, int, int, str | None]]:
    return [(Path(r.file).name, r.read, r.loaded, r.superseded, r.quarantined, r.error)
            for r in results]


def assert_reconciled(results: list[FileResult], db: Path) -> None:
    for r in results:
        assert r.read == r.loaded + r.superseded + r.quarantined, r
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            """select read_rows, loaded_rows, superseded_rows, quarantined_rows,
                      (select count(*) from raw.quarantine as q where q.load_id = l.load_id)
               from raw.load_log as l"""
        ).fetchall()
    finally:
        con.close()
    for read, loaded, superseded, quarantined, in_quarantine in rows:
        assert (read, quarantined) == (loaded + superseded + quarantined, in_quarantine)


def lock_is_free(db: Path) -> bool:
    """Whether a new load could take the load lock right now (a dead process holds none)."""
    with db.with_name(db.name + ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


@dataclass
class Killed:
    """One load killed at a phase: its warehouse folder and how the process ended."""

    db: Path
    returncode: int
    stderr: str
    files_left: set[str]  # what the killed load left in the warehouse's folder


@dataclass
class Scenario:
    later: Path
    before_digest: str
    before: dict[str, list[tuple[Any, ...]]]
    after: dict[str, list[tuple[Any, ...]]]
    after_results: list[FileResult]
    killed: dict[str, Killed]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("crash")
    generated = root / "generated"
    assert main(["generate", str(generated), "--customers", "40", "--devices", "2000",
                 "--claims", "600", "--today", "2026-11-30"]) == 0
    earlier, later = root / "earlier", root / "later"
    for folder, names in ((earlier, EARLIER), (later, LATER)):
        folder.mkdir()
        for name in names:
            shutil.copyfile(generated / name, folder / name)

    base = root / "base" / "kasko.duckdb"
    assert all(r.error is None for r in load_paths([earlier], base))
    before = content(base)

    reference = root / "reference" / "kasko.duckdb"
    reference.parent.mkdir()
    shutil.copyfile(base, reference)
    after_results = load_paths([later], reference)
    assert [r.error for r in after_results] == [None] * len(LATER)
    after = content(reference)
    assert after != before

    # every killed load at once, each on its own copy of the earlier warehouse
    processes = {}
    for phase in KILL_PHASES:
        db = root / phase / "kasko.duckdb"
        db.parent.mkdir()
        shutil.copyfile(base, db)
        processes[phase] = (db, subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "load", str(later), "--db", str(db)],
            env=os.environ | {KILL_AT_VARIABLE: phase},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        ))
    killed = {}
    for phase, (db, process) in processes.items():
        _, stderr = process.communicate(timeout=120)
        killed[phase] = Killed(db, process.returncode, stderr,
                               {p.name for p in db.parent.iterdir()})
    return Scenario(later, digest(base), before, after, after_results, killed)


@pytest.mark.parametrize("phase", list(KILL_PHASES))
def test_a_killed_load_leaves_the_state_before_or_after_and_the_next_load_completes(
    scenario: Scenario, phase: str
) -> None:
    killed = scenario.killed[phase]
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert "Traceback" not in killed.stderr
    # up to the rename the load wrote only its copy; from the rename on the copy is the file
    copy_left = KILL_PHASES[phase] == "before"
    assert ("kasko.duckdb.loading" in killed.files_left) == copy_left
    assert killed.files_left - {"kasko.duckdb.loading", "kasko.duckdb.loading.wal"} == {
        "kasko.duckdb", "kasko.duckdb.lock"
    }

    # the served file opens read-only and holds exactly one of the two states
    expected = scenario.before if KILL_PHASES[phase] == "before" else scenario.after
    assert content(killed.db) == expected
    if KILL_PHASES[phase] == "before":
        assert digest(killed.db) == scenario.before_digest  # not a byte of it was written
    assert lock_is_free(killed.db)

    rerun = load_paths([scenario.later], killed.db)

    if KILL_PHASES[phase] == "after":
        assert [r.already_loaded for r in rerun] == [True] * len(LATER)
    else:
        assert [r.already_loaded for r in rerun] == [False] * len(LATER)
    assert counts(rerun) == counts(scenario.after_results)
    assert_reconciled(rerun, killed.db)
    assert content(killed.db) == scenario.after
    # the killed load's copy is gone with the next load
    assert sorted(p.name for p in killed.db.parent.iterdir()) == [
        "kasko.duckdb", "kasko.duckdb.lock"
    ]
