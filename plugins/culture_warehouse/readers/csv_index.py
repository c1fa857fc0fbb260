"""One byte pass over a delimited file: is it safe and plain enough for the columnar parser?

The pass reads the file in blocks (constant memory, NumPy over each block, no Python per line)
and finds, at once:

- the encoding: UTF-8 (with or without BOM) when every block decodes, else Windows-1252, whose
  five undefined bytes reject the file; UTF-16 is refused; a NUL byte rejects the file with its
  line;
- a line longer than the limit, before any parser holds it;
- where each record starts: a line end outside quotes ends a record, so a quoted value may run
  over several lines and the line numbers still name the physical line a record starts on;
- whether every quote sits where RFC 4180 allows it (opening a field, closing one, or doubled
  inside one) and every line ends in ``\\n`` or ``\\r\\n``. Only then does the quote count
  decide exactly where records end, the same way PyArrow's parser and Python's ``csv`` module
  do; otherwise the file is read by the exact, slower Python reader.

Records are numbered the way PyArrow numbers them: empty lines are not records.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

_BLOCK = 1 << 22
_QUOTE, _LF, _CR = 34, 10, 13
_CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


class ScanRejected(ValueError):
    """The bytes are not a text table this door reads; the message says why."""


@dataclass(frozen=True)
class CsvIndex:
    encoding: str
    plain: bool
    """Quotes and line ends follow RFC 4180, so ``record_lines`` matches any CSV parser."""
    record_lines: npt.NDArray[np.int64]
    """The physical line each non-empty record starts on; record 0 is the header."""
    unbalanced_at: int | None
    """The line of a quote that is never closed (a truncated file), when the file is plain."""


def scan_csv(path: Path, delimiter: str, max_line_bytes: int) -> CsvIndex:
    """Check and index a delimited file in one pass; raises ScanRejected for unreadable bytes."""
    scanner = _Scanner(ord(delimiter), max_line_bytes)
    with path.open("rb") as handle:
        first = True
        while block := handle.read(_BLOCK):
            if first:
                if block.startswith(codecs.BOM_UTF16_LE) or block.startswith(codecs.BOM_UTF16_BE):
                    raise ScanRejected("UTF-16 text: expected UTF-8 or Windows-1252")
                scanner.bom = len(codecs.BOM_UTF8) if block.startswith(codecs.BOM_UTF8) else 0
                first = False
            scanner.feed(block)
    return scanner.finish()


class _Scanner:
    def __init__(self, delimiter: int, max_line_bytes: int) -> None:
        self.delimiter = delimiter
        self.max_line_bytes = max_line_bytes
        self.bom = 0
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.utf8 = True
        self.cp1252_undefined = False
        self.plain = True
        self.offset = 0  # bytes before this block
        self.lines_before = 0  # line ends before this block
        self.quotes_before = 0
        self.line_start = 0  # offset where the current physical line starts
        self.last_byte = -1  # the byte before this block (-1 at the start of the file)
        self.pending_close = False  # the previous block ended in a closing quote
        self.ends: list[npt.NDArray[np.int64]] = []  # offsets of record-ending line feeds
        self.end_lines: list[npt.NDArray[np.int64]] = []  # the line each of them ends
        self.cr_before_end: list[npt.NDArray[np.bool_]] = []

    def feed(self, block: bytes) -> None:
        data = np.frombuffer(block, np.uint8)
        if b"\x00" in block:
            nul = block.index(b"\x00")
            line = self.lines_before + int(np.count_nonzero(data[:nul] == _LF)) + 1
            raise ScanRejected(
                f"a NUL byte at line {line} (binary content): expected UTF-8 or Windows-1252 text"
            )
        if self.utf8:
            try:
                self.decoder.decode(block)
            except UnicodeDecodeError:
                self.utf8 = False
        if not self.cp1252_undefined:
            self.cp1252_undefined = any(bytes((code,)) in block for code in _CP1252_UNDEFINED)
        feeds = np.flatnonzero(data == _LF).astype(np.int64)
        self._check_line_lengths(feeds, len(block))
        quotes = np.flatnonzero(data == _QUOTE).astype(np.int64)
        if self.plain:
            self._check_plain(data, block, feeds, quotes)
        parity = (np.searchsorted(quotes, feeds) + self.quotes_before) & 1
        record_ends = parity == 0
        self.ends.append(feeds[record_ends] + self.offset)
        self.end_lines.append(np.flatnonzero(record_ends).astype(np.int64) + self.lines_before + 1)
        before = feeds[record_ends] - 1
        cr = np.zeros(len(before), dtype=np.bool_)
        inside = before >= 0
        cr[inside] = data[before[inside]] == _CR
        cr[~inside] = self.last_byte == _CR
        self.cr_before_end.append(cr)
        self.quotes_before += len(quotes)
        self.lines_before += len(feeds)
        self.offset += len(block)
        self.last_byte = int(data[-1])

    def _check_line_lengths(self, feeds: npt.NDArray[np.int64], size: int) -> None:
        starts = np.concatenate(([self.line_start - self.offset], feeds + 1))
        stops = np.concatenate((feeds, [size]))
        lengths = stops - starts
        too_long = np.flatnonzero(lengths > self.max_line_bytes)
        if len(too_long):
            line = self.lines_before + int(too_long[0]) + 1
            raise ScanRejected(f"line {line} is longer than the limit of {self.max_line_bytes} bytes")
        if len(feeds):
            self.line_start = self.offset + int(feeds[-1]) + 1

    def _check_plain(
        self,
        data: npt.NDArray[np.uint8],
        block: bytes,
        feeds: npt.NDArray[np.int64],
        quotes: npt.NDArray[np.int64],
    ) -> None:
        # A lone \r ends a line in old Mac files: the exact reader counts those lines.
        # (NumPy: bytes.count of a two-byte pattern took a third of the pass.)
        after_cr = np.flatnonzero(data[:-1] == _CR) + 1
        lone = bool(np.any(data[after_cr] != _LF)) if len(after_cr) else False
        if lone or (self.last_byte == _CR and not block.startswith(b"\n")):
            self.plain = False
            return
        if self.pending_close and block[0] not in (self.delimiter, _LF, _CR, _QUOTE):
            self.plain = False
            return
        self.pending_close = False
        if not len(quotes):
            return
        opening = ((np.arange(len(quotes)) + self.quotes_before) & 1) == 0
        allowed = np.array([self.delimiter, _LF, _CR, _QUOTE], dtype=np.uint8)
        before = quotes - 1
        outside = self.last_byte if self.last_byte >= 0 else 0
        previous = np.where(before >= 0, data[np.maximum(before, 0)], outside)
        at_file_start = (quotes + self.offset) == self.bom
        open_ok = np.isin(previous, allowed) | at_file_start
        after = quotes + 1
        following = data[np.minimum(after, len(data) - 1)]
        close_ok = np.isin(following, allowed) | (after >= len(data))
        if not bool(np.all(open_ok[opening])) or not bool(np.all(close_ok[~opening])):
            self.plain = False
            return
        # A closing quote at the very end of the block is checked against the next block's first byte.
        self.pending_close = bool(quotes[-1] == len(data) - 1 and not opening[-1])

    def finish(self) -> CsvIndex:
        self.decoder_final()
        if self.utf8:
            encoding = "utf-8-sig" if self.bom else "utf-8"
        elif self.cp1252_undefined:
            raise ScanRejected("wrong encoding: neither UTF-8 nor Windows-1252 text")
        else:
            encoding = "cp1252"
        ends = np.concatenate(self.ends) if self.ends else np.zeros(0, np.int64)
        end_lines = np.concatenate(self.end_lines) if self.end_lines else np.zeros(0, np.int64)
        cr = np.concatenate(self.cr_before_end) if self.cr_before_end else np.zeros(0, np.bool_)
        starts = np.concatenate(([0], ends + 1))
        stops = np.concatenate((ends, [self.offset]))
        lengths = stops - starts - np.concatenate((cr, [self.last_byte == _CR])).astype(np.int64)
        lengths[0] -= self.bom
        start_lines = np.concatenate(([1], end_lines + 1))
        record_lines = start_lines[lengths > 0]
        unbalanced_at = None
        if self.quotes_before % 2:
            unbalanced_at = int(record_lines[-1]) if len(record_lines) else 1
        plain = self.plain and self.last_byte != _CR
        return CsvIndex(encoding, plain, record_lines, unbalanced_at)

    def decoder_final(self) -> None:
        if self.utf8:
            try:
                self.decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.utf8 = False
