"""Rule 5 of indicators.md: nothing small can be solved for from everything published.

Random org trees with a reorganisation, random respondents with backgrounds and skipped items,
random staffing over fifteen months: rules 1–3 by the real SQL function, rule 5 by the real
disclosure control, in PostgreSQL; then an analyst written in the tests (disclosure_attack.py)
solves linear equations over every published cell.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from disclosure_attack import Analyst, attack_absence, attack_mtu
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import fresh_database
from culture_warehouse import audit as audit_tables
from culture_warehouse.confidentiality import Group, install_suppression_function, suppress_small_groups
from culture_warehouse.disclosure import families
from culture_warehouse.disclosure.control import (
    FamilyAudit,
    Outcome,
    audit,
    audit_remembering,
    failing_marts,
    protect,
    protect_in_parallel,
)
from culture_warehouse.disclosure.gate_memo import RecordingConnection
from culture_warehouse.disclosure.solver import Publication, form

K = 5
SURVEY = "MTU2025"
SCHEMA = "marts_build"
MONTHS = [dt.date(2024 + (9 + i) // 12, (9 + i) % 12 + 1, 1) for i in range(15)]  # 2024-10 … 2025-12
PERIOD_ENDS = [dt.date(2025, 9, 30), dt.date(2025, 12, 31)]
QUESTIONS = {"q1": "samarbejde", "q2": "samarbejde", "q3": "tillid"}


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    """A monkeypatch for hypothesis tests (function-scoped fixtures are not reset per example)."""
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def conn(pg_server: str) -> Iterator[psycopg.Connection[Any]]:
    with fresh_database(pg_server) as dsn, psycopg.connect(dsn) as connection:
        install_suppression_function(connection)
        connection.commit()
        audit_tables.create_tables(dsn)  # the gate's memory (audit.disclosure_gate_memo)
        yield connection


# --- the exact solver, against the test's own rational elimination -------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.tuples(st.integers(0, 7), st.sampled_from([-1, 1, 2])), max_size=4), max_size=10),
    st.lists(st.lists(st.integers(0, 7), min_size=1, max_size=4, unique=True), min_size=1, max_size=6),
)
def test_the_exact_solver_agrees_with_rational_gaussian_elimination(
    rows: list[list[tuple[int, int]]], secrets: list[list[int]]
) -> None:
    publication = Publication([f for f in (form(r) for r in rows) if f])
    for secret in secrets:
        analyst = Analyst()
        for row in rows:
            analyst.learn_sum(dict(form(row)))
        expected = analyst.knows_sum(dict.fromkeys(secret, 1))
        assert publication.determined(form((v, 1) for v in secret)) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.tuples(st.integers(0, 9), st.sampled_from([-1, 1, 2])), max_size=4), max_size=10),
    st.lists(st.lists(st.tuples(st.integers(0, 9), st.sampled_from([-1, 1])), max_size=3), max_size=4),
    st.lists(st.lists(st.integers(0, 9), min_size=1, max_size=4, unique=True), min_size=1, max_size=6),
)
def test_a_publication_extended_by_more_sums_answers_as_one_built_with_them(
    rows: list[list[tuple[int, int]]], extra: list[list[tuple[int, int]]], secrets: list[list[int]]
) -> None:
    base = Publication([f for f in (form(r) for r in rows) if f])
    added = [f for f in (form(r) for r in extra) if f]
    whole = Publication([f for f in (form(r) for r in rows) if f] + added)
    forms = [form((v, 1) for v in secret) for secret in secrets]
    before = [base.determined(f) for f in forms]
    secrets_of: dict[int, list[int]] = {}
    for index, terms in enumerate(forms):
        for variable, _ in terms:
            secrets_of.setdefault(variable, []).append(index)
    extension = base.extended(added)
    assert extension.determined(forms, before, secrets_of) == [whole.determined(f) for f in forms]
    assert [extension.publication.determined(f) for f in forms] == [whole.determined(f) for f in forms]


# --- random publications through the real suppression, attacked ----------------------------


@dataclass
class Org:
    parents: list[dict[str, str | None]]  # per epoch
    epoch_starts: list[dt.date]
    respondents: list[tuple[str, str, str | None, str | None, set[str]]] = field(default_factory=list)
    staffing: dict[tuple[str, dt.date], int] = field(default_factory=dict)  # direct headcount

    def epoch_of(self, day: dt.date) -> int:
        return max(i for i, start in enumerate(self.epoch_starts) if start <= day)

    def subtree(self, epoch: int, unit: str) -> set[str]:
        parents = self.parents[epoch]
        found = {unit}
        changed = True
        while changed:
            changed = False
            for child, parent in parents.items():
                if parent in found and child not in found:
                    found.add(child)
                    changed = True
        return found


@st.composite
def organisations(draw: st.DrawFn, forest: bool | None = None) -> Org:
    """A random org tree (with ``forest``, or one time in two, several roots: institutions) of
    3-9 units, sometimes reorganised (a unit moves, perhaps to another root), with respondents
    and monthly staffing."""
    n = draw(st.integers(3, 9))
    parents: dict[str, str | None] = {"U0": None}
    roots = draw(st.booleans()) if forest is None else forest
    for i in range(1, n):
        new_root = roots and (i == 1 if forest else draw(st.integers(0, 3)) == 0)
        parents[f"U{i}"] = None if new_root else f"U{draw(st.integers(0, i - 1))}"
    trees = [parents]
    starts = [MONTHS[0]]
    if draw(st.booleans()):  # a reorganisation: one unit moves under another branch
        moved = f"U{draw(st.integers(1, n - 1))}"
        org0 = Org([parents], starts)
        outside = sorted(set(parents) - org0.subtree(0, moved))
        after = dict(parents)
        after[moved] = draw(st.sampled_from(outside))
        trees.append(after)
        starts = [MONTHS[0], draw(st.sampled_from(MONTHS[1:]))]
    org = Org(trees, starts)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    for unit in sorted(parents):
        for i in range(rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8])):
            job = rng.choice(["A", "A", "B", "C", None])
            age = rng.choice(["young", "old", None])
            answered = {q for q in QUESTIONS if rng.random() < 0.85}
            org.respondents.append((f"{unit}-{i}", unit, job, age, answered))
        level = rng.choice([0, 1, 2, 3, 4, 6, 9])
        for month in MONTHS:
            if rng.random() < 0.2:
                level = max(0, level + rng.choice([-2, -1, 1, 2]))
            org.staffing[(unit, month)] = level
    return org


def _month_days(month: dt.date) -> int:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (following - month).days


def build_publication(conn: psycopg.Connection[Any], org: Org) -> None:
    """The tables the warehouse builds, with rules 1–3 applied by the real SQL function."""
    for schema in ("intermediate", "staging", SCHEMA):
        conn.execute(f"create schema {schema}")
    round_epoch = len(org.parents) - 1
    tree = org.parents[round_epoch]
    members = {u: org.subtree(round_epoch, u) for u in tree}
    respondents = org.respondents
    n_subtree = {u: sum(1 for r in respondents if r[1] in members[u]) for u in tree}
    units = [u for u in sorted(tree) if n_subtree[u] > 0]

    def groups(
        partition: str, sizes: dict[str, Decimal | int], parents: dict[str, str | None]
    ) -> list[Group]:
        def depth(unit: str) -> int:
            parent = parents[unit]
            return 0 if parent is None or parent not in sizes else 1 + depth(parent)

        return [
            Group(partition, unit, parents[unit] if parents[unit] in sizes else None, unit, depth(unit), size)
            for unit, size in sizes.items()
        ]

    unit_hidden = suppress_small_groups(conn, groups(SURVEY, {u: n_subtree[u] for u in units}, tree), K)
    hidden = {u: unit_hidden[(SURVEY, u)] for u in units}
    conn.execute(
        "create table intermediate.int_mtu_groups"
        " (survey_id text, org_unit_code text, parent_code text, n_respondents int, suppressed bool)"
    )
    for unit in units:
        conn.execute(
            "insert into intermediate.int_mtu_groups values (%s, %s, %s, %s, %s)",
            (SURVEY, unit, tree[unit], n_subtree[unit], hidden[unit]),
        )
    conn.execute(
        "create table staging.stg_mtu__respondents (survey_id text, respondent_id text, org_unit_code text,"
        " bg_age_band text, bg_seniority_band text, bg_job_family text, bg_is_manager boolean)"
    )
    conn.execute(
        "create table intermediate.int_mtu_item_scores (survey_id text, respondent_id text,"
        " org_unit_code text, question_code text, dimension text, item_score numeric)"
    )
    conn.execute(
        "create view intermediate.int_mtu_respondent_dimensions as select survey_id, respondent_id,"
        " org_unit_code, dimension, count(*) as n_items_answered from intermediate.int_mtu_item_scores"
        " group by 1, 2, 3, 4"
    )
    # What dbt's int_mtu_silent_respondents holds: respondents of a reported group and each
    # dimension of the round of which they answered no item.
    conn.execute(
        "create view intermediate.int_mtu_silent_respondents as"
        " with dimensions as"
        " (select distinct survey_id, dimension from intermediate.int_mtu_respondent_dimensions)"
        " select r.survey_id, r.respondent_id, r.org_unit_code, r.bg_age_band, r.bg_seniority_band,"
        " r.bg_job_family, r.bg_is_manager, d.dimension"
        " from staging.stg_mtu__respondents as r"
        " inner join intermediate.int_mtu_groups as g"
        " on g.survey_id = r.survey_id and g.org_unit_code = r.org_unit_code"
        " inner join dimensions as d on d.survey_id = r.survey_id"
        " where not exists (select from intermediate.int_mtu_respondent_dimensions as a"
        " where a.survey_id = r.survey_id and a.respondent_id = r.respondent_id"
        " and a.dimension = d.dimension)"
    )
    conn.execute(
        "create view intermediate.int_mtu_question_units as select survey_id, org_unit_code,"
        " question_code, dimension, count(*) as n_answers from intermediate.int_mtu_item_scores"
        " group by 1, 2, 3, 4"
    )
    for rid, unit, job, age, answered in respondents:
        conn.execute(
            "insert into staging.stg_mtu__respondents values (%s, %s, %s, %s, null, %s, null)",
            (SURVEY, rid, unit, age, job),
        )
        for question in sorted(answered):
            conn.execute(
                "insert into intermediate.int_mtu_item_scores values (%s, %s, %s, %s, %s, 50)",
                (SURVEY, rid, unit, question, QUESTIONS[question]),
            )
    conn.execute(
        f"create table {SCHEMA}.mtu_dimension_results (survey_id text, org_unit_code text, dimension text,"
        " n_respondents int, score numeric, favourable_pct numeric, previous_survey_id text, delta numeric,"
        " suppressed bool)"
    )
    for unit in units:
        for dimension in sorted(set(QUESTIONS.values())):
            conn.execute(
                f"insert into {SCHEMA}.mtu_dimension_results values (%s, %s, %s, %s, 1, 1, null, null, %s)",
                (SURVEY, unit, dimension, n_subtree[unit], hidden[unit]),
            )
    # Breakdowns: inside each unit a two-level tree (the unit, its values), rules 1 and 3.
    conn.execute(
        f"create table {SCHEMA}.mtu_breakdown_results (survey_id text, org_unit_code text, dimension text,"
        " background_variable text, background_value text, n_respondents int, score numeric,"
        " favourable_pct numeric, suppressed bool)"
    )
    for variable, position in (("job_family", 2), ("age_band", 3)):
        for unit in units:
            values: dict[str, int] = {}
            for r in respondents:
                if r[1] in members[unit] and r[position] is not None:
                    values[str(r[position])] = values.get(str(r[position]), 0) + 1
            partition = f"{unit}|{variable}"
            inside = [Group(partition, unit, None, unit, 0, n_subtree[unit])]
            inside += [Group(partition, f"{unit}={v}", unit, v, 1, n) for v, n in values.items()]
            decided = suppress_small_groups(conn, inside, K)
            for value, n in values.items():
                for dimension in sorted(set(QUESTIONS.values())):
                    conn.execute(
                        f"insert into {SCHEMA}.mtu_breakdown_results"
                        " values (%s, %s, %s, %s, %s, %s, 1, 1, %s)",
                        (SURVEY, unit, dimension, variable, value, n,
                         hidden[unit] or decided[(partition, f"{unit}={value}")]),
                    )  # fmt: skip
    # Questions: group size = valid answers, rules 1 and 3 on the round's tree.
    conn.execute(
        f"create table {SCHEMA}.mtu_question_results (survey_id text, org_unit_code text, question_code text,"
        " dimension text, n_respondents int, score numeric, favourable_pct numeric, previous_survey_id text,"
        " delta numeric, suppressed bool)"
    )
    for question, dimension in QUESTIONS.items():
        answers = {u: sum(1 for r in respondents if r[1] in members[u] and question in r[4]) for u in units}
        sizes = {u: n for u, n in answers.items() if n > 0}
        decided = suppress_small_groups(conn, groups(question, dict(sizes), tree), K)
        for unit, n in sizes.items():
            conn.execute(
                f"insert into {SCHEMA}.mtu_question_results"
                " values (%s, %s, %s, %s, %s, 1, 1, null, null, %s)",
                (SURVEY, unit, question, dimension, n, hidden[unit] or decided[(question, unit)]),
            )
    # Absence: months on the tree of each month, 12-month windows on the tree at period end.
    conn.execute(
        "create table intermediate.int_org_unit_paths"
        " (epoch_start date, org_unit_code text, parent_code text)"
    )
    conn.execute("create table intermediate.int_hr_month_segments (month_start date, epoch_start date)")
    conn.execute(
        "create table intermediate.int_staffing_by_unit_month"
        " (org_unit_code text, month_start date, epoch_start date, headcount_days numeric)"
    )
    for epoch, parents in enumerate(org.parents):
        for unit, parent in parents.items():
            conn.execute(
                "insert into intermediate.int_org_unit_paths values (%s, %s, %s)",
                (org.epoch_starts[epoch], unit, parent),
            )
    for month in MONTHS:
        epoch = org.epoch_of(month)
        conn.execute(
            "insert into intermediate.int_hr_month_segments values (%s, %s)", (month, org.epoch_starts[epoch])
        )
        for unit in org.parents[epoch]:
            days = org.staffing[(unit, month)] * _month_days(month)
            conn.execute(
                "insert into intermediate.int_staffing_by_unit_month values (%s, %s, %s, %s)",
                (unit, month, org.epoch_starts[epoch], days),
            )
    conn.execute(
        f"create table {SCHEMA}.absence_monthly (org_unit_code text, month_start date, sick_days numeric,"
        " sick_days_per_fte numeric, suppressed bool)"
    )
    for month in MONTHS:
        epoch = org.epoch_of(month)
        parents = org.parents[epoch]
        sizes = {
            u: Decimal(sum(org.staffing[(m, month)] for m in org.subtree(epoch, u))) for u in sorted(parents)
        }
        decided = suppress_small_groups(conn, groups(str(month), dict(sizes), parents), K)
        for unit in sorted(parents):
            conn.execute(
                f"insert into {SCHEMA}.absence_monthly values (%s, %s, 1, 1, %s)",
                (unit, month, decided[(str(month), unit)]),
            )
    conn.execute(
        f"create table {SCHEMA}.culture_scorecard (org_unit_code text, period_end date,"
        " absence_suppressed bool, sick_days_per_fte_12m numeric, long_term_sick_share_12m numeric)"
    )
    for period_end in PERIOD_ENDS:
        epoch = org.epoch_of(period_end)
        parents = org.parents[epoch]
        window = [m for m in MONTHS if period_end.replace(year=period_end.year - 1) < m <= period_end]
        days = sum(_month_days(m) for m in window)
        window_sizes: dict[str, Decimal | int] = {}
        for unit in sorted(parents):
            headcount_days = sum(
                org.staffing[(member, m)] * _month_days(m)
                for m in window
                if unit in org.parents[org.epoch_of(m)]
                for member in org.subtree(org.epoch_of(m), unit)
            )
            window_sizes[unit] = Decimal(headcount_days) / days
        decided = suppress_small_groups(conn, groups(str(period_end), window_sizes, parents), K)
        for unit in sorted(parents):
            conn.execute(
                f"insert into {SCHEMA}.culture_scorecard values (%s, %s, %s, 1, 1)",
                (unit, period_end, decided[(str(period_end), unit)]),
            )


@pytest.mark.slow  # 300 random publications through the control in PostgreSQL: about a minute
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_after_the_disclosure_control_no_small_group_can_be_solved_for(
    conn: psycopg.Connection[Any], org: Org
) -> None:
    try:
        build_publication(conn, org)
        lean, plain = _leaks(audit(conn, SCHEMA, K)), _leaks(audit(conn, SCHEMA, K, lean=False))
        assert lean == plain, (lean[0] - plain[0], plain[0] - lean[0], lean[1] ^ plain[1])
        protect(conn, SCHEMA, K)
        assert attack_mtu(conn, SCHEMA, K) == []
        assert attack_absence(conn, SCHEMA, K) == []
        assert failing_marts(audit(conn, SCHEMA, K)) == {}
    finally:
        conn.rollback()


@pytest.mark.slow  # 150 random publications searched twice in PostgreSQL: about a minute
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_a_dimension_cleared_by_extending_its_rounds_family_gets_the_suppressions_its_own_family_would(
    conn: psycopg.Connection[Any], monkeypatch_module: pytest.MonkeyPatch, org: Org
) -> None:
    """A dimension whose empty groups, added to its round's protected family, determine nothing
    is not built (families.ClearedCore): the control suppresses exactly what it suppresses when
    every dimension's family is built and searched."""
    answers = {}
    for cleared in (True, False):
        monkeypatch_module.setattr(families, "CLEAR_BY_EXTENSION", cleared)
        try:
            build_publication(conn, org)
            outcome = protect(conn, SCHEMA, K)
            answers[cleared] = (outcome.extra_suppressions, _suppressed(conn), _leaks(audit(conn, SCHEMA, K)))
        finally:
            conn.rollback()
    assert answers[True] == answers[False]
    assert answers[True][2] == (set(), set())


@pytest.mark.slow  # 100 random forests audited twice and protected in PostgreSQL: about a minute
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(forest=True))
def test_the_absence_figures_of_units_no_tree_links_are_audited_as_separate_families_with_the_same_answer(
    conn: psycopg.Connection[Any], monkeypatch_module: pytest.MonkeyPatch, org: Org
) -> None:
    """Institutions share no unknown (families.SPLIT_ABSENCE): the absence figures audited one
    family per group of linked units find exactly the small groups that one family for all units
    finds, and after the control protects them family by family nothing can be solved for."""
    try:
        build_publication(conn, org)
        found = {}
        for split in (True, False):
            monkeypatch_module.setattr(families, "SPLIT_ABSENCE", split)
            found[split] = _leaks(audit(conn, SCHEMA, K, parts={"absence"}))
        assert found[True] == found[False]
        monkeypatch_module.setattr(families, "SPLIT_ABSENCE", True)
        protect(conn, SCHEMA, K)
        assert attack_absence(conn, SCHEMA, K) == []
        monkeypatch_module.setattr(families, "SPLIT_ABSENCE", False)
        assert failing_marts(audit(conn, SCHEMA, K, parts={"absence"})) == {}
    finally:
        conn.rollback()


def test_units_are_grouped_by_every_epochs_tree() -> None:
    """Two institutions are two groups until a reorganisation moves a unit between them."""
    apart = {"A": None, "A1": "A", "B": None, "B1": "B"}
    assert families.linked_groups([apart]) == {"A": "A", "A1": "A", "B": "B", "B1": "B"}
    moved = {"A": None, "A1": "B", "B": None, "B1": "B"}
    assert set(families.linked_groups([apart, moved]).values()) == {"A"}


def _leaks(outcome: Outcome) -> tuple[set[tuple[str, str, tuple[object, ...]]], set[str]]:
    """The determined secrets and the marts held back, whichever family found them: a secret by
    its family's kind, its kind and key (a breakdown family's cell without the dimension whose
    rows it was read from)."""
    found = set()
    for result in outcome.audits:
        family = result.family.split()[0]
        for secret in result.determined:
            key = secret.key
            if family == "breakdown" and secret.kind == "suppressed group":
                key = {5: key[:4], 3: key[:2]}.get(len(key), key)  # without the dimension
            found.add((family, secret.kind, key))
    return found, set(failing_marts(outcome))


def test_a_breakdown_recoverable_from_its_parent_and_sibling_is_protected(
    conn: psycopg.Connection[Any],
) -> None:
    """The issue's example: 2000 shows 12 in a job family, 2100 shows 8, 2200's 4 are
    suppressed and 2000 has none of its own: 12 − 8 gives the four people's answers."""
    org = Org([{"U0": None, "U1": "U0", "U2": "U0"}], [MONTHS[0]])
    for i in range(8):
        org.respondents.append((f"U1-{i}", "U1", "L", None, {"q1", "q2", "q3"}))
    for i in range(4):
        org.respondents.append((f"U2-{i}", "U2", "L", None, {"q1", "q2", "q3"}))
    for i in range(6):
        org.respondents.append((f"U2-o{i}", "U2", "O", None, {"q1", "q2", "q3"}))
    org.staffing = {(u, m): 10 for u in ("U0", "U1", "U2") for m in MONTHS}
    try:
        build_publication(conn, org)
        leaks = attack_mtu(conn, SCHEMA, K)
        assert f"{SURVEY}/U2/job_family=L/samarbejde" in leaks  # the attack works on rules 1–3 alone
        assert "mtu_breakdown_results" in failing_marts(audit(conn, SCHEMA, K))
        extra = protect(conn, SCHEMA, K).extra_suppressions
        assert extra.get("mtu_breakdown_results", 0) >= 1
        assert attack_mtu(conn, SCHEMA, K) == []
        shown = conn.execute(
            f"select org_unit_code from {SCHEMA}.mtu_breakdown_results where background_value = 'L'"
            " and dimension = 'tillid' and not suppressed order by 1"
        ).fetchall()
        assert shown in ([("U0",)], [])  # U1's 8 or the parent's 12 went, never the headline
        assert conn.execute(
            f"select count(*) from {SCHEMA}.mtu_dimension_results where suppressed"
        ).fetchone() == (0,)
    finally:
        conn.rollback()


def test_a_month_recoverable_from_its_window_and_the_other_months_is_protected(
    conn: psycopg.Connection[Any],
) -> None:
    """A unit small in one month only: the 12-month figure minus its other months gives it."""
    org = Org([{"U0": None, "U1": "U0"}], [MONTHS[0]])
    org.staffing = {(u, m): 8 for u in ("U0", "U1") for m in MONTHS}
    org.staffing[("U1", dt.date(2025, 5, 1))] = 3
    try:
        build_publication(conn, org)
        assert "U1 2025-05" in attack_absence(conn, SCHEMA, K)
        protect(conn, SCHEMA, K)
        assert attack_absence(conn, SCHEMA, K) == []
        windows = conn.execute(
            f"select count(*) from {SCHEMA}.culture_scorecard where absence_suppressed"
        ).fetchone()
        assert windows == (0,)  # the headline 12-month figures stay; a second month went instead
    finally:
        conn.rollback()


# --- the memory: a family read from unchanged inputs is not built; the gate still audits it -----


def _issue_example() -> Org:
    """The issue's example (above), and a unit small in one month: families of both kinds leak."""
    org = Org([{"U0": None, "U1": "U0", "U2": "U0"}], [MONTHS[0]])
    org.respondents += [(f"U1-{i}", "U1", "L", None, {"q1", "q2", "q3"}) for i in range(8)]
    org.respondents += [(f"U2-{i}", "U2", "L", None, {"q1", "q2", "q3"}) for i in range(4)]
    org.respondents += [(f"U2-o{i}", "U2", "O", None, {"q1", "q2", "q3"}) for i in range(6)]
    org.staffing = {(u, m): 10 for u in ("U0", "U1", "U2") for m in MONTHS}
    org.staffing[("U1", dt.date(2025, 5, 1))] = 3
    return org


def _suppressed(conn: psycopg.Connection[Any]) -> dict[str, list[tuple[Any, ...]]]:
    marts = ("mtu_breakdown_results", "mtu_question_results", "mtu_dimension_results", "absence_monthly")
    return {
        mart: conn.execute(f"select * from {SCHEMA}.{mart} where suppressed order by 1, 2, 3").fetchall()
        for mart in marts
    }


def _protected_once(
    conn: psycopg.Connection[Any], org: Org
) -> tuple[Outcome, dict[str, list[tuple[Any, ...]]]]:
    try:
        build_publication(conn, org)
        outcome = protect(conn, SCHEMA, K)
        return outcome, _suppressed(conn)
    finally:
        conn.rollback()


def test_an_unchanged_publication_gets_last_nights_suppressions_without_building_a_family(
    conn: psycopg.Connection[Any],
) -> None:
    first, suppressed = _protected_once(conn, _issue_example())
    assert sum(first.extra_suppressions.values()) >= 2  # both kinds of family needed a search
    assert first.recalled == 0 and first.remembered  # every family searched, and remembered
    try:
        build_publication(conn, _issue_example())
        again = protect(conn, SCHEMA, K, first.remembered)
        assert again.recalled == len(first.remembered) == len(again.audits)
        assert again.remembered == first.remembered
        assert again.extra_suppressions == first.extra_suppressions
        assert _suppressed(conn) == suppressed
        assert attack_mtu(conn, SCHEMA, K) == [] and attack_absence(conn, SCHEMA, K) == []
    finally:
        conn.rollback()


def test_a_remembered_answer_that_leaves_a_group_determined_is_held_back_by_the_gate(
    conn: psycopg.Connection[Any],
) -> None:
    first, _ = _protected_once(conn, _issue_example())
    # The same inputs, but no suppressions remembered (a memory edited by hand, say).
    forgetful = {family: replace(answer, suppressed=[]) for family, answer in first.remembered.items()}
    try:
        build_publication(conn, _issue_example())
        again = protect(conn, SCHEMA, K, forgetful)
        assert again.recalled == len(first.remembered) and not again.extra_suppressions
        gate = audit(conn, SCHEMA, K)
        held_back = failing_marts(gate)
        assert {"mtu_breakdown_results", "absence_monthly"} <= held_back.keys()
    finally:
        conn.rollback()


def test_a_changed_family_is_searched_again_and_the_unchanged_ones_are_not(
    conn: psycopg.Connection[Any],
) -> None:
    first, _ = _protected_once(conn, _issue_example())
    changed = _issue_example()
    changed.staffing[("U2", dt.date(2025, 7, 1))] = 2  # another small month: the absence family changes
    _, expected = _protected_once(conn, changed)
    try:
        build_publication(conn, changed)
        again = protect(conn, SCHEMA, K, first.remembered)
        searched = {
            family
            for family, answer in again.remembered.items()
            if answer.inputs != first.remembered[family].inputs
        }
        assert searched == {"absence"}
        assert again.recalled == len(first.remembered) - 1
        assert _suppressed(conn) == expected
        assert attack_absence(conn, SCHEMA, K) == []
    finally:
        conn.rollback()


def _counts(audits: list[FamilyAudit]) -> list[tuple[object, ...]]:
    return [(a.family, a.published_cells, a.secrets, a.cells_by_mart, len(a.determined)) for a in audits]


def test_the_gate_reader_gets_every_row_of_what_it_reads_recorded_an_empty_result_too(
    conn: psycopg.Connection[Any],
) -> None:
    recording = RecordingConnection(conn)
    assert recording.execute("select 1 where false").fetchall() == []
    assert recording.execute("select g from generate_series(1, 3) as g").fetchall() == [(1,), (2,), (3,)]
    with recording.cursor(name="streamed") as cursor:
        cursor.execute("select g from generate_series(1, 5) as g")
        assert [row for _, row in zip(range(2), cursor, strict=False)] == [(1,), (2,)]
    assert [(read.rows, read.exhausted) for read in recording.reads] == [(0, True), (3, True), (2, False)]
    conn.rollback()


def test_the_gate_keeps_a_passing_verdict_only_while_it_would_read_the_same_rows(
    conn: psycopg.Connection[Any],
) -> None:
    try:
        build_publication(conn, _issue_example())
        leaking, recalled = audit_remembering(conn, SCHEMA, K)
        assert not recalled and any(a.determined for a in leaking)
        assert conn.execute("select count(*) from audit.disclosure_gate_memo").fetchone() == (0,)
        protect(conn, SCHEMA, K)
        passed, recalled = audit_remembering(conn, SCHEMA, K)
        assert not recalled and passed and not any(a.determined for a in passed)
        again, recalled = audit_remembering(conn, SCHEMA, K)
        assert recalled and _counts(again) == _counts(passed)
        # Another k, or a mart withheld, is another verdict: read and audited again.
        assert not audit_remembering(conn, SCHEMA, K + 1)[1]
        assert not audit_remembering(conn, SCHEMA, K, skip={"absence_monthly"})[1]
        assert not audit_remembering(conn, SCHEMA, K)[1]  # the memory holds a part's last verdict
        assert audit_remembering(conn, SCHEMA, K)[1]
        # One suppression undone (a month shown again): the rows differ, the gate reads them.
        conn.execute(
            f"update {SCHEMA}.absence_monthly set suppressed = false where (org_unit_code, month_start) ="
            f" (select org_unit_code, month_start from {SCHEMA}.absence_monthly where suppressed"
            "   order by 1, 2 limit 1)"
        )
        changed, recalled = audit_remembering(conn, SCHEMA, K)
        assert not recalled
        assert "absence_monthly" in failing_marts(Outcome({}, changed, 0.0))
        remembered = "select part from audit.disclosure_gate_memo where part = %s"
        assert conn.execute(remembered, ("absence+breakdown+questions",)).fetchall() == []
    finally:
        conn.rollback()


def test_a_mart_not_built_tonight_makes_the_gate_read_again_without_an_error(
    conn: psycopg.Connection[Any],
) -> None:
    try:
        build_publication(conn, _issue_example())
        protect(conn, SCHEMA, K)
        assert not audit_remembering(conn, SCHEMA, K)[1]
        # A failed dbt test kept the question results from an earlier night: not built tonight.
        conn.execute("close all")  # the reader's server-side cursors (a new night's connection has none)
        conn.execute(f"drop table {SCHEMA}.mtu_question_results")
        audits, recalled = audit_remembering(conn, SCHEMA, K)
        assert not recalled and audits and not any(a.determined for a in audits)
        assert audit_remembering(conn, SCHEMA, K)[1]  # the audit's transaction is still usable
    finally:
        conn.rollback()


@pytest.mark.parametrize("processes", ["2", "1"])
def test_the_kinds_of_family_searched_in_processes_of_their_own_give_the_same_suppressions(
    pg_server: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, processes: str
) -> None:
    monkeypatch.setenv("CULTURE_DISCLOSURE_PROCESSES", processes)  # 1: in the task's own process
    with fresh_database(pg_server) as dsn:
        with psycopg.connect(dsn) as connection:
            install_suppression_function(connection)
            build_publication(connection, _issue_example())
            connection.commit()
            in_process = protect(connection, SCHEMA, K)
            expected = _suppressed(connection)
            connection.rollback()
        parallel = protect_in_parallel(dsn, SCHEMA, K)
        assert "in one process" not in caplog.text  # the processes did start
        assert parallel.extra_suppressions == in_process.extra_suppressions
        assert parallel.remembered == in_process.remembered
        with psycopg.connect(dsn) as connection:
            assert _suppressed(connection) == expected
            assert attack_mtu(connection, SCHEMA, K) == [] and attack_absence(connection, SCHEMA, K) == []


def test_a_bad_number_of_disclosure_processes_is_refused_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from culture_warehouse.config import disclosure_processes

    for bad in ("0", "two", "-1", "٢"):  # Arabic-Indic two: ASCII digits only
        monkeypatch.setenv("CULTURE_DISCLOSURE_PROCESSES", bad)
        with pytest.raises(ValueError, match="CULTURE_DISCLOSURE_PROCESSES"):
            disclosure_processes()
    monkeypatch.delenv("CULTURE_DISCLOSURE_PROCESSES")
    assert 1 <= disclosure_processes() <= 2
