"""The warehouse file: read-only connections, and the copy-and-swap write session.

Concurrency design. DuckDB lets one process hold a database file read-write and then
refuses every other process, readers included. So nothing writes the served warehouse
file in place: a load copies it, loads into the copy, checkpoints it and renames it over
the original (an atomic rename). Readers (the dashboard, exports, reports) open the file
read-only and see the state before or after a load, never a mix; a killed load leaves
only a stale copy that the next load removes. The dashboard's own writes (accounts,
enablement changes, audit) live in the app store (`pipelines.appstate`), which loads
never touch. Loads serialise on a lock file.

The swap keeps the file it replaces as `<file>.previous`, and the next load copies the
served file into that one, in place, once no reader holds it: each connection of
`connect_read_only` claims the files it may read (`claims.py`). Rewriting a file reuses
its blocks and cached pages, where a new one's must be allocated first. Not on a network
file system, nor with `[warehouse] reuse_replaced_file` off: then every load copies into
a new file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import math
import os
import shutil
import signal
import stat
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.config import settings
from pipelines.errors import CommandError
from pipelines.output import fsync_directory
from pipelines.warehouse.claims import Replaced, claims, lock_file, on_network_file_system
from pipelines.warehouse.derived import derived_outdated, refresh_derived
from pipelines.warehouse.schema import (
    create_indexes,
    drop_indexes,
    ensure_schema,
    schema_changed,
    schema_fingerprint,
)

DUCKDB_CONFIG = {"threads": max(1, os.cpu_count() or 1), "memory_limit": "4GB"}
LOAD_MEMORY_LIMIT = "1280MB"
# DuckDB stores a table in row groups of up to this many rows.
ROW_GROUP_ROWS = 122_880
# A load that is not bulk lets the checkpoint merge row groups (DuckDB's vacuum) only once
# a changed kind's current table has gathered this many row groups more than its rows need.
SPARE_ROW_GROUPS_BEFORE_MERGE = 8
# Crash-safety tests name a phase of a load here; the process kills itself on reaching it.
KILL_AT_VARIABLE = "KASKO_TEST_KILL_AT"


def test_hook(phase: str) -> None:
    """SIGKILL this process when $KASKO_TEST_KILL_AT names `phase` (see test_crash_safety.py)."""
    if os.environ.get(KILL_AT_VARIABLE) == phase:
        os.kill(os.getpid(), signal.SIGKILL)



class WarehouseError(CommandError):
    """The path given as the warehouse is not one; the message names it and says why."""


# Every DuckDB database file carries these bytes at this offset of its first block.
DUCKDB_MAGIC, DUCKDB_MAGIC_OFFSET = b"DUCK", 8


def check_warehouse_file(path: Path) -> None:
    """Refuse a path that exists but is not a DuckDB file, before anything opens or copies it
    (DuckDB's own error is a traceback, and a load would leave a copy of it behind)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise WarehouseError(f"{path}: cannot be read: {error.strerror}") from error
    if stat.S_ISDIR(mode):
        raise WarehouseError(f"{path} is a folder, not a warehouse file")
    if not stat.S_ISREG(mode):
        raise WarehouseError(f"{path} is not a regular file, not a warehouse file")
    try:
        with path.open("rb") as handle:
            head = handle.read(DUCKDB_MAGIC_OFFSET + len(DUCKDB_MAGIC))
    except OSError as error:
        raise WarehouseError(f"{path}: cannot be read: {error.strerror}") from error
    if head[DUCKDB_MAGIC_OFFSET:] != DUCKDB_MAGIC:
        raise WarehouseError(f"{path} is not a Kasko Ops warehouse (not a DuckDB database file)")


# How often a reader tries again when a load swapped the file while it was opening it.
OPEN_ATTEMPTS = 5
# Where copy_file_range cannot copy, the copy goes through this process in chunks this big.
COPY_CHUNK_BYTES = 8 * 2**20


# The claim of each connection connect_read_only made, let go when it is collected or closed
# with close_read_only.
_releases: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, weakref.finalize] = (
    weakref.WeakKeyDictionary()
)


def close_read_only(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection of connect_read_only and let go of its claim now, rather than
    when the connection is collected."""
    con.close()
    release = _releases.pop(con, None)
    if release is not None and (detached := release.detach()) is not None:
        _, _, (claim,), _ = detached
        claims.release(claim)


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the served warehouse; its macros and views are in the file.

    Until it is closed with close_read_only, or collected (keep it while its cursors run),
    it claims the files it may read (`claims`), so that no load rewrites them under it. The
    claim is taken before DuckDB opens the path and checked to be on the file still there
    after: a swap in between opens the new one.
    """
    check_warehouse_file(path)
    for _ in range(OPEN_ATTEMPTS):
        if not path.exists():
            raise FileNotFoundError(f"no warehouse at {path}: run `kasko load` first")
        try:
            claim = claims.take(path)
        except Replaced:
            time.sleep(0.01)
            continue
        try:
            con = duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG)
        except BaseException:
            if claim is not None:
                claims.release(claim)
            raise
        if claim is None:
            return con
        if claim.still_served():
            _releases[con] = weakref.finalize(con, claims.release_later, claim)
            return con
        con.close()
        claims.release(claim)
    raise WarehouseError(
        f"{path} was replaced by loads {OPEN_ATTEMPTS} times while it was being opened"
    )


def upgrade(path: Path) -> bool:
    """Bring a warehouse written by an earlier release up to this one, before it is served.

    Pages query this release's tables and macros (marts.tickets, the SLA macros): a file
    an earlier release loaded lacks them until its next load. When the file's recorded
    digest differs from this release's, a write session with no file rewrites the SQL
    and what is derived, and swaps the file in. Returns whether it did; a file of this
    release is only read.
    """
    if not path.exists() or _written_by_this_release(path):
        return False
    with write_session(path):
        pass  # no file: this release's SQL, and the derived tables it describes
    return True


def _written_by_this_release(path: Path) -> bool:
    """Whether this release wrote the warehouse's SQL (its connection ends with the call)."""
    with connect_read_only(path) as con:
        return not schema_changed(con, schema_fingerprint())


def _staging_path(path: Path) -> Path:
    return path.with_name(path.name + ".loading")


def _previous_path(path: Path) -> Path:
    """The file the last swap replaced, kept for the next load to copy into."""
    return path.with_name(path.name + ".previous")


@contextlib.contextmanager
def load_lock(path: Path) -> Iterator[None]:
    """One load at a time per warehouse file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class WriteSession:
    con: duckdb.DuckDBPyConnection
    changed: bool = False  # nothing changed: the copy is dropped, the served file kept as is
    kinds: set[str] = field(default_factory=set)  # the kinds whose data changed
    copy: Path | None = None  # the copy of an existing warehouse the session writes
    flushing: threading.Thread | None = None
    flush_error: list[OSError] = field(default_factory=list)

    def record_change(self, kind: str) -> None:
        """Note that `kind`'s data changed; the first change starts writing the copy to disk.

        The copy's pages then go to disk while the load works (on the CPU; its commits go
        to the WAL until the checkpoint), so the fsync before the swap writes only what
        the load changed. A session that changes nothing never writes its copy out.
        """
        self.changed = True
        self.kinds.add(kind)
        if self.copy is not None and self.flushing is None:
            self.flushing = threading.Thread(
                target=_fsync_noting_error, args=(self.copy, self.flush_error),
                name=f"fsync {self.copy.name}", daemon=True,
            )
            self.flushing.start()

    def finish_flush(self) -> None:
        """Wait for the early fsync; raise what it met (a later fsync may not see it)."""
        if self.flushing is not None:
            self.flushing.join()
        if self.flush_error:
            raise self.flush_error[0]


@contextlib.contextmanager
def write_session(path: Path, bulk: bool = False) -> Iterator[WriteSession]:
    """A read-write connection to a copy of the warehouse, swapped in when the block ends.

    If the block raises (or the process dies), the served file is untouched. A `bulk`
    session (a first or large load) drops the lookup indexes and builds them once at the
    end: maintaining them row by row through millions of inserts costs more.
    """
    check_warehouse_file(path)  # before the lock file and the copy are made beside it
    with load_lock(path):
        staging = _staging_path(path)
        _remove_leftovers(staging)
        reuse = reuses_replaced_file(path)
        if path.exists():
            _copy_served_file(path, staging, reuse)
        test_hook("after-copy")
        try:
            con = duckdb.connect(str(staging), config=DUCKDB_CONFIG)
        except BaseException:
            _remove_leftovers(staging)
            raise
        # the copy is written once, at the end: a checkpoint after every file's commit would
        # rewrite the tables (and their indexes) sixty times over in a full load
        con.execute("set checkpoint_threshold = '64GB'")
        # the copy is made durable once, below (fsync, then the rename): each commit's own
        # fsync (200 in a full load) would make nothing safer, since a copy left by a crash
        # is never served
        con.execute("set fsync_mode = 'NONE'")
        # a load keeps its peak memory (RSS) under 2 GB: DuckDB spills to disk beyond this
        # (at 1 GB a full load spilled up to 145 MB, and took more CPU: docs/performance.md)
        con.execute(f"set memory_limit = '{LOAD_MEMORY_LIMIT}'")
        # a new warehouse is written whole at the checkpoint: nothing to write out early
        session = WriteSession(con, changed=not path.exists(),
                              copy=staging if path.exists() else None)
        try:
            fingerprint = schema_fingerprint()
            rewrite_schema = schema_changed(con, fingerprint)
            if rewrite_schema:  # the same release wrote every table, macro and view as is
                ensure_schema(con)
            if bulk:
                drop_indexes(con)
            yield session
            if not session.changed and (rewrite_schema or derived_outdated(con)):
                # a new release's macros, or new SLA settings: rebuild without new data
                session.changed = True
            con.execute(
                "insert or replace into raw.schema_version values (1, $1)", [fingerprint]
            )
            if session.changed:
                # no kind named (a new warehouse, a new release, new settings): rebuild all
                refresh_derived(con, session.kinds or None, new_warehouse=session.copy is None)
            if not (bulk or row_groups_to_merge(con, session.kinds)):
                con.execute("set max_vacuum_tasks = 0")
            # an index built with the WAL on is written twice, to the WAL and at the
            # checkpoint; with the default threshold, its commit checkpoints instead, as the
            # checkpoint below would (docs/performance.md)
            con.execute("reset checkpoint_threshold")
            create_indexes(con)  # after a bulk load, or a rebuilt marts.tickets
            test_hook("before-checkpoint")
            con.execute("checkpoint")
        except BaseException:
            con.close()
            _remove_leftovers(staging)
            with contextlib.suppress(OSError):
                session.finish_flush()  # no thread outlives the session; the error is raised
            raise
        con.close()
        _remove_spill_folder(staging)
        if not session.changed:
            _keep_unchanged_copy(path, staging, reuse)
            return
        try:
            session.finish_flush()
            _fsync_file(staging)
        except OSError:
            staging.unlink(missing_ok=True)  # a copy that may not be on disk is never served
            raise
        _keep_as_previous(path, reuse)
        test_hook("before-rename")
        os.replace(staging, path)
        test_hook("after-rename")
        fsync_directory(path.parent)


def _remove_spill_folder(staging: Path) -> None:
    """Remove DuckDB's spill folder of the copy (`<copy>.tmp`): DuckDB leaves it, empty,
    when its process is killed, and a folder named like a warehouse would be left forever."""
    spill = staging.with_name(staging.name + ".tmp")
    if spill.is_dir() and not spill.is_symlink():
        shutil.rmtree(spill, ignore_errors=True)


def _remove_leftovers(staging: Path) -> None:
    """Drop a load's copy, its WAL and its spill folder (a killed load's: never served)."""
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    _remove_spill_folder(staging)


def row_groups_to_merge(con: duckdb.DuckDBPyConnection, kinds: set[str]) -> bool:
    """Whether this checkpoint should merge row groups: a changed kind's current table
    (one without an index: DuckDB merges no other) holds SPARE_ROW_GROUPS_BEFORE_MERGE
    row groups more than its rows need, counting the deleted rows they still hold; or no
    kind is named (a new release or new settings, a rare load: the merge is let run).

    A daily load deletes a few thousand current rows and appends their new versions as a
    small row group. Left to itself, the checkpoint then often merges three full row
    groups with their deletions and that small one (370,000 claims rewritten, a second
    of a two-second load). Skipping the merge until the small groups add up makes one
    load in several pay it, for all of them; that load's merges drop the deleted rows.
    """
    if not kinds:
        return True
    for kind in sorted(kinds):
        table = f"core.{kind}"
        [(indexes,)] = con.execute(
            "select index_count from duckdb_tables()"
            " where schema_name = 'core' and table_name = $1",
            [kind],
        ).fetchall()
        if indexes:
            continue
        [(groups, rows)] = con.execute(
            "select count(distinct row_group_id), coalesce(sum(count), 0)"
            " from pragma_storage_info($1) where column_id = 0 and column_path = '[0]'",
            [table],
        ).fetchall()
        if groups - math.ceil(rows / ROW_GROUP_ROWS) >= SPARE_ROW_GROUPS_BEFORE_MERGE:
            return True
    return False


def reuses_replaced_file(path: Path) -> bool:
    """Whether loads of the warehouse at `path` keep the file a swap replaces and copy the
    next warehouse into it: unless `[warehouse] reuse_replaced_file` is false, or the
    folder is on a network file system, whose readers' locks may not reach this host."""
    return settings().warehouse.reuse_replaced_file and not on_network_file_system(path.parent)


def _copy_served_file(path: Path, staging: Path, reuse: bool) -> None:
    """Copy the served file to `staging`: over the file the last swap replaced, in place,
    when `reuse` (reuses_replaced_file) and nothing reads it any more; else into a new file.

    A new file's blocks and pages are allocated as it is written, which at fleet scale
    made the copy take 0.2 to 5 s; rewriting a file of about the same size takes 0.1 s
    (docs/performance.md).
    """
    previous = _previous_path(path)
    descriptor = _claim_for_rewriting(previous) if reuse else None
    reusing = descriptor is not None
    if not reusing:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
            previous.unlink()  # not ours to rewrite: a new copy, and no second name kept
        descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        if reusing:
            os.replace(previous, staging)  # held, under its lock, by the descriptor
        _copy_into(path, descriptor)
        os.fchmod(descriptor, stat.S_IMODE(os.stat(path).st_mode))  # the served file's mode
    finally:
        os.close(descriptor)  # the lock with it: DuckDB's own lock is taken next


def _claim_for_rewriting(previous: Path) -> int | None:
    """A descriptor of `previous` holding a write lock on it, when it is a regular file of
    this user's with no other name (not the served file: a swap killed before its rename
    leaves both names on it; not a copy someone linked elsewhere) that no reader holds;
    else None."""
    try:
        descriptor = os.open(previous, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if (stat.S_ISREG(status.st_mode) and status.st_nlink == 1
                and status.st_uid == os.geteuid() and lock_file(descriptor, fcntl.F_WRLCK)):
            return descriptor
    except OSError:
        pass
    os.close(descriptor)
    return None


def _copy_into(source: Path, target: int) -> None:
    """Copy `source` over the file open as `target`, from its first byte, and cut it to
    the size: inside the kernel (copy_file_range) where it can, else in chunks through
    this process."""
    with source.open("rb") as reader:
        size, offset = os.fstat(reader.fileno()).st_size, 0
        with contextlib.suppress(OSError):  # not supported here: the chunks copy it all
            while offset < size:
                copied = os.copy_file_range(reader.fileno(), target, size - offset,
                                            offset, offset)
                if copied == 0:
                    break
                offset += copied
        while offset < size:
            chunk = os.pread(reader.fileno(), min(COPY_CHUNK_BYTES, size - offset), offset)
            if not chunk:
                raise OSError(errno.EIO, f"{source} ended before its {size} bytes were copied")
            written = 0
            while written < len(chunk):
                written += os.pwrite(target, chunk[written:], offset + written)
            offset += written
    os.ftruncate(target, size)


def _keep_as_previous(path: Path, reuse: bool) -> None:
    """Keep the served file, which the swap is about to replace, as `<file>.previous`
    (a second name: readers holding it keep reading it) for the next load to rewrite."""
    if not (reuse and path.exists()):
        return
    previous = _previous_path(path)
    with contextlib.suppress(OSError):  # a name that is not ours, or no hard links here:
        previous.unlink(missing_ok=True)  # the next load copies into a new file
        os.link(path, previous)


def _keep_unchanged_copy(path: Path, staging: Path, reuse: bool) -> None:
    """A load that changed nothing leaves its copy as the file the next load rewrites."""
    if reuse:
        with contextlib.suppress(OSError):  # the name is taken by what is not ours
            os.replace(staging, _previous_path(path))
            return
    staging.unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_noting_error(path: Path, errors: list[OSError]) -> None:
    """fsync a file (on a thread of its own), noting the error it meets for the caller."""
    try:
        _fsync_file(path)
    except OSError as error:
        errors.append(error)


