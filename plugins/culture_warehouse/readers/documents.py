"""Read the text of a delivered document: Markdown, plain text, Word (.docx) or a text PDF.

The text is returned as lines in reading order and nothing is interpreted here; the minutes
parser decides what the lines mean. Reasons in ``DocumentError`` never quote the document, so
they can be recorded in the quarantine as they are. A .docx is judged from its zip directory
before it is expanded, a PDF by its page count, a text by its longest line (``limits``).
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Iterator

import docx
import pypdf
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from culture_warehouse.limits import DoorLimits, door_limits
from culture_warehouse.readers.zip_guard import ContainerRefused, check_expansion

SUPPORTED_SUFFIXES = (".md", ".txt", ".docx", ".pdf")
NO_TEXT_LAYER = "PDF has no text layer (scanned image?): cannot read minutes"


class DocumentError(ValueError):
    """The document cannot be read as text; the message says why without quoting it."""


def extract_text(name: str, data: bytes, limits: DoorLimits | None = None) -> str:
    """The document's text with ``\\n`` line ends; the file name's suffix decides the format."""
    limits = limits or door_limits()
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix in (".md", ".txt"):
        text = _decode_text(data)
    elif suffix == ".docx":
        text = _docx_text(data, limits)
    elif suffix == ".pdf":
        text = _pdf_text(data, limits)
    else:
        raise DocumentError(f"unsupported document type (expected one of {', '.join(SUPPORTED_SUFFIXES)})")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _check_lines(text, limits.max_line_chars)
    return text


def _check_lines(text: str, max_chars: int) -> None:
    if len(text) <= max_chars:
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > max_chars:
            raise DocumentError(f"line {number} is longer than the limit of {max_chars} characters")


def _decode_text(data: bytes) -> str:
    """UTF-8 with or without BOM, else Windows-1252: the same rule as the tabular reader."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DocumentError("UTF-16 text: expected UTF-8 or Windows-1252")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise DocumentError(
            f"a NUL byte at line {line} (binary content): expected UTF-8 or Windows-1252 text"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise DocumentError("wrong encoding: neither UTF-8 nor Windows-1252 text") from None


def _docx_text(data: bytes, limits: DoorLimits) -> str:
    # Parser exceptions can quote the XML they choke on, so only the exception's type is kept
    # and the chain is cut: the reason must be safe to store in the quarantine.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_expansion(archive, limits.docx_max_expanded_bytes, limits.zip_max_ratio)
    except ContainerRefused as refused:
        raise DocumentError(f".docx {refused}") from None
    except Exception as exc:
        raise DocumentError(
            f"cannot read .docx ({type(exc).__name__}): the file is corrupt or not a Word document"
        ) from None
    try:
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_block_lines(document.iter_inner_content()))
    except Exception as exc:
        raise DocumentError(
            f"cannot read .docx ({type(exc).__name__}): the file is corrupt or not a Word document"
        ) from None


def _block_lines(blocks: Iterator[Paragraph | Table]) -> Iterator[str]:
    """Paragraphs (headings included) and tables in document order."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        else:
            yield from _table_lines(block)


def _table_lines(table: Table) -> Iterator[str]:
    """One line per row, cells separated by a tab, so a ``Udvalg: | SU`` row stays one line.

    A row with a single cell is a layout box around ordinary text: its blocks are read as if
    they stood outside the table. Merged cells repeat in python-docx and are read once.
    """
    for row in table.rows:
        cells: list[_Cell] = []
        for cell in row.cells:
            if not any(cell._tc is seen._tc for seen in cells):
                cells.append(cell)
        if len(cells) == 1:
            yield from _block_lines(cells[0].iter_inner_content())
        else:
            # Paragraphs of one cell are joined with commas so that a list of people written
            # one per paragraph in a "Til stede" cell is still a list on one line.
            yield "\t".join(
                ", ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()) for cell in cells
            )


def _pdf_text(data: bytes, limits: DoorLimits) -> str:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("PDF is password-protected: cannot read minutes")
        if len(reader.pages) > limits.pdf_max_pages:
            raise DocumentError(
                f"PDF has {len(reader.pages)} pages, more than the limit of {limits.pdf_max_pages}"
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(
            f"cannot read PDF ({type(exc).__name__}): the file is corrupt or not a PDF"
        ) from None
    text = "\n".join(pages)
    if not text.strip():
        raise DocumentError(NO_TEXT_LAYER)
    return text
