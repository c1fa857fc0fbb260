"""Open a landing file only when it is a regular file whose real path stays inside the landing root.

Anyone who can write to the landing zone can also plant a symbolic link to a file elsewhere on
the machine, a named pipe (opening it waits for a writer forever), a socket or a device. Such an
entry is refused with a reason and never opened: its kind and real path are checked with
``lstat``/``realpath`` first, then it is opened with ``O_NOFOLLOW | O_NONBLOCK`` and ``fstat``
must show the very regular file that was checked. On Linux the readers then read that verified
file through ``/proc/self/fd``, so an entry swapped after the check is never read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class UnsafeFile(Exception):
    """The entry is not read. ``fingerprint`` stands in for the SHA-256 of bytes never read."""

    def __init__(self, reason: str, fingerprint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fingerprint = fingerprint


def unread_fingerprint(path: str, kind: str, size: int, changed_ns: int) -> str:
    """A ledger fingerprint for an entry that was not read: the same entry gets the same one
    (so it is recorded once), a replaced entry another (so a fixed delivery is read)."""
    digest = hashlib.sha256(f"{path}\0{kind}\0{size}\0{changed_ns}".encode()).hexdigest()
    return f"unread:{digest}"


def kind_of(mode: int) -> str:
    """What an entry is, in words; ``a regular file`` is the only kind the door reads."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def is_inside(real_path: str, real_root: str) -> bool:
    return os.path.commonpath([real_path, real_root]) == real_root


@contextmanager
def opened_inside(root: str, path: str, max_bytes: int) -> Iterator[Path]:
    """A path reading the checked regular file ``path`` under ``root``; raises UnsafeFile."""
    real_root = os.path.realpath(root)
    try:
        entry = os.lstat(path)
    except FileNotFoundError:
        gone = unread_fingerprint(path, "gone", 0, 0)
        raise UnsafeFile("the file disappeared before it was read", gone) from None

    def refuse(reason: str, kind: str, size: int = entry.st_size) -> UnsafeFile:
        return UnsafeFile(reason, unread_fingerprint(path, kind, size, entry.st_mtime_ns))

    real = os.path.realpath(path)
    if not is_inside(real, real_root):
        raise refuse("a symbolic link to a file outside the landing zone: not read", "link out")
    try:
        target = Path(real).stat(follow_symlinks=False)
    except OSError:
        raise refuse("a symbolic link to nothing: not read", "dangling link") from None
    kind = kind_of(target.st_mode)
    if not stat.S_ISREG(target.st_mode):
        raise refuse(f"{kind}, not a regular file: not read", kind)
    if target.st_size > max_bytes:
        raise refuse(
            f"{target.st_size} bytes, more than the limit of {max_bytes} for this file type: not read",
            "too large",
            target.st_size,
        )
    try:
        descriptor = os.open(real, _OPEN_FLAGS)
    except OSError:
        raise refuse("the file changed while it was checked: not read", "changed") from None
    try:
        opened = os.fstat(descriptor)
        same = (opened.st_dev, opened.st_ino) == (target.st_dev, target.st_ino)
        if not stat.S_ISREG(opened.st_mode) or not same:
            raise refuse("the file changed while it was checked: not read", "changed")
        yield _reopenable(descriptor, real)
    finally:
        os.close(descriptor)


def _reopenable(descriptor: int, real: str) -> Path:
    """A path that opens the file behind ``descriptor`` itself, where the system offers one."""
    proc = Path(f"/proc/self/fd/{descriptor}")
    return proc if proc.exists() else Path(real)
