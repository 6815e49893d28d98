"""The package's dependency rule, read from the code: which layer may import which.

The rule (docs/architecture.md): ``wire <- client <- telemetry <- session, memory_store <- cli``,
and the local server depends on nothing in the package but pure format facts in ``wire``. Every
import in the package (module level, inside functions and under ``TYPE_CHECKING`` alike) is
drawn as an arrow between modules and checked against it.

Each folder is a layer (``LAYER_OF``). ``KNOWN_VIOLATIONS`` would list, arrow by arrow,
imports allowed against the rule; it cannot go stale: an arrow in it that the code no
longer has fails the test as well.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = "agentcore_memory_otel"
ROOT = Path(__file__).resolve().parents[1] / "src" / PACKAGE

LAYER_OF: dict[str, str] = {
    # longest matching module prefix (without the package name) wins: the folders are the layers
    "_version": "wire",
    "wire": "wire",
    "client": "client",
    "telemetry": "telemetry",
    "session": "session",
    "memory_store": "memory_store",
    "local": "local",
    "cli": "cli",
    "__main__": "cli",
    "testing": "testing",  # scripted Strands models; imports nothing of the package
    "": "face",  # the package root: the public names, imported on first use
}
"""The layer each of today's modules belongs to."""

MAY_IMPORT: dict[str, frozenset[str]] = {
    "wire": frozenset(),
    "client": frozenset({"wire"}),
    "telemetry": frozenset({"wire", "client"}),
    "session": frozenset({"wire", "client", "telemetry"}),
    "memory_store": frozenset({"wire", "client", "telemetry"}),
    "local": frozenset({"wire"}),
    "testing": frozenset(),
    "cli": frozenset(
        {"wire", "client", "telemetry", "session", "memory_store", "local", "testing"}
    ),
    "face": frozenset({"wire", "client", "telemetry", "session", "memory_store", "cli"}),
}
"""The layers a layer may import (besides itself): the dependency rule as a table."""

# Empty: every arrow follows the rule. An exception added here needs a comment saying why,
# and test_the_known_list_is_not_stale fails once the code no longer has it.
KNOWN_VIOLATIONS: frozenset[tuple[str, str]] = frozenset()
"""Arrows allowed against the rule, one (importer, imported) pair each: none."""


def module_name(path: Path) -> str:
    """The dotted name of a module of the package, without the package's own name."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(path): path for path in ROOT.rglob("*.py")}


def resolve(name: str, *, exact: bool = False) -> str | None:
    """The package module a dotted name falls in (longest existing prefix), or None if foreign.

    With ``exact``, None unless the name is itself a module of the package.
    """
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    parts = name.split(".")[1:]
    if exact:
        return ".".join(parts) if ".".join(parts) in MODULES else None
    while parts and ".".join(parts) not in MODULES:
        parts.pop()
    return ".".join(parts)


def imports_of(module: str) -> set[str]:
    """Every package module that ``module`` imports, anywhere in its source."""
    path = MODULES[module]
    is_package = path.name == "__init__.py"
    here = [PACKAGE, *module.split(".")] if module else [PACKAGE]
    if not is_package:
        here = here[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # importing a module from a package is an arrow to that module, not to the package
            names = [
                f"{target}.{alias.name}"
                if resolve(f"{target}.{alias.name}", exact=True)
                else target
                for alias in node.names
            ]
        for name in names:
            resolved = resolve(name)
            if resolved is not None and resolved != module:
                found.add(resolved)
    return found


def layer_of(module: str) -> str:
    """The layer of a module: the entry of LAYER_OF with the longest matching prefix."""
    best = ""
    for prefix in LAYER_OF:
        if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    if best == "" and module != "":
        raise AssertionError(f"{PACKAGE}.{module} is in no layer: add it to LAYER_OF")
    return LAYER_OF[best]


def arrows() -> set[tuple[str, str]]:
    """Every import in the package, as (importer, imported) module pairs."""
    return {(module, target) for module in MODULES for target in imports_of(module)}


def against_rule(arrow: tuple[str, str]) -> bool:
    """Whether an import runs against the dependency rule."""
    source, target = (layer_of(module) for module in arrow)
    return source != target and target not in MAY_IMPORT[source]


def cycle(edges: set[tuple[str, str]]) -> list[str] | None:
    """One cycle in a directed graph, as its nodes in order, or None when there is none."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_every_module_is_in_a_layer() -> None:
    assert {layer_of(module) for module in MODULES} <= set(MAY_IMPORT)


def test_no_import_runs_against_the_rule_beyond_the_known_list() -> None:
    new = sorted(
        arrow for arrow in arrows() if against_rule(arrow) and arrow not in KNOWN_VIOLATIONS
    )
    assert not new, "imports against the dependency rule (docs/architecture.md):\n" + "\n".join(
        f"  {source} ({layer_of(source)}) -> {target} ({layer_of(target)})"
        for source, target in new
    )


def test_the_known_list_is_not_stale() -> None:
    current = arrows()
    gone = sorted(arrow for arrow in KNOWN_VIOLATIONS if arrow not in current)
    assert not gone, "no longer imported, remove from KNOWN_VIOLATIONS:\n" + "\n".join(
        f"  {source} -> {target}" for source, target in gone
    )
    allowed = sorted(arrow for arrow in KNOWN_VIOLATIONS if not against_rule(arrow))
    assert not allowed, "allowed by the rule now, remove from KNOWN_VIOLATIONS:\n" + "\n".join(
        f"  {source} -> {target}" for source, target in allowed
    )


def test_no_layer_cycle_beyond_the_known_list() -> None:
    layer_edges = {
        (layer_of(source), layer_of(target))
        for source, target in arrows()
        if (source, target) not in KNOWN_VIOLATIONS and layer_of(source) != layer_of(target)
    }
    assert cycle(layer_edges) is None


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({("a", "b"), ("b", "c")}, None),
        ({("a", "b"), ("b", "c"), ("c", "a")}, ["a", "b", "c", "a"]),
    ],
)
def test_the_cycle_finder_finds_cycles(
    edges: set[tuple[str, str]], expected: list[str] | None
) -> None:
    assert cycle(edges) == expected


def test_the_import_walk_sees_relative_function_level_and_type_checking_imports() -> None:
    assert "wire.blocks" in imports_of("local.console.render")  # three levels up
    assert "_version" in imports_of("client.boto")  # "from .._version import" names a module
    assert "local" in imports_of("cli.demo.service")  # inside a function
    assert "testing" in imports_of("cli.demo.turns")  # inside a function
    assert "session.write.batcher" in imports_of("")  # under TYPE_CHECKING, in the package root
    assert "aws" not in imports_of("wire.metadata")  # it imports the limits module only


@pytest.mark.parametrize(
    ("arrow", "against"),
    [
        (("session.write.batcher", "client.api"), False),  # session -> client
        (("client.api", "session.write.batcher"), True),  # client -> session
        (("local.events", "client.boto"), True),  # local -> client
        (("local.events", "wire.limits"), False),  # local -> wire
        (("memory_store.store", "session.write.batcher"), True),  # siblings
        (("cli.main", "local.server"), False),  # cli -> local
        (("wire.limits", "_version"), False),  # within a layer
    ],
)
def test_the_rule_reads_as_documented(arrow: tuple[str, str], against: bool) -> None:
    assert against_rule(arrow) is against
