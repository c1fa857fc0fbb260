"""The landing zone: list what the sources delivered, fingerprint it, and read it without changing it.

The location is a local folder or any fsspec URL (``s3://``, ``sftp://``…). Remote files are copied
to a private temporary file to be read; the landing zone itself is only ever read.
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

    def __init__(self, location: str) -> None:
        self.location = location
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
        """A local path to read the file from: the file itself when local, else a temporary copy."""
        if self.is_local:
            yield Path(self.full_path(file))
            return
        with tempfile.TemporaryDirectory(prefix="culture-landing-") as folder:
            target = Path(folder) / file.name
            self._fs.get_file(self.full_path(file), str(target))
            yield target


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
