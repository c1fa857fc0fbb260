"""Read the built publication into linked families (disclosure/model.py), structure and sizes only.

- one family per survey round and background variable: the breakdown cells by value and the
  round's dimension results (a unit's result sums its value groups and its respondents without
  a value); the breakdown pattern is one per (unit, variable, value) for every dimension, so one
  family answers for all dimensions;
- one family per survey round and dimension: the question results (group size = valid answers
  to the question) and the dimension results (favourable answers of a dimension are the sum of
  its questions' favourable answers);
- one family for sickness absence: monthly cells and the scorecard's 12-month windows over tree
  segments (a month cut where the org tree changes), each unit's facts on the tree of their date.

Every query is ordered: the same rows always build the same family (same numbering of its
variables, same order of its cells), so a family's inputs digest (disclosure/memo.py) says
whether it is the family of another night.

Breakdowns and questions of one round need not be audited together: a shown breakdown or
question cell always has its unit's dimension result shown, and summing the breakdown family
over values (or the question family over questions) only gives dimension results, which both
families already hold (README, "Disclosure control").
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Set
from functools import partial
from operator import itemgetter
from sys import intern
from typing import Any

import psycopg

from culture_warehouse.disclosure.memo import Inputs, Recall, recalled
from culture_warehouse.disclosure.model import (
    Cell,
    ClearedCore,
    Family,
    Secret,
    Tree,
    Variant,
    add_column,
    direct_form,
    small_cell_secrets,
)
from culture_warehouse.disclosure.solver import Form, form

BREAKDOWN_MART = "mtu_breakdown_results"
QUESTION_MART = "mtu_question_results"
DIMENSION_MART = "mtu_dimension_results"
MONTHLY_MART = "absence_monthly"
SCORECARD_MART = "culture_scorecard"
MISSING = "(no value)"
VARIABLES = ("age_band", "seniority_band", "job_family", "is_manager")


PARTS = ("breakdown", "questions", "absence")
NO_DIMENSION: frozenset[str] = frozenset()  # one object for the cells hidden in no dimension
# Whether the control clears a dimension's breakdown family by extending its round's family
# (ClearedCore) instead of building it; off, every such family is built (tests compare the two).
CLEAR_BY_EXTENSION = True
# Whether the absence figures are one family per group of units the tree links (an institution)
# instead of one family for all units; off, one family (tests compare the two).
SPLIT_ABSENCE = True


def read_families(
    conn: psycopg.Connection,
    schema: str,
    k: float,
    lean: bool = False,
    withheld: Set[str] = frozenset(),
    parts: Set[str] = frozenset(PARTS),
    memory: Recall | None = None,
    variables: Set[str] = frozenset(VARIABLES),
) -> Iterator[Family]:
    """Every linked family of the publication built in ``schema``, one at a time (so that only
    one family is held in memory). ``lean``: for an audit, which changes nothing (Family.lean);
    ``withheld``: marts that will not be published; ``parts``: which kinds of family (PARTS).

    With a ``memory`` (the control's, disclosure/memo.py), each family's inputs are hashed
    (``Family.inputs``) before it is built, and a family whose inputs are remembered is not
    built: it comes hollow, with last night's suppressions (``Family.recalled``). ``variables``:
    the background variables whose breakdown families are read (each is a family of its own)."""
    # Hash the groupings in memory rather than spill them (millions of answers at state scale).
    conn.execute("set local work_mem = '256MB'")
    existing = {
        str(row[0])
        for row in conn.execute(
            "select table_name from information_schema.tables where table_schema = %s", (schema,)
        ).fetchall()
    }
    # The absence family first: it is the largest, and is built while the process is smallest
    # (it shares nothing with the survey families, so the order changes no answer).
    if "absence" in parts and MONTHLY_MART in existing:
        for family in absence_families(
            conn, schema, k, with_windows=SCORECARD_MART in existing, lean=lean, withheld=withheld,
            memory=memory,
        ):  # fmt: skip
            yield family.built()
            del family  # not held while the next family is built: one family in memory at a time
    if "breakdown" in parts and {BREAKDOWN_MART, DIMENSION_MART} <= existing:
        for family in breakdown_families(conn, schema, k, lean, withheld, memory, variables):
            yield family.built()
            del family
    if "questions" in parts and {QUESTION_MART, DIMENSION_MART} <= existing:
        for family in question_families(conn, schema, k, lean, withheld, memory):
            yield family.built()
            del family


def _hollow(name: str, k: float, withheld: Set[str], inputs: str, memory: Recall | None) -> Family | None:
    """The family as remembered, when its inputs are: not built (disclosure/memo.py)."""
    suppressed = recalled(memory, name, inputs) if memory is not None else None
    if suppressed is None:
        return None
    return Family(name, k=k, withheld=withheld, inputs=inputs, recalled=suppressed)


def _breakdown_inputs(
    name: str,
    k: float,
    withheld: Set[str],
    columns: Mapping[Hashable, Mapping[str, float]],
    groups: list[tuple[str, Hashable]],
    tree: Tree,
    published: list[tuple[str, str, bool]],
    unit_shown: Callable[[str], bool],
    survey: str,
    respondents: Mapping[tuple[str, str], int],
) -> str:
    """The digest of everything ``_breakdown_family`` reads."""
    inputs = Inputs(name, k, False, withheld).add_mapping(columns).add_rows(groups)
    return _round_inputs(inputs, tree, published, unit_shown, survey, respondents)


def _round_inputs(
    inputs: Inputs,
    tree: Tree,
    published: list[Any],
    unit_shown: Callable[[str], object],
    survey: str,
    respondents: Mapping[tuple[str, str], int],
) -> str:
    """The digest, after a survey family's own counts, of its round's tree, its published cells,
    each unit's dimension result as shown or not, and each unit's respondents."""
    inputs.add_mapping(tree.parents).add_rows(published)
    units = tree.bottom_up
    inputs.add_rows(unit_shown(unit) for unit in units)
    return inputs.add_rows(respondents.get((survey, unit), 0) for unit in units).hexdigest()


def _round_trees(conn: psycopg.Connection) -> tuple[dict[str, Tree], dict[tuple[str, str], int]]:
    parents: dict[str, dict[str, str | None]] = defaultdict(dict)
    respondents: dict[tuple[str, str], int] = {}
    for survey, unit, parent, n in conn.execute(
        "select survey_id, org_unit_code, parent_code, n_respondents from intermediate.int_mtu_groups"
        " order by 1, 2"
    ):
        survey, unit = intern(survey), intern(unit)
        parents[survey][unit] = None if parent is None else intern(parent)
        respondents[(survey, unit)] = int(n)
    return {survey: Tree(p) for survey, p in parents.items()}, respondents


def _dimension_rows(conn: psycopg.Connection, schema: str) -> _ByKey:
    """The dimension results, shown or not, one survey round at a time."""
    return _ByKey(
        conn,
        "select survey_id, org_unit_code, dimension, not suppressed"
        f' from {schema}.{DIMENSION_MART} order by survey_id collate "C"',
    )


def _shown_dimensions(survey: str, rows: Iterable[tuple[Any, ...]]) -> dict[tuple[str, str, str], bool]:
    """(round, unit, dimension) → whether that dimension result is shown, for one round's rows."""
    return {
        (survey, intern(str(unit)), intern(str(dimension))): bool(shown) for _, unit, dimension, shown in rows
    }


def breakdown_families(
    conn: psycopg.Connection,
    schema: str,
    k: float,
    lean: bool = False,
    withheld: Set[str] = frozenset(),
    memory: Recall | None = None,
    variables: Set[str] = frozenset(VARIABLES),
) -> Iterator[Family]:
    """One family per round and variable (of ``variables``); and one per round, variable and
    dimension where some respondents answered none of the dimension's items (their groups are
    then empty in that dimension's figures, which an analyst knowing the answer counts can use)."""
    trees, respondents = _round_trees(conn)
    # Read one survey round at a time (server-side cursors ordered by round): at 830,000
    # employees ten rounds' counts and cells held at once were most of a share's memory.
    chosen = sorted(variables)
    by_value = _ByKey(
        conn,
        f"""
        {_RESPONDENTS_BY_VALUE}
        select survey_id, org_unit_code, variable, value, count(*)
        from by_value where variable = any(%s) group by 1, 2, 3, 4 order by survey_id collate "C", 2, 3, 4
        """,
        (MISSING, chosen),
    )
    silent = _ByKey(conn, _SILENT, (MISSING, chosen))
    dimensions = _dimension_rows(conn, schema)
    # A cell (unit, variable, value) is one row per dimension; nearly always all shown or all
    # suppressed, so the rows are read grouped, with the dimensions hidden where they differ.
    breakdowns = _ByKey(
        conn,
        "select survey_id, org_unit_code, background_variable, background_value, bool_or(not suppressed),"
        " case when bool_or(not suppressed) and bool_or(suppressed)"
        " then array_agg(dimension) filter (where suppressed) end"
        f" from {schema}.{BREAKDOWN_MART} where background_variable = any(%s)"
        ' group by 1, 2, 3, 4 order by survey_id collate "C", 2, 3, 4',
        (chosen,),
    )
    for survey in sorted(trees):
        yield from _round_breakdown_families(
            intern(survey), trees[survey], respondents, by_value.take(survey), silent.take(survey),
            dimensions.take(survey), breakdowns.take(survey), k, lean, withheld, memory, variables,
        )  # fmt: skip


def _round_breakdown_families(
    survey: str,
    tree: Tree,
    respondents: dict[tuple[str, str], int],
    by_value: Iterator[tuple[Any, ...]],
    silent_rows: Iterator[tuple[Any, ...]],
    dimension_rows: Iterator[tuple[Any, ...]],
    breakdown_rows: Iterator[tuple[Any, ...]],
    k: float,
    lean: bool,
    withheld: Set[str],
    memory: Recall | None,
    variables: Set[str],
) -> Iterator[Family]:
    """One round's breakdown families (``breakdown_families``)."""
    direct: dict[tuple[str, str], dict[Hashable, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for _, unit, variable, value, n in by_value:
        direct[(survey, intern(variable))][intern(value)][intern(unit)] = float(n)
    silent: dict[tuple[str, str, str], dict[Hashable, dict[str, float]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for _, unit, variable, value, dimension, n in silent_rows:
        silent[(survey, intern(variable), intern(dimension))][intern(value)][intern(unit)] = float(n)
    # The groups of a dimension whose members all answered none of its items.
    empty_in: dict[tuple[str, str], dict[str, list[tuple[str, Hashable]]]] = defaultdict(dict)
    for (_, variable, dimension), by_unit in sorted(silent.items()):
        columns = direct[(survey, variable)]
        groups = [(u, v) for v, units in by_unit.items() for u, n in units.items() if n == columns[v].get(u)]
        if groups:
            empty_in[(survey, variable)][dimension] = groups
    del silent
    dimension_cells = _shown_dimensions(survey, dimension_rows)
    shown_units: dict[tuple[str, str], bool] = defaultdict(bool)
    every_dimension: dict[tuple[str, str], bool] = defaultdict(lambda: True)
    for (_, unit, _), shown in dimension_cells.items():
        shown_units[(survey, unit)] |= shown
        every_dimension[(survey, unit)] &= shown
    published: dict[tuple[str, str], list[tuple[str, str, bool, frozenset[str]]]] = defaultdict(list)
    for _, unit, variable, value, shown, hidden in breakdown_rows:
        published[(survey, intern(variable))].append(
            (intern(unit), intern(value), bool(shown), frozenset(hidden) if hidden else NO_DIMENSION)
        )
    for _, variable in sorted(direct):
        columns = direct.pop((survey, variable))  # each family's counts are freed once it is built
        if variable not in variables:
            continue
        cells = published.pop((survey, variable), [])
        if lean:
            family = _breakdown_family(
                f"breakdown {survey} {variable}", columns, None, tree, (survey, variable),
                ((unit, value, shown and not hidden) for unit, value, shown, hidden in cells),
                partial(_lookup, every_dimension, (survey,), ()), respondents, k, lean, withheld,
            )  # fmt: skip
            family.variants = _breakdown_variants(
                family, tree, survey, cells, empty_in[(survey, variable)], dimension_cells, shown_units
            )
            yield family
            del family  # before the next family is read: one family in memory
            continue
        name = f"breakdown {survey} {variable}"
        every_cells = [(unit, value, shown) for unit, value, shown, _ in cells]
        units_shown = partial(_lookup, shown_units, (survey,), ())
        inputs = ""
        if memory is not None:
            inputs = _breakdown_inputs(
                name, k, withheld, columns, [], tree, every_cells, units_shown, survey, respondents
            )
        every = _hollow(name, k, withheld, inputs, memory) or _breakdown_family(
            name, columns, None, tree, (survey, variable), every_cells, units_shown, respondents, k,
            lean, withheld, inputs,
        )  # fmt: skip
        del every_cells
        # Each dimension's empty groups as known zeros over the round's variables, while the
        # family can still name them (read_families frees the names once it is yielded).
        zeros_of: dict[str, list[Form]] = {}
        if every.recalled is None and CLEAR_BY_EXTENSION:
            zeros_of = {
                dimension: [form(direct_form(every, tree, unit, value)) for unit, value in groups]
                for dimension, groups in empty_in[(survey, variable)].items()
            }
        yield every
        # Searched now: when it determines nothing, a dimension that only adds known zeros to it
        # is cleared without a family of its own (ClearedCore).
        core = ClearedCore.of(every) if zeros_of else None
        totals = _unit_totals(every) if core else {}
        # What the control has suppressed in the family for all dimensions is suppressed in
        # each dimension's rows too: a dimension's family starts from there.
        if every.recalled is not None:
            recalled_keys = every.recalled
            hidden_now = {(str(key[1]), str(key[3])) for mart, key in recalled_keys if mart == BREAKDOWN_MART}
            if BREAKDOWN_MART in withheld:  # not shown anywhere, as the built family has them
                hidden_now |= {(u, v) for u, v, _, _ in cells}
        else:
            hidden_now = {
                (str(c.key[1]), str(c.key[3]))
                for c in every.cells
                if c.mart == BREAKDOWN_MART and not c.shown
            }
        every_secrets = every.secrets
        del every
        cells = [(u, v, shown and (u, v) not in hidden_now, hidden) for u, v, shown, hidden in cells]
        for dimension, groups in empty_in[(survey, variable)].items():
            name = f"breakdown {survey} {variable} {dimension}"
            dimension_cells_shown = [
                (u, value, shown and dimension not in hidden) for u, value, shown, hidden in cells
            ]
            unit_shown = partial(_lookup, dimension_cells, (survey,), (dimension,))
            if memory is not None:
                inputs = _breakdown_inputs(
                    name, k, withheld, columns, groups, tree, dimension_cells_shown, unit_shown, survey,
                    respondents,
                )  # fmt: skip
                hollow = _hollow(name, k, withheld, inputs, memory)
                if hollow is not None:
                    yield hollow
                    continue
            headline = [] if DIMENSION_MART in withheld else [t for u, t in totals.items() if unit_shown(u)]
            if core is not None and core.clear_with(zeros_of[dimension], headline):
                yield _cleared_family(
                    name, k, withheld, inputs, every_secrets, tree, dimension_cells_shown, unit_shown
                )
                continue
            present = {value: dict(units) for value, units in columns.items()}
            for unit, value in groups:
                present[value][unit] = 0.0
            yield _breakdown_family(
                name, columns, present, tree, (survey, variable, dimension), dimension_cells_shown,
                unit_shown, respondents, k, lean, withheld, inputs,
            )  # fmt: skip


def _cleared_family(
    name: str,
    k: float,
    withheld: Set[str],
    inputs: str,
    secrets: list[Secret],
    tree: Tree,
    published: list[tuple[str, str, bool]],
    unit_shown: Callable[[str], bool],
) -> Family:
    """A dimension's family that its round's family, extended by the dimension's empty groups,
    showed to determine nothing (ClearedCore): not built, nothing to suppress. It carries the
    counts the audit records: its shown cells by mart, and its round's small groups."""
    family = Family(name, k=k, withheld=withheld, inputs=inputs, secrets=secrets, leaking=[])
    if BREAKDOWN_MART not in withheld:
        family.known_cells[BREAKDOWN_MART] = sum(1 for _, _, shown in published if shown)
    if DIMENSION_MART not in withheld:
        family.known_cells[DIMENSION_MART] = sum(1 for unit in tree.bottom_up if unit_shown(unit))
    return family


def _unit_totals(family: Family) -> dict[str, Form]:
    """Each unit's dimension result in a round's breakdown family: the sum of its value columns."""
    return {str(cell.key[1]): cell.terms for cell in family.cells if cell.mart == DIMENSION_MART}


def _breakdown_variants(
    family: Family,
    tree: Tree,
    survey: str,
    cells: list[tuple[str, str, bool, frozenset[str]]],
    empty_in: dict[str, list[tuple[str, Hashable]]],
    dimension_cells: dict[tuple[str, str, str], bool],
    shown_units: dict[tuple[str, str], bool],
) -> list[Variant]:
    """The family (built with what every dimension shows) as each dimension publishes it, and
    as all dimensions together publish it (a cell shown in any dimension)."""
    totals = _unit_totals(family)
    core = {str(cell.key[1]) for cell in family.cells if cell.mart == DIMENSION_MART and cell.shown}
    some = [(u, v, hidden) for u, v, shown, hidden in cells if shown and hidden]
    if BREAKDOWN_MART in family.withheld:
        some = []

    def dimension_totals(shown: Callable[[str], bool]) -> list[Form]:
        if DIMENSION_MART in family.withheld:
            return []
        return [terms for unit, terms in totals.items() if unit not in core and shown(unit)]

    def cell_forms(dimension: str | None) -> list[Form]:
        return [form(family.terms([(u, v)])) for u, v, hidden in some if dimension not in hidden]

    every = dimension_totals(partial(_lookup, shown_units, (survey,), ()))
    variants = [Variant(family.name, cell_forms(None) + every, every)]
    for dimension, groups in sorted(empty_in.items()):
        headline = dimension_totals(partial(_lookup, dimension_cells, (survey,), (dimension,)))
        zeros = [form(direct_form(family, tree, unit, value)) for unit, value in groups]
        variants.append(
            Variant(f"{family.name} {dimension}", cell_forms(dimension) + headline, headline, zeros, True)
        )
    return variants


# Respondents who answered none of a dimension's items, by unit, background value and
# dimension. dbt finds them once per survey round (int_mtu_silent_respondents, incremental): read
# here by both breakdown shares and both halves of the gate, the query it replaces took 5 s each
# at state scale, every night.
_SILENT = """
select s.survey_id, s.org_unit_code, b.variable, coalesce(b.value, %s), s.dimension, count(*)
from intermediate.int_mtu_silent_respondents as s
cross join lateral (values ('age_band', s.bg_age_band), ('seniority_band', s.bg_seniority_band),
    ('job_family', s.bg_job_family), ('is_manager', s.bg_is_manager::text)) as b (variable, value)
where b.variable = any(%s)
group by 1, 2, 3, 4, 5
order by s.survey_id collate "C", 2, 3, 4, 5
"""

_RESPONDENTS_BY_VALUE = """
with by_value as (
    select r.survey_id, r.respondent_id, r.org_unit_code, b.variable, coalesce(b.value, %s) as value
    from staging.stg_mtu__respondents as r
    inner join intermediate.int_mtu_groups as g
        on g.survey_id = r.survey_id and g.org_unit_code = r.org_unit_code
    cross join lateral (values ('age_band', r.bg_age_band), ('seniority_band', r.bg_seniority_band),
        ('job_family', r.bg_job_family), ('is_manager', r.bg_is_manager::text)) as b (variable, value)
)"""


def _lookup_or_none(shown: Mapping[Any, bool], survey: str, dimension: str, unit: str) -> bool | None:
    """Whether a unit's dimension result is shown; None when the unit has none."""
    return shown.get((survey, unit, dimension))


def _lookup(shown: Mapping[Any, bool], before: tuple[str, ...], after: tuple[str, ...], unit: str) -> bool:
    return shown.get((*before, unit, *after), False)


def _breakdown_family(
    name: str,
    columns: dict[Hashable, dict[str, float]],
    present: dict[Hashable, dict[str, float]] | None,
    tree: Tree,
    scope: tuple[str, ...],
    published: Iterable[tuple[str, str, bool]],
    unit_shown: Callable[[str], bool],
    respondents: dict[tuple[str, str], int],
    k: float,
    lean: bool = False,
    withheld: Set[str] = frozenset(),
    inputs: str = "",
) -> Family:
    """``scope`` is (survey, variable) for every dimension at once, or (survey, variable,
    dimension) for one; the cells' keys carry the dimension then, so a suppression there hides
    only that dimension's rows."""
    family = Family(name, lean=lean, k=k, withheld=withheld, inputs=inputs)
    survey, variable = scope[0], scope[1]
    dimension = scope[2:]
    columns.setdefault(MISSING, {})
    sizes = {
        value: add_column(
            family,
            tree,
            value,
            units,
            k,
            "direct respondents of a unit by value",
            (survey, variable),
            present=None if present is None else present.get(value, {}),
        )
        for value, units in sorted(columns.items())
    }
    for unit, value, shown in published:
        family.add_cell(
            Cell(
                BREAKDOWN_MART,
                (survey, unit, variable, value, *dimension),
                form(family.terms([(unit, value)])),
                sizes.get(value, {}).get(unit, 0.0),
                value,
                shown,
                fine=True,
            ),
        )
    for unit in tree.bottom_up:
        total = form(family.terms((unit, value) for value in sizes))
        family.add_cell(
            Cell(
                DIMENSION_MART,
                (survey, unit, *dimension),
                total,
                float(respondents.get((survey, unit), 0)),
                "all respondents",
                unit_shown(unit),
                fine=False,
            )
        )
        missing = sizes[MISSING].get(unit, 0.0)
        if 0 < missing < k:
            family.secrets.append(
                Secret(
                    "respondents without a value",
                    (survey, variable, unit),
                    form(family.terms([(unit, MISSING)])),
                    missing,
                    MISSING,
                )
            )
        own = sum(units.get(unit, 0.0) for units in columns.values())
        if 0 < own < k:
            terms = [t for value in sizes for t in direct_form(family, tree, unit, value)]
            family.secrets.append(
                Secret("direct respondents of a unit", (survey, unit), form(terms), own, "all")
            )
    small_cell_secrets(family, k, "suppressed group", family.cells)
    if present is not None:
        family.settle_secrets(known_zeros=True)
    return family


def question_families(
    conn: psycopg.Connection,
    schema: str,
    k: float,
    lean: bool = False,
    withheld: Set[str] = frozenset(),
    memory: Recall | None = None,
) -> Iterator[Family]:
    """One family per round and dimension, read one round at a time (at 830,000 employees ten
    rounds' question counts held at once took the process to 1 GB)."""
    trees, respondents = _round_trees(conn)
    question_units = _ByKey(
        conn,
        """
        select i.survey_id, i.org_unit_code, i.dimension, i.question_code, i.n_answers
        from intermediate.int_mtu_question_units as i
        inner join intermediate.int_mtu_groups as g
            on g.survey_id = i.survey_id and g.org_unit_code = i.org_unit_code
        where i.n_answers > 0
        order by i.survey_id collate "C", 2, 3, 4
        """,
    )
    question_cells = _ByKey(
        conn,
        "select survey_id, org_unit_code, dimension, question_code, not suppressed"
        f' from {schema}.{QUESTION_MART} order by survey_id collate "C", 2, 3, 4',
    )
    dimension_cells = _dimension_rows(conn, schema)
    for round_survey in sorted(trees):
        yield from _round_question_families(
            round_survey, trees[round_survey], respondents, question_units.take(round_survey),
            question_cells.take(round_survey), dimension_cells.take(round_survey),
            k, lean, withheld, memory,
        )  # fmt: skip


def _round_question_families(
    survey: str,
    tree: Tree,
    respondents: Mapping[tuple[str, str], int],
    question_units: Iterator[tuple[Any, ...]],
    question_cells: Iterator[tuple[Any, ...]],
    dimension_cells: Iterator[tuple[Any, ...]],
    k: float,
    lean: bool,
    withheld: Set[str],
    memory: Recall | None,
) -> Iterator[Family]:
    survey = intern(survey)
    direct: dict[tuple[str, str], dict[Hashable, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for _, unit, dimension, question, n in question_units:
        direct[(survey, intern(dimension))][intern(question)][intern(unit)] = float(n)
    dimension_shown = _shown_dimensions(survey, dimension_cells)
    published: dict[tuple[str, str], list[tuple[str, str, bool]]] = defaultdict(list)
    for _, unit, dimension, question, shown in question_cells:
        published[(survey, intern(dimension))].append((intern(unit), intern(question), bool(shown)))
    for _, dimension in sorted(direct):
        columns = direct.pop((survey, dimension))
        name = f"questions {survey} {dimension}"
        cells = published.pop((survey, dimension), [])
        inputs = ""
        if memory is not None:
            inputs = _round_inputs(
                Inputs(name, k, lean, withheld).add_mapping(columns), tree, cells,
                partial(_lookup_or_none, dimension_shown, survey, dimension), survey, respondents,
            )  # fmt: skip
            hollow = _hollow(name, k, withheld, inputs, memory)
            if hollow is not None:
                yield hollow
                continue
        family = Family(name, lean=lean, k=k, withheld=withheld, inputs=inputs)
        sizes = {
            question: add_column(
                family, tree, question, units, k, "direct answers of a unit to a question", (survey, question)
            )
            for question, units in sorted(columns.items())
        }
        for unit, question, shown in cells:
            family.add_cell(
                Cell(
                    QUESTION_MART,
                    (survey, unit, question),
                    form(family.terms([(unit, question)])),
                    sizes.get(question, {}).get(unit, 0.0),
                    question,
                    shown,
                    fine=True,
                ),
            )
        for unit in tree.bottom_up:
            if (survey, unit, dimension) not in dimension_shown:
                continue
            total = form(family.terms((unit, question) for question in sizes))
            family.add_cell(
                Cell(
                    DIMENSION_MART,
                    (survey, unit, dimension),
                    total,
                    float(respondents.get((survey, unit), 0)),
                    "all questions",
                    dimension_shown[(survey, unit, dimension)],
                    fine=False,
                )
            )
        small_cell_secrets(family, k, "suppressed group", family.cells)
        family.settle_secrets()
        yield family
        del family


def absence_families(
    conn: psycopg.Connection,
    schema: str,
    k: float,
    with_windows: bool = True,
    lean: bool = False,
    withheld: Set[str] = frozenset(),
    memory: Recall | None = None,
) -> Iterator[Family]:
    """Sick days: monthly cells, 12-month windows, one variable per unit and tree segment.

    One family per group of units the org tree links in some epoch (an institution, or the
    institutions a reorganisation joined): a cell sums its unit's subtree in one epoch and a
    window a unit's own months, so two groups share no unknown and each is searched alone
    (``SPLIT_ABSENCE``; README "Disclosure control"). Named ``absence`` when there is one group,
    ``absence <its smallest unit code>`` each when there are several; only one is built at a time.
    """
    dates: dict[dt.date, dt.date] = {}  # one object per date: the same months recur on every row
    parents: dict[dt.date, dict[str, str | None]] = defaultdict(dict)
    for epoch, unit, parent in conn.execute(
        "select epoch_start, org_unit_code, parent_code from intermediate.int_org_unit_paths order by 1, 2"
    ):
        parents[dates.setdefault(epoch, epoch)][intern(unit)] = None if parent is None else intern(parent)
    segments: dict[dt.date, list[dt.date]] = defaultdict(list)  # month → epochs cutting it
    for month, epoch in conn.execute(
        "select month_start, epoch_start from intermediate.int_hr_month_segments order by 1, 2"
    ):
        segments[dates.setdefault(month, month)].append(dates.setdefault(epoch, epoch))
    group_of = linked_groups(parents.values()) if SPLIT_ABSENCE else {}
    split = len(set(group_of.values())) > 1
    # Each unit's group travels with its rows, which come one group at a time (ordered by group,
    # then as before), so only the group being built is held in this process. A unit in no tree
    # (a published row of a unit outside every epoch) is its own group; with one group, one family.
    label = "coalesce(g.label, x.org_unit_code)" if split else "''"
    mapping = (list(group_of), list(group_of.values()))

    def grouped(columns: str, table: str, order: str) -> _ByKey:
        return _ByKey(
            conn,
            "with g as (select * from unnest(%s::text[], %s::text[]) as g (unit, label))"
            f" select {label} as label, {columns} from {table} as x left join g on x.org_unit_code = g.unit"
            f' order by ({label}) collate "C", {order}',
            mapping,
        )

    staffing_rows = grouped(
        "x.org_unit_code, x.month_start, x.epoch_start, x.headcount_days",
        "intermediate.int_staffing_by_unit_month",
        "3, 4, 2",
    )
    monthly_rows = grouped(
        "x.org_unit_code, x.month_start, not x.suppressed", f"{schema}.{MONTHLY_MART}", "2, 3"
    )
    window_rows = (
        grouped(
            "x.org_unit_code, x.period_end, not x.absence_suppressed", f"{schema}.{SCORECARD_MART}", "2, 3"
        )
        if with_windows
        else _ByKey(None)
    )
    streams = (staffing_rows, monthly_rows, window_rows)
    tree_groups = sorted(set(group_of.values())) if split else [""]
    while True:
        heads = [head for head in (stream.peek() for stream in streams) if head is not None]
        group = min([*heads, *tree_groups[:1]], default=None)
        if group is None:
            return
        if tree_groups[:1] == [group]:
            tree_groups.pop(0)
        staffing: dict[tuple[dt.date, dt.date], dict[str, float]] = defaultdict(dict)
        for _, unit, month, epoch, days in staffing_rows.take(group):
            column = (dates.setdefault(month, month), dates.setdefault(epoch, epoch))
            staffing[column][intern(unit)] = float(days)
        monthly = [
            (intern(unit), dates.setdefault(month, month), bool(shown))
            for _, unit, month, shown in monthly_rows.take(group)
        ]
        windows = [
            (intern(unit), dates.setdefault(end, end), bool(shown))
            for _, unit, end, shown in window_rows.take(group)
        ]
        name, trees = "absence", parents
        if split:
            name = f"absence {group}"
            trees = {
                epoch: {u: p for u, p in tree.items() if group_of.get(u, u) == group}
                for epoch, tree in parents.items()
            }
        yield _absence_family(
            name, k, lean, withheld, memory, with_windows, trees, segments, staffing, monthly, windows
        )


class _ByKey:
    """The rows of a query ordered by a key (its first column, in C order), one key's rows at a
    time, through a server-side cursor: only the rows being read are held in this process."""

    def __init__(
        self, conn: psycopg.Connection | None, query: str = "", parameters: tuple[Any, ...] = ()
    ) -> None:
        rows: Iterator[tuple[Any, ...]] = iter(())
        if conn is not None:
            cursor = conn.cursor(name=f"culture_by_key_{next(_CURSORS)}")
            cursor.itersize = 5_000  # rows fetched at a time: a few MB of Python tuples per open stream
            cursor.execute(query, parameters)
            rows = iter(cursor)
        self._groups = itertools.groupby(rows, key=itemgetter(0))
        self._head: tuple[str, Iterator[tuple[Any, ...]]] | None = next(self._groups, None)
        self._taken = False

    def peek(self) -> str | None:
        """The next key not yet taken, or None at the end."""
        if self._taken:
            self._head, self._taken = next(self._groups, None), False
        return None if self._head is None else self._head[0]

    def take(self, key: str) -> Iterator[tuple[Any, ...]]:
        """The rows of ``key``, to be read before the next ``take`` (keys are asked for in
        sorted order; the rows of keys not asked for are skipped)."""
        while (head := self.peek()) is not None and head < key:
            self._head = next(self._groups, None)
        if self._head is None or self._head[0] != key:
            return iter(())
        self._taken = True
        return self._head[1]


_CURSORS = itertools.count()


def linked_groups(trees: Iterable[Mapping[str, str | None]]) -> dict[str, str]:
    """Each unit's group: the units linked by a parent in any epoch, named by their smallest code."""
    root: dict[str, str] = {}

    def find(unit: str) -> str:
        top = unit
        while root.get(top, top) != top:
            top = root[top]
        while unit != top:  # path compression
            root[unit], unit = top, root[unit]
        return top

    for tree in trees:
        for unit, parent in tree.items():
            a = find(root.setdefault(unit, unit))
            if parent is not None:
                b = find(root.setdefault(parent, parent))
                if a != b:
                    root[max(a, b)] = min(a, b)
    return {unit: find(unit) for unit in root}


def _absence_family(
    name: str,
    k: float,
    lean: bool,
    withheld: Set[str],
    memory: Recall | None,
    with_windows: bool,
    parents: Mapping[dt.date, dict[str, str | None]],
    segments: Mapping[dt.date, list[dt.date]],
    staffing: Mapping[tuple[dt.date, dt.date], dict[str, float]],
    monthly: list[tuple[str, dt.date, bool]],
    windows: list[tuple[str, dt.date, bool]],
) -> Family:
    inputs = ""
    if memory is not None:
        digest = Inputs(name, k, lean, withheld).add(with_windows).add_mapping(parents)
        digest.add_mapping(segments).add_mapping(staffing).add_rows(monthly)
        inputs = digest.add_rows(windows).hexdigest()
        hollow = _hollow(name, k, withheld, inputs, memory)
        if hollow is not None:
            return hollow
    trees = {epoch: Tree(dict(p)) for epoch, p in parents.items()}
    # Windows link every month of a unit: trying candidates costs more here than it saves.
    family = Family(name, tries=0, lean=lean, k=k, withheld=withheld, inputs=inputs)
    subtree: dict[tuple[dt.date, dt.date], dict[str, float]] = {}
    for month, epochs in segments.items():
        for epoch in epochs:
            column = (month, epoch)
            subtree[column] = add_column(family, trees[epoch], column, staffing.get(column, {}), k, None)

    # Each unit's tree segments per month (a unit is in a segment's tree, or not there then) and
    # its own staffing per month: each fact is looked up once, not once per window it is in.
    pieces_of: dict[str, dict[dt.date, list[tuple[dt.date, dt.date]]]] = defaultdict(dict)
    own_days: dict[str, dict[dt.date, float]] = defaultdict(dict)
    for month, epochs in segments.items():
        for epoch in epochs:
            column = (month, epoch)
            own_in = staffing.get(column, {})
            for unit in trees[epoch].parents:
                pieces_of[unit].setdefault(month, []).append(column)
                days = own_in.get(unit, 0.0)
                if days:
                    own_days[unit][month] = own_days[unit].get(month, 0.0) + days

    def pieces(unit: str, months: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
        by_month = pieces_of.get(unit, {})
        return [column for month in months for column in by_month.get(month, ())]

    def cell_form(unit: str, months: Iterable[dt.date]) -> tuple[Form, float]:
        columns = pieces(unit, months)
        terms = form(family.terms((unit, column) for column in columns))
        return terms, sum(subtree[column].get(unit, 0.0) for column in columns)

    def own_form(unit: str, months: Iterable[dt.date]) -> Form:
        return form(t for c in pieces(unit, months) for t in direct_form(family, trees[c[1]], unit, c))

    for unit, month, shown in monthly:
        terms, size = cell_form(unit, [month])
        days = _days(month, _month_end(month))
        family.add_cell(Cell(MONTHLY_MART, (unit, month), terms, size / days, month, shown, fine=True))
    del monthly
    units = sorted(own_days)
    for month in segments:
        days = _days(month, _month_end(month))
        for unit in units:
            own = own_days[unit].get(month, 0.0) / days
            if 0 < own < k:
                secret = Secret(
                    "direct employees of a unit in a month",
                    (unit, month),
                    own_form(unit, [month]),
                    own,
                    month,
                )
                family.secrets.append(secret)
    if with_windows:
        for unit, period_end, shown in windows:
            start = _window_start(period_end)
            months = [m for m in segments if start <= m <= period_end]
            terms, size = cell_form(unit, months)
            days = _days(start, period_end)
            family.add_cell(
                Cell(
                    SCORECARD_MART,
                    (unit, period_end),
                    terms,
                    size / days,
                    ("12m", period_end),
                    bool(shown),
                    fine=False,
                ),
            )
        ends = {cell.key[1] for cell in family.cells if cell.mart == SCORECARD_MART}
        for period_end in sorted(end for end in ends if isinstance(end, dt.date)):
            start = _window_start(period_end)
            days = _days(start, period_end)
            months = [m for m in segments if start <= m <= period_end]
            for unit in units:
                by_month = own_days[unit]
                own = sum(by_month.get(m, 0.0) for m in months) / days
                if 0 < own < k:
                    family.secrets.append(
                        Secret(
                            "direct employees of a unit in a 12-month window",
                            (unit, period_end),
                            own_form(unit, months),
                            own,
                            ("12m", period_end),
                        )
                    )
    small_cell_secrets(family, k, "suppressed group", family.cells)
    return family


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _window_start(period_end: dt.date) -> dt.date:
    following = period_end + dt.timedelta(days=1)
    return following.replace(year=following.year - 1)


def _days(first: dt.date, last: dt.date) -> int:
    return (last - first).days + 1
