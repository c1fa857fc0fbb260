"""The runtime package is layered: helpers → machinery → sources → application.

Every module of ``plugins/culture_warehouse`` (and the DAG file) is parsed with ``ast``, nothing is
imported, and every import statement counts: at the top, inside functions and under
``TYPE_CHECKING``. A module may import its own layer or a lower one, never a higher one; no two
modules import each other, directly or round a loop; a source package never imports another
source package; and the runtime package does not import the development tools (``culture_dev``)
except in the two ``culture`` commands that run them. docs/architecture.md explains the layers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = "culture_warehouse"
DEVELOPMENT = "culture_dev"
PACKAGE_ROOT = ROOT / "plugins"
DAGS = ROOT / "dags"

HELPERS, MACHINERY, SOURCES, APPLICATION = range(4)
LAYER_NAMES = ("helpers", "machinery", "sources", "application")

LAYERS: dict[str, int] = {
    # helpers: configuration, privacy, limits, the warehouse connection, contracts, the landing
    # zone and its guard, the readers. They know nothing of loading or of any source.
    "culture_warehouse": HELPERS,
    "culture_warehouse.config": HELPERS,
    "culture_warehouse.assets": HELPERS,
    "culture_warehouse.privacy": HELPERS,
    "culture_warehouse.number_pseudonyms": HELPERS,
    "culture_warehouse.parameters": HELPERS,
    "culture_warehouse.redaction": HELPERS,
    "culture_warehouse.limits": HELPERS,
    "culture_warehouse.safe_errors": HELPERS,
    "culture_warehouse.interrupt": HELPERS,
    "culture_warehouse.progress": HELPERS,
    "culture_warehouse.memory": HELPERS,
    "culture_warehouse.apart": HELPERS,
    "culture_warehouse.warehouse": HELPERS,
    "culture_warehouse.confidentiality": HELPERS,
    "culture_warehouse.contract": HELPERS,
    "culture_warehouse.landing": HELPERS,
    "culture_warehouse.landing_guard": HELPERS,
    "culture_warehouse.readers": HELPERS,
    # machinery: the audit schema and the ledger, loading, validation and the door, shared by
    # every source and naming none.
    "culture_warehouse.audit": MACHINERY,
    "culture_warehouse.access": MACHINERY,
    "culture_warehouse.validate": MACHINERY,
    "culture_warehouse.load": MACHINERY,
    "culture_warehouse.ingest": MACHINERY,
    "culture_warehouse.source": MACHINERY,
    "culture_warehouse.tabular_ingest": MACHINERY,
    # sources: one package each (contract, parsing, ingestor).
    "culture_warehouse.sources": SOURCES,
    # application: the registry of sources and everything that runs a night.
    "culture_warehouse.sources.registry": APPLICATION,
    "culture_warehouse.pipeline": APPLICATION,
    "culture_warehouse.transform": APPLICATION,
    "culture_warehouse.dbt_order": APPLICATION,
    "culture_warehouse.disclosure": APPLICATION,
    "culture_warehouse.publish": APPLICATION,
    "culture_warehouse.alerts": APPLICATION,
    "culture_warehouse.report": APPLICATION,
    "culture_warehouse.leader_report": APPLICATION,
    "culture_warehouse.airflow_runner": APPLICATION,
    "culture_warehouse.state_lock": APPLICATION,
    "culture_warehouse.cli": APPLICATION,
    "dags": APPLICATION,
}
"""Module (or package, for everything inside it) → layer; the longest matching name decides. The
package itself (``culture_warehouse/__init__.py``) is no catch-all: a new module needs its line."""

DEVELOPMENT_TOOL_COMMANDS = {"culture_warehouse.cli"}
"""Modules that may import culture_dev, and then only inside a function (``culture generate``,
``culture bench``): Airflow and a night never load the development tools."""


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    if path.is_relative_to(DAGS):
        return "dags." + path.stem
    parts = list(path.relative_to(PACKAGE_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def runtime_modules() -> dict[str, Path]:
    paths = [*sorted((PACKAGE_ROOT / RUNTIME).rglob("*.py")), *sorted(DAGS.glob("*.py"))]
    return {module_name(path): path for path in paths}


def is_package(module: str) -> bool:
    path = runtime_modules().get(module)
    return path is not None and path.name == "__init__.py"


def resolve(name: str) -> str:
    """The project module an imported name refers to: the longest prefix that is a module."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in runtime_modules():
            return candidate
    return name


def absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if is_package(module) else module.rsplit(".", 1)[0]
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(module: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
    inside = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, functions)
        for child in ast.walk(node)
        if child is not node
    }
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = absolute(module, node)
            # ``from package import module`` imports the module; ``from module import name`` the module.
            names = [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            if name.split(".")[0] in (RUNTIME, DEVELOPMENT):
                yield Import(module, resolve(name), node.lineno, id(node) in inside)


@cache
def all_imports() -> tuple[Import, ...]:
    return tuple(found for module, path in runtime_modules().items() for found in imports_of(module, path))


def internal_imports() -> list[Import]:
    return [i for i in all_imports() if i.imported in runtime_modules() and i.imported != i.importer]


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix == RUNTIME and module != RUNTIME:
            break  # the package's own __init__ places no other module
        layer = LAYERS.get(prefix)
        if layer is not None:
            return layer
    return None


def source_package(module: str) -> str | None:
    """``culture_warehouse.sources.<name>`` for a module of a source package, else None."""
    parts = module.split(".")
    if parts[:2] != [RUNTIME, "sources"] or len(parts) < 3 or layer_of(module) != SOURCES:
        return None
    return ".".join(parts[:3])


def where(found: Import) -> str:
    return f"{found.importer} (line {found.line}) imports {found.imported}"


# --- the graph builder itself


def test_the_graph_holds_imports_made_inside_functions_and_under_type_checking() -> None:
    edges = {(i.importer, i.imported): i for i in internal_imports()}
    lazy = edges[("culture_warehouse.sources.registry", "culture_warehouse.tabular_ingest")]
    assert lazy.in_function
    assert ("culture_warehouse.source", "culture_warehouse.ingest") in edges  # under TYPE_CHECKING
    assert ("culture_warehouse.sources.registry", "culture_warehouse.sources.minutes") in edges
    assert ("dags.culture_nightly", "culture_warehouse.pipeline") in edges


# --- the rules


def test_every_runtime_module_has_a_layer() -> None:
    unplaced = sorted(module for module in runtime_modules() if layer_of(module) is None)
    assert unplaced == [], "add these modules to LAYERS (and to docs/architecture.md)"


def test_no_module_imports_a_module_of_a_higher_layer() -> None:
    upward = [
        f"{where(i)}: {LAYER_NAMES[layer_of(i.importer) or 0]} → {LAYER_NAMES[layer_of(i.imported) or 0]}"
        for i in internal_imports()
        if (layer_of(i.imported) or 0) > (layer_of(i.importer) or 0)
    ]
    assert upward == []


def test_no_modules_import_each_other_in_a_cycle() -> None:
    graph: dict[str, set[str]] = {module: set() for module in runtime_modules()}
    for found in internal_imports():
        graph[found.importer].add(found.imported)
    assert cycles(graph) == []


def test_no_source_package_imports_another_source_package() -> None:
    crossing = [
        where(i)
        for i in internal_imports()
        if source_package(i.importer)
        and source_package(i.imported)
        and source_package(i.importer) != source_package(i.imported)
    ]
    assert crossing == []


def test_every_source_is_a_package_of_its_own() -> None:
    sources = PACKAGE_ROOT / RUNTIME / "sources"
    stray = sorted(p.name for p in sources.glob("*.py") if p.name not in ("__init__.py", "registry.py"))
    assert stray == [], "a source lives in sources/<name>/, not in a module beside the registry"


def test_the_runtime_package_never_imports_the_development_tools_outside_their_commands() -> None:
    development = [i for i in all_imports() if i.imported.split(".")[0] == DEVELOPMENT]
    allowed = [i for i in development if i.importer in DEVELOPMENT_TOOL_COMMANDS and i.in_function]
    assert [where(i) for i in development if i not in allowed] == []
    assert not (PACKAGE_ROOT / DEVELOPMENT).exists()


# --- cycles (Tarjan's strongly connected components)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": {"a"}, "c": {"c"}}, [["a", "b"], ["c"]]),
    ],
)
def test_the_cycle_finder_finds_loops_of_any_length(
    graph: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert sorted(cycles(graph)) == expected
