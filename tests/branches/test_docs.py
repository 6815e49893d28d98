"""docs/branches.md, step by step, as written: every block runs here, in its order.

The Python blocks run with the names a reader has (``MEMORY_ID``, ``TRACE_ID``, a ``model``)
and the bash blocks with ``$MEMORY_ID`` and ``$TRACE_ID`` set and the local server as the
endpoint, as `serve` tells a reader to export it.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

from ..test_readme import blocks

DOC = Path(__file__).resolve().parents[2] / "docs" / "branches.md"
ACTOR, SESSION = "user-1", "chat-1"


def _bash(block: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _texts(messages: list[Any]) -> list[str]:
    return [" ".join(b["text"] for b in m["content"] if "text" in b) for m in messages]


def test_the_walk_from_a_trace_id_to_a_resumed_fork(
    server: LocalMemoryServer,
    memory_id: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", server.endpoint_url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    found = blocks(DOC)
    assert [language for language, _ in found] == [
        "python",
        "bash",
        "bash",
        "",
        "bash",
        "python",
        "python",
    ]
    (
        (_, conversation),
        (_, events),
        (_, fork),
        (_, printed),
        (_, branches),
        (_, resume),
        (_, library),
    ) = found

    # 1. The conversation, three traced turns.
    namespace: dict[str, Any] = {
        "MEMORY_ID": memory_id,
        "model": ScriptedModel(["a day plan", "with a museum", "a cheaper plan"]),
    }
    exec(compile(conversation, str(DOC), "exec"), namespace)
    traces = namespace["trace_ids"]
    capsys.readouterr()
    assert len(traces) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", t) for t in traces)
    env = {**os.environ, "MEMORY_ID": memory_id, "TRACE_ID": traces[1]}

    # 2. The trace's events.
    out = _bash(events, env)
    assert f"2 event(s) for trace {traces[1]}" in out and "Add a museum" in out

    # 3. The fork, and what it prints (the doc's output, ids aside).
    out = _bash(fork, env)
    shape = re.compile(r"[0-9]{19}#[0-9a-f]{8}|memory_id='[^']*'")
    assert shape.sub("ID", out.strip()) == shape.sub("ID", printed.strip().replace("…", "x"))

    # 4. The tree and the branch.
    out = _bash(branches, env)
    assert "\n  retry-1: 1 event(s), root " in out and f"forked at trace {traces[1]}" in out
    assert "branch retry-1: 3 event(s) restored" in out and "fork here:" in out

    # 5. Resuming the fork.
    namespace["other_model"] = ScriptedModel(["a free museum"])
    exec(compile(resume, str(DOC), "exec"), namespace)
    assert _texts(namespace["retry"].messages) == [
        "Plan a day in Oslo",
        "a day plan",
        "Add a museum, free entry only",
        "a free museum",
    ]
    main = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(memory_id=memory_id, actor_id=ACTOR, session_id=SESSION)
    )
    from strands import Agent

    assert len(Agent(model=ScriptedModel([]), session_manager=main).messages) == 6

    # From Python.
    capsys.readouterr()  # what the agents printed
    exec(compile(library, str(DOC), "exec"), {"MEMORY_ID": memory_id, "TRACE_ID": traces[1]})
    assert capsys.readouterr().out.strip() == (
        f"AgentCoreMemoryConfig(memory_id='{memory_id}', actor_id='user-1',"
        " session_id='chat-1', branch='retry-2')"
    )
