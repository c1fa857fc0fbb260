"""MTU survey rounds (contracts/mtu.md): the question catalogue, invitations and wide responses.

A round is three files named after its survey id. The catalogue and the invitations are plain
tables and go through the tabular path. The responses hold one row per respondent and one column
per question; they are split into ``raw.mtu_respondents`` and one ``raw.mtu_answers`` row per
delivered question cell, checked against the round's catalogue as they stream into COPY.

Answers are anonymous and stay so: nothing here reads or writes an employee number, and no
column of the MTU tables can be joined to HR's employees. For a responses file the ledger's
counts are records, a record being a respondent row or one answer cell: an invalid answer is
quarantined on its own and the rest of the respondent's answers still count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc

from culture_warehouse.contract import TabularSource
from culture_warehouse.ingest import Night, Recognised
from culture_warehouse.landing import LandingFile
from culture_warehouse.load import (
    EMPTY_REASON,
    ColumnConverter,
    LoadOutcome,
    NormalisedBatch,
    QuarantinedRow,
    copy_batches,
    ensure_raw_table,
)
from culture_warehouse.privacy import PERSONAL_COLUMNS, column_label, column_mention
from culture_warehouse.readers.tabular import (
    FileRejected,
    RowBatch,
    exact_if_needed,
    normalise_header,
    open_table,
)
from culture_warehouse.readers.values import parse_decimal
from culture_warehouse.sources.mtu.contract import (
    ANSWERS,
    FOLDER,
    MTU_TABLES,
    QUESTIONS,
    RESPONDENTS,
    RESPONSES,
    ROUND_FILES,
)
from culture_warehouse.tabular_ingest import load_table

# The respondent columns a responses file delivers; survey_id comes from the file name.
_RESPONDENT_COLUMNS = RESPONDENTS.columns[1:]


@dataclass(frozen=True)
class Answer:
    """What one delivered cell means: a value to load, or the reason it is rejected."""

    value: str | None
    is_dont_know: bool = False
    problem: str | None = None


_BLANK = Answer(None)
_REMEMBERED = 1024


class Question:
    """A catalogue question and its scale; classifies answer cells, remembering each distinct text.

    A round has millions of cells but only a handful of distinct texts per question (``4``,
    `` 4 ``, ``4,0``…), so each text is parsed once; a file of stray texts cannot grow the memo
    past ``_REMEMBERED`` entries.
    """

    __slots__ = ("_seen", "code", "dont_know", "scale_max", "scale_min")

    def __init__(self, code: str, scale_min: int, scale_max: int, dont_know: int | None) -> None:
        self.code = code
        self.scale_min = scale_min
        self.scale_max = scale_max
        self.dont_know = dont_know
        self._seen: dict[str, Answer] = {}

    def classify(self, cell: str | None) -> Answer:
        if cell is None:
            return _BLANK
        known = self._seen.get(cell)
        if known is None:
            known = self._parse(cell)
            if len(self._seen) < _REMEMBERED:
                self._seen[cell] = known
        return known

    def _parse(self, cell: str) -> Answer:
        if not cell.strip():
            return _BLANK
        try:
            number = float(parse_decimal(cell))
        except ValueError as error:
            return Answer(None, problem=str(error))
        if not number.is_integer():
            return Answer(None, problem="not a whole number")
        whole = int(number)
        if whole == self.dont_know:
            return Answer(str(whole), is_dont_know=True)
        if not self.scale_min <= whole <= self.scale_max:
            return Answer(None, problem=f"answer outside the scale {self.scale_min}–{self.scale_max}")
        return Answer(str(whole))


def catalogue_key(survey_id: str) -> str:
    return f"{FOLDER}/{survey_id}/{QUESTIONS.entity}"


# The load holding a round file's rows: its latest loaded delivery, or an earlier round's load
# when the delivery had the same bytes. A round may reuse the previous round's catalogue or
# invitations unchanged; the ledger records that file as a duplicate (the same bytes are loaded
# once) and the round reads the rows loaded the first time. stg_mtu__round_files does the same.
_ROUND_FILE_ROWS = """
with deliveries as (
    select load_id as delivery_id, load_id
    from audit.load_ledger
    where logical_key = %(key)s and status = 'loaded'
    union all
    select duplicate.load_id, original.load_id
    from audit.load_ledger as duplicate
    cross join lateral (
        select load_id, logical_key
        from audit.load_ledger
        where source = %(source)s and sha256 = duplicate.sha256 and status in ('loaded', 'superseded')
        order by load_id
        limit 1
    ) as original
    where
        duplicate.logical_key = %(key)s
        and duplicate.status = 'duplicate'
        and original.logical_key <> duplicate.logical_key
)
select load_id from deliveries order by delivery_id desc limit 1
"""


def read_catalogue(conn: psycopg.Connection, survey_id: str) -> dict[str, Question]:
    """The round's questions by normalised header name, from its latest delivered catalogue."""
    rows = conn.execute(
        f"""
        select question_code, scale_min, scale_max, dont_know_code
        from {QUESTIONS.raw_table}
        where _load_id = ({_ROUND_FILE_ROWS})
        order by _line
        """,
        {"key": catalogue_key(survey_id), "source": FOLDER},
    ).fetchall()
    if not rows:
        raise FileRejected(f"no question catalogue {survey_id}_questions.csv loaded for survey {survey_id}")
    catalogue: dict[str, Question] = {}
    for code, scale_min, scale_max, dont_know in rows:
        name = normalise_header(code)
        if name in catalogue:
            raise FileRejected(f"the catalogue of {survey_id} names question '{code}' twice")
        catalogue[name] = Question(str(code), int(scale_min), int(scale_max), dont_know)
    return catalogue


@dataclass(frozen=True)
class ResponsesLayout:
    """Where each respondent column and each catalogue question sits in a responses header."""

    respondent_positions: tuple[int | None, ...]
    questions: tuple[tuple[int, Question], ...]
    unknown: tuple[str, ...]
    missing: tuple[Question, ...]


def plan_responses(header: tuple[str, ...], catalogue: dict[str, Question]) -> ResponsesLayout:
    """Match a responses header to the contract and the catalogue; unknown columns are drift."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        if name in index:
            raise FileRejected(f"{column_mention(name, position)} appears twice in the header")
        index[name] = position
    positions: list[int | None] = []
    for column in _RESPONDENT_COLUMNS:
        if column.required and column.name not in index:
            raise FileRejected(f"missing required column '{column.name}'")
        positions.append(index.get(column.name))
    known = {column.name for column in _RESPONDENT_COLUMNS}
    questions = tuple((index[name], question) for name, question in catalogue.items() if name in index)
    unknown = tuple(
        column_label(name, position)
        for position, name in enumerate(header)
        if name and name not in known and name not in catalogue and name not in PERSONAL_COLUMNS
    )
    missing = tuple(question for name, question in catalogue.items() if name not in index)
    return ResponsesLayout(tuple(positions), questions, unknown, missing)


class _ResponsesReader:
    """One pass over a responses file: answer batches for COPY, respondent batches set aside.

    Column by column: each respondent column and each question column of a batch is converted
    once per distinct text (a question has a handful: ``4``, `` 4 ``, ``4,0``…). Respondent rows
    are kept (a small fraction of the records) and copied after the answers, because one
    connection runs one COPY at a time.
    """

    def __init__(self, survey_id: str, layout: ResponsesLayout, outcome: LoadOutcome, width: int) -> None:
        self.survey_id = survey_id
        self.layout = layout
        self.outcome = outcome
        self.width = width
        self.respondents: list[NormalisedBatch] = []
        self.answers = 0
        self._converters = [
            ColumnConverter(column.kind, lambda text: text, column.required) for column in _RESPONDENT_COLUMNS
        ]
        self._first_line: dict[str, int] = {}

    @property
    def respondent_count(self) -> int:
        return sum(len(batch) for batch in self.respondents)

    def answer_batches(self, batches: Iterator[RowBatch]) -> Iterator[NormalisedBatch]:
        for batch in batches:
            problems = [
                QuarantinedRow(line, None, f"row has {count} fields, header has {self.width}")
                for line, count in batch.misfits
            ]
            self.outcome.rows_read += len(batch) + len(batch.misfits)
            kept, respondent = self._respondents(batch, problems)
            if respondent is not None:
                yield from self._answers(batch, kept, respondent, problems)
            problems.sort(key=lambda problem: problem.line_number or 0)
            self.outcome.quarantined.extend(problems)

    def _respondents(
        self, batch: RowBatch, problems: list[QuarantinedRow]
    ) -> tuple[pa.Array, NormalisedBatch | None]:
        """Which rows are placed respondents (an id and a unit, seen once), and their values."""
        rows = len(batch)
        lines = batch.lines.to_numpy(zero_copy_only=False)
        dropped = np.zeros(rows, dtype=bool)
        values: list[pa.Array] = []
        unreadable: list[tuple[int, str, str]] = []
        columns = zip(_RESPONDENT_COLUMNS, self.layout.respondent_positions, self._converters, strict=True)
        for column, position, convert in columns:
            if position is None:
                converted, bad_rows, reasons = (
                    pa.nulls(rows, pa.string()),
                    np.arange(rows),
                    [EMPTY_REASON] * rows,
                )
                if not column.required:
                    bad_rows, reasons = np.zeros(0, np.int64), []
            else:
                converted, bad_rows, reasons = convert(batch.columns[position])
            for row, reason in zip(bad_rows.tolist(), reasons, strict=True):
                if column.required:
                    if not dropped[row]:
                        dropped[row] = True
                        problems.append(QuarantinedRow(int(lines[row]), column.name, EMPTY_REASON))
                else:
                    unreadable.append((row, column.name, reason))
            values.append(converted)
        ids = values[0].to_pylist()
        for row in np.flatnonzero(~dropped).tolist():
            respondent_id = ids[row]
            line = int(lines[row])
            first = self._first_line.setdefault(respondent_id, line)
            if first != line:
                dropped[row] = True
                reason = f"respondent {respondent_id} appears twice (first at line {first})"
                problems.append(QuarantinedRow(line, "respondent_id", reason))
        # An unreadable submission time or background value is rejected on its own, like an
        # invalid answer: the respondent and their answers still count.
        for row, column_name, reason in unreadable:
            if not dropped[row]:
                problems.append(
                    QuarantinedRow(int(lines[row]), column_name, f"{reason} (respondent {ids[row]})")
                )
        kept = pa.array(~dropped)
        placed = int(np.count_nonzero(~dropped))
        if not placed:
            return kept, None
        columns_kept = [pa.array([self.survey_id] * placed, pa.string())]
        columns_kept.extend(pc.filter(column, kept) for column in values)
        respondent = NormalisedBatch(pc.filter(batch.lines, kept), tuple(columns_kept))
        self.respondents.append(respondent)
        return kept, respondent

    def _answers(
        self, batch: RowBatch, kept: pa.Array, respondent: NormalisedBatch, problems: list[QuarantinedRow]
    ) -> Iterator[NormalisedBatch]:
        """One answer row per question cell of each placed respondent; a bad cell is quarantined."""
        survey, respondent_ids = respondent.columns[0], respondent.columns[1]
        lines = respondent.lines
        count = len(respondent)
        for position, question in self.layout.questions:
            encoded = pc.dictionary_encode(pc.filter(batch.columns[position], kept))
            answers = [question.classify(text) for text in encoded.dictionary.to_pylist()]
            indices = encoded.indices
            if encoded.null_count:
                answers.append(question.classify(None))
                indices = pc.fill_null(indices, len(answers) - 1)
            self.outcome.rows_read += count
            value = pa.array([answer.value for answer in answers], pa.string()).take(indices)
            dont_know = pa.array(["true" if a.is_dont_know else "false" for a in answers], pa.string()).take(
                indices
            )
            broken = [at for at, answer in enumerate(answers) if answer.problem is not None]
            good: pa.Array | None = None
            if broken:
                at_broken = np.isin(indices.to_numpy(zero_copy_only=False), broken)
                ids = respondent_ids.to_pylist()
                line_list = lines.to_pylist()
                index_list = indices.to_pylist()
                for row in np.flatnonzero(at_broken).tolist():
                    problem = answers[index_list[row]].problem
                    reason = f"{problem} (respondent {ids[row]})"
                    problems.append(QuarantinedRow(line_list[row], question.code, reason))
                good = pa.array(~at_broken)
            code = pa.array([question.code] * count, pa.string())
            columns = (survey, respondent_ids, code, value, dont_know)
            answer_lines = lines
            if good is not None:
                columns = tuple(pc.filter(column, good) for column in columns)  # type: ignore[assignment]
                answer_lines = pc.filter(lines, good)
            self.answers += len(answer_lines)
            yield NormalisedBatch(answer_lines, columns)


def load_responses(
    conn: psycopg.Connection, survey_id: str, path: Path, file_name: str, load_id: int
) -> LoadOutcome:
    """Stream a wide responses file into the respondents and answers tables in one transaction."""
    return exact_if_needed(lambda exact: _load_responses(conn, survey_id, path, file_name, load_id, exact))


def _load_responses(
    conn: psycopg.Connection, survey_id: str, path: Path, file_name: str, load_id: int, exact: bool
) -> LoadOutcome:
    outcome = LoadOutcome()
    catalogue = read_catalogue(conn, survey_id)
    stream = open_table(path, file_name, xlsx_allowed=True, exact=exact)
    layout = plan_responses(stream.header, catalogue)
    outcome.drift = list(layout.unknown)
    for question in layout.missing:
        outcome.quarantined.append(
            QuarantinedRow(
                None,
                question.code,
                f"question {question.code} of the {survey_id} catalogue has no column in the responses",
            )
        )
    reader = _ResponsesReader(survey_id, layout, outcome, len(stream.header))
    with conn.transaction():
        copy_batches(conn, ANSWERS, load_id, reader.answer_batches(stream.batches))
        copy_batches(conn, RESPONDENTS, load_id, iter(reader.respondents))
    # Millions of new rows: refresh the planner's statistics before anything queries them
    # (validation and dbt run right after, before autovacuum would notice).
    for spec in (ANSWERS, RESPONDENTS):
        conn.execute(f"analyze {spec.raw_table}")
    summarise_answers(conn, load_id)
    outcome.rows_loaded = reader.respondent_count + reader.answers
    return outcome


ANSWER_SUMMARY = "raw.mtu_answer_summary"
"""One row per question of a responses load, what its Great Expectations suite checks."""


def ensure_answer_summary(conn: psycopg.Connection) -> None:
    conn.execute(
        f"create table if not exists {ANSWER_SUMMARY} (_load_id bigint not null, question_code text,"
        " n_answer_rows bigint not null, n_without_respondent bigint not null, n_respondents bigint not null)"
    )


def summarise_answers(conn: psycopg.Connection, load_id: int) -> None:
    """A round's answers counted per question once, in one scan, for the suite to read.

    The suite's expectations over the query itself made Great Expectations run the grouping two
    to three times (4 s a round at state scale, 1.6 s for one scan). The respondent count is an
    uncorrelated scalar subquery, computed once (as a join, a planner misled by stale statistics
    re-counted it for every answer row: minutes at state scale).
    """
    ensure_answer_summary(conn)
    conn.execute(f"delete from {ANSWER_SUMMARY} where _load_id = %(load)s", {"load": load_id})
    conn.execute(
        f"""
        insert into {ANSWER_SUMMARY}
        select
            %(load)s,
            answers.question_code,
            count(*),
            count(*) - count(answers.respondent_id),
            (select count(*) from {RESPONDENTS.raw_table} where _load_id = %(load)s)
        from {ANSWERS.raw_table} as answers
        where answers._load_id = %(load)s
        group by answers.question_code
        """,
        {"load": load_id},
    )


def survey_of(file_name: str) -> tuple[str, str] | None:
    """(file type, survey id) of a round file; the survey id is upper-cased so that
    ``mtu2026_questions.csv`` and ``MTU2026_responses.xlsx`` belong to one round."""
    for entity, spec in ROUND_FILES.items():
        match = spec.pattern.fullmatch(file_name)
        if match:
            return entity, match.group("survey_id").upper()
    return None


class MtuIngestor:
    """The ``mtu/`` folder: a round's catalogue, invitations and responses.

    Each file type of a round has its own logical key, so a later delivery of a survey id
    replaces that file of the round; the catalogue must load before the responses, which path
    order gives (``…_questions`` sorts before ``…_responses``).
    """

    folder = FOLDER

    def recognise(self, file: LandingFile) -> Recognised | None:
        found = survey_of(file.name)
        if found is None:
            return None
        entity, survey_id = found
        return Recognised(entity, None, f"{FOLDER}/{survey_id}/{entity}")

    def ensure_tables(self, conn: psycopg.Connection) -> None:
        for spec in MTU_TABLES:
            ensure_raw_table(conn, spec)
        ensure_answer_summary(conn)

    def load(
        self, conn: psycopg.Connection, night: Night, file: LandingFile, path: Path, load_id: int
    ) -> LoadOutcome:
        found = survey_of(file.name)
        assert found is not None
        entity, survey_id = found
        self.ensure_tables(conn)
        if entity == RESPONSES:
            return load_responses(conn, survey_id, path, file.name, load_id)
        return load_table(conn, ROUND_FILES[entity], night, path, file.name, load_id)

    def validation_queries(self, entity: str, load_id: int) -> list[tuple[str, str]]:
        load = int(load_id)
        if entity != RESPONSES:
            spec = ROUND_FILES[entity]
            return [(spec.name, f"select * from {spec.raw_table} where _load_id = {load}")]
        # A round's answers run to millions of rows, which Great Expectations would fetch to
        # check row by row; its suite checks one summary row per question instead, counted when
        # the file was loaded (summarise_answers).
        answers_per_question = f"""
            select question_code, n_answer_rows, n_without_respondent, n_respondents
            from {ANSWER_SUMMARY}
            where _load_id = {load}
        """
        return [
            (RESPONDENTS.name, f"select * from {RESPONDENTS.raw_table} where _load_id = {load}"),
            (ANSWERS.name, answers_per_question),
        ]

    def discard(self, conn: psycopg.Connection, entity: str | None, load_id: int) -> None:
        if entity is None:
            return
        for spec in self._tables(entity):
            ensure_raw_table(conn, spec)
            conn.execute(f"delete from {spec.raw_table} where _load_id = %s", (load_id,))
        if entity == RESPONSES:
            ensure_answer_summary(conn)
            conn.execute(f"delete from {ANSWER_SUMMARY} where _load_id = %s", (load_id,))

    @staticmethod
    def _tables(entity: str) -> tuple[TabularSource, ...]:
        if entity == RESPONSES:
            return (RESPONDENTS, ANSWERS)
        return (ROUND_FILES[entity],)
