"""The store under a real MemoryManager and a real Strands agent, against the local server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from strands.memory import MemoryManager

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ToolCall

from ..support import ACTOR, conversation, make_store_agent, store_events
from .conftest import StoreFactory


class Recorder:
    """A scripted reply that records what the model was shown."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.seen: list[Any] = []

    def __call__(self, messages: list[Any]) -> Any:
        self.seen.append(json.loads(json.dumps(messages)))
        return self.replies.pop(0) if self.replies else "ok"


def test_the_conversation_reaches_the_session_once_per_message(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    store = make_store(writable=True, extraction=True)
    manager = MemoryManager(stores=[store], injection=False)
    agent = make_store_agent(manager, ["Nice, tuna it is.", "Window seat, noted."])
    server.stats.reset()
    agent("I like sushi with tuna")
    agent("I prefer window seats")
    # Each synchronous invocation flushes the manager: one CreateEvent per turn.
    assert server.stats.count("CreateEvent") == 2
    assert conversation(store_events(server, memory_id)) == [
        ("USER", "I like sushi with tuna"),
        ("ASSISTANT", "Nice, tuna it is."),
        ("USER", "I prefer window seats"),
        ("ASSISTANT", "Window seat, noted."),
    ]


def test_records_are_injected_into_the_model_input_only(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    writer = make_store(writable=True)
    asyncio.run(writer.add("The user likes sushi with tuna"))
    asyncio.run(writer.add("The user prefers window seats"))
    store = make_store(writable=True, extraction=True, name="facts")
    recorder = Recorder()
    agent = make_store_agent(MemoryManager(stores=[store]), recorder)
    server.stats.reset()
    agent("What sushi do I like?")
    assert server.stats.count("RetrieveMemoryRecords") == 1  # one per model call per store
    assert server.stats.count("CreateEvent") == 1  # one per invocation
    shown = json.dumps(recorder.seen[0])
    assert "<memory>" in shown and "The user likes sushi with tuna" in shown
    # Neither the agent's history nor the stored conversation holds the injected records.
    assert "<memory>" not in json.dumps(agent.messages)
    assert conversation(store_events(server, memory_id)) == [
        ("USER", "What sushi do I like?"),
        ("ASSISTANT", "ok"),
    ]


def test_the_search_and_add_tools_use_the_store(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    asyncio.run(make_store(writable=True).add("The user likes sushi with tuna"))
    store = make_store(writable=True, description="facts about the user")
    recorder = Recorder(
        ToolCall("search_memory", {"query": "sushi"}),
        ToolCall("add_memory", {"entries": ["The user is allergic to peanuts"]}),
        "Done.",
    )
    manager = MemoryManager(stores=[store], add_tool_config=True, injection=False)
    agent = make_store_agent(manager, recorder)
    agent("Remember my allergy")
    tool_results = [
        block["toolResult"]
        for message in agent.messages
        for block in message["content"]
        if "toolResult" in block
    ]
    assert "The user likes sushi with tuna" in json.dumps(tool_results[0])
    assert tool_results[1]["status"] == "success"
    listed = server.client().list_memory_records(memoryId=memory_id, namespace=f"/facts/{ACTOR}")
    texts = {r["content"]["text"] for r in listed["memoryRecordSummaries"]}
    assert texts == {"The user likes sushi with tuna", "The user is allergic to peanuts"}


def test_a_failed_save_is_retried_by_strands_without_duplicates(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    from ..support import NO_RETRIES

    store = make_store(writable=True, extraction=True, boto_client_config=NO_RETRIES)
    agent = make_store_agent(MemoryManager(stores=[store], injection=False), ["one", "two"])
    server.faults.commit_then_fail(1)
    agent("first")  # stored, but the store is told it failed; Strands keeps the batch
    agent("second")  # the batch is retried with the new turn
    assert conversation(store_events(server, memory_id)) == [
        ("USER", "first"),
        ("ASSISTANT", "one"),
        ("USER", "second"),
        ("ASSISTANT", "two"),
    ]
