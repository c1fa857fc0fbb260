"""The process's resident memory, for the log lines of the stages that hold the most.

Measured 2026-12-06 at state scale: the transform task's peak (about 1,060 MB) is the disclosure
control's absence family (about 600 MB while it is built and searched) on top of what the
process already holds; dbt's build itself peaks at 160 MB. Collecting garbage and trimming
glibc's heap after dbt (``malloc_trim``) changed the peak by less than 1 %, so it is not done.
"""

from __future__ import annotations

from pathlib import Path


def resident_mb() -> float | None:
    """This process's resident memory now, in MB (Linux), for log lines."""
    return _status_mb("VmRSS:")


def peak_resident_mb() -> float | None:
    """This process's peak resident memory so far, in MB (Linux's VmHWM).

    Not ``getrusage``: a spawned process's ``ru_maxrss`` starts from its parent's peak at the
    fork before the exec, so every task would seem as large as the process that started it.
    """
    return _status_mb("VmHWM:")


def _status_mb(field: str) -> float | None:
    try:
        status = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return None
    found = next((line for line in status if line.startswith(field)), None)
    return int(found.split()[1]) / 1024 if found else None
