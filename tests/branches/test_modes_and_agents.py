"""Branches in every write mode, with several agents, and under Graphs and Swarms.

Each scenario runs on a fork of a session whose ``main`` already holds a conversation; what it
restores must be what the same scenario gives on a fresh session with Strands' own
``FileSessionManager``, and ``main`` must be left exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from strands.session import FileSessionManager

from agentcore_memory_otel import fork_session
from agentcore_memory_otel.local import LocalMemoryServer

from ..session.test_multi_agent import (
    Managers,
    graph_completed_then_rerun,
    graph_crash_then_resume,
    swarm_crash_then_resume,
)
from ..support import ACTOR, SESSION, ManagerFactory, make_agent, no_trim
from .support import raw_events, texts, traced_turn


def _main_then_fork(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, branch: str
) -> list[dict[str, Any]]:
    """Two turns on main, a fork after the first; return main's raw events."""
    agent = make_agent(make_manager(), ["a1", "a2"], conversation_manager=no_trim())
    first = traced_turn(agent, "q1")
    traced_turn(agent, "q2")
    fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch=branch,
        trace_id=first,
        client=server.client(),
    )
    return [e for e in raw_events(server, memory_id) if e["branch"]["name"] == "main"]


@pytest.mark.parametrize(
    "mode",
    [
        {"write_mode": "sync"},
        {"write_mode": "sync", "batch_size": 4},
        {"write_mode": "background"},
        {"write_mode": "background", "journal": True},
        {"write_mode": "sync", "journal": True},
    ],
    ids=["sync", "batched", "background", "background-journal", "sync-journal"],
)
def test_two_agents_on_a_branch_in_every_write_mode(
    mode: dict[str, Any],
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    tmp_path: Path,
) -> None:
    main_before = _main_then_fork(make_manager, server, memory_id, "b")
    fields = {k: v for k, v in mode.items() if k != "journal"}
    if mode.get("journal"):
        fields["journal_path"] = tmp_path / "journal.db"
    manager = make_manager(branch="b", **fields)
    default = make_agent(manager, ["b1"], conversation_manager=no_trim())
    helper = make_agent(manager, ["h1"], agent_id="helper", conversation_manager=no_trim())
    default("q2 on b")
    helper("hello helper")
    manager.close()

    again = make_manager(branch="b")
    assert texts(make_agent(again, [], conversation_manager=no_trim())) == [
        ("user", "q1"),
        ("assistant", "a1"),
        ("user", "q2 on b"),
        ("assistant", "b1"),
    ]
    assert texts(make_agent(again, [], agent_id="helper", conversation_manager=no_trim())) == [
        ("user", "hello helper"),
        ("assistant", "h1"),
    ]
    after = raw_events(server, memory_id)
    assert [e for e in after if e["branch"]["name"] == "main"] == main_before
    # main knows nothing of the helper, nor of the branch's turn.
    main = make_manager()
    assert [t for _, t in texts(make_agent(main, [], conversation_manager=no_trim()))] == [
        "q1",
        "a1",
        "q2",
        "a2",
    ]
    assert make_agent(main, [], agent_id="helper", conversation_manager=no_trim()).messages == []


@pytest.mark.parametrize(
    "scenario",
    [graph_crash_then_resume, graph_completed_then_rerun, swarm_crash_then_resume],
    ids=["graph-crash", "graph-rerun", "swarm-crash"],
)
def test_graphs_and_swarms_on_a_branch_restore_like_file_session_manager(
    scenario: Callable[[Managers], Any],
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    tmp_path: Path,
) -> None:
    main_before = _main_then_fork(make_manager, server, memory_id, "multi")
    file_run = scenario(
        lambda: FileSessionManager(session_id=SESSION, storage_dir=str(tmp_path / "file"))
    )
    on_branch = scenario(lambda: make_manager(branch="multi"))
    assert on_branch == file_run
    after = raw_events(server, memory_id)
    assert [e for e in after if e["branch"]["name"] == "main"] == main_before
    assert {e["branch"]["name"] for e in after} == {"main", "multi"}
