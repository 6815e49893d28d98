"""One process's life on a session: restore an agent, run prompts, print what it holds.

``python -m tests.branches.fork_child SPEC`` (SPEC is JSON) prints two JSON lines: the
messages the agent restored, then the messages after the prompts. The backend is Strands'
``FileSessionManager`` (``{"file": DIR}``) or ours (``{"endpoint", "memory_id", "branch"}``).
The model's replies are a function of the prompt they answer, so every process and backend
answers the same conversation the same way: a prompt with ``tool`` in it gets a tool call
first.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from strands import Agent
from strands.agent.conversation_manager import SlidingWindowConversationManager
from strands.session import FileSessionManager
from strands.session.session_manager import SessionManager
from strands.types.content import Messages

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.testing import Reply, ScriptedModel, ToolCall

from ..support import add


def reply(messages: Messages) -> Reply:
    """A tool call for a prompt naming ``tool`` (once), else an answer naming the prompt."""
    last = messages[-1]
    prompts = [
        m for m in messages if m["role"] == "user" and any("text" in b for b in m["content"])
    ]
    prompt = " ".join(b["text"] for b in prompts[-1]["content"] if "text" in b) if prompts else ""
    if "tool" in prompt and not any("toolResult" in b for b in last["content"]):
        return ToolCall("add", {"a": len(prompt), "b": 1})
    return f"answer to {prompt}"


def manager(spec: dict[str, Any]) -> SessionManager:
    """The session manager the spec names."""
    if "file" in spec:
        return FileSessionManager(session_id=spec["session"], storage_dir=spec["file"])
    return AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=spec["memory_id"],
            actor_id=spec["actor"],
            session_id=spec["session"],
            branch=spec.get("branch", "main"),
            create_event_rate=None,
        ),
        endpoint_url=spec["endpoint"],
    )


def main(spec: dict[str, Any]) -> None:
    """Restore, print, run the prompts, print, close."""
    session_manager = manager(spec)
    agent = Agent(
        model=ScriptedModel(reply),
        tools=[add],
        session_manager=session_manager,
        conversation_manager=SlidingWindowConversationManager(window_size=spec["window"]),
        callback_handler=None,
    )
    print(json.dumps(agent.messages), flush=True)
    for prompt in spec["prompts"]:
        agent(prompt)
    print(json.dumps(agent.messages), flush=True)
    close = getattr(session_manager, "close", None)
    if close is not None:
        close()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
