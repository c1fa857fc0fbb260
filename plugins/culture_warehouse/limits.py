"""How large a delivered file may be, per file type, before the door refuses to read it.

A file over a limit is rejected with a reason naming the limit; nothing of it is expanded. The
defaults leave ample room above real state-scale deliveries (at 190,000 employees the largest
CSV is 39 MB with 275,000 rows of under 400 characters and 45 columns; an XLSX sheet expands about
10×, a minutes .docx about 25×) and each can be changed with an environment variable
``CULTURE_LIMIT_<NAME>`` (e.g. ``CULTURE_LIMIT_CSV_MAX_ROWS=10000000``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

_MIB = 1 << 20


@dataclass(frozen=True)
class DoorLimits:
    csv_max_bytes: int = 1024 * _MIB
    csv_max_rows: int = 5_000_000
    max_line_chars: int = 1_000_000
    max_columns: int = 1_000
    xlsx_max_bytes: int = 256 * _MIB
    xlsx_max_rows: int = 500_000
    zip_max_expanded_bytes: int = 1024 * _MIB
    zip_max_ratio: int = 100
    xlsx_max_loaded_part_bytes: int = 256 * _MIB
    docx_max_bytes: int = 50 * _MIB
    docx_max_expanded_bytes: int = 200 * _MIB
    pdf_max_bytes: int = 50 * _MIB
    pdf_max_pages: int = 2_000
    text_max_bytes: int = 10 * _MIB

    @classmethod
    def from_environment(cls) -> DoorLimits:
        """The defaults, with every ``CULTURE_LIMIT_<NAME>`` that is set taking precedence."""
        changes: dict[str, int] = {}
        for field in fields(cls):
            raw = os.environ.get(f"CULTURE_LIMIT_{field.name.upper()}", "").replace("_", "").strip()
            if raw:
                if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
                    raise ValueError(f"CULTURE_LIMIT_{field.name.upper()} must be a positive whole number")
                changes[field.name] = int(raw)
        return replace(cls(), **changes)

    def max_bytes(self, file_name: str) -> int:
        """The largest file accepted under this name (its suffix decides the type)."""
        suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
        by_suffix = {
            "xlsx": self.xlsx_max_bytes,
            "docx": self.docx_max_bytes,
            "pdf": self.pdf_max_bytes,
            "md": self.text_max_bytes,
            "txt": self.text_max_bytes,
        }
        return by_suffix.get(suffix, self.csv_max_bytes)


def door_limits() -> DoorLimits:
    return DoorLimits.from_environment()
