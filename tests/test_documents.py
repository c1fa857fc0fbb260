"""The document reader: text out of .md, .txt, .docx and text PDFs; clear reasons for the rest."""

from __future__ import annotations

import io
import struct
import zlib

import docx
import pytest
from fpdf import FPDF

from culture_warehouse.readers.documents import NO_TEXT_LAYER, DocumentError, extract_text

MINUTES = "Udvalg: SU\nEnhed: Økonomikontoret (1200)\nDato: 12.03.2026\nPunkt 1 Sygefravær"


def text_pdf(lines: list[str]) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def tiny_png() -> bytes:
    """A 4x4 grey PNG written by hand, so the scan fixture needs no imaging library."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    pixels = b"".join(b"\x00" + b"\x80\x80\x80" * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["referat.md", "referat.txt", "REFERAT.TXT"])
def test_markdown_and_text_files_are_read_as_utf8(name: str) -> None:
    assert extract_text(name, MINUTES.encode()) == MINUTES


def test_utf8_byte_order_mark_is_dropped() -> None:
    assert extract_text("referat.txt", b"\xef\xbb\xbf" + MINUTES.encode()) == MINUTES


def test_windows_1252_text_is_decoded_when_it_is_not_utf8() -> None:
    assert extract_text("referat.txt", MINUTES.encode("cp1252")) == MINUTES


def test_windows_line_ends_become_newlines() -> None:
    assert extract_text("referat.md", b"Udvalg: SU\r\nEnhed: 1200\rDato: x") == (
        "Udvalg: SU\nEnhed: 1200\nDato: x"
    )


def test_utf16_text_is_rejected_with_the_encoding_named() -> None:
    with pytest.raises(DocumentError, match="UTF-16"):
        extract_text("referat.txt", "Udvalg: SU".encode("utf-16"))


def test_docx_paragraphs_headings_and_table_rows_are_read_in_document_order() -> None:
    document = docx.Document()
    document.add_heading("Referat af møde i SU", level=1)
    header = document.add_table(rows=2, cols=2)
    header.cell(0, 0).text, header.cell(0, 1).text = "Udvalg:", "SU"
    header.cell(1, 0).text = "Til stede:"
    header.cell(1, 1).text = "Anne (leder)"
    header.cell(1, 1).add_paragraph("Bo (TR)")
    document.add_heading("1. Valg af ordstyrer", level=2)
    document.add_paragraph("Beslutning: Godkendt.")

    assert extract_text("referat.docx", docx_bytes(document)).split("\n") == [
        "Referat af møde i SU",
        "Udvalg:\tSU",
        "Til stede:\tAnne (leder), Bo (TR)",
        "1. Valg af ordstyrer",
        "Beslutning: Godkendt.",
    ]


def test_docx_single_column_layout_table_is_read_like_paragraphs() -> None:
    document = docx.Document()
    box = document.add_table(rows=1, cols=1).cell(0, 0)
    box.text = "Punkt 1 Budget"
    box.add_paragraph("Beslutning: Vedtaget.")

    assert extract_text("referat.docx", docx_bytes(document)).split("\n") == [
        "Punkt 1 Budget",
        "Beslutning: Vedtaget.",
    ]


def test_docx_merged_cells_are_read_once() -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.cell(0, 0).text = "Enhed:"
    merged = table.cell(0, 1).merge(table.cell(0, 2))
    merged.text = "1200"

    assert extract_text("referat.docx", docx_bytes(document)) == "Enhed:\t1200"


def test_text_pdf_is_read_from_its_text_layer() -> None:
    lines = ["Udvalg: SU", "Enhed: Økonomikontoret (1200)", "Punkt 1: Sygefraværet"]

    assert extract_text("referat.pdf", text_pdf(lines)).split("\n") == lines


def test_scanned_pdf_with_only_an_image_is_rejected_as_having_no_text_layer() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(tiny_png()), x=10, y=10, w=150)

    with pytest.raises(DocumentError) as raised:
        extract_text("scan.pdf", bytes(pdf.output()))
    assert str(raised.value) == NO_TEXT_LAYER
    assert str(raised.value) == "PDF has no text layer (scanned image?): cannot read minutes"


def test_pdf_with_only_drawings_is_rejected_as_having_no_text_layer() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 100, 150, style="F")

    with pytest.raises(DocumentError, match="no text layer"):
        extract_text("scan.pdf", bytes(pdf.output()))


@pytest.mark.parametrize(
    "data",
    [b"Udvalg: SU Anne Hansen 010190-1235", b"PK\x03\x04 truncated Anne Hansen", b""],
    ids=["plain-text", "broken-zip", "empty"],
)
def test_corrupt_docx_is_rejected_without_quoting_the_file(data: bytes) -> None:
    with pytest.raises(DocumentError, match="corrupt or not a Word document") as raised:
        extract_text("referat.docx", data)
    assert "Anne" not in str(raised.value)
    assert raised.value.__cause__ is None


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4 Anne Hansen", b"Anne Hansen", text_pdf(["Udvalg: SU"])[:300]],
    ids=["header-only", "not-a-pdf", "truncated"],
)
def test_corrupt_pdf_is_rejected_without_quoting_the_file(data: bytes) -> None:
    with pytest.raises(DocumentError, match="corrupt or not a PDF") as raised:
        extract_text("referat.pdf", data)
    assert "Anne" not in str(raised.value)


@pytest.mark.parametrize("name", ["referat.doc", "referat.odt", "referat"])
def test_unsupported_document_type_is_rejected(name: str) -> None:
    with pytest.raises(DocumentError, match=r"unsupported document type .*\.docx"):
        extract_text(name, MINUTES.encode())


def test_document_error_is_a_value_error_so_loaders_can_quarantine_it() -> None:
    assert issubclass(DocumentError, ValueError)
