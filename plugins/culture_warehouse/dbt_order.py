"""The order in which dbt's threads take up the nodes of a build: the longest chain first.

dbt ranks the nodes that are ready to run by their depth in the graph (every node of depth 0,
then of depth 1, …). On two threads that makes a long chain wait behind every shallow model:
at 190,000 employees the MTU chain (item scores → respondent dimensions → breakdowns, about
120 s of work one after the other) started 59 s into a 190 s build, and the build ended when
it did. ``longest_chain_first`` ranks every node instead by the seconds of work that wait on
it: its own and those of its longest chain of descendants, as the previous build measured them
(``remember_seconds``; a node never measured counts one second). The longest goes first, and
a node leaves dbt's queue only for a free thread (dbt would hand every ready node to its thread
pool at once, which runs them in the order handed). 139.5 s instead of 168–190 s for the full
build at state scale.

A warehouse that has never built (its first night, the full one, and the longest) orders by the
seconds the project ships (``dbt_node_seconds.json``: each model's and seed's seconds in a full
build at 190,000 employees, ``profile_from_run_results``) instead of counting every node as one
second; a node the shipped profile does not name counts one second.

Only the order among nodes that are ready changes: dbt still runs a node after its parents and
its parents' tests, and what each node builds is the same.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx

log = logging.getLogger(__name__)
UNMEASURED_SECONDS = 1.0
SHIPPED_SECONDS = Path(__file__).with_name("dbt_node_seconds.json")
"""Each model's and seed's seconds in a full build at state scale, for a warehouse never built."""
_PROFILED = ("model.", "seed.")


def chain_seconds(graph: nx.DiGraph, seconds: Mapping[str, float]) -> dict[str, float]:
    """Each node's seconds plus those of its longest chain of descendants."""
    remaining: dict[str, float] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        after = max((remaining[child] for child in graph.successors(node)), default=0.0)
        remaining[node] = seconds.get(node, UNMEASURED_SECONDS) + after
    return remaining


def scores(graph: nx.DiGraph, seconds: Mapping[str, float]) -> dict[str, int]:
    """dbt's queue takes the lowest score first: the longest chain (in milliseconds) negated."""
    return {node: -round(total * 1000) for node, total in chain_seconds(graph, seconds).items()}


@contextmanager
def longest_chain_first(seconds: Mapping[str, float], threads: int | None) -> Iterator[None]:
    """dbt invocations inside this block order their ready nodes by ``scores``.

    dbt hands a node to its thread pool as soon as the node is ready, and the pool runs what it
    was handed in that order: the ranking would only break ties between nodes that became ready
    at the same moment. So with ``threads`` (the build's), a node is taken off dbt's queue only
    when fewer than that many are running: the others wait in the queue, in rank order, until a
    thread is free.
    """
    try:
        from dbt.graph.queue import GraphQueue
    except ImportError:  # another dbt: its own order
        yield
        return
    original_scores = getattr(GraphQueue, "_get_scores", None)
    original_get = getattr(GraphQueue, "get", None)
    if original_scores is None or original_get is None:
        log.warning("dbt's queue is not the one dbt_order knows: the build keeps dbt's own order")
        yield
        return

    def ranked(self: Any, graph: nx.DiGraph) -> dict[str, int]:
        return scores(graph, seconds)

    def get_when_a_thread_is_free(self: Any, block: bool = True, timeout: float | None = None) -> Any:
        # Only dbt's main loop takes nodes; a node finishing (mark_done) notifies some_task_done.
        running, finished = getattr(self, "in_progress", None), getattr(self, "some_task_done", None)
        if threads is not None and block and running is not None and finished is not None:
            with finished:
                while len(running) >= threads:
                    finished.wait(timeout=1.0)
        return original_get(self, block=block, timeout=timeout)

    GraphQueue._get_scores = ranked  # type: ignore[method-assign]
    GraphQueue.get = get_when_a_thread_is_free  # type: ignore[method-assign]
    try:
        yield
    finally:
        GraphQueue._get_scores = original_scores  # type: ignore[method-assign]
        GraphQueue.get = original_get  # type: ignore[method-assign]


def measured_seconds(path: Path) -> dict[str, float]:
    """The seconds per node that the last builds measured (nothing when never recorded)."""
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(node): float(s) for node, s in found.items() if isinstance(s, (int, float))}


def remember_seconds(path: Path, results: Iterable[tuple[str, float]]) -> None:
    """Keep each node's seconds of this build for the next one's order (other nodes as they were)."""
    known = measured_seconds(path)
    known.update((node, max(float(s), 0.0)) for node, s in results)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = path.with_name(f"{path.name}.{os.getpid()}")
    written.write_text(json.dumps(known, sort_keys=True))
    written.replace(path)  # whole or not at all, whoever reads it meanwhile


def order_seconds(this_kind: Path, other_kind: Path, shipped: Path = SHIPPED_SECONDS) -> dict[str, float]:
    """The seconds a build is ordered by: the last build of its kind (full or incremental), else
    the last of the other kind, else the profile the project ships."""
    return measured_seconds(this_kind) or measured_seconds(other_kind) or measured_seconds(shipped)


def profile_from_run_results(run_results: Mapping[str, Any]) -> dict[str, float]:
    """The seconds of each model and seed of a dbt ``run_results.json``, to 0.1 s (tests, which
    take seconds only on the largest tables, count one second each)."""
    return {
        str(result["unique_id"]): round(float(result.get("execution_time") or 0.0), 1)
        for result in run_results.get("results", [])
        if str(result.get("unique_id", "")).startswith(_PROFILED)
    }
