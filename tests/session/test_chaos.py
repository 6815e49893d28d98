"""The chaos run (see ``chaos.py``): a fixed-seed slice by default, the long run under ``chaos``.

Both print their figures (schedules, faults injected by kind, messages accepted, stored, lost,
duplicated, waits past a timeout). ``CHAOS_SCHEDULES`` sets the long run's length (300).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from .chaos import Figures, Schedule

SLICE = (2, 3, 8, 10, 11, 21, 1, 120)
"""The default run's seeds: both modes, with and without a journal, every fault kind (120 is
a SIGKILL, 1 a SIGTERM)."""
LONG_BUDGET_S = 15 * 60


def _run(
    seeds: Iterable[int],
    server: LocalMemoryServer,
    memory_id: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> Figures:
    figures = Figures()
    started = time.monotonic()
    for seed in seeds:
        Schedule(seed, server, memory_id, tmp_path, figures).run()
        figures.schedules += 1
    with capsys.disabled():
        print(f"\n{figures.report()} ({time.monotonic() - started:.0f} s)")
    return figures


def test_chaos_fixed_slice(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = _run(SLICE, server, memory_id, tmp_path, capsys)
    assert figures.clean, figures.problems
    assert figures.accepted > 0 and figures.stored == figures.accepted


@pytest.mark.chaos
def test_chaos_long_run(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    count = int(os.environ.get("CHAOS_SCHEDULES", "300"))
    started = time.monotonic()
    figures = _run(range(1000, 1000 + count), server, memory_id, tmp_path, capsys)
    assert figures.clean, figures.problems[:20]
    assert figures.schedules >= min(count, 300)
    # Not a pass/fail timing: the budget CI gives the run, reported with the figures.
    print(f"long run: {time.monotonic() - started:.0f} s of a {LONG_BUDGET_S} s budget")
