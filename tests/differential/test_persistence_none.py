"""Attack: ``persistence_mode`` NONE on every hook path, against Strands' ``FileSessionManager``.

The differential programs (tools, tool and hook interrupts, structured output, guardrail
redactions, context overflows under sliding-window and summarizing managers, two agents,
async invocations) run in one process life each: with nothing to restore, what every agent
holds and its model receives after every step must be what it is under Strands' own manager,
while ours (background writes, a journal path, the null write side) writes nothing at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from . import runner
from .programs import _first_difference, generate

SEEDS = range(24)  # 19 redactions, 11 structured turns, 46 interrupting tool calls, 12 overflows


@pytest.mark.parametrize("seed", SEEDS)
def test_persistence_none_holds_what_file_session_manager_holds(
    seed: int, server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    program = generate(seed)
    steps = [step for segment in program["segments"] for step in segment["steps"]]
    common = {"session": f"none-{seed}", "agents": program["agents"], "steps": steps}
    journal = tmp_path / "journal.db"
    expected = runner.run_segment(
        {**common, "backend": "file", "storage_dir": str(tmp_path / "file")}
    )
    server.stats.reset()
    got = runner.run_segment(
        {
            **common,
            "backend": "ours",
            "endpoint": server.endpoint_url,
            "memory_id": memory_id,
            "write_mode": "background",
            "batch_size": 3,
            "journal": str(journal),
            "persistence_mode": "NONE",
        }
    )
    assert _first_difference(expected, got) is None
    assert server.stats.count("CreateEvent") == 0
    assert server.stats.count("DeleteEvent") == 0
    assert not journal.exists()
