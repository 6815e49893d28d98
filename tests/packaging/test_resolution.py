"""pip resolves ``agentcore-memory-otel[all]`` without backtracking, in a clean venv.

Loose lower bounds on the extras made pip walk back through OpenTelemetry's exactly-pinned
release sets (four backtracking rounds, 3.5 times the reference SDK's install time). The bounds
in pyproject.toml keep every first choice fitting; when a new release breaks that, this test
fails with pip's own words, and docs/performance.md says how to move the bounds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from benchmarks.install_time import backtracking, install

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_all_extras_install_without_backtracking(tmp_path: Path) -> None:
    source = tmp_path / "source"  # pip builds in the source tree: keep the checkout clean
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", "*cache*", "*.egg-info", "*.db", "build", "dist", ".venv", "venv"
        ),
    )
    _seconds, output = install(f"{source}[all]", tmp_path)
    assert "Successfully installed" in output
    assert backtracking(output) == [], "\n".join(backtracking(output))
