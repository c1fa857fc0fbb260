"""Rule 5 of indicators.md: secondary suppression over the whole publication, and its audit.

``protect`` runs after dbt has built the marts (rules 1–3 applied per table): it finds every
secret (a group of 1..k−1 people) that a linear combination of all published figures gives
exactly, suppresses one more published cell next to it, and repeats until nothing is
determined. Candidates are ranked: cells of the finest-grained marts (breakdowns, questions,
months) before headline figures, then the nearest cells (fewest published sums away from the
secret), of those the one reached by most sums, then cells in the secret's own column (the same
background value, question or month), then the smallest group. ``audit`` is the publish gate: the same
exact check, reporting counts only. Both read structure and group sizes, never a figure.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Set
from dataclasses import dataclass, field

import psycopg

from culture_warehouse import audit as audit_tables
from culture_warehouse.apart import shared_out
from culture_warehouse.config import disclosure_processes
from culture_warehouse.disclosure.families import (
    BREAKDOWN_MART,
    DIMENSION_MART,
    MONTHLY_MART,
    PARTS,
    QUESTION_MART,
    SCORECARD_MART,
    VARIABLES,
    read_families,
)
from culture_warehouse.disclosure.gate_memo import (
    RecordingConnection,
    digest,
    header,
    still_passes,
    stored_reads,
)
from culture_warehouse.disclosure.memo import CellKey, Recall, Remembered
from culture_warehouse.disclosure.model import Cell, Family, Secret
from culture_warehouse.disclosure.solver import Form, Publication
from culture_warehouse.memory import peak_resident_mb, resident_mb
from culture_warehouse.warehouse import connect

log = logging.getLogger(__name__)
MAX_ROUNDS = 200
MAX_DEPTH = 8
LOCAL_DEPTH = 4
TRIES = 16
MAX_BATCH = 16
CANDIDATE_LEVELS = 2


@dataclass
class FamilyAudit:
    family: str
    published_cells: int
    secrets: int
    determined: list[Secret]
    blamed: tuple[str, ...] = ()  # the marts to hold back for the family's leaks
    cells_by_mart: dict[str, int] = field(default_factory=dict)  # shown cells checked per mart


def audit_family(family: Family, blame: bool = False) -> FamilyAudit:
    """Which of the family's secrets the published cells determine.

    With ``blame``, a leaking family names the marts to hold back: its finest-grained marts, and
    its headline marts as well when the leak stands even without the fine ones.
    """
    still: bool | None = None  # whether the headline figures alone give a leak away
    if family.variants:
        determined, still = _variant_leaks(family)
    else:
        determined = _leaking(family)
    blamed: tuple[str, ...] = ()
    if blame and determined:
        fine = {cell.mart for cell in family.cells if cell.shown and cell.fine} | set(family.known_cells)
        if still is None:
            still = bool(_determined(Publication(family.headline()), determined))
        headline_marts = {cell.mart for cell in family.cells if cell.shown and not cell.fine}
        blamed = tuple(sorted(fine | (headline_marts if still or not fine else set())))
    shown = Counter(cell.mart for cell in family.cells if cell.shown) + family.known_cells
    return FamilyAudit(family.name, sum(shown.values()), len(family.secrets), determined, blamed, dict(shown))


def _determined(publication: Publication, secrets: list[Secret]) -> list[Secret]:
    return [secret for secret in secrets if publication.determined(secret.terms)]


def _leaking(family: Family) -> list[Secret]:
    """The family's secrets its published cells determine: as last noted, or checked now."""
    if family.leaking is None:
        family.leaking = _determined(family.publication(), family.secrets)
    return family.leaking


def _variant_leaks(family: Family) -> tuple[list[Secret], bool]:
    """The secrets some variant of the family determines (Variant), and whether the headline
    figures alone give one of them away in a variant where that is a leak."""
    core = family.publication()
    forms = [secret.terms for secret in family.secrets]
    before = [core.determined(terms) for terms in forms]
    secrets_of: dict[int, list[int]] = defaultdict(list)
    for index, terms in enumerate(forms):
        for variable, _ in terms:
            secrets_of[variable].append(index)
    headline_core: Publication | None = None
    leaks: dict[int, Secret] = {}
    still = False
    for variant in family.variants:
        extra = variant.shown + variant.zeros
        answers = core.extended(extra).determined(forms, before, secrets_of) if extra else before
        found = [index for index, answer in enumerate(answers) if answer]
        if not found:
            continue
        if headline_core is None:
            headline_core = Publication(family.headline())
        given = headline_core.extended(variant.headline + variant.zeros).publication
        by_headline = {index for index in found if given.determined(forms[index])}
        if variant.identities:
            found = [index for index in found if index not in by_headline]
        else:
            still |= bool(by_headline)
        leaks.update((index, family.secrets[index]) for index in found)
    return [leaks[index] for index in sorted(leaks)], still


def protect_family(family: Family) -> list[Cell]:
    """Suppress cells until no secret of the family is determined; returns the cells suppressed.

    Suppressing only removes published sums, so a secret found safe stays safe: after one full
    check only the leaking secrets are followed. Between full checks each is re-checked on the
    published sums within a few steps of it (a leak there is a leak in the whole; a leak that
    only the whole shows is caught by the next full check, which then looks further out).
    """
    suppressed: list[Cell] = []
    leaking = _leaking(family)
    if not leaking:
        return suppressed
    family.leaking = None  # its cells change from here
    # Built once the whole publication is freed: at state scale each is hundreds of MB.
    forms_of = _forms_of(family)
    depth = LOCAL_DEPTH
    persisted: dict[Secret, int] = defaultdict(int)  # rounds a secret has stayed determined
    for _ in range(MAX_ROUNDS):
        leaks = leaking
        for _ in range(MAX_ROUNDS):
            chosen = _choose(family, leaks, forms_of, depth, tries=family.tries, persisted=persisted)
            if not chosen:
                break
            for index in sorted(chosen):
                family.cells[index].shown = False
                suppressed.append(family.cells[index])
            leaks = [
                s for s in leaks if Publication(_local_forms(family, s, forms_of, depth)).determined(s.terms)
            ]
            for secret in leaks:
                persisted[secret] += 1
            if not leaks:
                break
        leaking = _determined(family.publication(), leaking)
        if not leaking:
            family.leaking = []  # a secret found safe stays safe: none is determined now
            return suppressed
        if not _choose(family, leaking, forms_of, depth, tries=0):
            break
        depth *= 2
    log.error("disclosure control: %s still has determined groups", family.name)
    return suppressed


def _choose(
    family: Family,
    leaks: list[Secret],
    forms_of: dict[int, list[int]],
    depth: int,
    tries: int = TRIES,
    persisted: dict[Secret, int] | None = None,
) -> set[int]:
    """One cell to suppress per leaking secret: the first of its best candidates whose
    suppression hides it on its own (tried on the sums around it), else the best one. A secret
    whose candidates were already chosen for a neighbour waits for the next round. A secret
    that stays determined round after round gets twice as many cells each round (up to
    ``MAX_BATCH``), and is checked for being given away by the headline figures alone."""
    chosen: set[int] = set()
    for secret in leaks:
        rounds = (persisted or {}).get(secret, 0)
        candidates = _candidates(family, secret, forms_of)
        if rounds >= 2 and Publication(
            _local_forms(family, secret, forms_of, depth, headline_only=True)
        ).determined(secret.terms):
            # The headline figures alone give the secret away: no finer cell can help.
            candidates = _candidates(family, secret, forms_of, headline=True)
        if not candidates or any(index in chosen for index in candidates[:3]):
            continue
        pick = candidates[0]
        for index in candidates[:tries]:
            if family.cells[index].fine != family.cells[pick].fine:
                break  # never a headline figure while a finer cell is on offer
            family.cells[index].shown = False
            hides = not Publication(_local_forms(family, secret, forms_of, depth)).determined(secret.terms)
            family.cells[index].shown = True
            if hides:
                pick = index
                break
        chosen.add(pick)
        if rounds >= 2:
            same_kind = [i for i in candidates if family.cells[i].fine == family.cells[pick].fine]
            chosen.update(same_kind[: min(MAX_BATCH, 2 ** (rounds - 1))])
    return chosen


def _forms_of(family: Family) -> dict[int, list[int]]:
    """Variable → the indexes of the forms it is in: its cells (index into ``family.cells``),
    then its constraints (``len(family.cells)`` + index into ``family.constraints``)."""
    forms_of: dict[int, list[int]] = defaultdict(list)
    for index, cell in enumerate(family.cells):
        for variable, _ in cell.terms:
            forms_of[variable].append(index)
    cells = len(family.cells)
    for offset, terms in enumerate(family.constraints):
        for variable, _ in terms:
            forms_of[variable].append(cells + offset)
    return forms_of


def _form(family: Family, index: int) -> Form:
    cells = len(family.cells)
    return family.cells[index].terms if index < cells else family.constraints[index - cells]


def _local_forms(
    family: Family, secret: Secret, forms_of: dict[int, list[int]], depth: int, headline_only: bool = False
) -> list[Form]:
    """The published sums and constraints within ``depth`` steps of the secret's variables
    (``headline_only``: leaving the finest-grained marts out)."""
    cells = len(family.cells)
    seen = {v for v, _ in secret.terms}
    frontier = set(seen)
    chosen: set[int] = set()
    for _ in range(depth):
        following: set[int] = set()
        for variable in frontier:
            for index in forms_of.get(variable, ()):
                if index in chosen or (
                    index < cells
                    and (not family.cells[index].shown or (headline_only and family.cells[index].fine))
                ):
                    continue
                chosen.add(index)
                following.update(v for v, _ in _form(family, index))
        frontier = following - seen
        seen |= frontier
        if not frontier:
            break
    return [_form(family, index) for index in chosen]


def _candidates(
    family: Family,
    secret: Secret,
    forms_of: dict[int, list[int]],
    headline: bool = False,
) -> list[int]:
    """Shown cells whose suppression can hide the secret, best first (``headline``: only the
    headline cells, for a secret that they alone give away).

    A breadth-first walk from the secret's variables over published sums and empty-group
    constraints: the nearest ring of cells that holds a finest-grained cell is the candidate
    set, so a headline cell is proposed only when no fine cell is within reach.
    """
    cells = len(family.cells)
    level_of: dict[int, int] = {}
    shared: dict[int, int] = defaultdict(int)  # walks from the secret that reach the cell
    weight: dict[int, int] = {v: 1 for v, _ in secret.terms}
    seen = set(weight)
    for level in range(MAX_DEPTH):
        following: dict[int, int] = defaultdict(int)
        for variable, paths in weight.items():
            forms = forms_of.get(variable, ())
            for index in forms:
                if index >= cells:
                    break  # the constraints, after the cells
                level_of.setdefault(index, level)
                shared[index] += paths
            for index in forms:
                if index < cells and not family.cells[index].shown:
                    continue
                for other, _ in _form(family, index):
                    following[other] += paths
        if level + 1 >= CANDIDATE_LEVELS and any(
            family.cells[i].fine and family.cells[i].shown for i in level_of
        ):
            break
        weight = {v: paths for v, paths in following.items() if v not in seen}
        seen.update(weight)
        if not weight:
            break
    shown = [
        i
        for i in level_of
        if family.cells[i].shown
        and _suppressible(family.cells[i])
        and not (headline and family.cells[i].fine)
    ]

    def rank(index: int) -> tuple[bool, int, int, bool, float, str]:
        cell = family.cells[index]
        return (
            not cell.fine,
            level_of[index],
            -shared[index],
            cell.column != secret.column,
            cell.size,
            repr(cell.key),
        )

    return sorted(shown, key=rank)


@dataclass
class Outcome:
    extra_suppressions: dict[str, int]
    audits: list[FamilyAudit]
    seconds: float
    # per family protected with no group left determined: what the memory keeps for the next night
    remembered: dict[str, Remembered] = field(default_factory=dict)
    recalled: int = 0  # families not built: their suppressions came from the memory


@dataclass
class Searched:
    """One family's answer, found without changing the marts: the cells to suppress, by key."""

    name: str
    keys: list[CellKey]
    checked: FamilyAudit
    remembered: Remembered | None  # what the memory keeps (an answer with no group determined)
    recalled: bool  # not built: the keys came from the memory
    took: str = ""  # how long it was read and searched, for the log (written by the parent process)


def protect(conn: psycopg.Connection, schema: str, k: float, memory: Recall | None = None) -> Outcome:
    """Apply rule 5's secondary suppressions to the marts built in ``schema``, in this process.

    ``memory``: what an earlier night remembered per family (disclosure/memo.py). A family read
    from the same inputs is not built: its remembered suppressions are applied by key, and its
    remembered counts go to the audit records (the publish gate audits it like every family).
    Every family is searched on the marts as dbt built them and the suppressions are applied
    after all of them (as ``protect_in_parallel`` does): a family's answer never depends on the
    order the families were searched in.
    """
    started = time.monotonic()
    # The absence family first, while the process is smallest (the order changes no answer).
    in_order = ("absence", *(part for part in PARTS if part != "absence"))
    searched = [found for part in in_order for found in search(conn, schema, k, memory, frozenset({part}))]
    return _apply(conn, schema, searched, started)


def protect_in_parallel(dsn: str, schema: str, k: float, memory: Recall | None = None) -> Outcome:
    """``protect`` with its families searched in processes of their own, two at a time, in
    shares of about equal work (the largest first), and applied in this process; in this
    process, one share after the other, where processes cannot be started (a daemonic worker)
    or ``CULTURE_DISCLOSURE_PROCESSES`` is 1 (config.disclosure_processes). The same answer
    either way."""
    started = time.monotonic()
    memory = {} if memory is None else memory
    if disclosure_processes() == 1:  # the least memory: in this process, the absence family first
        with connect(dsn) as conn:
            return protect(conn, schema, k, memory)
    shares = [(dsn, schema, k, _recall_of(memory, part), part, variables) for part, variables in _SHARES]
    found = shared_out(_search_share, shares, _apart(), "disclosure control")
    with connect(dsn) as conn:
        return _apply(conn, schema, [answer for share in found for answer in share], started)


# The control's shares of work, the longest first, so that two processes end close together
# (their seconds of reading and searching at state scale, run 24, 2026-12-07: absence 33.3, the
# breakdowns by age and seniority 26.8, by job family and manager 24.4, questions 22.7). By those
# seconds the order before (absence third) ends the processes 57.7 and 49.5 s in, this one 56.0
# and 51.2: computed, not measured; the bench's drift between runs is larger.
# Each share: a kind of family, and the background variables whose breakdowns it reads.
_SHARES: tuple[tuple[str, frozenset[str]], ...] = (
    ("absence", frozenset(VARIABLES)),
    ("breakdown", frozenset({"age_band", "seniority_band"})),
    ("breakdown", frozenset({"job_family", "is_manager"})),
    ("questions", frozenset(VARIABLES)),
)


def _apart() -> int:
    """The processes the control and the gate run in: none (this process) when configured to 1."""
    processes = disclosure_processes()
    return processes if processes > 1 else 0


def _recall_of(memory: Recall, part: str) -> Recall:
    """The memory of one kind of family (a family's name starts with its kind)."""
    return {name: remembered for name, remembered in memory.items() if name.split(" ")[0] == part}


def _search_share(
    dsn: str, schema: str, k: float, memory: Recall, part: str, variables: Set[str]
) -> list[Searched]:
    with connect(dsn) as conn:
        return search(conn, schema, k, memory, frozenset({part}), variables)


def search(
    conn: psycopg.Connection,
    schema: str,
    k: float,
    memory: Recall | None,
    parts: Set[str],
    variables: Set[str] = frozenset(VARIABLES),
) -> list[Searched]:
    """Each family's suppressions (``parts``: which kinds of family; ``variables``: which
    background variables' breakdowns), changing nothing."""
    memory = {} if memory is None else memory
    answers = []
    families = read_families(conn, schema, k, parts=parts, memory=memory, variables=variables)
    while True:
        read_from = time.monotonic()
        family = next(families, None)
        if family is None:
            break
        protect_from = time.monotonic()
        if family.recalled is not None:
            keys = family.recalled
            remembered = memory[family.name]
            checked = FamilyAudit(
                family.name, remembered.published_cells, remembered.secrets, [],
                cells_by_mart=dict(remembered.cells_by_mart),
            )  # fmt: skip
        else:
            cells = protect_family(family)
            checked = audit_family(family)
            keys = [(cell.mart, cell.key) for cell in cells]
            del cells
        as_before = ", as last night" if family.recalled is not None else ""
        took = (
            f"read in {protect_from - read_from:.1f} s, protected in {time.monotonic() - protect_from:.1f} s"
            f" ({len(family.cells)} cells, {len(keys)} suppressed{as_before};"
            f" {resident_mb() or 0.0:.0f} MB, process peak {peak_resident_mb() or 0.0:.0f} MB)"
        )
        answers.append(
            Searched(
                family.name,
                keys,
                checked,
                None
                if checked.determined
                else Remembered(
                    family.inputs,
                    keys,
                    checked.published_cells,
                    checked.secrets,
                    dict(checked.cells_by_mart),
                    memory[family.name].searched_in if family.recalled is not None else "",
                ),
                family.recalled is not None,
                took,
            )
        )
        del family, keys  # freed before the next family is read: one family in memory at a time
    return answers


def _apply(conn: psycopg.Connection, schema: str, searched: list[Searched], started: float) -> Outcome:
    """Every family's suppressions in one update per mart and kind of key: an update per family
    scanned a whole mart each time (407 families at 830,000 employees, a mart of 14 million rows)."""
    extra: dict[str, int] = defaultdict(int)
    outcome = Outcome({}, [], 0.0)
    _suppress(conn, schema, [key for answer in searched for key in answer.keys])
    for answer in searched:
        log.info("disclosure control: %s %s", answer.name, answer.took)
        for mart, _ in answer.keys:
            extra[mart] += 1
        outcome.audits.append(answer.checked)
        outcome.recalled += answer.recalled
        if answer.remembered is not None:
            outcome.remembered[answer.name] = answer.remembered
    outcome.extra_suppressions = dict(extra)
    outcome.seconds = time.monotonic() - started
    return outcome


def audit(
    conn: psycopg.Connection,
    schema: str,
    k: float,
    skip: Set[str] = frozenset(),
    lean: bool = True,
    parts: Set[str] = frozenset(PARTS),
) -> Outcome:
    """Rule 5 checked exactly over every mart built in ``schema`` (``skip``: marts that will not
    be published); nothing is changed. ``lean=False`` reads the families as the control does
    (slower at scale, the same answer: a test compares them)."""
    started = time.monotonic()
    audits = []
    for family in read_families(conn, schema, k, lean=lean, withheld=skip, parts=parts):
        audits.append(audit_family(family, blame=True))
        del family  # freed before the next family is read
    return Outcome({}, audits, time.monotonic() - started)


# The audit's two halves of about equal work at state scale, one process each (the families
# are independent): the breakdowns; the question results and the absence figures.
_HALVES = (frozenset({"breakdown"}), frozenset({"questions", "absence"}))


def audit_in_parallel(dsn: str, schema: str, k: float, skip: Set[str] = frozenset()) -> Outcome:
    """``audit_remembering`` with its halves in processes of their own, each with its own
    connection, or in this process (``apart.shared_out``)."""
    started = time.monotonic()
    halves = [(dsn, schema, k, frozenset(skip), half) for half in _HALVES]
    found = shared_out(_audit_half, halves, _apart(), "disclosure audit")
    audits = [result for half, _ in found for result in half]
    recalled = sum(len(half) for half, unchanged in found if unchanged)
    return Outcome({}, audits, time.monotonic() - started, recalled=recalled)


def _audit_half(
    dsn: str, schema: str, k: float, skip: Set[str], parts: Set[str]
) -> tuple[list[FamilyAudit], bool]:
    with connect(dsn) as conn:
        return audit_remembering(conn, schema, k, skip, parts)


def audit_remembering(
    conn: psycopg.Connection,
    schema: str,
    k: float,
    skip: Set[str] = frozenset(),
    parts: Set[str] = frozenset(PARTS),
) -> tuple[list[FamilyAudit], bool]:
    """``audit`` of some parts, or the passing verdict it gave when it last read the same rows
    (disclosure/gate_memo.py); and whether that verdict was recalled."""
    part = "+".join(sorted(parts))
    head = header(part, k, skip, schema)
    stored = audit_tables.disclosure_gate_memo(conn, part)
    if stored is not None and still_passes(conn, head, *stored[:2]):
        return [FamilyAudit(determined=[], **counts) for counts in stored[2]], True
    recording = RecordingConnection(conn)
    audits = audit(recording, schema, k, skip, parts=parts).audits  # type: ignore[arg-type]
    if any(result.determined for result in audits):
        audit_tables.forget_disclosure_gate_memo(conn, part)
    else:
        counts = [
            {"family": result.family, "published_cells": result.published_cells,
             "secrets": result.secrets, "cells_by_mart": result.cells_by_mart}
            for result in audits
        ]  # fmt: skip
        audit_tables.record_disclosure_gate_memo(
            conn, part, digest(head, recording.reads), stored_reads(recording), counts
        )
    return audits, False


def failing_marts(outcome: Outcome) -> dict[str, str]:
    """Mart → reason, for every mart blamed for a family where a small group is determined."""
    failures: dict[str, str] = {}
    for result in outcome.audits:
        if result.determined:
            for mart in result.blamed:
                failures.setdefault(
                    mart,
                    f"disclosure audit: {len(result.determined)} of {result.secrets} small groups "
                    f"determinable in {result.family}",
                )
    return failures


_SUPPRESS = {  # (mart, length of a cell's key) → the update hiding those cells
    (BREAKDOWN_MART, 4): (
        "update {schema}.mtu_breakdown_results set score = null, favourable_pct = null, suppressed = true"
        " where (survey_id, org_unit_code, background_variable, background_value)"
        " in (select * from unnest(%s::text[], %s::text[], %s::text[], %s::text[]))"
    ),
    (BREAKDOWN_MART, 5): (  # one dimension's rows
        "update {schema}.mtu_breakdown_results set score = null, favourable_pct = null, suppressed = true"
        " where (survey_id, org_unit_code, background_variable, background_value, dimension)"
        " in (select * from unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[]))"
    ),
    (QUESTION_MART, 3): (
        "update {schema}.mtu_question_results"
        " set score = null, favourable_pct = null, delta = null, suppressed = true"
        " where (survey_id, org_unit_code, question_code)"
        " in (select * from unnest(%s::text[], %s::text[], %s::text[]))"
    ),
    (MONTHLY_MART, 2): (
        "update {schema}.absence_monthly set sick_days = null, sick_days_per_fte = null, suppressed = true"
        " where (org_unit_code, month_start) in (select * from unnest(%s::text[], %s::date[]))"
    ),
    (SCORECARD_MART, 2): (
        "update {schema}.culture_scorecard set sick_days_per_fte_12m = null, long_term_sick_share_12m = null,"
        " absence_suppressed = true"
        " where (org_unit_code, period_end) in (select * from unnest(%s::text[], %s::date[]))"
    ),
}
# A later round's question delta is this round's figure subtracted: suppressed with it.
_QUESTION_DELTAS = (
    "update {schema}.mtu_question_results set delta = null"
    " where (previous_survey_id, org_unit_code, question_code)"
    " in (select * from unnest(%s::text[], %s::text[], %s::text[]))"
)


def _suppressible(cell: Cell) -> bool:
    """Cells the control may suppress: every fine cell, a 12-month absence figure, and one
    dimension of a unit's round (with its scorecard columns) — never a whole round of a unit."""
    return (cell.mart, len(cell.key)) in _SUPPRESS or (cell.mart == DIMENSION_MART and len(cell.key) == 3)


def _suppress_dimensions(conn: psycopg.Connection, schema: str, keys: list[tuple[Hashable, ...]]) -> None:
    """A headline dimension result, suppressed because nothing finer protected a group: the
    figure, the next round's delta against it, and the scorecard columns built on it."""
    scorecard = {
        str(row[0])
        for row in conn.execute(
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
            (schema, SCORECARD_MART),
        ).fetchall()
    }
    for survey, unit, dimension in keys:
        conn.execute(
            f"update {schema}.{DIMENSION_MART} set score = null, favourable_pct = null, delta = null,"
            " suppressed = true where survey_id = %s and org_unit_code = %s and dimension = %s",
            (survey, unit, dimension),
        )
        conn.execute(
            f"update {schema}.{DIMENSION_MART} set delta = null"
            " where previous_survey_id = %s and org_unit_code = %s and dimension = %s",
            (survey, unit, dimension),
        )
        figures = [f"{dimension}_score", f"{dimension}_favourable_pct", f"{dimension}_delta"]
        figures += {"tillid": ["trust_index", "social_capital_index"], "enps": ["enps"]}.get(
            str(dimension), []
        )
        if dimension in ("retfaerdighed", "samarbejde"):
            figures.append("social_capital_index")
        figures = [f for f in figures if f in scorecard]
        if figures and "mtu_survey_id" in scorecard:
            assignments = ", ".join(f'"{f}" = null' for f in figures)
            conn.execute(
                f"update {schema}.{SCORECARD_MART} set {assignments}"
                " where mtu_survey_id = %s and org_unit_code = %s",
                (survey, unit),
            )
        later = f"{dimension}_delta"
        if later in scorecard and "mtu_survey_id" in scorecard:
            conn.execute(
                f'update {schema}.{SCORECARD_MART} set "{later}" = null where org_unit_code = %s'
                f" and mtu_survey_id in (select survey_id from {schema}.{DIMENSION_MART}"
                " where previous_survey_id = %s and org_unit_code = %s and dimension = %s)",
                (unit, survey, unit, dimension),
            )


def _suppress(conn: psycopg.Connection, schema: str, cells: Iterable[CellKey]) -> None:
    """Hide the cells with these keys (a date may come as its ISO text from the memory)."""
    keys: dict[tuple[str, int], list[tuple[Hashable, ...]]] = defaultdict(list)
    for mart, key in cells:
        keys[(mart, len(key))].append(key)
    for (mart, length), rows in keys.items():
        if mart == DIMENSION_MART and length == 3:
            _suppress_dimensions(conn, schema, rows)
            continue
        if (mart, length) not in _SUPPRESS:
            raise ValueError(f"the disclosure control may not change {mart}")
        columns = [list(column) for column in zip(*rows, strict=True)]
        conn.execute(_SUPPRESS[(mart, length)].format(schema=schema), columns)  # type: ignore[arg-type]
        if mart == QUESTION_MART:
            conn.execute(_QUESTION_DELTAS.format(schema=schema), columns)  # type: ignore[arg-type]
