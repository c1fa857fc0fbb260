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

import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psycopg

from culture_warehouse.contract import TabularSource
from culture_warehouse.ingest import Night, Recognised
from culture_warehouse.landing import LandingFile
from culture_warehouse.load import LoadOutcome, QuarantinedRow, copy_rows, ensure_raw_table
from culture_warehouse.privacy import PERSONAL_COLUMNS, column_label, column_mention
from culture_warehouse.readers.tabular import FileRejected, normalise_header, open_table
from culture_warehouse.readers.values import PARSERS, parse_decimal
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


Row = tuple[int, list[str | None]]


class _ResponsesReader:
    """One pass over a responses file: answer rows for COPY, respondent rows set aside.

    Respondent rows are written to a temporary file while the answers stream, because one
    connection runs one COPY at a time; they are a small fraction of the records.
    """

    def __init__(self, survey_id: str, layout: ResponsesLayout, outcome: LoadOutcome, spool: IO[str]) -> None:
        self.survey_id = survey_id
        self.layout = layout
        self.outcome = outcome
        self.spool = spool
        self.respondents = 0
        self.answers = 0
        self._parsers: list[Callable[[str], str]] = [PARSERS[c.kind] for c in _RESPONDENT_COLUMNS]
        self._first_line: dict[str, int] = {}

    def answer_rows(self, rows: Iterator[Row], width: int) -> Iterator[Row]:
        for line_number, cells in rows:
            self.outcome.rows_read += 1
            if len(cells) != width:
                self._reject(line_number, None, f"row has {len(cells)} fields, header has {width}")
                continue
            respondent = self._respondent(line_number, cells)
            if respondent is None:
                continue
            respondent_id = respondent[1]
            assert respondent_id is not None
            self.spool.write(json.dumps([line_number, respondent]) + "\n")
            self.respondents += 1
            for position, question in self.layout.questions:
                answer = question.classify(cells[position])
                self.outcome.rows_read += 1
                if answer.problem is not None:
                    reason = f"{answer.problem} (respondent {respondent_id})"
                    self._reject(line_number, question.code, reason)
                    continue
                self.answers += 1
                yield line_number, [
                    self.survey_id, respondent_id, question.code, answer.value,
                    "true" if answer.is_dont_know else "false",
                ]  # fmt: skip

    def respondent_rows(self) -> Iterator[Row]:
        self.spool.seek(0)
        for text in self.spool:
            line_number, values = json.loads(text)
            yield int(line_number), values

    def _respondent(self, line_number: int, cells: list[str | None]) -> list[str | None] | None:
        """The respondent's values, or None when the row cannot be placed (no id or unit, or seen)."""
        values: list[str | None] = [self.survey_id]
        unreadable: list[tuple[str, str]] = []
        columns = zip(_RESPONDENT_COLUMNS, self.layout.respondent_positions, self._parsers, strict=True)
        for column, position, parse in columns:
            cell = cells[position] if position is not None else None
            value = None
            if cell is not None and cell.strip():
                try:
                    value = parse(cell)
                except ValueError as error:
                    unreadable.append((column.name, str(error)))
            if value is None and column.required:
                self._reject(line_number, column.name, "required value is empty")
                return None
            values.append(value)
        respondent_id = values[1]
        assert respondent_id is not None
        first = self._first_line.setdefault(respondent_id, line_number)
        if first != line_number:
            reason = f"respondent {respondent_id} appears twice (first at line {first})"
            self._reject(line_number, "respondent_id", reason)
            return None
        # An unreadable submission time or background value is rejected on its own, like an
        # invalid answer: the respondent and their answers still count.
        for column_name, problem in unreadable:
            self._reject(line_number, column_name, f"{problem} (respondent {respondent_id})")
        return values

    def _reject(self, line_number: int | None, column: str | None, reason: str) -> None:
        self.outcome.quarantined.append(QuarantinedRow(line_number, column, reason))


def load_responses(
    conn: psycopg.Connection, survey_id: str, path: Path, file_name: str, load_id: int
) -> LoadOutcome:
    """Stream a wide responses file into the respondents and answers tables in one transaction."""
    outcome = LoadOutcome()
    catalogue = read_catalogue(conn, survey_id)
    stream = open_table(path, file_name, xlsx_allowed=True)
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
    with (
        tempfile.SpooledTemporaryFile(max_size=1 << 22, mode="w+", encoding="utf-8") as spool,
        conn.transaction(),
    ):
        reader = _ResponsesReader(survey_id, layout, outcome, spool)
        copy_rows(conn, ANSWERS, load_id, reader.answer_rows(stream.rows, len(stream.header)))
        copy_rows(conn, RESPONDENTS, load_id, reader.respondent_rows())
    # Millions of new rows: refresh the planner's statistics before anything queries them
    # (validation and dbt run right after, before autovacuum would notice).
    for spec in (ANSWERS, RESPONDENTS):
        conn.execute(f"analyze {spec.raw_table}")
    outcome.rows_loaded = reader.respondents + reader.answers
    return outcome


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
        # check row by row; its suite checks one summary row per question instead. The respondent
        # count is an uncorrelated scalar subquery, computed once (as a join, a planner misled by
        # stale statistics re-counted it for every answer row: minutes at state scale).
        answers_per_question = f"""
            select
                answers.question_code,
                count(*) as n_answer_rows,
                count(*) - count(answers.respondent_id) as n_without_respondent,
                (
                    select count(*) from {RESPONDENTS.raw_table} where _load_id = {load}
                ) as n_respondents
            from {ANSWERS.raw_table} as answers
            where answers._load_id = {load}
            group by answers.question_code
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

    @staticmethod
    def _tables(entity: str) -> tuple[TabularSource, ...]:
        if entity == RESPONSES:
            return (RESPONDENTS, ANSWERS)
        return (ROUND_FILES[entity],)
