"""Small hand-made landing drops for tests that need a whole night but not much data."""

from __future__ import annotations

from pathlib import Path

ORG_UNITS = (
    "org_unit_code;name;parent_code;institution_code;unit_type\n"
    "1000;Styrelsen;;INST;institution\n"
    "1100;Kontor A;1000;INST;kontor\n"
    "1200;Kontor B;1000;INST;kontor\n"
)


def employees_csv(n_a: int, n_b: int, hired: str = "2020-01-01") -> str:
    lines = ["employee_number;cpr;first_name;last_name;org_unit_code;hire_date;termination_date;fte"]
    for number in range(n_a + n_b):
        unit = "1100" if number < n_a else "1200"
        lines.append(f"E{number:04d};010190-{1000 + number};Navn{number};Efternavn{number};{unit};{hired};;1")
    return "\n".join(lines) + "\n"


def write_hr_drop(landing: Path, extract: str = "20260630", n_a: int = 6, n_b: int = 4) -> Path:
    """An org tree and an employee snapshot taken on ``extract``."""
    hr = landing / "hr"
    hr.mkdir(parents=True, exist_ok=True)
    (hr / f"org_units_{extract}.csv").write_text(ORG_UNITS, encoding="utf-8")
    (hr / f"employees_{extract}.csv").write_text(employees_csv(n_a, n_b), encoding="utf-8")
    return landing
