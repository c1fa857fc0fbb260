"""`python -m culture_dev.generate --out DIR [--employees N] [--seed S] [--as-of DATE]`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from culture_dev.generate.landing import generate_landing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="culture generate", description="Write a synthetic landing drop.")
    parser.add_argument("--out", type=Path, required=True, help="landing folder to write")
    parser.add_argument("--employees", type=int, default=2000, help="headcount (default 2000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=dt.date(2026, 10, 1),
        help="the night the drop is loaded, YYYY-MM-DD (default 2026-10-01)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    summary = generate_landing(args.out, args.employees, args.seed, args.as_of)
    for folder, (files, rows) in summary.per_folder().items():
        print(f"{folder}: {files} files, {rows:,} rows")
    seconds = time.perf_counter() - started
    print(f"{summary.employees:,} employees in {summary.org_units:,} units, {seconds:.1f} s")
    return 0


# Only `python -m culture_dev.generate` runs it: a file imported as a top-level module (as Airflow
# imports every file of its plugins folder) has no package.
if __name__ == "__main__" and __package__:
    sys.exit(main())
