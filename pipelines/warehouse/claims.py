"""Read claims: the warehouse files this host's readers hold, which no load may rewrite.

A load copies the served warehouse into the file the last load replaced (swap.py), in
place. A reader that opened that file before it was replaced may still be reading it,
so every read-only connection claims the files it may read, with an open file
description read lock, and a load rewrites a file only when it can lock it for writing.

Open file description locks, not record locks (DuckDB's own): a record lock is dropped
when its process closes any descriptor of the file, and does not stop its own process.
An open file description lock lasts until its descriptor is closed, and conflicts with
every other lock on the file, record locks included, whoever holds them.

Locks hold on this host only, or over a network mount that passes them through. A load
therefore rewrites nothing on a network file system, nor where `[warehouse]
reuse_replaced_file` is false (for readers on other hosts reading a local folder through
such a mount).
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path

# struct flock on Linux: type, whence, start, length (0: to the end), pid (0 for these
# locks), then the padding to its 32 bytes
_LOCK_REQUEST = "hhqqi4x"
# File systems whose files other hosts may read, whose locks may never reach them.
NETWORK_FILE_SYSTEMS = frozenset({
    "9p", "afs", "beegfs", "ceph", "cifs", "gfs2", "glusterfs", "gpfs", "lustre", "ncpfs",
    "nfs", "nfs4", "ocfs2", "smb3", "smbfs", "virtiofs",
})

FileId = tuple[int, int]  # (device, inode)


class Replaced(Exception):
    """The file at a path is being rewritten by a load: it is no longer the served one."""


def lock_file(descriptor: int, kind: int) -> bool | None:
    """Take an open file description lock on the whole file (fcntl.F_RDLCK or F_WRLCK)
    without waiting: True when taken, False when another holds a conflicting one, None
    when this system or file system has no such locks."""
    if not hasattr(fcntl, "F_OFD_SETLK"):
        return None
    request = struct.pack(_LOCK_REQUEST, kind, os.SEEK_SET, 0, 0, 0)
    try:
        fcntl.fcntl(descriptor, fcntl.F_OFD_SETLK, request)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EAGAIN):
            return False
        if error.errno in (errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOSYS):
            return None
        raise
    return True


def file_id(stat: os.stat_result) -> FileId:
    return stat.st_dev, stat.st_ino


@dataclass
class _Held:
    descriptor: int  # holding the read lock
    users: int  # connections claiming the file


@dataclass(frozen=True)
class Claim:
    """What one connection claims: the file at its path when it opened it, and the files
    earlier connections to the same path held then."""

    path: str
    opened: FileId
    files: tuple[FileId, ...]

    def still_served(self) -> bool:
        """Whether the file claimed at the path is still the one there."""
        try:
            return file_id(os.stat(self.path)) == self.opened
        except FileNotFoundError:
            return False


class ReadClaims:
    """The files this process's read-only connections may be reading, per warehouse path.

    DuckDB gives a new connection to a path the database it already has open for that
    path, which may be a file a load has replaced since. So a connection claims the file
    at its path and every file an earlier, still open connection to the path claimed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, dict[FileId, _Held]] = {}
        # claims of collected connections, let go under the lock by the next call: a
        # finalizer may run inside take() or release(), on the thread holding the lock
        self._released: deque[Claim] = deque()

    def take(self, path: Path) -> Claim | None:
        """Claim the file at `path` (and the path's other held files); None where files
        cannot be locked. Raises Replaced when a load is rewriting the file found there."""
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            taken = lock_file(descriptor, fcntl.F_RDLCK)
            opened = file_id(os.fstat(descriptor))
        except BaseException:
            os.close(descriptor)
            raise
        if not taken:
            os.close(descriptor)
            if taken is None:
                return None
            raise Replaced(str(path))
        key = _instance_key(path)
        with self._lock:
            self._let_go()
            files = self._held.setdefault(key, {})
            if opened in files:
                os.close(descriptor)  # its own lock goes; the held descriptor's stays
            else:
                files[opened] = _Held(descriptor, 0)
            for held in files.values():
                held.users += 1
            return Claim(key, opened, tuple(files))

    def release_later(self, claim: Claim) -> None:
        """Let go of `claim` at the next call (a connection's finalizer: it takes no lock)."""
        self._released.append(claim)

    def release(self, claim: Claim) -> None:
        """Let go of what `claim` claimed now; a file no connection claims is unlocked."""
        self._released.append(claim)
        with self._lock:
            self._let_go()

    def _let_go(self) -> None:
        while self._released:
            claim = self._released.popleft()
            files = self._held.get(claim.path, {})
            for claimed in claim.files:
                held = files[claimed]
                held.users -= 1
                if held.users == 0:
                    os.close(held.descriptor)
                    del files[claimed]
            if not files:
                self._held.pop(claim.path, None)

    def held(self, path: Path) -> set[FileId]:
        """The files claimed at `path` now (for tests and diagnostics)."""
        with self._lock:
            self._let_go()
            return set(self._held.get(_instance_key(path), {}))


claims = ReadClaims()


def _instance_key(path: Path) -> str:
    """The path as DuckDB keys the databases it has open: absolute, not resolved (two
    names of one file are two databases to it)."""
    return os.path.abspath(path)


def _unescape(field: str) -> str:
    """A mount point as /proc/self/mountinfo writes it (octal escapes for space, tab, ...)."""
    raw = field.encode("utf-8", "surrogateescape").decode("unicode_escape")
    return raw.encode("latin-1").decode("utf-8", "surrogateescape")


def file_system_type(path: Path, mountinfo: str | None = None) -> str | None:
    """The type of the file system `path` is on, from /proc/self/mountinfo; None where
    that cannot be read (not Linux). Raises ValueError for a table it cannot parse."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text(encoding="utf-8",
                                                               errors="surrogateescape")
        except OSError:
            return None
    target = os.path.abspath(path)
    best, found = -1, None
    for line in mountinfo.splitlines():
        fields, _, rest = line.partition(" - ")
        parts = fields.split()
        if len(parts) < 5 or not rest.split():
            raise ValueError(f"not a mountinfo line: {line!r}")
        mount_point = _unescape(parts[4])
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) > best:  # the innermost mount holding the path
            best, found = len(mount_point), rest.split()[0]
    return found


def on_network_file_system(path: Path, mountinfo: str | None = None) -> bool:
    """Whether `path` is on a network file system; True when that cannot be told."""
    try:
        kind = file_system_type(path, mountinfo)
    except (ValueError, UnicodeError):
        return True
    return kind is not None and (kind in NETWORK_FILE_SYSTEMS or kind.startswith("fuse"))
