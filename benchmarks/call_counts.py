"""AgentCore Memory calls per scenario, counted by the local server, with real Strands agents.

Usage: ``python3 -m benchmarks.call_counts``

Prints a markdown table of CreateEvent + ListEvents calls for ``batch_size`` 1 and 10, next to
the targets, and the calls to resume sessions of 10, 100 and 1,000 messages.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from strands import Agent, tool
from strands.agent.conversation_manager import (
    ConversationManager,
    NullConversationManager,
    SlidingWindowConversationManager,
)

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel, ToolCall


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


class Bench:
    """One local server and a fresh session per scenario."""

    def __init__(self, server: LocalMemoryServer, memory_id: str) -> None:
        self.server = server
        self.memory_id = memory_id
        self.sessions = 0

    def calls(self) -> int:
        """CreateEvent + ListEvents calls since the last reset."""
        return sum(self.server.stats.count(op) for op in ("CreateEvent", "ListEvents"))

    def manager(self, session_id: str, batch_size: int) -> AgentCoreMemorySessionManager:
        """A session manager for ``session_id``."""
        config = AgentCoreMemoryConfig(
            memory_id=self.memory_id,
            session_id=session_id,
            actor_id="bench-user",
            batch_size=batch_size,
            # Pacing under the 5 TPS quota changes no count, only how long seeding 1,000
            # messages one call each takes (over 200 s).
            create_event_rate=None,
        )
        return AgentCoreMemorySessionManager(config, endpoint_url=self.server.endpoint_url)

    def agent(
        self,
        manager: AgentCoreMemorySessionManager,
        script: list[Any],
        conversation_manager: ConversationManager | None = None,
    ) -> Agent:
        """A Strands agent with a scripted model."""
        return Agent(
            model=ScriptedModel(script),
            tools=[add],
            session_manager=manager,
            conversation_manager=conversation_manager or NullConversationManager(),
            callback_handler=None,
        )

    def new_session(self) -> str:
        """A session id not used before."""
        self.sessions += 1
        return f"bench-{self.sessions}"

    def measure(self, action: Callable[[], object]) -> int:
        """Calls made by ``action``."""
        self.server.stats.reset()
        action()
        return self.calls()


def turn_calls(bench: Bench, batch_size: int) -> dict[str, int]:
    """Construct (session manager and agent), simple turn and tool turn, each on its own."""
    holder: dict[str, Any] = {}

    def construct() -> None:
        holder["manager"] = bench.manager(bench.new_session(), batch_size)
        holder["agent"] = bench.agent(
            holder["manager"], ["Hello!", ToolCall("add", {"a": 2, "b": 3}), "It is 5."]
        )

    results = {"construct": bench.measure(construct)}
    agent = holder["agent"]
    results["simple"] = bench.measure(lambda: agent("Hi"))
    results["tool"] = bench.measure(lambda: agent("What is 2 + 3?"))
    holder["manager"].close()
    return results


def resume_calls(
    bench: Bench, messages: int, batch_size: int, window: int | None = None
) -> tuple[int, int]:
    """(events stored, calls to resume) for a session of ``messages`` messages."""
    session_id = bench.new_session()
    manager = bench.manager(session_id, batch_size)
    turns = messages // 2

    def trimmer() -> ConversationManager:
        if window is None:
            return NullConversationManager()
        return SlidingWindowConversationManager(window_size=window)

    agent = bench.agent(manager, [f"answer {i}" for i in range(turns)], trimmer())
    for i in range(turns):
        agent(f"question {i}")
    manager.close()
    events = sum(
        len(page["events"])
        for page in bench.server.client()
        .get_paginator("list_events")
        .paginate(
            memoryId=bench.memory_id,
            actorId="bench-user",
            sessionId=session_id,
            PaginationConfig={"PageSize": 100},
        )
    )
    calls = bench.measure(lambda: bench.agent(bench.manager(session_id, batch_size), [], trimmer()))
    return events, calls


def main() -> None:
    """Run every scenario and print the table."""
    with LocalMemoryServer() as server:
        control = server.client("bedrock-agentcore-control")
        memory_id = control.create_memory(name="bench", eventExpiryDuration=30)["memory"]["id"]
        bench = Bench(server, memory_id)
        one, ten = turn_calls(bench, 1), turn_calls(bench, 10)
        print("| scenario | target | batch_size=1 | batch_size=10 |")
        print("|---|---|---|---|")
        print(
            f"| new session: construct the agent | ≤ 1 | {one['construct']} | {ten['construct']} |"
        )
        print(
            f"| simple turn (user → assistant) | 2 (batch 1), 1 (batch ≥ 2) | {one['simple']} | "
            f"{ten['simple']} |"
        )
        print(
            f"| tool turn (user → toolUse → toolResult → assistant) | 4 (batch 1), 1 (batch ≥ 4)"
            f" | {one['tool']} | {ten['tool']} |"
        )
        for messages in (10, 100, 1000):
            cells = []
            for batch_size in (1, 10):
                events, calls = resume_calls(bench, messages, batch_size)
                assert calls == math.ceil(events / 100), (messages, batch_size, events, calls)
                cells.append(f"{calls} ({events} events)")
            print(
                f"| resume {messages} messages, nothing trimmed | ceil(events/100) | "
                f"{cells[0]} | {cells[1]} |"
            )
        cells = [f"{resume_calls(bench, 1000, b, window=40)[1]}" for b in (1, 10)]
        print(f"| resume 1000 messages, sliding window of 40 | ≤ 2 | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
