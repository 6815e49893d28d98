"""A tool-using conversation that a SIGKILL test (or benchmark) kills at random points.

Usage: ``python kill_child.py ENDPOINT MEMORY_ID SESSION JOURNAL [ACTOR]`` (the actor defaults
to ``killed``). It resumes the session
(replaying the journal), then runs turns forever, printing the agent's message count after
every turn: every message up to that count was accepted by a hook.
"""

from __future__ import annotations

import sys
from pathlib import Path

from strands import Agent, tool
from strands.agent.conversation_manager import NullConversationManager

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.testing import ScriptedModel, ToolCall


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def reply(messages: list[dict[str, object]]) -> object:
    """Call the tool once per prompt, then answer."""
    last = messages[-1]
    content = last["content"]
    assert isinstance(content, list)
    if any("toolResult" in block for block in content):
        return "done"
    return ToolCall("add", {"a": 1, "b": 2})


def main() -> None:
    endpoint, memory_id, session, journal = sys.argv[1:5]
    actor = sys.argv[5] if len(sys.argv) > 5 else "killed"
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id,
            session_id=session,
            actor_id=actor,
            write_mode="background",
            journal_path=Path(journal),
        ),
        endpoint_url=endpoint,
    )
    agent = Agent(
        model=ScriptedModel(reply),  # type: ignore[arg-type]
        tools=[add],
        session_manager=manager,
        conversation_manager=NullConversationManager(),
        callback_handler=None,
    )
    turn = sum(1 for m in agent.messages if m["role"] == "user" and "text" in m["content"][0])
    while True:
        agent(f"p{turn}")
        turn += 1
        print(len(agent.messages), flush=True)


if __name__ == "__main__":
    main()
