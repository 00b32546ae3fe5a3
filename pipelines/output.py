"""Files the commands write (exports, reports): checked first, then written whole or not at all."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


class OutputError(Exception):
    """The output file cannot be written; the message names it and says why.

    `before_work`: refused by its name or folder before anything was computed (a usage
    error), rather than failing while written."""

    def __init__(self, message: str, before_work: bool = False) -> None:
        super().__init__(message)
        self.before_work = before_work


def check_output(out: Path, suffixes: tuple[str, ...]) -> None:
    """Refuse, before any work, an output whose name or folder cannot be what is asked.

    The suffix must be one the command writes (a CSV named .xlsx would be opened as a broken
    workbook), and the folder must exist: a mistyped path should fail, not grow folders.
    """
    if out.suffix.lower() not in suffixes:
        raise OutputError(
            f"cannot write {out.name!r}: the file name must end in " + " or ".join(suffixes),
            before_work=True,
        )
    parent = out.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise OutputError(f"cannot write {out}: the folder {parent} {what}", before_work=True)
    if out.is_dir():
        raise OutputError(f"cannot write {out}: it is a folder", before_work=True)


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new file in `directory` durable (the entry, not only the data)."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _is_special(out: Path) -> bool:
    """Whether `out` is a device, FIFO or socket: written in place, never replaced."""
    try:
        mode = out.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode)


@contextlib.contextmanager
def output_file(out: Path, encoding: str | None = None) -> Iterator[IO]:
    """A handle to write `out` through: text when `encoding` is given (newline="", the
    writer chooses its line ends), else bytes.

    A regular file is written as a temporary file beside it and renamed over it when the
    block ends, so a failed write (a full disk, an interrupt) leaves the earlier file as it
    was and no partial one; a device or FIFO (/dev/stdout) is written directly.
    """
    mode = "w" if encoding else "wb"
    text = {"encoding": encoding, "newline": ""} if encoding else {}
    try:
        if _is_special(out):
            with open(out, mode, **text) as handle:
                yield handle
            return
        descriptor, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp",
                                                 dir=out.parent)
        try:
            with os.fdopen(descriptor, mode, **text) as handle:
                yield handle
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise OutputError(f"cannot write {out}: {error.strerror or error}") from error


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
