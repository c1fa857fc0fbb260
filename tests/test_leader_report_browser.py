"""The leaders' report of a night built from the acceptance drop, opened in headless Chromium.

The drop is read where it lies (``../shared/acceptance/drop/landing``), never copied. The report
is written by ``culture report`` logged in as a BI login (a member of ``culture_bi_reader``), and
every page is opened from its file in Debian's ``chromium`` over the DevTools protocol
(``tests/browser.py``; ``make test`` installs chromium when it is missing).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from PIL import Image

from browser import Chromium, chromium_path
from conftest import fresh_database
from culture_warehouse.cli import main
from nights import run_night

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ACCEPTANCE_LANDING = ROOT.parent / "shared" / "acceptance" / "drop" / "landing"
AS_OF = dt.date(2026, 10, 1)


def as_login(dsn: str, role: str) -> str:
    url = urlparse(dsn)
    return url._replace(netloc=f"{role}@{url.netloc.rpartition('@')[2]}").geturl()


class Report:
    def __init__(self, site: Path, bi_dsn: str) -> None:
        self.site = site
        self.bi_dsn = bi_dsn

    def scorecard(self) -> list[tuple[str, Decimal | None, bool | None, bool]]:
        """(unit, trust_index, mtu_suppressed, absence_suppressed) of the latest quarter, as BI reads it."""
        with psycopg.connect(self.bi_dsn) as conn:
            return conn.execute(
                "select s.org_unit_code, s.trust_index, s.mtu_suppressed, s.absence_suppressed"
                " from marts.culture_scorecard s join marts.dim_org_unit u using (org_unit_code)"
                " where u.is_current and s.period_end = (select max(period_end) from marts.culture_scorecard)"
                " order by 1"
            ).fetchall()

    def pages(self) -> list[Path]:
        return [self.site / "index.html", *sorted((self.site / "units").glob("*.html"))]


@pytest.fixture(scope="module")
def report(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Report]:
    if not ACCEPTANCE_LANDING.is_dir():
        pytest.skip(f"no acceptance drop at {ACCEPTANCE_LANDING}")
    site = tmp_path_factory.mktemp("report")
    with fresh_database(pg_server) as dsn, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CULTURE_WAREHOUSE_DSN", dsn)
        assert run_night(ACCEPTANCE_LANDING, AS_OF).published
        login = f"report_bi_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f"create role {login} login in role culture_bi_reader")
        try:
            bi_dsn = as_login(dsn, login)
            assert main(["report", "--dsn", bi_dsn, "--out", str(site)]) == 0
            yield Report(site, bi_dsn)
        finally:
            with psycopg.connect(dsn, autocommit=True) as admin:
                admin.execute(f"drop role {login}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    executable = chromium_path()
    if executable is None:
        pytest.fail("no chromium on this machine: `make browser` installs Debian's chromium")
    with Chromium(executable) as chromium:
        yield chromium


def test_every_page_loads_without_a_console_error_or_a_request_outside_its_file(
    report: Report, browser: Chromium
) -> None:
    pages = report.pages()
    assert len(pages) == 1 + 7  # the index and the acceptance agency's seven current units
    for page in pages:
        visit = browser.open(page.as_uri()).visit
        assert visit.requests == [page.as_uri()], page.name
        assert visit.console_errors == [], page.name
        assert visit.exceptions == [], page.name


def test_screenshots_of_the_index_and_a_unit_page_are_not_blank(
    report: Report, browser: Chromium, tmp_path: Path
) -> None:
    for page in (report.site / "index.html", report.site / "units" / "2100.html"):
        png = browser.open(page.as_uri()).screenshot()
        (tmp_path / f"{page.stem}.png").write_bytes(png)
        image = Image.open(io.BytesIO(png)).convert("RGB")
        assert image.width >= 1000 and image.height >= 900
        colours = image.getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 50, page.name  # text, charts, not one flat colour
        most_common = max(count for count, _ in colours)
        assert most_common < 0.9 * image.width * image.height, page.name


def test_the_trust_index_shown_for_a_unit_is_the_marts_figure_with_a_decimal_comma(
    report: Report, browser: Chromium
) -> None:
    shown = 0
    for unit, trust, suppressed, _ in report.scorecard():
        if suppressed or trust is None:
            continue
        expected = str(trust.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).replace(".", ",")
        tab = browser.open((report.site / "units" / f"{unit}.html").as_uri())
        text = tab.evaluate(
            f'document.querySelector(\'[data-figure="trust_index"][data-unit="{unit}"]\').textContent'
        )
        assert text == expected, unit
        shown += 1
    assert shown >= 4


def test_a_suppressed_cell_shows_the_suppression_text(report: Report, browser: Chromium) -> None:
    rows = report.scorecard()
    mtu_suppressed = [unit for unit, _, suppressed, _ in rows if suppressed]
    absence_suppressed = [unit for unit, _, _, suppressed in rows if suppressed]
    assert mtu_suppressed and absence_suppressed  # the drop has both
    index = browser.open((report.site / "index.html").as_uri())
    for unit in mtu_suppressed:
        for figure in ("trust_index", "social_capital_index", "enps"):
            selector = f'[data-figure="{figure}"][data-unit="{unit}"]'
            assert index.evaluate(f"document.querySelector('{selector}').textContent") == "for få svar"
        page = browser.open((report.site / "units" / f"{unit}.html").as_uri())
        cells = page.evaluate(
            "[...document.querySelectorAll('#headline [data-unit=\"" + unit + "\"]')].map(e => e.textContent)"
        )
        assert "for få svar" in cells and not any(c[:1].isdigit() for c in cells[:3]), (unit, cells)
    for unit in absence_suppressed:
        selector = f'[data-figure="sick_days_per_fte_12m"][data-unit="{unit}"]'
        assert index.evaluate(f"document.querySelector('{selector}').textContent") == "for få ansatte"


RUN_REPORT_DAG = """
import importlib.util, sys
from culture_warehouse.airflow_runner import _ensure_metadata_db, prepare_airflow_environment
prepare_airflow_environment()
from airflow.sdk import DAG
_ensure_metadata_db()
spec = importlib.util.spec_from_file_location("culture_report_dag", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
dag = next(v for v in vars(module).values() if isinstance(v, DAG) and v.dag_id == "culture_report")
run = dag.test()
print("state:", getattr(run.state, "value", run.state))
"""


def test_the_culture_report_dag_writes_the_same_site_as_the_command(report: Report, tmp_path: Path) -> None:
    """In a process of its own, as Airflow runs it: its configuration is read when Airflow loads."""
    environment = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "CULTURE_REPORT_DSN": report.bi_dsn,
        "CULTURE_REPORT_DIR": str(tmp_path / "site"),
    }
    (tmp_path / "airflow").mkdir()
    done = subprocess.run(
        [sys.executable, "-c", RUN_REPORT_DAG, str(ROOT / "dags" / "culture_report.py")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert "state: success" in done.stdout, done.stdout[-2000:] + done.stderr[-4000:]
    written = sorted(p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*.html"))
    assert written == sorted(p.relative_to(report.site) for p in report.pages())
    for relative in written:
        assert (tmp_path / "site" / relative).read_bytes() == (report.site / relative).read_bytes(), relative
