"""Batching: one CreateEvent per agent invocation instead of one per message.

The context manager flushes anything still buffered when the block ends.
"""

from strands import Agent, tool

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel, ToolCall


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


with LocalMemoryServer() as server:
    control = server.client("bedrock-agentcore-control")
    memory_id = control.create_memory(name="batching", eventExpiryDuration=30)["memory"]["id"]
    config = AgentCoreMemoryConfig(
        memory_id=memory_id, session_id="batched", actor_id="ada", batch_size=10
    )
    replies: list[str | ToolCall] = [ToolCall("add", {"a": 2, "b": 3}), "It is 5.", "Welcome."]
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as memory:
        agent = Agent(
            model=ScriptedModel(replies), tools=[add], session_manager=memory, callback_handler=None
        )
        agent("What is 2 + 3?")  # 4 messages
        agent("Thanks!")  # 2 messages
        memory.append_message({"role": "user", "content": [{"text": "(a note)"}]}, agent)
        print("buffered before the block ends:", memory.pending_message_count())
    print("messages stored: 7, CreateEvent calls:", server.stats.count("CreateEvent"))
