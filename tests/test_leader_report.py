"""The leaders' culture report without a night: numbers and dates in Danish and English, the
pages from a publication made by hand, and the BI role the report reads as.

A whole night from the acceptance drop, rendered and opened in Chromium, is in
``test_leader_report_browser.py`` (slow).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from culture_warehouse.leader_report import ReportRefused, build_report
from culture_warehouse.leader_report.language import long_date, month_label, number, signed
from culture_warehouse.leader_report.marts import AbsenceMonth, DimensionResult, Marts, Unit
from culture_warehouse.leader_report.site import page_name, write_site
from culture_warehouse.warehouse import BI_ROLE, bootstrap

PERIOD_END = dt.date(2026, 9, 30)


def test_danish_numbers_have_a_decimal_comma_and_english_ones_a_decimal_point() -> None:
    assert number(Decimal("1234.56"), "da") == "1.234,6"
    assert number(Decimal("1234.56"), "en") == "1,234.6"
    assert number(Decimal("61.85"), "da") == "61,9"  # half away from zero, as people round
    assert number(-14.2857, "da") == "−14,3"
    assert number(-0.04, "da") == "0,0"
    assert signed(Decimal("20.8333"), "da") == "+20,8"
    assert signed(0, "en") == "±0.0"


def test_dates_use_danish_month_names_by_default_and_english_ones_in_english() -> None:
    assert long_date(dt.date(2026, 10, 1), "da") == "1. oktober 2026"
    assert long_date(dt.date(2026, 10, 1), "en") == "1 October 2026"
    assert month_label(dt.date(2026, 5, 1), "da") == "maj 2026"
    assert month_label(dt.date(2026, 2, 1), "da") == "feb. 2026"
    assert month_label(dt.date(2026, 2, 1), "en") == "Feb 2026"


def scorecard_row(
    code: str, *, trust: str | None, suppressed: bool, absence_suppressed: bool
) -> dict[str, object]:
    figure = None if suppressed else Decimal(trust) if trust else None
    return {
        "org_unit_code": code,
        "period_end": PERIOD_END,
        "n_employees": 12,
        "mtu_survey_id": "MTU2026",
        "mtu_suppressed": suppressed,
        "mtu_n_respondents": 3 if suppressed else 9,
        "trust_index": figure,
        "tillid_delta": None if suppressed else Decimal("4.25"),
        "social_capital_index": figure,
        "enps": None if suppressed else Decimal("-12.5"),
        "response_rate_pct": None if suppressed else Decimal("90"),
        "sick_days_per_fte_12m": None if absence_suppressed else Decimal("7.04"),
        "absence_suppressed": absence_suppressed,
        "apv_open_findings": 2,
        "apv_overdue_actions": 1,
        "committee_meetings_12m": 4,
        "mtu_followed_up": True,
    }


def publication() -> Marts:
    """An institution, a department and two teams; one team too small to be shown."""
    units = {
        "1": Unit("1", "Styrelsen", None, "INST", 1, "1"),
        "10": Unit("10", "Afdeling <script>alert(1)</script>", "1", "INST", 2, "1/10"),
        "11": Unit("11", "Team Øst & Vest", "10", "INST", 3, "1/10/11"),
        "12": Unit("12", "Lille team", "10", "INST", 3, "1/10/12"),
    }
    scorecard = {
        "1": scorecard_row("1", trust="55.55", suppressed=False, absence_suppressed=False),
        "10": scorecard_row("10", trust="61.85", suppressed=False, absence_suppressed=False),
        "11": scorecard_row("11", trust="70.04", suppressed=False, absence_suppressed=False),
        "12": scorecard_row("12", trust=None, suppressed=True, absence_suppressed=True),
    }
    months = [dt.date(2025, m, 1) for m in range(10, 13)] + [dt.date(2026, m, 1) for m in range(1, 10)]
    absence = {
        code: [AbsenceMonth(m, None if code == "12" else Decimal("3.5"), code == "12") for m in months]
        for code in units
    }
    dimensions = {
        ("MTU2026", code): [
            DimensionResult("tillid", 9, None if code == "12" else Decimal("60"), code == "12"),
            DimensionResult("samarbejde", 9, None if code == "12" else Decimal("70"), code == "12"),
        ]
        for code in units
    }
    return Marts(
        period_end=PERIOD_END,
        built_for_night=dt.date(2026, 10, 1),
        units=units,
        scorecard=scorecard,
        dimensions=dimensions,
        absence=absence,
        absence_months=months,
    )


def cell(page: str, figure: str, unit: str) -> str:
    found = re.search(rf'data-figure="{figure}" data-unit="{unit}">([^<]*)<', page)
    assert found, (figure, unit)
    return found.group(1)


def test_a_unit_page_compares_the_unit_with_its_parent_and_the_institution(tmp_path: Path) -> None:
    site = write_site(publication(), tmp_path, "da")
    assert sorted(p.name for p in (tmp_path / "units").iterdir()) == [
        "1.html",
        "10.html",
        "11.html",
        "12.html",
    ]
    page = site.unit_pages["11"].read_text(encoding="utf-8")
    assert cell(page, "trust_index", "11") == "70,0"
    assert cell(page, "trust_index", "10") == "61,9"
    assert cell(page, "trust_index", "1") == "55,6"
    assert "1. oktober 2026" in page and "30. september 2026" in page
    assert page.count("<svg") == 2  # the MTU profile and the absence trend, inline


def test_a_suppressed_figure_says_too_few_responses_and_never_shows_a_number(tmp_path: Path) -> None:
    da = write_site(publication(), tmp_path / "da", "da").unit_pages["12"].read_text(encoding="utf-8")
    for figure in ("trust_index", "social_capital_index", "enps", "response_rate_pct", "tillid_score"):
        assert cell(da, figure, "12") == "for få svar", figure
    assert cell(da, "sick_days_per_fte_12m", "12") == "for få ansatte"
    assert cell(da, "mtu_n_respondents", "12") == "3"  # the group size stays visible
    en = write_site(publication(), tmp_path / "en", "en").unit_pages["12"].read_text(encoding="utf-8")
    assert cell(en, "trust_index", "12") == "too few responses"
    assert cell(en, "sick_days_per_fte_12m", "12") == "too few employees"


def test_the_index_lists_every_current_unit_with_its_figures_and_a_link(tmp_path: Path) -> None:
    index = write_site(publication(), tmp_path, "en").index.read_text(encoding="utf-8")
    for code in ("1", "10", "11", "12"):
        assert f'href="units/{code}.html"' in index
    assert cell(index, "trust_index", "10") == "61.9"
    assert cell(index, "trust_index", "12") == "too few responses"


def test_names_from_the_data_are_text_and_the_page_loads_nothing(tmp_path: Path) -> None:
    site = write_site(publication(), tmp_path, "da")
    for path in [site.index, *site.unit_pages.values()]:
        page = path.read_text(encoding="utf-8")
        assert "<script" not in page
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
        assert "@import" not in page and "url(http" not in page
    assert "Afdeling &lt;script&gt;alert(1)&lt;/script&gt;" in site.unit_pages["10"].read_text(
        encoding="utf-8"
    )
    assert "Team Øst &amp; Vest" in site.unit_pages["11"].read_text(encoding="utf-8")


def test_a_unit_code_that_is_no_plain_file_name_gets_a_page_inside_units() -> None:
    assert page_name("2100") == "2100.html"
    for code in ("../index", "a/b", "..", "", " x"):
        name = page_name(code)
        assert "/" not in name and name.startswith("unit-") and name.endswith(".html"), code


def test_pages_drawn_by_several_processes_are_the_same_bytes_as_by_one(tmp_path: Path) -> None:
    one = write_site(publication(), tmp_path / "one", "da", processes=1)
    two = write_site(publication(), tmp_path / "two", "da", processes=2)
    assert sorted(one.unit_pages) == sorted(two.unit_pages)
    for code, path in one.unit_pages.items():
        assert path.read_bytes() == two.unit_pages[code].read_bytes(), code


def test_a_unit_no_longer_current_loses_its_page(tmp_path: Path) -> None:
    write_site(publication(), tmp_path, "da")
    smaller = publication()
    del smaller.units["12"]
    write_site(smaller, tmp_path, "da")
    assert not (tmp_path / "units" / "12.html").exists()
    assert (tmp_path / "units" / "11.html").exists()


def test_the_report_refuses_a_login_that_cannot_take_the_bi_role(warehouse_dsn: str, tmp_path: Path) -> None:
    bootstrap(warehouse_dsn)
    login = f"report_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(warehouse_dsn, autocommit=True) as admin:
        admin.execute(f"create role {login} login")
        database = psycopg.conninfo.conninfo_to_dict(warehouse_dsn)["dbname"]
        admin.execute(f"grant connect on database {database} to {login}")
    try:
        url = re.sub(r"//[^@/]*@", f"//{login}@", warehouse_dsn)
        with pytest.raises(ReportRefused, match=f"cannot take that role.*{BI_ROLE}"):
            build_report(url, tmp_path, "da")
        assert not (tmp_path / "index.html").exists()
    finally:
        with psycopg.connect(warehouse_dsn, autocommit=True) as admin:
            admin.execute(f"drop owned by {login}")
            admin.execute(f"drop role {login}")


def test_the_report_of_a_warehouse_no_night_has_published_into_says_so_and_writes_nothing(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    bootstrap(warehouse_dsn)
    with pytest.raises(ReportRefused, match=r"no night has published the marts.*culture run"):
        build_report(warehouse_dsn, tmp_path, "da")
    assert not (tmp_path / "index.html").exists()
