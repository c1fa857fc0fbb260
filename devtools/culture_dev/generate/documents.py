"""Meeting minutes as documents: plain text, Markdown, Word and PDF with a real text layer."""

from __future__ import annotations

import datetime as dt
import functools
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import docx
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from culture_dev.generate.formats import repack_zip

BlockKind = Literal["title", "heading", "line", "blank"]
FONT_FOLDERS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str = ""


@dataclass(frozen=True)
class Document:
    blocks: tuple[Block, ...]

    def as_text(self, markdown: bool) -> str:
        """Headings keep their `## ` in both: people type Markdown headings into .txt files too."""
        lines: list[str] = []
        for block in self.blocks:
            if block.kind == "title":
                lines.append(f"# {block.text}" if markdown else block.text)
            elif block.kind == "heading":
                lines.append(f"## {block.text}")
            else:
                lines.append(block.text)
        return "\n".join(lines) + "\n"


def write_docx(path: Path, document: Document, stamp: dt.datetime) -> None:
    word = docx.Document()
    properties = word.core_properties
    properties.created = stamp
    properties.modified = stamp
    properties.last_printed = stamp
    properties.author = "Sekretariatet"
    properties.last_modified_by = "Sekretariatet"
    for block in document.blocks:
        if block.kind == "title":
            word.add_heading(block.text, level=1)
        elif block.kind == "heading":
            word.add_heading(block.text, level=2)
        elif block.kind == "line":
            word.add_paragraph(block.text)
    buffer = io.BytesIO()
    word.save(buffer)
    path.write_bytes(repack_zip(buffer.getvalue(), stamp))


@functools.cache
def unicode_font() -> Path | None:
    """A TrueType font with Danish letters, when the machine has one (DejaVu Sans mostly does)."""
    for folder in FONT_FOLDERS:
        if folder.is_dir():
            for candidate in sorted(folder.rglob("DejaVuSans.ttf")):
                return candidate
    return None


def write_pdf(path: Path, document: Document, stamp: dt.datetime) -> None:
    """A text PDF. Every line is one cell (no wrapping), so extracted text keeps the lines whole."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_creation_date(stamp.replace(tzinfo=dt.UTC))
    pdf.set_title("Referat")
    pdf.set_author("Sekretariatet")
    font = unicode_font()
    if font is not None:
        pdf.add_font("Body", fname=str(font))
        family = "Body"
    else:
        family = "Helvetica"
    pdf.add_page()
    for block in document.blocks:
        text = block.text if font is not None else block.text.encode("latin-1", "replace").decode("latin-1")
        size = {"title": 14, "heading": 11}.get(block.kind, 9)
        pdf.set_font(family, size=size)
        pdf.cell(0, size * 0.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    path.write_bytes(bytes(pdf.output()))
