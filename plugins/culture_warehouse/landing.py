"""The landing zone: list what the sources delivered, fingerprint it, and read it without changing it.

The location is a local folder or any fsspec URL (``s3://``, ``sftp://``…). Remote files are copied
to a private temporary file to be read; the landing zone itself is only ever read. Only regular
files within the size limit of their type are read (``landing_guard``, ``limits``): a local entry
must also really lie inside the landing root.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fsspec

from culture_warehouse.landing_guard import UnsafeFile, opened_inside, unread_fingerprint
from culture_warehouse.limits import DoorLimits, door_limits

_CHUNK = 1 << 20


@dataclass(frozen=True)
class LandingFile:
    """One delivered file; ``path`` is relative to the landing root, with ``/`` separators."""

    path: str
    size: int

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def folder(self) -> str:
        return self.path.split("/", 1)[0] if "/" in self.path else ""


class Landing:
    """Read-only access to a landing location."""

    def __init__(self, location: str, limits: DoorLimits | None = None) -> None:
        self.location = location
        self.limits = limits or door_limits()
        fs, root = fsspec.core.url_to_fs(location)
        self._fs: Any = fs
        self._root = str(root).rstrip("/")
        self.is_local = "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))

    def files(self) -> list[LandingFile]:
        """Every file under the root, sorted by path; hidden files and folders are skipped."""
        found: list[LandingFile] = []
        for full, info in sorted(self._fs.find(self._root, detail=True).items()):
            relative = str(full)[len(self._root) :].lstrip("/")
            if any(part.startswith(".") for part in relative.split("/")):
                continue
            found.append(LandingFile(path=relative, size=int(info.get("size") or 0)))
        return found

    def full_path(self, file: LandingFile) -> str:
        return f"{self._root}/{file.path}"

    @contextmanager
    def local_copy(self, file: LandingFile) -> Iterator[Path]:
        """A local path to read the file from: the checked file itself when local, else a
        temporary copy. Raises UnsafeFile (nothing read) for anything but a regular file
        inside the landing root and within its type's size limit."""
        limit = self.limits.max_bytes(file.name)
        if self.is_local:
            with opened_inside(self._root, self.full_path(file), limit) as path:
                yield path
            return
        with tempfile.TemporaryDirectory(prefix="culture-landing-") as folder:
            target = Path(folder) / file.name
            self._copy_remote(self.full_path(file), target, limit)
            yield target

    def _copy_remote(self, source: str, target: Path, limit: int) -> None:
        """Copy a remote regular file, never more than ``limit`` bytes of it."""
        info = self._fs.info(source)
        kind, size = str(info.get("type")), int(info.get("size") or 0)
        changed = str(info.get("mtime") or info.get("LastModified") or info.get("ETag") or "")
        fingerprint = unread_fingerprint(f"{source}\0{changed}", kind, size, 0)
        if kind != "file" or info.get("islink"):
            raise UnsafeFile(f"a {kind} entry, not a regular file: not read", fingerprint)
        if size > limit:
            raise UnsafeFile(
                f"{size} bytes, more than the limit of {limit} for this file type: not read", fingerprint
            )
        copied = 0
        with self._fs.open(source, "rb") as remote, target.open("wb") as local:
            while chunk := remote.read(_CHUNK):
                copied += len(chunk)
                if copied > limit:
                    raise UnsafeFile(f"more than the limit of {limit} bytes for this file type", fingerprint)
                local.write(chunk)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
