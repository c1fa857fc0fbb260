"""Pull one landing folder into ``raw``: recognise, fingerprint, read, load, validate, record.

Every file ends in exactly one ledger status. A broken file is rejected with a reason naming the
file, the column and the line where it can; the night goes on with the next file. Rows become
visible to dbt only when their file's ledger row says ``loaded``, so a crash mid-file leaves
nothing half-loaded behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import psycopg

from culture_warehouse import audit, progress, safe_errors
from culture_warehouse.audit import ledger
from culture_warehouse.landing import Landing, LandingFile, sha256_of
from culture_warehouse.landing_guard import UnsafeFile
from culture_warehouse.load import MAX_QUARANTINED_SHARE, LoadOutcome
from culture_warehouse.readers.tabular import FileRejected
from culture_warehouse.validate import SuiteOutcome, can_group, has_suite, validate_group, validate_query
from culture_warehouse.warehouse import connect

log = logging.getLogger(__name__)

UNRECOGNISED = "unrecognised file"


class IngestError(RuntimeError):
    """A file could not be processed for a reason outside the file itself."""


@dataclass(frozen=True)
class Night:
    """What every file of a night needs: where to write, the as-of date, the run and the key."""

    dsn: str
    as_of: dt.date
    run_id: str
    pseudonymise: Callable[[str], str]


@dataclass(frozen=True)
class Recognised:
    """A file matched to its contract: entity, extract date and the key a re-delivery replaces."""

    entity: str
    extract_date: dt.date | None
    logical_key: str | None


class Ingestor(Protocol):
    """One landing folder's reader: how its files are recognised and loaded.

    An ingestor may also offer ``group_tables(entity) -> dict[str, str]`` (suite → raw table, for
    each suite that reads every row of its load): its loads are then validated in groups
    (``ValidationGroup``). Only a folder where no load reads another load of the same night may:
    a grouped load becomes visible when its group is settled.
    """

    folder: str

    def recognise(self, file: LandingFile) -> Recognised | None: ...

    def ensure_tables(self, conn: psycopg.Connection) -> None:
        """Create the folder's raw tables, so dbt finds them before the first delivery."""
        ...

    def load(
        self, conn: psycopg.Connection, night: Night, file: LandingFile, path: Path, load_id: int
    ) -> LoadOutcome:
        """Load the file's rows tagged with ``load_id``; raise FileRejected for a bad file."""
        ...

    def validation_queries(self, entity: str, load_id: int) -> list[tuple[str, str]]:
        """(suite, query) pairs selecting the rows this load wrote, for Great Expectations."""
        ...

    def discard(self, conn: psycopg.Connection, entity: str | None, load_id: int) -> None:
        """Delete every row this load wrote (a rejected or interrupted load)."""
        ...


@dataclass
class FileResult:
    path: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason: str | None = None


@dataclass
class FolderSummary:
    folder: str
    files: list[FileResult] = field(default_factory=list)
    left_for_later: int = 0

    def as_dict(self) -> dict[str, object]:
        """A small, personal-data-free summary (it goes to XCom and the run summary)."""
        return {
            "folder": self.folder,
            "left_for_later": self.left_for_later,
            "files": [asdict(result) for result in self.files],
        }


def ordered(
    files: list[tuple[LandingFile, Recognised]],
) -> Iterator[tuple[LandingFile, Recognised]]:
    """Extract-date order decides, not arrival order; undated files come last, by name."""
    far_future = dt.date.max
    yield from sorted(files, key=lambda pair: (pair[1].extract_date or far_future, pair[0].path))


def ingest_folder(night: Night, landing: Landing, ingestor: Ingestor) -> FolderSummary:
    """Load every new file of the ingestor's landing folder; never raises for a bad file."""
    folder = ingestor.folder
    summary = FolderSummary(folder)
    candidates: list[tuple[LandingFile, Recognised]] = []
    for file in landing.files():
        if file.folder != folder:
            continue
        recognised = ingestor.recognise(file)
        if recognised is None:
            continue  # recorded as unrecognised by record_unrecognised()
        candidates.append((file, recognised))
    progress.folder_started(folder, len(candidates))
    done: list[FileResult | Waiting] = []
    with connect(night.dsn, autocommit=True) as conn, ValidationGroup(conn, night, ingestor) as group:
        for file, recognised in ordered(candidates):
            if recognised.extract_date and recognised.extract_date > night.as_of:
                summary.left_for_later += 1
                progress.file_done(folder, file.name, "left for later")
                continue
            progress.file_started(folder, file.name)
            try:
                result = ingest_file(conn, night, landing, ingestor, file, recognised, group=group)
            except Exception as error:
                # Infrastructure trouble (a lost connection, a full disk): the task fails and is
                # retried. The reason names the file and the error's type, never its message,
                # and the chain is cut so that no traceback repeats it either.
                raise IngestError(f"{file.path}: {safe_errors.describe(error)}") from None
            if result is not None:
                done.append(result)
            if not isinstance(result, Waiting):
                finished = result or FileResult(file.path, "already handled")
                progress.file_done(folder, file.name, finished.status, finished.rows_loaded)
        try:
            group.flush()
        except Exception as error:
            raise IngestError(
                f"{folder}: validating a group of loads: {safe_errors.describe(error)}"
            ) from None
    summary.files = [item.settled() if isinstance(item, Waiting) else item for item in done]
    return summary


# A group of loads is validated at once up to this many files or rows; beyond, it is flushed.
# A load of more rows than GROUPED_LOAD_ROWS is validated alone: its suite's scans, not the fixed
# cost of a run, are its price, and a group's window over it would only add to them.
GROUP_FILES = 500
GROUP_ROWS = 500_000
GROUPED_LOAD_ROWS = 50_000


@dataclass
class Waiting:
    """A loaded file whose suites run with its group's (``ValidationGroup``)."""

    file: LandingFile
    recognised: Recognised
    load_id: int
    outcome: LoadOutcome
    sha256: str
    result: FileResult | None = None

    def settled(self) -> FileResult:
        assert self.result is not None, f"{self.file.path}: its validation group was never flushed"
        return self.result


class ValidationGroup:
    """A folder's validations, arranged so that they cost the night as little as possible.

    Small loads are validated together: a night brings hundreds of small files (a minutes
    document is one row), and a Great Expectations run costs about a tenth of a second of Python
    whatever its size. The group's suites are the files' own suites restated per load
    (``validate.group_expectations``): when they pass, every load passes; when one fails, each
    load of that entity is validated on its own for its exact reason.

    A large load is validated in the background (``validate_behind``): its suites are scans that
    PostgreSQL does on one core while this process reads the next file on the other. Only
    ingestors whose loads do not read each other (those offering ``group_tables``) do either.

    Loads stay invisible (``loading``) until they are settled, in file order, so a crash leaves
    them to ``clean_interrupted`` as before. Use it as a context manager: leaving it waits for
    the validation under way (or drops it, when the folder was interrupted).
    """

    def __init__(self, conn: psycopg.Connection, night: Night, ingestor: Ingestor) -> None:
        self.conn, self.night, self.ingestor = conn, night, ingestor
        self.waiting: list[Waiting] = []
        self.rows = 0
        self.running: tuple[Waiting, Future[list[SuiteOutcome]]] | None = None
        self._worker: ThreadPoolExecutor | None = None

    def __enter__(self) -> ValidationGroup:
        return self

    def __exit__(self, *failure: object) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)

    def defers(self) -> bool:
        """Whether the ingestor's loads may be validated while the next file is read."""
        return hasattr(self.ingestor, "group_tables")

    def validate_behind(self, waiting: Waiting) -> Waiting:
        """Start the load's suites in the background; the one before it is settled first."""
        self._settle_running()
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="culture-validate")
        entity, load_id = waiting.recognised.entity, waiting.load_id
        self.running = (
            waiting,
            self._worker.submit(suite_outcomes, self.night.dsn, self.ingestor, entity, load_id),
        )
        return waiting

    def _settle_running(self) -> None:
        if self.running is None:
            return
        item, outcomes = self.running
        self.running = None
        reason = _recorded_validation(
            self.conn, self.night, self.ingestor, item.file, item.load_id, outcomes.result()
        )
        self._settle(item, reason)

    def _settle(self, item: Waiting, reason: str | None) -> None:
        item.result = _conclude(
            self.conn, self.ingestor, item.file, item.recognised, item.load_id, item.outcome, reason
        )
        progress.file_done(self.ingestor.folder, item.file.name, item.result.status, item.result.rows_loaded)

    def admits(self, entity: str, load_id: int, outcome: LoadOutcome) -> bool:
        """Whether the load may wait for its group: it wrote rows, not too many, and each of its
        suites reads every row of its load and can be restated per load."""
        group_tables = getattr(self.ingestor, "group_tables", None)
        if group_tables is None or not 0 < outcome.rows_loaded <= GROUPED_LOAD_ROWS:
            return False
        tables = group_tables(entity)
        suites = [suite for suite, _ in self.ingestor.validation_queries(entity, load_id) if has_suite(suite)]
        return bool(suites) and all(suite in tables and can_group(suite) for suite in suites)

    def holds(self, sha256: str) -> bool:
        running = [self.running[0]] if self.running else []
        return any(waiting.sha256 == sha256 for waiting in self.waiting + running)

    def add(self, waiting: Waiting) -> Waiting:
        self.waiting.append(waiting)
        self.rows += waiting.outcome.rows_loaded
        if len(self.waiting) >= GROUP_FILES or self.rows >= GROUP_ROWS:
            self.flush()
        return waiting

    def flush(self) -> None:
        """Settle every load: the one validating in the background, then the group."""
        self._settle_running()
        waiting, self.waiting, self.rows = self.waiting, [], 0
        if not waiting:
            return
        passed = self._passing(waiting)
        conn, night, ingestor = self.conn, self.night, self.ingestor
        for item in waiting:
            outcomes = passed.get(item.load_id)
            if outcomes is None:
                reason = _validate(conn, night, ingestor, item.file, item.recognised.entity, item.load_id)
            else:
                reason = None
                for outcome in outcomes:
                    audit.record_validation(
                        conn, ingestor.folder, outcome, item.file.name, night.run_id, item.load_id
                    )
            self._settle(item, reason)

    def _passing(self, waiting: list[Waiting]) -> dict[int, list[SuiteOutcome]]:
        """Load → the group outcomes it passed with, for every load of a group that passed."""
        by_entity: dict[str, list[int]] = {}
        for item in waiting:
            by_entity.setdefault(item.recognised.entity, []).append(item.load_id)
        tables: Callable[[str], dict[str, str]] = getattr(self.ingestor, "group_tables")  # noqa: B009
        passed: dict[int, list[SuiteOutcome]] = {}
        for entity, load_ids in by_entity.items():
            outcomes: list[SuiteOutcome] = []
            for suite, _ in self.ingestor.validation_queries(entity, load_ids[0]):
                if has_suite(suite):
                    outcomes.append(validate_group(self.night.dsn, suite, tables(entity)[suite], load_ids))
                    if not outcomes[-1].success:
                        break
            if all(outcome.success for outcome in outcomes):
                passed.update((load_id, outcomes) for load_id in load_ids)
        return passed


def ingest_file(
    conn: psycopg.Connection,
    night: Night,
    landing: Landing,
    ingestor: Ingestor,
    file: LandingFile,
    recognised: Recognised,
    group: ValidationGroup | None = None,
) -> FileResult | Waiting | None:
    """One file through the door; None when these bytes were handled on an earlier night.

    A file that cannot be read, for whatever reason the file itself gives, is rejected (its
    bytes are not tried again) and the folder goes on with the next file. With a ``group``, a
    file whose suites can run with others waits for its group (``Waiting``).
    """

    def entry(sha: str) -> ledger.LedgerEntry:
        return ledger.LedgerEntry(
            source=ingestor.folder,
            entity=recognised.entity,
            file_name=file.name,
            path=file.path,
            sha256=sha,
            extract_date=recognised.extract_date,
            run_id=night.run_id,
            logical_key=recognised.logical_key,
        )

    try:
        with landing.local_copy(file) as path:
            sha = sha256_of(path)
            if group is not None and group.holds(sha):
                group.flush()  # the same bytes wait in the group: settle them, then judge these
            if ledger.already_handled(conn, file.path, sha, recognised_only=True):
                return None
            earlier = ledger.loaded_elsewhere(conn, file.path, sha)
            if earlier is not None:
                ledger.record(conn, entry(sha), "duplicate", f"same bytes as {earlier}, loaded once")
                return FileResult(file.path, "duplicate", reason=f"same bytes as {earlier}")
            attempts = ledger.start_attempt(conn, file.path, sha, night.run_id)
            if attempts > ledger.MAX_ATTEMPTS:
                reason = (
                    f"{file.name}: not tried again: {attempts - 1} earlier loads of these bytes never"
                    " finished (timed out, killed, or the database went away while reading them)"
                )
                ledger.record(conn, entry(sha), "rejected", reason)
                log.warning("rejected %s: %s", file.path, reason)
                return FileResult(file.path, "rejected", reason=reason)
            load_id = ledger.record(conn, entry(sha), "loading")
            try:
                outcome = ingestor.load(conn, night, file, path, load_id)
            except FileRejected as error:
                return _reject(conn, ingestor, file, recognised, load_id, str(error))
            except Exception as error:
                if safe_errors.is_infrastructure(error):
                    raise
                reason = f"unreadable ({safe_errors.describe(error)})"
                return _reject(conn, ingestor, file, recognised, load_id, reason)
    except UnsafeFile as unsafe:
        if ledger.already_handled(conn, file.path, unsafe.fingerprint):
            return None
        reason = f"{file.name}: {unsafe.reason}"
        ledger.record(conn, entry(unsafe.fingerprint), "rejected", reason)
        log.warning("rejected %s: %s", file.path, unsafe.reason)
        return FileResult(file.path, "rejected", reason=reason)
    problem = _recorded(conn, night, ingestor, file, recognised, load_id, outcome)
    if problem is None and group is not None and group.admits(recognised.entity, load_id, outcome):
        return group.add(Waiting(file, recognised, load_id, outcome, sha))
    if problem is None and group is not None and group.defers():
        return group.validate_behind(Waiting(file, recognised, load_id, outcome, sha))
    if problem is None:
        problem = _validate(conn, night, ingestor, file, recognised.entity, load_id)
    return _conclude(conn, ingestor, file, recognised, load_id, outcome, problem)


def _reject(
    conn: psycopg.Connection,
    ingestor: Ingestor,
    file: LandingFile,
    recognised: Recognised,
    load_id: int,
    why: str,
) -> FileResult:
    """Reject a file whose reading failed; whatever of it was written is removed."""
    ingestor.discard(conn, recognised.entity, load_id)
    reason = f"{file.name}: {why}"
    ledger.mark_rejected(conn, load_id, reason)
    log.warning("rejected %s: %s", file.path, why)
    return FileResult(file.path, "rejected", reason=reason)


def _recorded(
    conn: psycopg.Connection,
    night: Night,
    ingestor: Ingestor,
    file: LandingFile,
    recognised: Recognised,
    load_id: int,
    outcome: LoadOutcome,
) -> str | None:
    """Quarantined rows and unknown columns recorded; the reason to reject the file, if any."""
    audit.write_quarantine(conn, ingestor.folder, file.name, load_id, night.run_id, outcome.quarantined)
    _report_drift(conn, ingestor.folder, recognised.entity, file.name, night.run_id, outcome.drift)
    return _too_many_quarantined(file.name, outcome)


def _conclude(
    conn: psycopg.Connection,
    ingestor: Ingestor,
    file: LandingFile,
    recognised: Recognised,
    load_id: int,
    outcome: LoadOutcome,
    reason: str | None,
) -> FileResult:
    """The load made visible, or discarded for ``reason``."""
    quarantined = len(outcome.quarantined)
    if reason is not None:
        ingestor.discard(conn, recognised.entity, load_id)
        ledger.mark_rejected(conn, load_id, reason, outcome.rows_read, quarantined)
        log.warning("rejected %s: %s", file.path, reason)
        return FileResult(file.path, "rejected", outcome.rows_read, 0, quarantined, reason)
    note = f"unknown columns not loaded: {', '.join(outcome.drift)}" if outcome.drift else None
    with conn.transaction():
        ledger.mark_loaded(
            conn, load_id, outcome.rows_read, outcome.rows_loaded, quarantined,
            outcome.logical_key or recognised.logical_key, note,
        )  # fmt: skip
    log.info("loaded %s: %d rows, %d quarantined", file.path, outcome.rows_loaded, quarantined)
    return FileResult(file.path, "loaded", outcome.rows_read, outcome.rows_loaded, quarantined, note)


def _too_many_quarantined(file_name: str, outcome: LoadOutcome) -> str | None:
    bad = len(outcome.quarantined)
    if outcome.rows_read == 0:
        return f"{file_name}: no data rows"
    if bad and bad / outcome.rows_read > MAX_QUARANTINED_SHARE:
        first = outcome.quarantined[0]
        where = f"line {first.line_number}" + (f", column '{first.column_name}'" if first.column_name else "")
        return (
            f"{file_name}: {bad} of {outcome.rows_read} rows break the contract"
            f" (first at {where}: {first.reason})"
        )
    return None


def _validate(
    conn: psycopg.Connection,
    night: Night,
    ingestor: Ingestor,
    file: LandingFile,
    entity: str,
    load_id: int,
) -> str | None:
    """Run the file's Great Expectations suites; the reason when one fails, else None."""
    outcomes = suite_outcomes(night.dsn, ingestor, entity, load_id)
    return _recorded_validation(conn, night, ingestor, file, load_id, outcomes)


def suite_outcomes(dsn: str, ingestor: Ingestor, entity: str, load_id: int) -> list[SuiteOutcome]:
    """The load's suites run in order, up to the first that fails (reads only; no audit rows)."""
    outcomes: list[SuiteOutcome] = []
    for suite, query in ingestor.validation_queries(entity, load_id):
        if has_suite(suite):
            outcomes.append(validate_query(dsn, suite, query, f"{suite}_{load_id}"))
            if not outcomes[-1].success:
                break
    return outcomes


def _recorded_validation(
    conn: psycopg.Connection,
    night: Night,
    ingestor: Ingestor,
    file: LandingFile,
    load_id: int,
    outcomes: list[SuiteOutcome],
) -> str | None:
    """The suites' verdicts recorded in the audit; the reason to reject the file, if any."""
    for result in outcomes:
        audit.record_validation(conn, ingestor.folder, result, file.name, night.run_id, load_id)
        if not result.success:
            return f"{file.name}: {result.reason()}"
    return None


def _report_drift(
    conn: psycopg.Connection,
    source: str,
    entity: str,
    file_name: str,
    run_id: str,
    columns: list[str],
) -> None:
    """Unknown extra columns are kept out and reported once per source and column."""
    for column in columns:
        if audit.record_drift(conn, source, entity, column, file_name, run_id):
            log.warning("schema drift: %s/%s has an unknown column '%s'", source, entity, column)


def record_unrecognised(night: Night, landing: Landing, known: Mapping[str, Ingestor]) -> list[FileResult]:
    """Files that match no pattern of landing.md are recorded once as rejected and left alone.

    ``known``: the ingestor of every landing folder (``sources.registry.ingestors()``).
    """
    results: list[FileResult] = []
    with connect(night.dsn, autocommit=True) as conn:
        for file in landing.files():
            ingestor = known.get(file.folder)
            if ingestor is not None and ingestor.recognise(file) is not None:
                continue
            reason = UNRECOGNISED
            try:
                with landing.local_copy(file) as path:
                    sha = sha256_of(path)
            except UnsafeFile as unsafe:
                sha, reason = unsafe.fingerprint, f"{UNRECOGNISED}; {unsafe.reason}"
            if ledger.already_handled(conn, file.path, sha):
                continue
            entry = ledger.LedgerEntry(
                source=file.folder or "landing", entity=None, file_name=file.name,
                path=file.path, sha256=sha, extract_date=None, run_id=night.run_id,
            )  # fmt: skip
            ledger.record(conn, entry, "rejected", reason)
            results.append(FileResult(file.path, "rejected", reason=reason))
    return results


def ensure_raw_tables(dsn: str, ingestors: Iterable[Ingestor]) -> None:
    """Every folder's raw tables exist from the first night on, delivered or not."""
    with connect(dsn, autocommit=True) as conn:
        for ingestor in ingestors:
            ingestor.ensure_tables(conn)


def clean_interrupted(
    dsn: str, known: Mapping[str, Ingestor], run_id: str | None = None, operator_stopped: bool = False
) -> int:
    """Remove the rows of loads a crashed night (or that run) left behind, so their files load again.

    ``known``: the ingestor of every landing folder, which knows its tables. ``operator_stopped``:
    the run was stopped on purpose, so its cut-short loads are not counted as attempts against the
    files.
    """
    with connect(dsn, autocommit=True) as conn:
        stale = ledger.interrupted_loads(conn, run_id)
        for load_id, source, entity in stale:
            with conn.transaction():
                ingestor = known.get(source)
                if ingestor is not None:
                    ingestor.discard(conn, entity, load_id)
                if operator_stopped:
                    ledger.forgive_attempt(conn, load_id)
                ledger.forget(conn, load_id)
    return len(stale)
