"""The copy-and-swap of the warehouse file: a `kasko load` killed at any phase loses nothing
(the served state is the one before or after), and the file a swap replaced is rewritten by
the next load only once no one reads it."""

from __future__ import annotations

import errno
import fcntl
import gc
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import config
from pipelines.cli import main
from pipelines.ingest.load import FileResult, load_paths
from pipelines.warehouse import KILL_AT_VARIABLE, close_read_only, connect_read_only, swap
from pipelines.warehouse import claims as claims_module
from tests.pipelines.exports import ExportFolder, RowBuilders, Warehouse

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
    # just before the rename the served file gets its second name, for the next load
    kept = phase in ("before-rename", "after-rename")
    assert ("kasko.duckdb.previous" in killed.files_left) == kept
    assert killed.files_left - {
        "kasko.duckdb.loading", "kasko.duckdb.loading.wal", "kasko.duckdb.previous"
    } == {"kasko.duckdb", "kasko.duckdb.lock"}
    if phase == "before-rename":  # both names on the served file: it is not rewritten
        assert killed.db.with_name("kasko.duckdb.previous").samefile(killed.db)

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
    # the killed load's copy is gone with the next load, which keeps the file it replaced
    assert sorted(p.name for p in killed.db.parent.iterdir()) == [
        "kasko.duckdb", "kasko.duckdb.lock", "kasko.duckdb.previous"
    ]


# ------------------------------------------------------------------ the replaced file, rewritten


def inode(path: Path) -> int:
    return path.stat().st_ino


def previous_of(warehouse: Warehouse) -> Path:
    return warehouse.db.with_name(warehouse.db.name + ".previous")


def test_each_load_copies_into_the_file_the_last_swap_replaced(
    exports: ExportFolder, warehouse_at: Callable[[str], Warehouse], rows: RowBuilders
) -> None:
    """The swap keeps the replaced file; the next load rewrites it in place and serves it,
    holding what a load into a new copy holds."""
    batches = [
        exports.csv("clienti.csv", [rows.customer()]),
        exports.csv("dispositivi.csv", [rows.device()]),
        exports.csv("segnalazioni.csv", [rows.claim()]),
        exports.csv("dispositivi_2.csv", [rows.device(imei=rows.imei_b)]),
    ]
    recycled, fresh = warehouse_at("recycled"), warehouse_at("fresh")
    served: list[int] = []
    for batch in batches:
        recycled.load(batch)
        served.append(inode(recycled.db))
        previous_of(fresh).unlink(missing_ok=True)  # every load copies into a new file
        fresh.load(batch)
        assert content(recycled.db) == content(fresh.db)
    # two files take turns: each load serves the one the load before it replaced
    assert served[2] == served[0] and served[3] == served[1] and served[0] != served[1]
    assert inode(previous_of(recycled)) == served[2]
    assert sorted(p.name for p in recycled.db.parent.iterdir()) == [
        "kasko.duckdb", "kasko.duckdb.lock", "kasko.duckdb.previous"
    ]


def test_a_load_that_changes_nothing_keeps_the_replaced_file_for_the_next(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    customers = exports.csv("clienti.csv", [rows.customer()])
    warehouse.load(customers)
    warehouse.load(exports.csv("dispositivi.csv", [rows.device()]))
    served, replaced = inode(warehouse.db), inode(previous_of(warehouse))
    digest_before = warehouse.file_digest()

    assert [r.already_loaded for r in warehouse.load(customers)] == [True]
    assert (inode(warehouse.db), inode(previous_of(warehouse))) == (served, replaced)
    assert warehouse.file_digest() == digest_before


def test_a_replaced_file_still_read_here_is_not_rewritten(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    """A connection of this process (connect_read_only) on a replaced file keeps it whole."""
    warehouse.load(exports.csv("clienti.csv", [rows.customer()]))
    first = inode(warehouse.db)
    reader = connect_read_only(warehouse.db)
    try:
        warehouse.load(exports.csv("dispositivi.csv", [rows.device()]))
        assert inode(previous_of(warehouse)) == first
        warehouse.load(exports.csv("segnalazioni.csv", [rows.claim()]))
        # the read file was passed over: the new copy is a new file
        assert first not in {inode(warehouse.db), inode(previous_of(warehouse))}
        assert reader.execute(
            "select (select count(*) from core.customers), (select count(*) from core.devices),"
            " (select count(*) from core.claims)").fetchall() == [(1, 0, 0)]
    finally:
        reader.close()
    assert warehouse.rows("select count(*) from core.claims") == [(1,)]


def test_a_replaced_file_another_process_reads_with_duckdb_alone_is_not_rewritten(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    """A reader outside Kasko Ops (DuckDB's own read-only lock, in another process) too."""
    warehouse.load(exports.csv("clienti.csv", [rows.customer()]))
    first = inode(warehouse.db)
    reader = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, duckdb\n"
         "con = duckdb.connect(sys.argv[1], read_only=True)\n"
         "print('open', flush=True)\n"
         "sys.stdin.readline()\n"
         "print(con.execute('select count(*) from core.devices').fetchone()[0], flush=True)\n",
         str(warehouse.db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert reader.stdin is not None and reader.stdout is not None
    try:
        assert reader.stdout.readline() == "open\n"
        warehouse.load(exports.csv("dispositivi.csv", [rows.device()]))
        warehouse.load(exports.csv("segnalazioni.csv", [rows.claim()]))
        assert first not in {inode(warehouse.db), inode(previous_of(warehouse))}
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline() == "0\n"  # the file it opened, as it was
    finally:
        reader.stdin.close()
        assert reader.wait(timeout=30) == 0
    assert warehouse.rows("select count(*) from core.devices") == [(1,)]


@pytest.mark.parametrize("target_size", [0, 3 * 2**20], ids=["smaller", "larger"])
@pytest.mark.parametrize("in_kernel", [True, False], ids=["copy_file_range", "chunks"])
def test_a_copy_over_a_file_leaves_exactly_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target_size: int, in_kernel: bool
) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_bytes(os.urandom(2**20 + 12_345))
    target.write_bytes(b"x" * target_size)
    if not in_kernel:
        def unsupported(*args: Any) -> int:
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        monkeypatch.setattr(os, "copy_file_range", unsupported)
        monkeypatch.setattr(swap, "COPY_CHUNK_BYTES", 100_000)  # several chunks
    descriptor = os.open(target, os.O_RDWR)
    try:
        swap._copy_into(source, descriptor)
    finally:
        os.close(descriptor)
    assert target.read_bytes() == source.read_bytes()


def test_a_replaced_file_with_another_name_is_not_rewritten(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    """A copy someone kept by linking the replaced file elsewhere keeps its content."""
    warehouse.load(exports.csv("clienti.csv", [rows.customer()]))
    warehouse.load(exports.csv("dispositivi.csv", [rows.device()]))
    kept = warehouse.db.with_name("snapshot.duckdb")
    os.link(previous_of(warehouse), kept)
    before = digest(kept)

    warehouse.load(exports.csv("segnalazioni.csv", [rows.claim()]))

    assert digest(kept) == before
    assert inode(kept) not in {inode(warehouse.db), inode(previous_of(warehouse))}
    assert warehouse.rows("select count(*) from core.claims") == [(1,)]


def test_a_folder_named_like_the_replaced_file_is_left_alone(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders
) -> None:
    customers = exports.csv("clienti.csv", [rows.customer()])
    warehouse.load(customers)
    folder = previous_of(warehouse)
    folder.mkdir()
    (folder / "note.txt").write_text("not the warehouse's")

    warehouse.load(exports.csv("dispositivi.csv", [rows.device()]))  # a swap
    assert [r.already_loaded for r in warehouse.load(customers)] == [True]  # no swap

    assert (folder / "note.txt").read_text() == "not the warehouse's"
    assert sorted(p.name for p in warehouse.db.parent.iterdir()) == [
        "kasko.duckdb", "kasko.duckdb.lock", "kasko.duckdb.previous"
    ]
    assert warehouse.rows("select count(*) from core.devices") == [(1,)]


def test_with_the_setting_off_every_load_copies_into_a_new_file(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings_file = tmp_path / "kasko.toml"
    settings_file.write_text("[warehouse]\nreuse_replaced_file = false\n", encoding="utf-8")
    monkeypatch.setenv(config.CONFIG_ENV, str(settings_file))
    config.settings.cache_clear()
    try:
        customers = exports.csv("clienti.csv", [rows.customer()])
        for batch in (customers, exports.csv("dispositivi.csv", [rows.device()]),
                      exports.csv("segnalazioni.csv", [rows.claim()]), customers):
            warehouse.load(batch)
            # no second name is kept, so nothing is there to copy into
            assert sorted(p.name for p in warehouse.db.parent.iterdir()) == [
                "kasko.duckdb", "kasko.duckdb.lock"
            ]
        assert warehouse.rows("select count(*) from core.claims") == [(1,)]
    finally:
        monkeypatch.undo()
        config.settings.cache_clear()


MOUNTINFO = "\n".join([
    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
    "40 27 0:50 / /srv/kasko rw,relatime - nfs4 files:/export rw,vers=4.2",
    "41 40 0:51 / /srv/kasko/local rw,relatime - xfs /dev/vdb rw",
    "42 27 0:52 / /mnt/my\\040share rw - fuse.sshfs host:/x rw",
    "43 27 0:53 / /srv/kasko-other rw - tmpfs tmpfs rw",
])


@pytest.mark.parametrize(("folder", "kind", "network"), [
    ("/work/data", "ext4", False),
    ("/srv/kasko", "nfs4", True),
    ("/srv/kasko/data", "nfs4", True),
    ("/srv/kasko/local/data", "xfs", False),  # the innermost mount decides
    ("/srv/kasko-other", "tmpfs", False),  # a name that only starts like a mount point
    ("/mnt/my share/data", "fuse.sshfs", True),  # mountinfo escapes the space
])
def test_the_file_system_of_a_folder_is_read_from_mountinfo(
    folder: str, kind: str, network: bool
) -> None:
    assert claims_module.file_system_type(Path(folder), MOUNTINFO) == kind
    assert claims_module.on_network_file_system(Path(folder), MOUNTINFO) is network


@pytest.mark.parametrize("spelled", ["as the first", "relative"])
def test_a_connection_given_a_replaced_file_keeps_it_claimed(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch, spelled: str,
) -> None:
    """DuckDB hands a second connection to a path (by absolute path, however spelled) the
    database the first has open, which may be a file a load has replaced since: the
    second claims that file too."""
    warehouse.load(exports.csv("clienti.csv", [rows.customer()]))
    first_file = inode(warehouse.db)
    first = connect_read_only(warehouse.db)
    warehouse.load(exports.csv("dispositivi.csv", [rows.device()]))
    path = warehouse.db
    if spelled == "relative":
        monkeypatch.chdir(warehouse.db.parent.parent)
        folder = warehouse.db.parent.name
        path = Path(folder) / ".." / folder / warehouse.db.name
    second = connect_read_only(path)
    devices = "select count(*) from core.devices"
    assert second.execute(devices).fetchall() == [(0,)]  # DuckDB gave it the first's file
    close_read_only(first)
    try:
        warehouse.load(exports.csv("segnalazioni.csv", [rows.claim()]))
        assert first_file not in {inode(warehouse.db), inode(previous_of(warehouse))}
        assert second.execute(devices).fetchall() == [(0,)]
    finally:
        close_read_only(second)
    assert claims_module.claims.held(warehouse.db) == set()


def test_a_connection_that_fails_leaves_no_descriptor_and_no_claim(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warehouse.load(exports.csv("clienti.csv", [rows.customer()]))

    def refused(*args: Any, **kwargs: Any) -> None:
        raise duckdb.IOException("could not open")

    monkeypatch.setattr(swap.duckdb, "connect", refused)
    descriptors = len(os.listdir("/proc/self/fd"))
    for _ in range(3):
        with pytest.raises(duckdb.IOException):
            connect_read_only(warehouse.db)
    assert len(os.listdir("/proc/self/fd")) == descriptors
    assert claims_module.claims.held(warehouse.db) == set()


def test_a_swap_while_a_reader_opens_gives_it_the_new_file(
    exports: ExportFolder, warehouse_at: Callable[[str], Warehouse], rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The claim is taken on the file at the path, then DuckDB opens the path: a swap in
    between is seen, and the reader opens (and claims) the new file."""
    served, newer = warehouse_at("served"), warehouse_at("newer")
    served.load(exports.csv("clienti.csv", [rows.customer()]))
    newer.load(exports.csv("clienti.csv", [rows.customer()]),
               exports.csv("dispositivi.csv", [rows.device()]))
    connect = duckdb.connect
    swapped: list[bool] = []

    def swap_first(*args: Any, **kwargs: Any) -> duckdb.DuckDBPyConnection:
        if not swapped:  # a load renames its copy over the served file right now
            os.replace(newer.db, served.db)
            swapped.append(True)
        return connect(*args, **kwargs)

    monkeypatch.setattr(swap.duckdb, "connect", swap_first)
    reader = connect_read_only(served.db)
    try:
        assert reader.execute("select count(*) from core.devices").fetchall() == [(1,)]
        assert claims_module.claims.held(served.db) == {
            (served.db.stat().st_dev, inode(served.db))
        }
    finally:
        close_read_only(reader)


def test_a_connection_collected_while_claims_are_taken_does_not_hang_its_thread(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A connection in a reference cycle is collected whenever the collector runs, even
    inside the registry's own locked section: its claim is let go by the next call."""
    warehouse.load(exports.csv("clienti.csv", [rows.customer()]))
    cycle: list[Any] = [connect_read_only(warehouse.db)]
    cycle.append(cycle)  # collected only by the cycle collector
    del cycle
    claim = claims_module.Claim

    def collecting(*args: Any) -> claims_module.Claim:
        gc.collect()  # the collector runs here, with the registry's lock held
        return claim(*args)

    monkeypatch.setattr(claims_module, "Claim", collecting)
    opened: list[Any] = []
    opener = threading.Thread(target=lambda: opened.append(connect_read_only(warehouse.db)),
                              daemon=True)
    opener.start()
    opener.join(30)
    assert not opener.is_alive(), "the thread waits on the lock it holds"
    monkeypatch.undo()
    served = (warehouse.db.stat().st_dev, inode(warehouse.db))
    assert claims_module.claims.held(warehouse.db) == {served}
    close_read_only(opened[0])
    assert claims_module.claims.held(warehouse.db) == set()


def test_a_replaced_file_of_another_user_is_not_rewritten(
    exports: ExportFolder, warehouse: Warehouse, rows: RowBuilders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its mode could not be set: a new copy instead, the name dropped."""
    warehouse.load(exports.csv("clienti.csv", [rows.customer()]))
    warehouse.load(exports.csv("dispositivi.csv", [rows.device()]))
    owner = previous_of(warehouse).stat().st_uid
    claim_for_rewriting = swap._claim_for_rewriting
    claimed: list[int | None] = []

    def recorded(previous: Path) -> int | None:
        claimed.append(claim_for_rewriting(previous))
        return claimed[-1]

    monkeypatch.setattr(swap, "_claim_for_rewriting", recorded)
    monkeypatch.setattr(swap.os, "geteuid", lambda: owner + 1)
    warehouse.load(exports.csv("segnalazioni.csv", [rows.claim()]))
    assert claimed == [None]
    assert warehouse.rows("select count(*) from core.claims") == [(1,)]


def test_a_mount_table_that_cannot_be_read_counts_as_a_network_file_system() -> None:
    odd = ("27 1 254:0 / / rw - ext4 /dev/vda rw\n"
           "40 27 0:50 / /srv/\udcff\\040x rw - xfs /dev/vdb rw")
    assert claims_module.file_system_type(Path("/srv/\udcff x/data"), odd) == "xfs"
    assert not claims_module.on_network_file_system(Path("/srv/\udcff x/data"), odd)
    assert claims_module.on_network_file_system(Path("/srv/data"), "garbage without fields")
