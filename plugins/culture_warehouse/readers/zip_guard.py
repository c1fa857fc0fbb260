"""Judge an XLSX or DOCX container (a zip) from its directory before anything in it is expanded.

A zip bomb declares a small file that expands to gigabytes; a workbook can declare a sheet of a
million rows (``<dimension ref="A1:J1000000"/>``) that openpyxl then pads out row by row. Both
are refused here from the zip's directory and the first bytes of each sheet. Python's
``zipfile`` never expands a member past its declared size (a member that lies fails its CRC
check), so the declared sizes are a true bound on what the readers can be made to expand.
"""

from __future__ import annotations

import re
import zipfile
from typing import IO

_SMALL_MEMBER = 1 << 20  # below this, a high compression ratio costs nothing
_DIMENSION = re.compile(
    rb"<(?:[A-Za-z0-9_]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([A-Z]{1,3})([0-9]{1,9})(?::([A-Z]{1,3})([0-9]{1,9}))?"
)
_SHEET_HEAD = 1 << 16


class ContainerRefused(ValueError):
    """The container is refused; the message gives sizes and limits, never content."""


def check_expansion(archive: zipfile.ZipFile, max_expanded: int, max_ratio: int) -> None:
    """Refuse a container whose members together expand past ``max_expanded`` bytes, or any
    sizeable member that expands more than ``max_ratio`` times."""
    total = 0
    for member in archive.infolist():
        total += member.file_size
        if total > max_expanded:
            raise ContainerRefused(f"expands to more than {max_expanded} bytes (a zip bomb?): not expanded")
        if member.file_size > _SMALL_MEMBER and member.file_size > max_ratio * max(member.compress_size, 1):
            raise ContainerRefused(
                f"a part expands {member.file_size // max(member.compress_size, 1)} times,"
                f" more than the limit of {max_ratio} (a zip bomb?): not expanded"
            )


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - ord("A") + 1)
    return number


def declared_sheet_sizes(archive: zipfile.ZipFile) -> list[tuple[int, int]]:
    """(rows, columns) every worksheet declares in its ``<dimension>``, read from its first bytes."""
    sizes: list[tuple[int, int]] = []
    for member in archive.infolist():
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        with archive.open(member) as sheet:
            head = sheet.read(_SHEET_HEAD)
        found = _DIMENSION.search(head)
        if found is None:
            continue
        last_column, last_row = found.group(3) or found.group(1), found.group(4) or found.group(2)
        sizes.append((int(last_row), column_number(last_column)))
    return sizes


def check_workbook(
    source: str | IO[bytes],
    max_expanded: int,
    max_ratio: int,
    max_rows: int,
    max_columns: int,
    max_loaded_part: int,
) -> None:
    """Refuse a workbook that would expand too far, declares a sheet past the row or column limit,
    or has a part openpyxl holds whole in memory (shared strings, styles) past ``max_loaded_part``;
    only worksheets are streamed."""
    with zipfile.ZipFile(source) as archive:
        check_expansion(archive, max_expanded, max_ratio)
        for member in archive.infolist():
            if not member.filename.startswith("xl/worksheets/") and member.file_size > max_loaded_part:
                # Part names come from the file: the reason does not repeat them.
                raise ContainerRefused(
                    f"a part read whole (shared strings, styles) expands to {member.file_size} bytes,"
                    f" more than the limit of {max_loaded_part}: not read"
                )
        for rows, columns in declared_sheet_sizes(archive):
            if rows > max_rows:
                raise ContainerRefused(
                    f"a sheet declares {rows} rows, more than the limit of {max_rows}: not read"
                )
            if columns > max_columns:
                raise ContainerRefused(
                    f"a sheet declares {columns} columns, more than the limit of {max_columns}: not read"
                )
