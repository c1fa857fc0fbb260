"""The process's resident memory, for the log lines of the stages that hold the most.

Measured 2026-12-05 at state scale: the transform task's peak (about 1,060 MB) was the disclosure
control's absence family (about 600 MB while it is built and searched) on top of what the
process already holds; dbt's build itself peaks at 160 MB. Collecting garbage and trimming
glibc's heap after dbt (``malloc_trim``) changed the peak by less than 1 %, so it is not done.
Since 2026-12-06 the control searches its families in processes of its own (control.py), so a
task's memory is its process tree's (``tree_resident_mb``).
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


def tree_resident_mb() -> float | None:
    """The resident memory now of this process and every process it started, in MB (Linux)."""
    total, pending, seen = 0.0, ["self"], set()
    while pending:
        pid = pending.pop()
        mb = _status_mb("VmRSS:", pid)
        if mb is None:
            if pid == "self":
                return None
            continue  # a child that just ended
        total += mb
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            pending += [child for child in children if child not in seen]
            seen.update(children)
    return total


def _status_mb(field: str, pid: str = "self") -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    found = next((line for line in status if line.startswith(field)), None)
    return int(found.split()[1]) / 1024 if found else None
