"""Differential test: random programs on Strands' ``FileSessionManager`` and on ours, compared.

Every program (``programs.generate``, from a seed) runs turns with and without tools, tool and
hook interrupts answered after restarts, structured output, guardrail redactions, context
overflows under sliding-window and summarizing managers, one or two agents, async
invocations, and restarts: a fresh manager and agents in this process, ours in a fresh
process, or both killed (SIGKILL) at a model call mid-turn. After the restore and after every
step, what each agent holds (messages, state, conversation-manager state, interrupt state),
what its model received and how the step ended must be the same on both.

The default run covers a fixed slice of seeds; the long run (markers ``slow`` and
``differential``, run by CI) covers 2,000 programs. Both print their figures. A divergence
that is by design goes in ``BY_DESIGN`` with its reason (and in docs/strands-support.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from .programs import Figures, generate, run_seeds

Recorder = Callable[[str, object], None]

BY_DESIGN: dict[str, str] = {}
"""Divergences kept on purpose: a substring of the divergence -> the reason (none today)."""

LONG_RUN_PROGRAMS = int(os.environ.get("DIFFERENTIAL_PROGRAMS", "2000"))
# Per restart (about 1.5 per program): ours in a fresh process, or both killed mid-step.
LONG_RUN_FRESH = 0.05
LONG_RUN_KILL = 0.015


def _run(
    seeds: list[tuple[int, float, float]],
    server: LocalMemoryServer,
    memory_id: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    workers: int = 1,
) -> Figures:
    figures = run_seeds(seeds, tmp_path, server.endpoint_url, memory_id, workers=workers)
    with capsys.disabled():  # the figures show in every run, captured or not
        print(f"\ndifferential: {figures.summary()}")
    return figures


def _with_processes(count: int, fresh: float, kill: float) -> list[tuple[int, float, float]]:
    """The first ``count`` seeds from 10,000 whose programs have a fresh and a kill segment."""
    found: list[tuple[int, float, float]] = []
    seed = 10_000
    while len(found) < count:
        modes = {s["mode"] for s in generate(seed, fresh=fresh, kill=kill)["segments"]}
        if {"fresh", "kill"} <= modes:
            found.append((seed, fresh, kill))
        seed += 1
    return found


def _unexplained(figures: Figures) -> list[str]:
    return [d for d in figures.divergences if not any(key in d for key in BY_DESIGN)]


def test_a_fixed_slice_of_programs_matches_file_session_manager(
    server: LocalMemoryServer,
    memory_id: str,
    tmp_path: Path,
    record_property: Recorder,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 40 programs restarting in this process, and 2 with fresh processes and kills.
    seeds = [(seed, 0.0, 0.0) for seed in range(40)]
    seeds += _with_processes(count=2, fresh=0.5, kill=0.4)
    figures = _run(seeds, server, memory_id, tmp_path, capsys)
    record_property("differential", figures.summary())
    assert figures.programs == 42 and figures.steps > 200 and figures.restarts > 50
    assert figures.fresh_processes >= 1 and figures.kills >= 1
    assert _unexplained(figures) == []


@pytest.mark.slow
@pytest.mark.differential
def test_two_thousand_programs_match_file_session_manager(
    server: LocalMemoryServer,
    memory_id: str,
    tmp_path: Path,
    record_property: Recorder,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seeds = [(100_000 + seed, LONG_RUN_FRESH, LONG_RUN_KILL) for seed in range(LONG_RUN_PROGRAMS)]
    figures = _run(seeds, server, memory_id, tmp_path, capsys, workers=2)
    record_property("differential", figures.summary())
    if LONG_RUN_PROGRAMS >= 2000:
        assert figures.programs >= 2000 and figures.programs_with_fresh_processes >= 100
        assert figures.kills >= 20
    assert _unexplained(figures) == []
