"""The loader: every row of every export file is loaded, superseded or quarantined.

Each file loads in its own transaction inside one write session (see warehouse.py): a
refused file leaves nothing behind, and the whole run is swapped in atomically at the end.
Validation and versioning are set-based SQL generated from the contract (staging.py).
Files are staged (opened, read and checked into a table) by two other connections, ahead
of the file being loaded (StagingAhead: stage_file, then load_staged).

Claims and enablements keep every version. For them a file's transaction quarantines its
bad rows, keeps its valid rows waiting to be written as history (in few large inserts),
and notes the newest version of each key; when every file is in, settle_current writes
the history left waiting, makes the newest versions current and counts each file's loaded
and superseded rows, as if the files had been settled one by one in load order.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from queue import SimpleQueue
from typing import TextIO

import duckdb

from pipelines.contract import KINDS, SourceKind, columns, kind_for_file, normalise_header
from pipelines.errors import UsageError
from pipelines.ingest.raw import FileRefused, Opened, RawFile, Select, drop_raw
from pipelines.ingest.readers import open_export, read_into
from pipelines.ingest.staging import staging_select
from pipelines.sqlfiles import ingest_statement
from pipelines.warehouse.calendar import today as configured_today
from pipelines.warehouse.schema import HISTORY_KINDS, temp_table_exists
from pipelines.warehouse.swap import test_hook, write_session
from pipelines.warehouse.tickets import record_changed_claims

Progress = Callable[[str], None]
# Below this many bytes of exports a load updates the lookup indexes as it goes.
BULK_LOAD_BYTES = 64 * 1024 * 1024
# A history kind's valid rows wait in memory until this many, then are written at once.
PENDING_ROWS = 1_000_000


@dataclass
class FileResult:
    """What happened to one file; `read = loaded + superseded + quarantined` always holds."""

    file: str
    kind: str | None
    read: int = 0
    loaded: int = 0
    superseded: int = 0
    quarantined: int = 0
    error: str | None = None
    already_loaded: bool = False
    extra_columns: list[str] = field(default_factory=list)
    load_id: int | None = None  # the load log's id of a file this load read

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "kind": self.kind,
            "read": self.read,
            "loaded": self.loaded,
            "superseded": self.superseded,
            "quarantined": self.quarantined,
            "error": self.error,
            "already_loaded": self.already_loaded,
            "extra_columns": self.extra_columns,
        }


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, and every entry inside folders named that is not a folder (hidden ones
    aside), in kind order. FIFOs, devices and dangling links are kept: each is refused
    with a message when staged (`check_export_file`), never skipped in silence."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*"))
                if not p.is_dir()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif os.path.lexists(path):
            files.append(path)
        else:
            raise UsageError(f"no such file or folder: {path}")
    order = {kind.name: index for index, kind in enumerate(KINDS)}

    def sort_key(p: Path) -> tuple[int, str]:
        kind = kind_for_file(p.name)
        return (order[kind.name] if kind else -1, p.name.lower())

    return sorted(dict.fromkeys(files), key=sort_key)


# yyyy-mm-dd, yyyymmdd or yyyy-mm, standing apart from other digits
_DATE_IN_NAME = re.compile(
    r"(?<!\d)(?:(\d{4})-(\d{2})-(\d{2})|(\d{4})(\d{2})(\d{2})|(\d{4})-(\d{2}))(?!\d)"
)
EXPORT_SUFFIXES = (".csv", ".xlsx")


def file_date(name: str, default: date, today: date | None = None) -> date:
    """The export's date from its name (yyyy-mm-dd, yyyymmdd, yyyy-mm = month end), or default.

    The date orders versions of rows for ever after, so a date that is not one
    (2026-13-45) or lies more than a day after `today` (a mistyped 2062 would win over
    every later export) refuses the file, rather than being guessed around.
    """
    match = _DATE_IN_NAME.search(name)
    if match is None:
        return default
    text, groups = match.group(0), match.groups()
    if groups[0]:
        year, month, day = (int(g) for g in groups[0:3])
    elif groups[3]:
        year, month, day = (int(g) for g in groups[3:6])
    else:
        year, month, day = int(groups[6]), int(groups[7]), None
    try:
        if day is not None:
            found = date(year, month, day)
        else:
            first = date(year, month, 1)  # month 00 or 13 is no month
            next_month = date(first.year + month // 12, month % 12 + 1, 1)
            found = date.fromordinal(next_month.toordinal() - 1)
    except (ValueError, OverflowError):
        raise FileRefused(f"the date in the file name, {text!r}, is not a valid date") from None
    if today is not None and (found - today).days > 1 and day is not None:
        raise FileRefused(
            f"the date in the file name, {text!r}, is after tomorrow ({today.isoformat()} "
            "is today): an export cannot come from the future"
        )
    if today is not None and day is None and (found.replace(day=1) - today).days > 1:
        raise FileRefused(
            f"the month in the file name, {text!r}, has not begun ({today.isoformat()} "
            "is today): an export cannot come from the future"
        )
    return found


def check_export_file(path: Path) -> None:
    """Refuse what is not a regular .csv or .xlsx file, before anything opens it (a FIFO
    would block the load, a link to /dev/zero would never end)."""
    if path.suffix.lower() not in EXPORT_SUFFIXES:
        raise FileRefused(
            f"unsupported file type {path.suffix or '(none)'!r}: exports are .csv or .xlsx"
        )
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            raise FileRefused(f"a link to a missing file ({os.readlink(path)})") from None
        raise FileRefused("the file disappeared before it was read") from None
    except OSError as error:
        raise FileRefused(f"cannot be read: {error.strerror}") from None
    if not stat.S_ISREG(mode):
        what = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode)
                or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a file")
        link = " (through a link)" if path.is_symlink() else ""
        raise FileRefused(f"not a regular file but {what}{link}: not an export")


def match_headers(kind: SourceKind, headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """Contract column -> cell index; refuse missing or repeated columns; list the extras."""
    wanted = columns(kind.model)
    known = {c.header_key for c in wanted}
    index_by_key: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = normalise_header(header)
        # a repeated contract column is ambiguous; a repeated extra column is ignored like any
        if key in known and key in index_by_key:
            raise FileRefused(f"column {header.strip()!r} appears twice in the header", line=1,
                              column=header.strip())
        index_by_key.setdefault(key, index)
    missing = [c.header for c in wanted if c.header_key not in index_by_key]
    if missing:
        names = ", ".join(repr(m) for m in missing)
        raise FileRefused(f"missing column {names}", line=1, column=missing[0])
    extras = list(dict.fromkeys(
        h.strip() for h in headers if normalise_header(h) not in known and h.strip()
    ))
    return {c.name: index_by_key[c.header_key] for c in wanted}, extras


def _order_expression(kind: SourceKind, alias: str) -> str:
    """The version order of a key: the kind's own time, then the export date, load, line
    (one number, sql/schema/00_macros.sql's version_rank; version_* read its lineage back)."""
    changed = f"{alias}.{kind.version_order}" if kind.version_order else "null"
    return f"version_rank({changed}, {alias}.file_date, {alias}.load_id, {alias}.line)"


def _arrivals_table(kind: SourceKind) -> str:
    """The temporary table where a load notes the newest version of each key of each file."""
    return f"{kind.name}_arrivals"


def _pending_table(kind: SourceKind) -> str:
    """The temporary table where a history kind's valid rows wait to be written as history."""
    return f"{kind.name}_pending"


def _write_history(con: duckdb.DuckDBPyConnection, kind: SourceKind) -> None:
    """Write the waiting rows' distinct versions to the history, and empty the waiting table.

    Every distinct version is history; the same version sent again (in an earlier load, or
    earlier in this one) is not repeated. Narrow (key, hash, row id) triples are matched
    against the history first (an inner join, so the history scan is filtered by the
    waiting keys), and only the new versions are joined back to the wide rows.
    """
    pending, key = _pending_table(kind), ", ".join(kind.key)
    if not temp_table_exists(con, pending):
        return
    history_match = " and ".join(
        [f"history.{k} = first_copy.{k}" for k in kind.key]
        + ["history.row_hash = first_copy.row_hash"]
    )
    con.execute(ingest_statement("write_history", kind=kind.name, key=key, pending=pending,
                                 history_match=history_match))
    con.execute(f"drop table {pending}")


def settle_current(con: duckdb.DuckDBPyConnection, results: Iterable[FileResult] = ()) -> bool:
    """Make current the newest version of every key the load's files brought; count per file.

    A history kind's file only notes, per key, its newest version (`_arrivals_table`). Here,
    once per load, each noted version is `loaded` when it is newer than every version of its
    key before it: the current row, and the versions of the files loaded before in this load
    (load ids grow with load order). The newest of each key replaces the current row,
    built from the version with its hash and given its own lineage. The loaded rows of each
    file go to the load log and to its result (superseded: the file's other valid rows).
    Returns whether any file was settled.
    """
    loaded: dict[int, int] = {}
    for kind in KINDS:
        arrivals = _arrivals_table(kind)
        if not temp_table_exists(con, arrivals):
            continue
        key = ", ".join(kind.key)
        con.execute("begin transaction")
        _write_history(con, kind)
        con.execute(ingest_statement("settle_versions", kind=kind.name, key=key,
                                     arrivals=arrivals,
                                     current_order=_order_expression(kind, "current")))
        con.execute(ingest_statement("settle_winners", key=key))
        _replace_current(con, kind)
        con.execute(ingest_statement("settle_current_rows", kind=kind.name, key=key,
                                     order=", ".join(kind.stored_order or kind.key)))
        if kind.name == "claims":
            record_changed_claims(con)
        counts = con.execute(ingest_statement("settled_counts")).fetchall()
        con.execute(
            ingest_statement("load_log_settled"),
            {"load_ids": [c[0] for c in counts], "loaded": [c[1] for c in counts]},
        )
        con.execute(f"drop table {arrivals}; drop table settled; drop table winners")
        con.execute("commit")
        loaded.update(dict(counts))
    for result in results:
        if result.load_id in loaded:
            result.superseded += result.loaded - loaded[result.load_id]
            result.loaded = loaded[result.load_id]
    return bool(loaded)


def _replace_current(con: duckdb.DuckDBPyConnection, kind: SourceKind) -> None:
    """Delete the current rows of the keys in `winners`: their new versions replace them."""
    winner_match = " and ".join(f"core.{kind.name}.{k} = winners.{k}" for k in kind.key)
    con.execute(ingest_statement("replace_current", kind=kind.name, winner_match=winner_match))


def _staging(kind: SourceKind, positions: dict[str, int]) -> Select:
    """The SELECT the reader stages rows through: typed, checked, stamped with the load."""
    names = ", ".join(c.name for c in columns(kind.model))
    # a version's content hash, computed once: history compares versions by it
    row_hash = f", hash({names}) as row_hash" if kind.name in HISTORY_KINDS else ""

    def select(headers: list[str], source: str, numbered: bool, line_breaks: bool) -> str:
        staged = staging_select(kind, positions, headers, source, numbered, line_breaks)
        return f"""
            select
                staged.*,
                cast($load_id as integer) as load_id,
                cast($file_date as date) as file_date{row_hash}
            from ({staged}) as staged
        """

    return select


def _load_rows(con: duckdb.DuckDBPyConnection, kind: SourceKind, raw: RawFile,
               load_id: int, staged: str) -> tuple[int, int, int, int]:
    """Quarantine one file's staged rows, and version or upsert the valid ones.

    A history kind's rows are counted as loaded until settle_current counts them for real.

    Returns loaded, superseded, quarantined, and the rows with no value in any cell (only
    spaces or only delimiters): like blank lines, those are no records and are not counted.
    """
    names = [c.name for c in columns(kind.model)]
    column_list = ", ".join(names)
    key = ", ".join(kind.key)
    [(quarantined,)] = con.execute(
        ingest_statement("quarantine_staged", staged=staged),
        {"file_name": raw.path.name, "kind": kind.name},
    ).fetchall()
    if raw.rejected:
        import pyarrow as pa  # imported where used: most files have no rejected line

        rejected = pa.table({
            "line": pa.array([r.line for r in raw.rejected], pa.int64()),
            "text": pa.array([r.text for r in raw.rejected], pa.string()),
            "message": pa.array([r.message for r in raw.rejected], pa.string()),
        })
        con.register("rejected_lines", rejected)
        con.execute(
            ingest_statement("quarantine_rejected_lines"),
            {"load_id": load_id, "file_name": raw.path.name, "kind": kind.name},
        )
        con.unregister("rejected_lines")
    history = kind.name in HISTORY_KINDS
    con.execute(ingest_statement("valid_rows", columns=column_list, staged=staged,
                                 row_hash=", row_hash" if history else ""))
    (valid_count,) = con.execute("select count(*) from valid").fetchone()
    (no_value,) = con.execute(f"select count(*) from {staged} where no_value").fetchone()
    quarantined += len(raw.rejected)
    if history:
        # the file's valid rows wait with those of the files before it: the history is
        # written in few large inserts (a small insert leaves a part-filled row group,
        # which costs twice: when written and again at the checkpoint)
        pending = _pending_table(kind)
        con.execute(f"create temp table if not exists {pending} as select * from valid limit 0")
        con.execute(f"insert into {pending} select * from valid")
        [(waiting,)] = con.execute(f"select count(*) from {pending}").fetchall()
        if waiting >= PENDING_ROWS:
            _write_history(con, kind)
        # the rows that become current are chosen once, when every file is in (settle_current):
        # each file notes the newest version of each of its keys, narrow
        newest = ingest_statement("newest_versions", key=key,
                                  valid_order=_order_expression(kind, "valid"))
        arrivals = _arrivals_table(kind)
        con.execute(f"create temp table if not exists {arrivals} as {newest} limit 0")
        con.execute(f"insert into {arrivals} {newest}")
        con.execute("drop view valid")
        # provisional until settle_current: every valid row counted as loaded
        return valid_count, 0, quarantined, no_value
    # the newest line of each key wins unless the current row is as new or newer; matched
    # on narrow (key, order, line) triples: only the winners' keys and lines are kept, and
    # their wide rows go from the staged rows straight into the current table
    current_match = " and ".join(f"current.{k} = newest.{k}" for k in kind.key)
    con.execute(ingest_statement(
        "file_winners", kind=kind.name, key=key, current_match=current_match,
        valid_order=_order_expression(kind, "valid"),
        current_order=_order_expression(kind, "current"),
    ))
    _replace_current(con, kind)
    (loaded,) = con.execute("select count(*) from winners").fetchone()
    # every valid line wins in a file of distinct keys newer than the current rows (a full
    # device export): then no join picks them
    chosen = "" if loaded == valid_count else " semi join winners using (line)"
    con.execute(f"insert into core.{kind.name} by name select valid.* from valid{chosen}")
    con.execute("drop view valid")
    con.execute("drop table winners")
    return loaded, valid_count - loaded, quarantined, no_value


# Files are staged (read and checked) by other connections in this attached in-memory
# database, the next files while the current one is loaded: temporary tables are seen only
# by the connection that made them.
STAGE = "stage"
# Files staged ahead of the load, each by a connection of its own: two reads and the load
# keep two cores busy (more staged at once only contend for them).
STAGERS = 2
# A file this large is read by all threads even beside others: read by one, it would
# keep the load waiting while the other reader has caught up (two million devices).
PARALLEL_READ_BYTES = 128 * 2**20


@dataclass
class Staged:
    """A file read into a staging table, or the end of it (refused, known, no kind)."""

    result: FileResult
    kind: SourceKind | None = None
    table: str | None = None  # the staged rows (read_into), while the file has not ended
    raw: RawFile | None = None
    export_date: date | None = None
    started: datetime = field(default_factory=datetime.now)


def _refusal(path: Path, refused: FileRefused) -> str:
    where = path.name
    if refused.line is not None:
        where += f", line {refused.line}"
    if refused.column is not None:
        where += f", column {refused.column!r}"
    return f"{where}: {refused.message}"


def _already_loaded(con: duckdb.DuckDBPyConnection, result: FileResult, content_hash: str) -> bool:
    """Whether a file of this content was loaded before; if so its counts go to `result`."""
    previous = con.execute(ingest_statement("already_loaded"), [content_hash]).fetchone()
    if previous is None:
        return False
    result.read, result.loaded, result.superseded, result.quarantined = previous
    result.already_loaded = True
    return True


def stage_file(con: duckdb.DuckDBPyConnection, path: Path, today: date,
               database: str | None = None, load_id: int | None = None,
               parallel: bool = True) -> Staged:
    """Open, check and read one file into a staging table: a temporary table of `con`, or a
    table of the attached `database` (so that another connection can load it). The file's
    `load_id` is given when files are staged out of order, or taken from the sequence.

    Runs outside any transaction: the CSV reader may retry a failed statement.
    """
    kind = kind_for_file(path.name)
    staged = Staged(FileResult(file=str(path), kind=kind.name if kind else None), kind)
    result = staged.result
    if kind is None:
        prefixes = ", ".join(k.prefix for k in KINDS)
        result.error = f"{path.name}: the name matches no export kind (prefixes: {prefixes})"
        return staged
    opened: Opened | None = None
    try:
        check_export_file(path)
        # checked before the file is read: a refused date costs no parse
        staged.export_date = file_date(path.name, today, today)
        opened = open_export(path)
        if _already_loaded(con, result, opened.content_hash):
            return staged  # known by its hash: not read again
        positions, result.extra_columns = match_headers(kind, opened.headers)
        if load_id is None:
            [(load_id,)] = con.execute("select nextval('raw.load_id_seq')").fetchall()
        result.load_id = load_id
        table = f"staged_{load_id}"
        staged.table = f"{database}.{table}" if database else table
        staged.raw = read_into(con, opened, staged.table, _staging(kind, positions),
                               {"load_id": load_id, "file_date": staged.export_date}, parallel)
    except FileRefused as refused:
        if staged.table is not None:
            drop_raw(con, staged.table)
        staged.table = staged.raw = None
        result.error = _refusal(path, refused)
        result.load_id = None
    finally:
        if opened is not None:
            opened.discard()
    return staged


def load_staged(con: duckdb.DuckDBPyConnection, staged: Staged) -> FileResult:
    """Load one staged file in one transaction; a refused file is rolled back entirely."""
    result, raw, kind, path = staged.result, staged.raw, staged.kind, Path(staged.result.file)
    if raw is None or kind is None or staged.table is None:
        return result  # ended while staging
    try:
        # staged while the file before it loaded: the same content may have been loaded since
        if _already_loaded(con, result, raw.content_hash):
            result.load_id = None
            return result
        con.execute("begin transaction")
        try:
            result.loaded, result.superseded, result.quarantined, no_value = _load_rows(
                con, kind, raw, result.load_id, staged.table
            )
            result.read = raw.row_count + len(raw.rejected) - no_value
            con.execute(
                ingest_statement("load_log_insert"),
                [result.load_id, path.name, str(path.resolve()), raw.content_hash, kind.name,
                 raw.file_format, raw.encoding, raw.delimiter, staged.export_date, result.read,
                 result.loaded, result.superseded, result.quarantined, result.extra_columns,
                 staged.started, datetime.now()],
            )
            test_hook("mid-file")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    except FileRefused as refused:
        result.error = _refusal(path, refused)
        result.load_id = None
        result.read = result.loaded = result.superseded = result.quarantined = 0
    finally:
        # after the transaction: one transaction writes to one database only
        drop_raw(con, staged.table)
    return result


def load_file(con: duckdb.DuckDBPyConnection, path: Path, today: date) -> FileResult:
    """Stage and load one file on one connection (load_paths stages files ahead)."""
    return load_staged(con, stage_file(con, path, today))


class StagingAhead:
    """The files of a load staged ahead of it, in the stage database, STAGERS at once.

    Files staged side by side are each read by one thread: the reads and the load keep
    both cores busy, and a parallel read's coordination costs more than it gains (a full
    load: 4 s less work). A lone file, or a large one, is read by all threads.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, files: list[Path], sizes: list[int],
                 today: date, executor: ThreadPoolExecutor):
        self.con, self.files, self.sizes = con, files, sizes
        self.today, self.executor = today, executor
        self.readers: SimpleQueue[duckdb.DuckDBPyConnection] = SimpleQueue()
        self.opened = [con.cursor() for _ in range(STAGERS)]
        for reader in self.opened:
            self.readers.put(reader)
        self.upcoming: deque[Future[Staged]] = deque()
        self.submitted = 0

    def _stage(self, index: int, load_id: int) -> Staged:
        parallel = len(self.files) == 1 or self.sizes[index] >= PARALLEL_READ_BYTES
        reader = self.readers.get()
        try:
            return stage_file(reader, self.files[index], self.today, STAGE, load_id, parallel)
        finally:
            self.readers.put(reader)

    def _top_up(self) -> None:
        while self.submitted < len(self.files) and len(self.upcoming) < STAGERS:
            # load ids follow the files' order (settle_current orders versions by them),
            # whichever of the files staged at once is read first
            [(load_id,)] = self.con.execute("select nextval('raw.load_id_seq')").fetchall()
            self.upcoming.append(self.executor.submit(self._stage, self.submitted, load_id))
            self.submitted += 1

    def next(self) -> Staged:
        """The next file in load order, once staged; the files after it go on staging."""
        self._top_up()  # the first call submits the first files
        staged = self.upcoming.popleft().result()
        self._top_up()
        return staged

    def close(self) -> None:
        """Wait for the files being staged that will not be loaded (a connection must be
        idle before the session closes); their tables go with the in-memory database."""
        for future in self.upcoming:
            try:
                future.result()
            except BaseException:  # noqa: BLE001, S110 - the load is failing for another reason
                pass
        for reader in self.opened:
            reader.close()


def _size(path: Path) -> int:
    """A regular file's size; 0 for what is no file (refused when its turn comes)."""
    try:
        status = path.stat()
    except OSError:
        return 0
    return status.st_size if stat.S_ISREG(status.st_mode) else 0


def load_paths(
    paths: Iterable[Path], db: Path, progress: Progress | None = None
) -> list[FileResult]:
    """Load every export under `paths` into the warehouse at `db`, then swap it in."""
    files = expand_paths(paths)
    if not files:
        raise UsageError("no files to load")
    say = progress or (lambda message: None)
    results = []
    today = configured_today()
    # a load bigger than a quarter of the warehouse rebuilds its indexes rather than updating them
    sizes = [_size(path) for path in files]
    size = sum(sizes)
    bulk = not db.exists() or (size > BULK_LOAD_BYTES and size > db.stat().st_size // 4)
    with write_session(db, bulk=bulk) as session, ThreadPoolExecutor(STAGERS) as executor:
        con = session.con
        con.execute(f"attach ':memory:' as {STAGE}")
        ahead = StagingAhead(con, files, sizes, today, executor)
        try:
            for number, path in enumerate(files, start=1):
                began = time.perf_counter()
                result = load_staged(con, ahead.next())
                test_hook(f"after-file-{number}")
                results.append(result)
                if not (result.error or result.already_loaded):
                    session.record_change(result.kind)
                step = f"[{number}/{len(files)}] {_printable(path.name)}"
                if result.error:
                    say(f"{step}: REFUSED: {_printable(result.error)}")
                elif result.already_loaded:
                    say(f"{step}: already loaded, unchanged")
                else:
                    say(f"{step}: {result.read} rows ({time.perf_counter() - began:.1f} s)")
        finally:
            ahead.close()
        con.execute(f"detach {STAGE}")
        began = time.perf_counter()
        if settle_current(con, results):
            say(f"current rows chosen ({time.perf_counter() - began:.1f} s)")
    return results


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """Text for a terminal line: control characters (a file named with a line break or an
    escape sequence) shown as escapes, so that one file stays one line of the table."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def print_results(results: list[FileResult], out: TextIO | None = None) -> None:
    # sys.stdout is looked up at call time, so redirected output (and tests) see the table
    out = out or sys.stdout
    names = [_printable(Path(r.file).name) for r in results]
    width = max([len(name) for name in names] + [4])
    print(f"{'file':<{width}}  {'kind':<17} {'read':>9} {'loaded':>9} {'superseded':>10} "
          f"{'quarantined':>11}  note", file=out)
    totals = [0, 0, 0, 0]
    for name, r in zip(names, results, strict=True):
        note = r.error or ("already loaded: unchanged" if r.already_loaded else "")
        if r.extra_columns:
            extras = "extra columns ignored: " + ", ".join(r.extra_columns)
            note = f"{note}; {extras}" if note else extras
        print(f"{name:<{width}}  {r.kind or '-':<17} {r.read:>9} {r.loaded:>9} "
              f"{r.superseded:>10} {r.quarantined:>11}  {_printable(note)}", file=out)
        for i, value in enumerate((r.read, r.loaded, r.superseded, r.quarantined)):
            totals[i] += value
    print(f"{'total':<{width}}  {'':<17} {totals[0]:>9} {totals[1]:>9} {totals[2]:>10} "
          f"{totals[3]:>11}", file=out)
