"""dbt's threads take the longest chain of work first (dbt_order.py), as the last build measured it."""

from __future__ import annotations

import threading
from pathlib import Path

import networkx as nx
from dbt.graph.queue import GraphQueue

from culture_warehouse.dbt_order import (
    SHIPPED_SECONDS,
    chain_seconds,
    longest_chain_first,
    measured_seconds,
    order_seconds,
    profile_from_run_results,
    remember_seconds,
    scores,
)
from culture_warehouse.transform import dbt_project_dir


def _build_graph() -> nx.DiGraph:
    """A shallow model with many children beside a deep chain, as HR and MTU are in the project."""
    graph = nx.DiGraph()
    graph.add_edges_from([("stg_hr", "hr_a"), ("stg_hr", "hr_b"), ("stg_hr", "hr_c")])
    graph.add_edges_from([("stg_mtu", "items"), ("items", "respondents"), ("respondents", "breakdowns")])
    return graph


def test_a_node_counts_its_own_seconds_and_its_longest_chain_of_descendants() -> None:
    seconds = {"stg_mtu": 1, "items": 27, "respondents": 19, "breakdowns": 63, "hr_a": 22}
    remaining = chain_seconds(_build_graph(), seconds)
    assert remaining["breakdowns"] == 63
    assert remaining["items"] == 27 + 19 + 63
    assert remaining["stg_mtu"] == 1 + 27 + 19 + 63
    assert remaining["stg_hr"] == 1 + 22  # its longest child, not the sum of its children
    assert remaining["hr_b"] == 1.0  # never measured: one second


def test_the_longest_chain_gets_the_lowest_score_which_dbt_takes_first() -> None:
    seconds = {"items": 27, "respondents": 19, "breakdowns": 63, "hr_a": 22, "hr_b": 12, "hr_c": 14}
    ranked = scores(_build_graph(), seconds)
    assert ranked["stg_mtu"] < ranked["stg_hr"]
    # dbt's own order (by depth) would put the three HR models, depth 1, before respondents (depth 2)
    assert ranked["respondents"] < ranked["hr_a"]


def test_without_measurements_the_deepest_chain_goes_first() -> None:
    ranked = scores(_build_graph(), {})
    assert ranked["stg_mtu"] < ranked["stg_hr"]


def test_dbts_queue_is_ordered_inside_the_block_and_restored_after_it() -> None:
    original = GraphQueue._get_scores
    graph = _build_graph()
    with longest_chain_first({"breakdowns": 63}, threads=2):
        inside = GraphQueue._get_scores(object(), graph)  # type: ignore[arg-type]
        assert inside == scores(graph, {"breakdowns": 63})
    assert GraphQueue._get_scores is original


class _Manifest:
    """What dbt's queue asks of a manifest: the node of an id (here the id itself)."""

    def expect(self, node_id: str) -> str:
        return node_id


def test_a_node_leaves_dbts_queue_only_when_a_thread_is_free_and_the_longest_first() -> None:
    """dbt hands every ready node to its thread pool at once, which runs them as handed: with
    one thread, the second node must wait in dbt's queue until the first is done."""
    graph = nx.DiGraph()
    graph.add_nodes_from(["short", "long", "middle"])
    taken: list[str] = []
    with longest_chain_first({"long": 60, "middle": 20, "short": 1}, threads=1):
        queue = GraphQueue(graph, _Manifest(), {"short", "long", "middle"})  # type: ignore[arg-type]
        taken.append(queue.get())  # type: ignore[arg-type]
        waiting = threading.Thread(target=lambda: taken.append(queue.get()))  # type: ignore[arg-type]
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive()  # the one thread is busy: nothing more is taken
        queue.mark_done("long")
        waiting.join(timeout=5)
        assert not waiting.is_alive()
    assert taken == ["long", "middle"]


def test_seconds_are_remembered_per_node_and_a_broken_file_means_none(tmp_path: Path) -> None:
    path = tmp_path / "dbt" / "node_seconds_full.json"
    assert measured_seconds(path) == {}
    remember_seconds(path, [("model.a", 2.5), ("model.b", 1.0)])
    remember_seconds(path, [("model.b", 4.0)])
    assert measured_seconds(path) == {"model.a": 2.5, "model.b": 4.0}
    path.write_text("not json")
    assert measured_seconds(path) == {}


def test_a_warehouse_never_built_is_ordered_by_the_shipped_profile_until_it_measures_its_own(
    tmp_path: Path,
) -> None:
    full, incremental = tmp_path / "node_seconds_full.json", tmp_path / "node_seconds_incremental.json"
    shipped = measured_seconds(SHIPPED_SECONDS)
    assert shipped["model.culture_warehouse.int_mtu_breakdown_results"] > 1.0
    assert order_seconds(full, incremental) == shipped
    remember_seconds(incremental, [("model.a", 2.0)])
    assert order_seconds(full, incremental) == {"model.a": 2.0}
    remember_seconds(full, [("model.a", 9.0)])
    assert order_seconds(full, incremental) == {"model.a": 9.0}


def test_the_shipped_profile_names_only_models_and_seeds_of_the_project() -> None:
    dbt_project = Path(dbt_project_dir())
    models = {path.stem for path in (dbt_project / "models").rglob("*.sql")}
    seeds = {path.stem for path in (dbt_project / "seeds").rglob("*.csv")}
    for node in measured_seconds(SHIPPED_SECONDS):
        kind, package, name = node.split(".")
        assert package == "culture_warehouse", node
        assert name in {"model": models, "seed": seeds}[kind], f"{node}: no such {kind} in the project"


def test_the_profile_keeps_each_models_and_seeds_seconds_of_a_build_not_its_tests() -> None:
    run_results = {
        "results": [
            {"unique_id": "model.culture_warehouse.a", "execution_time": 12.345},
            {"unique_id": "seed.culture_warehouse.b", "execution_time": 0.04},
            {"unique_id": "test.culture_warehouse.unique_a_id.123", "execution_time": 3.0},
            {"unique_id": "operation.culture_warehouse.on-run-start", "execution_time": 0.5},
        ]
    }
    assert profile_from_run_results(run_results) == {
        "model.culture_warehouse.a": 12.3,
        "seed.culture_warehouse.b": 0.0,
    }
