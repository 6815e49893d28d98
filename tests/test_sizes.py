"""Small modules with one job: no module over 400 lines, no function over 60 (docstring aside).

Today's exceptions are listed; issue 23's second phase splits them. The lists cannot go stale:
an entry that is within its limit now fails the test until it is removed.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "agentcore_memory_otel"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

LONG_MODULES: frozenset[str] = frozenset()
"""Modules over MAX_MODULE_LINES: none (split a module by job rather than list it here)."""

LONG_FUNCTIONS = frozenset(
    {
        "cli/serve_command.py:add_parser",  # a table of options, as argparse calls
        "cli/demo_command.py:add_parser",  # a table of options, as argparse calls
        "cli/fork_command.py:add_parser",  # a table of options, as argparse calls
    }
)
"""Functions over MAX_FUNCTION_LINES (file:name): only tables, here argparse's options."""


def module_lines() -> dict[str, int]:
    """Lines per module, by path under the package."""
    return {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(ROOT.rglob("*.py"))
    }


def function_lines() -> dict[str, int]:
    """Lines per function or method (its docstring left out), by ``file:name``."""
    sizes: dict[str, int] = {}
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                first = node.body[0]
                if (
                    isinstance(first, ast.Expr)
                    and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)
                ):
                    size -= (first.end_lineno or first.lineno) - first.lineno + 1
                key = f"{path.relative_to(ROOT)}:{node.name}"
                sizes[key] = max(size, sizes.get(key, 0))
    return sizes


def test_no_module_is_over_the_limit_beyond_the_known_list() -> None:
    over = {name: n for name, n in module_lines().items() if n > MAX_MODULE_LINES}
    assert not set(over) - LONG_MODULES, f"modules over {MAX_MODULE_LINES} lines: {over}"
    stale = LONG_MODULES - set(over)
    assert not stale, f"within the limit now, remove from LONG_MODULES: {sorted(stale)}"


def test_no_function_is_over_the_limit_beyond_the_known_list() -> None:
    over = {name: n for name, n in function_lines().items() if n > MAX_FUNCTION_LINES}
    assert not set(over) - LONG_FUNCTIONS, f"functions over {MAX_FUNCTION_LINES} lines: {over}"
    stale = LONG_FUNCTIONS - set(over)
    assert not stale, f"within the limit now, remove from LONG_FUNCTIONS: {sorted(stale)}"
