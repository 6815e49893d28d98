"""A fork from turn k, replayed in fresh processes, against Strands' FileSessionManager.

The original conversation runs on ``main`` in one process. A fork after turn k gets new turns in
a second process and is restored in a third; the reference is ``FileSessionManager`` given the
first k turns and the same new turns, each in a process of its own. Both restore the same
conversation (tool-use ids, drawn from a per-process counter, compared by order), with a
sliding window that trims, so the window's bookkeeping at the fork point is checked too. The
original's events are compared byte for byte (their raw ListEvents JSON) before and after.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agentcore_memory_otel import fork_session
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import ACTOR
from .support import raw_events

ORIGINAL = ["q1", "q2 tool", "q3", "q4 tool", "q5"]
NEW = ["n1", "n2 tool"]
WINDOW = 6
SESSION = "fork-diff"


def _child(spec: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "tests.branches.fork_child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    ).stdout.splitlines()
    return json.loads(out[0]), json.loads(out[1])


def _renumbered(messages: list[Any]) -> str:
    """Role and content as JSON, tool-use ids replaced by their order of appearance.

    (Strands' per-message ``tracking_id`` is random, and its metrics are timings.)
    """
    text = json.dumps([{"role": m["role"], "content": m["content"]} for m in messages])
    ids: dict[str, str] = {}
    for block in (b for m in messages for b in m["content"]):
        for key in ("toolUse", "toolResult"):
            if key in block:
                ids.setdefault(block[key]["toolUseId"], f"id{len(ids)}")
    for old, new in ids.items():
        text = text.replace(old, new)
    return text


def _raw(server: LocalMemoryServer, memory_id: str) -> list[str]:
    return [
        json.dumps(e, sort_keys=True, default=str)
        for e in raw_events(server, memory_id, session=SESSION)
        if e["branch"]["name"] == "main"
    ]


@pytest.mark.parametrize("k", [1, 2, 4])
def test_a_fork_from_turn_k_restores_the_first_k_turns_and_the_new_ones(
    k: int, server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    ours = {
        "endpoint": server.endpoint_url,
        "memory_id": memory_id,
        "actor": ACTOR,
        "session": SESSION,
        "window": WINDOW,
    }
    _, original = _child({**ours, "prompts": ORIGINAL})
    before = _raw(server, memory_id)
    fork = fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch=f"turn-{k}",
        turn=k,
        client=server.client(),
    )
    on_branch = {**ours, "branch": fork.branch}
    _child({**on_branch, "prompts": NEW})
    restored, _ = _child({**on_branch, "prompts": []})

    reference = {"file": str(tmp_path / "file"), "session": SESSION, "window": WINDOW}
    _child({**reference, "prompts": ORIGINAL[:k] + NEW})
    expected, _ = _child({**reference, "prompts": []})
    assert _renumbered(restored) == _renumbered(expected)
    assert _raw(server, memory_id) == before
    # And main still restores the original conversation, window and all.
    main, _ = _child({**ours, "prompts": []})
    assert _renumbered(main) == _renumbered(original)
