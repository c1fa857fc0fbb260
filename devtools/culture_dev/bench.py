"""``make bench``: one night at the size of the Danish state, timed stage by stage.

A benchmark, not a test: it asserts nothing. It generates a landing drop, runs every stage of a
night against a private embedded PostgreSQL, then an incremental night, and compares our loader
with a bare ``COPY`` of the same rows and with ``pandas.DataFrame.to_sql``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import multiprocessing
import os
import platform
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from culture_warehouse.config import state_dir

T = TypeVar("T")
AS_OF = dt.date(2026, 10, 1)


@dataclass
class Timings:
    stages: list[tuple[str, float, str]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str, note: str = "") -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.stages.append((name, time.perf_counter() - started, note))
        print(f"  {name:<28} {self.stages[-1][1]:8.1f} s  {note}", flush=True)


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB (``getrusage`` where Linux's VmHWM is missing)."""
    from culture_warehouse.memory import peak_resident_mb

    peak = peak_resident_mb()
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_bench(
    employees: int, seed: int, workdir: Path | None, door_only: bool = False, loader_only: bool = False
) -> int:
    """Generate a drop and time a night on it (``door_only``: the door and the loader comparison;
    ``loader_only``: the loader comparison alone, the quick loop for work on the loader)."""
    from culture_dev.generate import generate_landing

    folder = workdir or state_dir() / "bench"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    landing = folder / "landing"
    print(f"culture bench: {employees:,} employees, seed {seed}, on {machine()}", flush=True)
    timings = Timings()
    with timings.stage("generate"):
        summary = generate_landing(landing, employees=employees, seed=seed, as_of=AS_OF)
    dsn = _private_server(folder)
    os.environ["CULTURE_WAREHOUSE_DSN"] = dsn
    os.environ.setdefault("CULTURE_PSEUDONYM_KEY", "bench-pseudonym-key-not-a-secret-0123456789")
    if loader_only:
        _load_comparison(landing, dsn)
        return 0
    serial_door, serial_peak = _serial_door(timings, landing, dsn)
    night_peak = _full_night(timings, landing, dsn, door_only)
    incremental_peak = 0.0 if door_only else _incremental_night(timings, landing)
    _load_comparison(landing, dsn)
    # The night itself: prepare, ingest, dbt, publish. Generating the drop, the parse-only pass,
    # the serial door and the GX re-run are measurements beside the night, not part of it.
    night_stages = ("prepare", "ingest,", "dbt build", "publish")
    total = sum(seconds for name, seconds, _ in timings.stages if name.startswith(night_stages))
    incremental = sum(seconds for name, seconds, _ in timings.stages if name.startswith("incr"))
    print(f"  files generated: {len(summary.files):,}")
    door = sum(seconds for name, seconds, _ in timings.stages if name.startswith("ingest,"))
    print(f"  the door (every ingest task, GX included), as the scheduler runs it: {door:.1f} s")
    print(f"  the door folder after folder in one process (as `culture run` runs it): {serial_door:.1f} s")
    if not door_only:
        print(f"  full night (without generate): {total:.1f} s; incremental night: {incremental:.1f} s")
    print(f"  peak memory of the night (its largest task process): {night_peak:,.0f} MB")
    print(f"  peak memory of the door in one process (as `culture run` loads): {serial_peak:,.0f} MB")
    if not door_only:
        print(f"  peak memory of the incremental night (with its workers): {incremental_peak:,.0f} MB")
    return 0


def machine() -> str:
    cores = os.cpu_count() or 0
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return f"{platform.machine()}, {cores} cores, {memory_gb:.0f} GB, Python {platform.python_version()}"


def _private_server(folder: Path) -> str:
    """An embedded PostgreSQL of its own, set up as ``culture run``'s (warehouse.EMBEDDED_SETTINGS)."""
    from culture_warehouse.warehouse import embedded_server

    data = Path(tempfile.mkdtemp(prefix="culture-bench-pg-"))
    (folder / "pgdata").write_text(str(data))
    return embedded_server(data, cleanup_mode="stop")


def _full_night(timings: Timings, landing: Path, dsn: str, door_only: bool = False) -> float:
    """The night as Airflow's scheduler runs it: every task in a process of its own, the ingest
    tasks side by side; each task's seconds and peak memory are printed."""
    from culture_warehouse.config import max_active_tasks
    from culture_warehouse.sources.registry import FOLDERS

    with timings.stage("read (parse only)"):
        rows = _read_everything(landing)
    timings.stages[-1] = (*timings.stages[-1][:2], f"{rows:,} rows")
    context = multiprocessing.get_context("spawn")
    with timings.stage("prepare"):
        peaks = [_apart(_night_task, "prepare", str(landing))[2]]
    # As the scheduler runs them: CULTURE_MAX_ACTIVE_TASKS at once (default: the cores), the
    # largest folder first, each task in a new process (Airflow starts one per task instance).
    at_once = max_active_tasks()
    with (
        timings.stage(f"ingest, {at_once} tasks at once"),
        ProcessPoolExecutor(max_workers=at_once, mp_context=context, max_tasks_per_child=1) as pool,
    ):
        jobs = {folder: pool.submit(_night_task, f"ingest {folder}", str(landing)) for folder in FOLDERS}
        tasks = {folder: job.result() for folder, job in jobs.items()}
    for folder, (seconds, note, peak) in tasks.items():
        print(f"    task ingest_{folder:<21} {seconds:8.1f} s  {note}", flush=True)
        peaks.append(peak)
    if door_only:
        return max(peaks)
    with timings.stage("validate (GX, re-run)"):
        suites = _revalidate(dsn)
    timings.stages[-1] = (*timings.stages[-1][:2], f"{suites} suite runs")
    for stage, task in (("dbt build", "transform"), ("publish", "publish")):
        with timings.stage(stage):
            seconds, note, peak = _apart(_night_task, task, str(landing))
        timings.stages[-1] = (*timings.stages[-1][:2], note)
        print(f"    task {task:<26} {note}", flush=True)
        if task == "transform":
            print(f"    {_split_of_transform(seconds, landing.parent, 'full')}", flush=True)
        peaks.append(peak)
    return max(peaks)


def _split_of_transform(seconds: float, folder: Path, night: str) -> str:
    """The dbt build's own elapsed time (its ``run_results.json``, kept beside the drop as
    ``run_results_<night>.json``, since the next build overwrites it) and the rest of the
    transform's seconds: the disclosure control, and the task's start."""
    from culture_warehouse.transform import dbt_target_dir

    results = dbt_target_dir() / "run_results.json"
    if not results.exists():
        return "dbt's run_results.json not found"
    kept = folder / f"run_results_{night}.json"
    shutil.copyfile(results, kept)
    elapsed = float(json.loads(kept.read_text())["elapsed_time"])
    rest = seconds - elapsed
    return f"of which dbt build {elapsed:.1f} s ({kept.name}), the rest (disclosure control) {rest:.1f} s"


def _apart(work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` in a new (spawned) process, as a task of the night runs: its memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(work, *args).result()


def _night_task(task: str, landing: str) -> tuple[float, str, float]:
    """One task of the night in its own process: its seconds, what it did and its peak memory."""
    from culture_warehouse import pipeline
    from culture_warehouse.config import min_group_size

    started = time.perf_counter()
    note = ""
    tree = _TreeMemory()  # with the processes the task starts (the disclosure control's workers)
    if task in ("transform", "publish"):  # the control's lines per family (seconds, memory): beside the drop
        logging.basicConfig(filename=Path(landing).parent / f"{task}.log", level=logging.INFO, force=True)
    if task == "prepare":
        pipeline.start_night(AS_OF, "bench_full", landing)
    elif task.startswith("ingest "):
        note = _loaded(pipeline.ingest(task.removeprefix("ingest "), AS_OF, "bench_full", landing)) + ", "
    elif task == "transform":
        pipeline.transform(AS_OF, "bench_full", min_group_size())
    else:
        pipeline.publish("bench_full")
    seconds = time.perf_counter() - started
    tree.stop()
    own = peak_rss_mb()
    if tree.peak <= own:
        return seconds, note + f"peak RSS {own:,.0f} MB", own
    return seconds, note + f"peak RSS {own:,.0f} MB, with its worker processes {tree.peak:,.0f} MB", tree.peak


class _TreeMemory:
    """The largest resident memory of this process and the processes it started, summed at the
    same moment: sampled every 0.2 s in a thread until ``stop``."""

    def __init__(self) -> None:
        import threading

        self.peak = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        from culture_warehouse.memory import tree_resident_mb

        while not self._done.wait(0.2):
            self.peak = max(self.peak, tree_resident_mb() or 0.0)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def _loaded(result: dict[str, object]) -> str:
    files = cast(list[dict[str, Any]], result["files"])
    rows = sum(int(f["rows_loaded"]) for f in files)
    return f"{len(files):,} files, {rows:,} rows"


def _serial_door(timings: Timings, landing: Path, dsn: str) -> tuple[float, float]:
    """The door folder after folder in one process of its own, as ``culture run`` runs it, into a
    warehouse of its own (dropped after): its seconds and that process's peak memory."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop database if exists bench_serial_door")
        conn.execute("create database bench_serial_door")
    serial_dsn = urlunsplit(urlsplit(dsn)._replace(path="/bench_serial_door"))
    stages, peak = _apart(_serial_door_work, str(landing), serial_dsn)
    door = 0.0
    for name, seconds, note in stages:
        timings.stages.append((name, seconds, note))
        print(f"  {name:<28} {seconds:8.1f} s  {note}", flush=True)
        door += seconds
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop database bench_serial_door with (force)")  # GX keeps its connections
    return door, peak


def _serial_door_work(landing: str, dsn: str) -> tuple[list[tuple[str, float, str]], float]:
    """The door in this (new) process: each folder's seconds and what it loaded, and the peak."""
    from culture_warehouse import pipeline
    from culture_warehouse.sources.registry import FOLDERS

    os.environ["CULTURE_WAREHOUSE_DSN"] = dsn
    tree = _TreeMemory()
    pipeline.start_night(AS_OF, "bench_serial", landing)
    stages = []
    for folder in FOLDERS:
        started = time.perf_counter()
        result = pipeline.ingest(folder, AS_OF, "bench_serial", landing)
        stages.append((f"serial door: ingest {folder}", time.perf_counter() - started, _loaded(result)))
    tree.stop()
    return stages, max(tree.peak, peak_rss_mb())


def _incremental_night(timings: Timings, landing: Path) -> float:
    """The next night brings one small absence delta; everything else is already loaded. Run as
    ``culture run`` runs a night, in one process of its own (transform and publish start theirs);
    returns that process's peak memory, with the processes it started."""
    next_night = AS_OF + dt.timedelta(days=1)
    delta = landing / "hr" / f"absence_{next_night:%Y%m%d}.csv"
    delta.write_text(
        "absence_id;employee_number;absence_type;start_date;end_date;workdays;deleted;last_modified\n"
        f"BENCH-1;E000001;egen sygdom;{AS_OF};{AS_OF};1;nej;{next_night} 02:00:00\n"
    )
    ingest, transform, publish, peak = _apart(_incremental_work, str(landing), next_night)
    timings.stages.append(("incremental ingest", ingest, ""))
    print(f"  {'incremental ingest':<28} {ingest:8.1f} s", flush=True)
    timings.stages.append(("incremental dbt + publish", transform + publish, ""))
    print(f"  {'incremental dbt + publish':<28} {transform + publish:8.1f} s", flush=True)
    print(f"    transform {transform:.1f} s, {_split_of_transform(transform, landing.parent, 'incremental')}")
    return peak


def _incremental_work(landing: str, night: dt.date) -> tuple[float, float, float, float]:
    """The incremental night in this (new) process: ingest, transform and publish seconds, peak."""
    from culture_warehouse import pipeline
    from culture_warehouse.config import min_group_size
    from culture_warehouse.sources.registry import FOLDERS

    tree = _TreeMemory()
    started = time.perf_counter()
    pipeline.start_night(night, "bench_incremental", landing)
    for folder in FOLDERS:
        pipeline.ingest(folder, night, "bench_incremental", landing)
    ingest = time.perf_counter() - started
    started = time.perf_counter()
    pipeline.transform(night, "bench_incremental", min_group_size())
    transform = time.perf_counter() - started
    started = time.perf_counter()
    pipeline.publish("bench_incremental")
    publish = time.perf_counter() - started
    tree.stop()
    return ingest, transform, publish, max(tree.peak, peak_rss_mb())


def _read_everything(landing: Path) -> int:
    """Parse and normalise every tabular file without a database: the reader's own cost."""
    from culture_warehouse.load import LoadOutcome, normalised_rows
    from culture_warehouse.readers.tabular import FileRejected, open_table
    from culture_warehouse.sources.registry import tabular_spec

    rows = 0
    for path in sorted(landing.rglob("*")):
        spec = tabular_spec(path.parent.name, path.name) if path.is_file() else None
        if spec is None:
            continue
        try:
            stream = open_table(path, path.name, spec.xlsx_allowed)
            rows += sum(1 for _ in normalised_rows(spec, stream, lambda n: n, LoadOutcome()))
        except FileRejected:
            continue
    return rows


def _revalidate(dsn: str) -> int:
    """Run every loaded file's suite again, to time validation on its own."""
    from culture_warehouse.sources.registry import ingestors
    from culture_warehouse.validate import has_suite, validate_query
    from culture_warehouse.warehouse import connect

    with connect(dsn) as conn:
        loads = conn.execute(
            "select load_id, source, entity from audit.load_ledger where status = 'loaded'"
        ).fetchall()
    known = ingestors()
    runs = 0
    for load_id, source, entity in loads:
        for suite, query in known[source].validation_queries(entity, load_id):
            if has_suite(suite):
                validate_query(dsn, suite, query, f"bench_{suite}_{load_id}")
                runs += 1
    return runs


_COMPARISON_KEY = b"bench-comparison-key-of-32-bytes"


def _largest_employee_file(landing: Path) -> Path:
    return max((landing / "hr").glob("employees_*.csv"), key=lambda p: p.stat().st_size)


def _load_comparison(landing: Path, dsn: str) -> None:
    """Our loader vs a bare COPY of the same rows vs pandas.to_sql, on the largest HR file.

    Each COPY is timed three times and the best kept (the first run of anything in a process pays
    its imports). Ours runs first, before the comparison holds the file's rows as Python objects
    (millions of them make the garbage collector slow down whatever runs beside), and each of its
    runs starts with a new pseudonymiser, so every employee number is hashed as on a first night.
    """
    import pandas as pd
    import sqlalchemy

    from culture_warehouse.ingest import Night
    from culture_warehouse.load import LoadOutcome, normalised_rows
    from culture_warehouse.privacy import Pseudonymiser
    from culture_warehouse.readers.tabular import open_table
    from culture_warehouse.sources.hr.contract import EMPLOYEES
    from culture_warehouse.tabular_ingest import load_table
    from culture_warehouse.warehouse import connect, sqlalchemy_url

    path = _largest_employee_file(landing)
    columns = [c.name for c in EMPLOYEES.columns]
    names = f"_load_id, _line, {', '.join(columns)}"
    with connect(dsn, autocommit=True) as conn:
        conn.execute("create schema if not exists raw")  # a warehouse no night has prepared (--loader-only)

        def ours_once(pseudonymise: Pseudonymiser | None = None) -> None:
            # A new pseudonymiser has hashed nothing yet: a night's first file.
            pseudonymise = pseudonymise or Pseudonymiser(_COMPARISON_KEY)
            night = Night(dsn=dsn, as_of=AS_OF, run_id="bench_compare", pseudonymise=pseudonymise)
            load_table(conn, EMPLOYEES, night, path, path.name, -1)

        def undo() -> None:
            conn.execute("delete from raw.hr_employees where _load_id = -1")

        ours = _best_of_three(ours_once, undo)
        # A later file of the night: its employees' numbers were hashed by an earlier file.
        hashed = Pseudonymiser(_COMPARISON_KEY)
        ours_once(hashed)
        undo()
        ours_later = _best_of_three(lambda: ours_once(hashed), undo)
        conn.execute("create schema if not exists bench")
        conn.execute("drop table if exists bench.bare; drop table if exists bench.to_sql")
        # The same table shape as ours (its BRIN index on _load_id included), so the comparison
        # is of the work before the rows reach the table, not of the table.
        conn.execute("create table bench.bare (like raw.hr_employees including indexes)")
        stream = open_table(path, path.name, False)
        same = Pseudonymiser(_COMPARISON_KEY)  # the rows bare COPY sends are the rows ours writes
        rows = [values for _, values in normalised_rows(EMPLOYEES, stream, same, LoadOutcome())]
        text = io.StringIO()
        for number, values in enumerate(rows):
            cells = ["\\N" if v is None else v.replace("\t", " ").replace("\n", " ") for v in values]
            text.write("-1\t" + str(number) + "\t" + "\t".join(cells) + "\n")
        payload = text.getvalue()

        def bare_copy() -> None:
            with conn.cursor() as cursor, cursor.copy(f"copy bench.bare ({names}) from stdin") as copy:
                copy.write(payload)

        bare = _best_of_three(bare_copy, lambda: conn.execute("truncate bench.bare"))
        binary = bytearray()
        bare_copy()
        export = f"copy bench.bare ({names}) to stdout (format binary)"
        with conn.cursor() as cursor, cursor.copy(export) as out:
            for block in out:
                binary += block
        conn.execute("truncate bench.bare")
        block = bytes(binary)

        def bare_binary_copy() -> None:
            statement = f"copy bench.bare ({names}) from stdin (format binary)"
            with conn.cursor() as cursor, cursor.copy(statement) as copy:
                copy.write(block)

        bare_binary = _best_of_three(bare_binary_copy, lambda: conn.execute("truncate bench.bare"))
    frame = pd.DataFrame(rows, columns=columns)
    engine = sqlalchemy.create_engine(sqlalchemy_url(dsn))
    to_sql = _timed(lambda: frame.to_sql("to_sql", engine, schema="bench", index=False, chunksize=10_000))
    engine.dispose()
    n = len(rows)
    print(f"  load comparison on {path.name} ({n:,} rows), best of three runs (to_sql: one):")
    print(f"    ours (read+normalise+pseudonymise+COPY) {ours:6.2f} s  {n / ours:10,.0f} rows/s")
    print(f"    ours, the numbers already hashed        {ours_later:6.2f} s  {n / ours_later:10,.0f} rows/s")
    print(f"    bare COPY of the same rows (text)      {bare:6.2f} s  {n / bare:10,.0f} rows/s")
    print(f"    bare COPY of the same rows (binary)    {bare_binary:6.2f} s  {n / bare_binary:10,.0f} rows/s")
    print(f"    pandas.DataFrame.to_sql                {to_sql:6.2f} s  {n / to_sql:10,.0f} rows/s")
    fastest = min(bare, bare_binary)
    print(f"    ours / fastest bare COPY speed: {fastest / ours:.2f}; ours / to_sql: {to_sql / ours:.1f}x")
    print(f"    ours with the numbers already hashed / fastest bare COPY speed: {fastest / ours_later:.2f}")


def _best_of_three(action: Callable[[], Any], undo: Callable[[], Any]) -> float:
    """The shortest of three runs of ``action``, each followed by ``undo``."""
    best = float("inf")
    for _ in range(3):
        best = min(best, _timed(action))
        undo()
    return best


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started
