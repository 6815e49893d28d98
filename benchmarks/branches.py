"""Branches: what forking costs, and what restoring a branch costs next to restoring main.

Usage: ``python3 -m benchmarks.branches``

For sessions of 10, 100 and 500 turns (two events a turn), forks after the middle turn and
prints, as markdown tables: the fork's calls and time; then the ListEvents calls and time to
restore ``main`` and the branch with a sliding window of 20 messages, before and after ``main``
goes on for as many turns again (whose events the branch then reads through). Calls are exact
(counted by the local server); times are this machine's and only indicative.
"""

from __future__ import annotations

import time
from typing import Any

from strands import Agent
from strands.agent.conversation_manager import SlidingWindowConversationManager

from agentcore_memory_otel import (
    AgentCoreMemoryConfig,
    AgentCoreMemorySessionManager,
    fork_session,
)
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

ACTOR = "bench"


def _manager(server: LocalMemoryServer, memory_id: str, session: str, **extra: Any) -> Any:
    config = AgentCoreMemoryConfig(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=session,
        create_event_rate=None,
        **extra,
    )
    return AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url)


def _agent(manager: Any, replies: list[str]) -> Agent:
    return Agent(
        model=ScriptedModel(replies),
        session_manager=manager,
        conversation_manager=SlidingWindowConversationManager(window_size=20),
        callback_handler=None,
    )


def _turns(
    server: LocalMemoryServer, memory_id: str, session: str, count: int, **extra: Any
) -> None:
    manager = _manager(server, memory_id, session, **extra)
    agent = _agent(manager, [f"a{i}" for i in range(count)])
    for i in range(count):
        agent(f"q{i}")
    manager.close()


def _restore(
    server: LocalMemoryServer, memory_id: str, session: str, **extra: Any
) -> tuple[int, float]:
    server.stats.reset()
    started = time.perf_counter()
    manager = _manager(server, memory_id, session, **extra)
    _agent(manager, [])
    elapsed = time.perf_counter() - started
    manager.close()
    return server.stats.count("ListEvents", outcome="success"), elapsed


def main() -> None:
    """Print the tables."""
    with LocalMemoryServer() as server:
        control = server.client("bedrock-agentcore-control")
        memory_id = control.create_memory(name="branches", eventExpiryDuration=30)["memory"]["id"]
        fork_rows, restore_rows = [], []
        for turns in (10, 100, 500):
            session = f"s{turns}"
            _turns(server, memory_id, session, turns)
            server.stats.reset()
            started = time.perf_counter()
            fork = fork_session(
                memory_id=memory_id,
                actor_id=ACTOR,
                session_id=session,
                branch="retry",
                turn=turns // 2,
                client=server.client(),
            )
            elapsed = time.perf_counter() - started
            fork_rows.append(f"| {turns * 2} | {fork.calls} | {elapsed * 1000:.0f} ms |")
            for phase in ("as forked", f"after {turns} more turns on main"):
                if phase != "as forked":
                    _turns(server, memory_id, session, turns)
                main_calls, main_s = _restore(server, memory_id, session)
                branch_calls, branch_s = _restore(server, memory_id, session, branch="retry")
                restore_rows.append(
                    f"| {turns * 2} | {phase} | {main_calls} ({main_s * 1000:.0f} ms)"
                    f" | {branch_calls} ({branch_s * 1000:.0f} ms) |"
                )
        print("| events in the session | fork calls | fork time |\n|---|---|---|")
        print("\n".join(fork_rows))
        print()
        print("| events before the fork | main | ListEvents: main | ListEvents: branch |")
        print("|---|---|---|---|")
        print("\n".join(restore_rows))


if __name__ == "__main__":
    main()
