"""Write the dbt node seconds the project ships (dbt_order.SHIPPED_SECONDS) from a bench's build.

    python -m culture_dev.node_profile BENCH_WORKDIR/run_results_full.json

A warehouse that has never built orders its first dbt build by these seconds (dbt_order.py).
Run it after ``culture bench --employees 190000`` when models were added or became much faster
or slower; the file is a plain JSON object, sorted, so its diff shows what changed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from culture_warehouse.dbt_order import SHIPPED_SECONDS, profile_from_run_results


def write_profile(run_results: Path, out: Path = SHIPPED_SECONDS) -> dict[str, float]:
    profile = profile_from_run_results(json.loads(run_results.read_text()))
    out.write_text(json.dumps(profile, indent=1, sort_keys=True) + "\n")
    return profile


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    profile = write_profile(Path(args[0]))
    print(f"{SHIPPED_SECONDS}: {len(profile)} nodes, {sum(profile.values()):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
