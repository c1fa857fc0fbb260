"""The synthetic landing drop: complete, messy in every way the contracts promise, deterministic.

Files are read here with the standard library only (and openpyxl/pypdf), never with the
pipeline's readers, so these tests say what the generator writes, not what the pipeline accepts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from culture_dev.generate import GenerationSummary, generate_landing, mtu_files
from culture_dev.generate.__main__ import main
from culture_warehouse.privacy import contains_cpr
from culture_warehouse.sources.registry import FOLDERS

AS_OF = dt.date(2026, 10, 1)
EMPLOYEES = 600
LANDING_PATTERNS = {
    "hr": r"(employees|org_units|absence|mus|competence|mobility|performance)_\d{8}\.csv",
    "mtu": r"MTU\d{4}_(questions\.csv|invitations\.csv|responses\.(csv|xlsx))",
    "apv": r"apv_\d{8}\.(csv|xlsx)",
    "minutes": r".+\.(md|txt|docx|pdf)",
    "results": r"goals_\d{4}\.(csv|xlsx)",
}
DATE_FORMS = {
    "YYYY-MM-DD": r"\d{4}-\d{2}-\d{2}",
    "DD-MM-YYYY": r"\d{2}-\d{2}-\d{4}",
    "DD.MM.YYYY": r"\d{2}\.\d{2}\.\d{4}",
}


def decode(raw: bytes) -> tuple[str, str]:
    """Text and encoding the way a careful reader finds it: BOM, else UTF-8, else Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "cp1252"


def read_csv(path: Path) -> tuple[list[str], list[list[str]], str]:
    """Header, rows and delimiter of a generated CSV."""
    text, _ = decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows[0], rows[1:], delimiter


def column(path: Path, name: str) -> list[str]:
    header, rows, _ = read_csv(path)
    index = [h.strip().lower() for h in header].index(name)
    return [row[index] for row in rows]


def csv_files(landing: Path) -> list[Path]:
    return sorted(landing.rglob("*.csv"))


def all_fields(landing: Path) -> list[str]:
    return [field for path in csv_files(landing) for row in read_csv(path)[1] for field in row]


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    landing = tmp_path_factory.mktemp("drop") / "landing"
    return landing, generate_landing(landing, employees=EMPLOYEES, seed=11, as_of=AS_OF)


@pytest.fixture(scope="module")
def landing(drop: tuple[Path, GenerationSummary]) -> Path:
    return drop[0]


@pytest.fixture(scope="module")
def summary(drop: tuple[Path, GenerationSummary]) -> GenerationSummary:
    return drop[1]


def test_the_same_seed_writes_byte_identical_files(landing: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_landing(again, employees=EMPLOYEES, seed=11, as_of=AS_OF)
    first = {p.relative_to(landing): p.read_bytes() for p in landing.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_another_seed_writes_other_data(landing: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate_landing(other, employees=EMPLOYEES, seed=12, as_of=AS_OF)
    name = Path("hr/employees_20260930.csv")
    assert set(column(landing / name, "cpr")).isdisjoint(column(other / name, "cpr"))
    assert (landing / "apv/apv_20260930.csv").read_bytes() != (other / "apv/apv_20260930.csv").read_bytes()


def test_every_folder_and_file_pattern_of_the_landing_contract_is_present(
    landing: Path, summary: GenerationSummary
) -> None:
    for folder, pattern in LANDING_PATTERNS.items():
        names = [p.name for p in (landing / folder).iterdir()]
        assert names, folder
        assert [n for n in names if not re.fullmatch(pattern, n)] == [], folder
    hr_kinds = {p.name.split("_2")[0] for p in (landing / "hr").iterdir()}
    assert hr_kinds == {"employees", "org_units", "absence", "mus", "competence", "mobility", "performance"}
    assert {p.suffix for p in (landing / "minutes").iterdir()} == {".md", ".txt", ".docx", ".pdf"}
    for xlsx in ("mtu/*_responses.xlsx", "apv/*.xlsx", "results/*.xlsx"):
        assert list(landing.glob(xlsx)), xlsx
    assert sorted(summary.files) == sorted(str(p.relative_to(landing)) for p in landing.rglob("*.*"))
    assert {p.name.split("_")[0] for p in (landing / "mtu").iterdir()} == {"MTU2024", "MTU2026"}


def test_pdf_minutes_have_a_text_layer(landing: Path) -> None:
    for pdf in sorted((landing / "minutes").glob("*.pdf")):
        text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "Udvalg" in text, pdf.name
        assert re.search(r"Dato: +\S", text), pdf.name


def test_every_encoding_delimiter_and_header_style_occurs(landing: Path) -> None:
    decoded = [decode(p.read_bytes()) for p in csv_files(landing)]
    assert {encoding for _, encoding in decoded} == {"utf-8", "utf-8-sig", "cp1252"}
    assert any(re.search("[æøåÆØÅ]", text) for text, encoding in decoded if encoding == "cp1252")
    assert {read_csv(p)[2] for p in csv_files(landing)} == {";", ","}
    headers = [name for p in csv_files(landing) for name in read_csv(p)[0]]
    assert "EMPLOYEE_NUMBER" in headers or "ORG_UNIT_CODE" in headers
    assert any(name != name.strip() for name in headers)
    assert any(name[0].isupper() and name != name.upper() for name in headers)
    first_columns = {read_csv(p)[0][0].strip().lower() for p in (landing / "hr").glob("employees_*.csv")}
    assert len(first_columns) > 1, "column order never varies"


def test_every_value_spelling_occurs(landing: Path) -> None:
    fields = all_fields(landing)
    for form, pattern in DATE_FORMS.items():
        assert any(re.fullmatch(pattern, f) for f in fields), form
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", f) for f in fields)
    assert any(re.fullmatch(r"[\d.-]{10} \d{2}:\d{2}:\d{2}", f) for f in fields)
    assert any(re.fullmatch(r"\d+,\d+", f) for f in fields), "decimal comma"
    assert any(re.fullmatch(r"\d+\.\d+", f) for f in fields), "decimal point"
    assert any("\n" in f for f in fields), "quoted field with an embedded newline"
    spellings = {v for p in (landing / "hr").glob("employees_*.csv") for v in column(p, "is_manager")}
    assert spellings >= {"ja", "nej", "yes", "no", "true", "false", "1", "0", "J", "N", "Y"}


def test_an_unknown_extra_column_occurs(landing: Path) -> None:
    headers = {name.strip() for p in (landing / "hr").glob("employees_*.csv") for name in read_csv(p)[0]}
    assert "lønramme" in headers


def test_xlsx_keeps_unit_codes_as_numbers(landing: Path) -> None:
    (responses,) = landing.glob("mtu/*_responses.xlsx")
    sheet = openpyxl.load_workbook(responses, read_only=True).worksheets[0]
    header, first, *_ = sheet.iter_rows(max_row=3, values_only=True)
    code = first[[str(h).strip().lower() for h in header].index("org_unit_code")]
    assert isinstance(code, int)


def test_hr_export_holds_cpr_and_name_columns_that_the_pipeline_must_drop(
    landing: Path, summary: GenerationSummary
) -> None:
    header = {h.strip().lower() for h in read_csv(landing / "hr/employees_20260930.csv")[0]}
    assert {"cpr", "first_name", "last_name"} <= header
    cprs = column(landing / "hr/employees_20260930.csv", "cpr")
    assert any(re.fullmatch(r"\d{6}-\d{4}", c) for c in cprs)
    assert any(re.fullmatch(r"\d{10}", c) for c in cprs)
    assert not all(_passes_modulus_11(c) for c in cprs), "some numbers must fail modulus 11"
    assert set(cprs) <= set(summary.truth["cprs"])
    last_names = column(landing / "hr/employees_20260930.csv", "last_name")
    assert set(last_names) <= set(summary.truth["last_names"])
    assert any(re.search("[æøå]", name) for name in last_names)


def _passes_modulus_11(cpr: str) -> bool:
    digits = [int(c) for c in cpr.replace("-", "")]
    return sum(w * d for w, d in zip((4, 3, 2, 7, 6, 5, 4, 3, 2, 1), digits, strict=True)) % 11 == 0


def test_free_text_of_apv_and_minutes_holds_cpr_numbers(landing: Path, summary: GenerationSummary) -> None:
    descriptions = [d for p in landing.glob("apv/*.csv") for d in column(p, "description")]
    assert any(contains_cpr(d) for d in descriptions)
    minutes = [
        p.read_text(encoding="utf-8") for p in landing.glob("minutes/*.*") if p.suffix in (".md", ".txt")
    ]
    assert any(contains_cpr(text) for text in minutes)
    assert summary.truth["free_text_cprs"]


def test_truth_headcount_is_what_the_last_snapshot_says(landing: Path, summary: GenerationSummary) -> None:
    header, rows, _ = read_csv(landing / "hr/employees_20260930.csv")
    names = [h.strip().lower() for h in header]
    day = dt.date(2026, 9, 30)
    counted: Counter[str] = Counter()
    for row in rows:
        record = dict(zip(names, row, strict=True))
        hired = _date(record["hire_date"])
        ended = _date(record["termination_date"]) if record["termination_date"] else None
        if hired <= day and (ended is None or ended >= day):
            counted[record["org_unit_code"]] += 1
    assert dict(counted) == summary.truth["headcount_at"]["2026-09-30"]
    assert summary.employees == EMPLOYEES
    assert abs(sum(counted.values()) - EMPLOYEES) < EMPLOYEES * 0.05


def _date(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def test_the_org_tree_is_deep_and_changes_between_snapshots(
    landing: Path, summary: GenerationSummary
) -> None:
    parents: dict[str, str | None] = summary.truth["org_units"]

    def depth(code: str) -> int:
        parent = parents[code]
        return 1 if parent is None else 1 + depth(parent)

    assert max(depth(code) for code in parents) >= 4
    assert 12 <= EMPLOYEES / len(parents) <= 25
    first = {r[0]: r for r in _org_rows(landing / "hr/org_units_20231231.csv")}
    last = {r[0]: r for r in _org_rows(landing / "hr/org_units_20260930.csv")}
    assert set(first) - set(last), "a unit closed"
    assert any(first[c][1] != last[c][1] for c in last), "a unit renamed"
    assert any(first[c][2] != last[c][2] for c in last), "a unit moved"


def _org_rows(path: Path) -> list[tuple[str, str, str]]:
    codes, names, parents = (column(path, c) for c in ("org_unit_code", "name", "parent_code"))
    return list(zip(codes, names, parents, strict=True))


def test_survey_rounds_differ_and_carry_the_contracts_oddities(
    landing: Path, summary: GenerationSummary
) -> None:
    early = dict(zip(column(landing / "mtu/MTU2024_questions.csv", "question_code"),
                     column(landing / "mtu/MTU2024_questions.csv", "text_da"), strict=True))  # fmt: skip
    late = dict(zip(column(landing / "mtu/MTU2026_questions.csv", "question_code"),
                    column(landing / "mtu/MTU2026_questions.csv", "text_da"), strict=True))  # fmt: skip
    assert set(early) - set(late) and set(late) - set(early)
    assert any(late[code] != text for code, text in early.items() if code in late), "a reworded question"
    assert set(early.values()) & {text for code, text in late.items() if code not in early}, "a re-coded one"
    dimensions = set(column(landing / "mtu/MTU2026_questions.csv", "dimension"))
    assert len(dimensions) == 12
    header, rows, _ = read_csv(landing / "mtu/MTU2024_responses.csv")
    names = [h.strip() for h in header]
    answers = [row[i] for row in rows for i, n in enumerate(names) if re.fullmatch(r"Q\d+", n)]
    assert {"9", " 4 ", "4,0", ""} <= set(answers)
    assert any(a.strip() in {"0", "6", "7", "11", "12"} for a in answers), "an answer out of scale"
    reported = {row[[n.lower() for n in names].index("org_unit_code")] for row in rows}
    inner = set(summary.truth["org_units"].values())
    assert reported & inner and reported - inner, "respondents report under leaf and inner units"


def test_units_differ_visibly_in_trust(landing: Path) -> None:
    header, rows, _ = read_csv(landing / "mtu/MTU2024_responses.csv")
    names = [h.strip().lower() for h in header]
    unit, trust = names.index("org_unit_code"), names.index("q01")
    scores: dict[str, list[int]] = {}
    for row in rows:
        value = row[trust].strip().replace(",0", "")
        if value in {"1", "2", "3", "4", "5"}:
            scores.setdefault(row[unit], []).append(int(value))
    means = [sum(v) / len(v) for v in scores.values() if len(v) >= 10]
    assert max(means) - min(means) > 1.0


def test_the_command_line_prints_one_line_per_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path / "cli"), "--employees", "120", "--seed", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines[: len(FOLDERS)]] == list(FOLDERS)


@pytest.mark.slow
def test_twenty_thousand_employees_take_seconds(tmp_path: Path) -> None:
    started = time.perf_counter()
    summary = generate_landing(tmp_path / "big", employees=20_000, seed=1, as_of=AS_OF)
    assert time.perf_counter() - started < 20
    assert len(summary.truth["institutions"]) >= 2, "a ministry group at large scale"
    assert "cprs" not in summary.truth, "no per-employee lists at large scale"


def test_institutions_join_a_survey_group_while_it_stays_within_the_limit() -> None:
    assert mtu_files.survey_groups([90, 90, 50, 120, 300, 10], 200) == [[0, 1], [2, 3], [4], [5]]
    assert mtu_files.survey_groups([60_000] * 3, mtu_files.SURVEY_GROUP_EMPLOYEES) == [[0, 1, 2]]


@pytest.mark.slow
def test_a_drop_larger_than_a_survey_group_gives_each_group_its_own_rounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mtu_files, "SURVEY_GROUP_EMPLOYEES", 1)  # every institution a group
    landing = tmp_path / "groups"
    summary = generate_landing(landing, employees=20_000, seed=1, as_of=AS_OF)
    institutions = summary.truth["institutions"]
    rounds = summary.truth["survey_rounds"]
    assert sorted(rounds) == ["MTU2024", "MTU2024-2", "MTU2026", "MTU2026-2"]
    late_rounds = [rounds[f"MTU2026{tail}"]["institutions"] for tail in ("", "-2")]
    assert late_rounds == [[code] for code in institutions]
    assert rounds["MTU2026-2"]["opens"] < rounds["MTU2026"]["opens"]
    institution_of = {
        code.strip(): institution
        for snapshot in (landing / "hr").glob("org_units_*.csv")
        for code, institution in zip(
            column(snapshot, "org_unit_code"), column(snapshot, "institution_code"), strict=True
        )
    }
    for survey_id, round_truth in rounds.items():
        invited = column(landing / f"mtu/{survey_id}_invitations.csv", "org_unit_code")
        assert {institution_of.get(code.strip()) for code in invited} <= set(round_truth["institutions"])
        assert len(list((landing / "mtu").glob(f"{survey_id}_responses.*"))) == 1
        assert round_truth["respondents"] > 1_000
