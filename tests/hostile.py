"""Hostile landing files, as an attacker with write access to the landing zone would plant them.

Every file carries ``PLANTED``, a name that must never reach a table, a log line, an alert or
XCom, however the file is refused.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import docx
from openpyxl import Workbook

PLANTED = "Plantedname Hostilesen"
BOMB_BYTES = 300 << 20  # expands 300 MB of zeros from a few hundred kilobytes
LONG_LINE_BYTES = 30 << 20


def write_outside_target(path: Path) -> Path:
    """A file outside the landing zone that a symlink inside points at."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "absence_id;employee_number;first_name;absence_type;start_date;workdays;last_modified\n"
        f"A1;E0001;{PLANTED};egen sygdom;2026-06-01;1;2026-06-02 08:00\n",
        encoding="utf-8",
    )
    return path


def write_long_line(path: Path) -> Path:
    """A CSV whose second line runs 30 MB without a newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.write(b"mobility_id;employee_number;mobility_type;start_date\n")
        out.write(f"M1;E0001;{PLANTED};".encode())
        block = b"A" * (1 << 20)
        for _ in range(LONG_LINE_BYTES // len(block)):
            out.write(block)
    return path


def write_nul_byte(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"activity_id;employee_number;hours;completed_on;title\n"
        b"C1;E0001;7,5;2026-05-01;Kursus\n" + f"C2;E0002;3;2026-05-02;{PLANTED}\x00\n".encode()
    )
    return path


def write_arabic_indic_digits(path: Path) -> Path:
    """A performance file whose second row rates with Arabic-Indic digits (٤ is 4)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "review_id;employee_number;first_name;period;rating\n"
        "R1;E0001;Anna;2025;4\n"
        f"R2;E0002;{PLANTED};2025;٤\n"
        "R3;E0003;Bo;2025;3\n",
        encoding="utf-8",
    )
    return path


def _rewrite_member(path: Path, member: str, change: dict[bytes, bytes]) -> None:
    """Rewrite one member of a zip container with byte replacements."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            if info.filename == member:
                for old, new in change.items():
                    assert old in data, old
                    data = data.replace(old, new)
            target.writestr(info, data)


def write_million_row_xlsx(path: Path) -> Path:
    """An APV workbook of two rows whose sheet declares a million rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["finding_id", "apv_round", "org_unit_code", "category", "identified_on", "status"])
    sheet.append(["F9", PLANTED, "1100", "psykisk", "2026-03-01", "åben"])
    workbook.save(path)
    with zipfile.ZipFile(path) as container:
        xml = container.read("xl/worksheets/sheet1.xml")
    declared = re.search(rb'<dimension ref="[^"]+"/>', xml)
    assert declared is not None
    _rewrite_member(path, "xl/worksheets/sheet1.xml", {declared.group(0): b'<dimension ref="A1:F1000000"/>'})
    return path


def write_name_in_error_xlsx(path: Path) -> Path:
    """A goals workbook whose numeric cell holds a name: openpyxl's error quotes the cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["goal_id", "org_unit_code", "year", "title", "achieved"])
    sheet.append(["G1", "1100", 2025, "Trivsel", "ja"])
    sheet.append(["G2", "1100", 2025, "Sygefravær", "nej"])
    workbook.save(path)
    _rewrite_member(path, "xl/worksheets/sheet1.xml", {b"<v>2025</v></c>": f"<v>{PLANTED}</v></c>".encode()})
    return path


def write_docx_bomb(path: Path, expanded: int = BOMB_BYTES) -> Path:
    """A minutes .docx with a member that expands to ``expanded`` bytes of zeros."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    document.add_paragraph(f"Udvalg: SU\nEnhed: 1100\nDato: 2026-05-04\nTil stede: {PLANTED}")
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as container,
        container.open("word/media/image1.bin", "w", force_zip64=True) as member,
    ):
        block = bytes(1 << 20)
        for _ in range(expanded // len(block)):
            member.write(block)
    return path


def plant_fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path
