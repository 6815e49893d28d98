"""BidiAgent (streaming voice) persistence with a scripted bidirectional model, offline."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from strands.bidi import BidiAgent

from agentcore_memory_otel import AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedBidiModel

from .conftest import ManagerFactory, calls, stored_events


async def _next_response(agent: BidiAgent) -> list[str]:
    """Receive events until the current response ends; return their types."""
    seen: list[str] = []
    async for event in agent.receive():
        seen.append(event["type"])
        if event["type"] == "bidi_response_stop":
            return seen
    raise AssertionError("the stream ended before the response did")


async def _converse(agent: BidiAgent, *user_turns: str) -> None:
    await agent.start()
    for text in user_turns:
        await agent.send(text)
        await _next_response(agent)
    await agent.stop()


def _voice(manager: AgentCoreMemorySessionManager, replies: list[str]) -> BidiAgent:
    return BidiAgent(model=ScriptedBidiModel(replies), agent_id="voice", session_manager=manager)


def _plain(messages: list[Any]) -> list[Any]:
    """Messages without their random tracking ids."""
    out: list[Any] = json.loads(json.dumps(messages))
    for message in out:
        message.pop("tracking_id", None)
    return out


def test_a_bidi_conversation_is_stored_as_the_agent_holds_it(
    make_manager: ManagerFactory,
) -> None:
    agent = _voice(make_manager(), ["Hi there", "It is sunny"])
    asyncio.run(_converse(agent, "hello", "weather?"))
    assert [m["content"] for m in agent.messages] == [
        [{"text": "hello"}],
        [{"text": "Hi there"}],
        [{"text": "weather?"}],
        [{"text": "It is sunny"}],
    ]
    # A new process restores the completed transcripts, not the pending placeholders the
    # agent first appended, and hands them to the model when it connects.
    restored = _voice(make_manager(), ["Welcome back"])
    assert _plain(restored.messages) == _plain(agent.messages)
    assert restored.messages[1]["metadata"]["custom"]["bidi"]["status"] == "complete"
    asyncio.run(_converse(restored, "and tomorrow?"))
    model = restored.model
    assert isinstance(model, ScriptedBidiModel)
    assert _plain(model.histories[0]) == _plain(agent.messages)
    assert len(restored.messages) == 6


def test_each_bidi_turn_costs_three_create_events(
    server: LocalMemoryServer, make_manager: ManagerFactory
) -> None:
    agent = _voice(make_manager(), ["Hi there", "It is sunny"])
    asyncio.run(_converse(agent, "hello"))
    server.stats.reset()
    asyncio.run(_converse(agent, "weather?"))
    # The user's message, the reply's placeholder, then the completed reply superseding it.
    assert calls(server) == {"CreateEvent": 3, "ListEvents": 0}


def test_batched_messages_are_flushed_when_the_bidi_agent_stops(
    server: LocalMemoryServer, make_manager: ManagerFactory, memory_id: str
) -> None:
    manager = make_manager(batch_size=50)
    agent = _voice(manager, ["Hi there"])

    async def talk() -> int:
        await agent.start()
        await agent.send("hello")
        await _next_response(agent)
        pending = manager.pending_message_count()
        await agent.stop()
        return pending

    # The user message, and the reply: its completion replaced the placeholder in the buffer.
    assert asyncio.run(talk()) == 2
    assert manager.pending_message_count() == 0
    assert calls(server)["CreateEvent"] == 1
    restored = _voice(make_manager(), [])
    assert [m["content"] for m in restored.messages] == [
        [{"text": "hello"}],
        [{"text": "Hi there"}],
    ]
    assert len(stored_events(server, memory_id)) == 1


def test_batched_messages_are_flushed_before_a_connection_restart(
    server: LocalMemoryServer, make_manager: ManagerFactory
) -> None:
    manager = make_manager(batch_size=50)
    model = ScriptedBidiModel(["Hi there", "Still here"])
    agent = BidiAgent(model=model, agent_id="voice", session_manager=manager)

    async def talk() -> tuple[int, int]:
        await agent.start()
        await agent.send("hello")
        await _next_response(agent)
        model.drop_connection()
        async for event in agent.receive():
            if event["type"] == "bidi_connection_restart":
                break
        # The before-restart hook ran before the restart event was delivered.
        pending_after_restart = manager.pending_message_count()
        await agent.send("are you there?")
        await _next_response(agent)
        await agent.stop()
        return pending_after_restart, model.starts

    pending, starts = asyncio.run(talk())
    assert (pending, starts) == (0, 2)
    # The new connection was given the whole history, the completed reply included.
    assert [m["content"] for m in model.histories[1]] == [
        [{"text": "hello"}],
        [{"text": "Hi there"}],
    ]
    restored = _voice(make_manager(), [])
    assert len(restored.messages) == 4


def test_a_bidi_conversation_in_persistence_none_holds_the_same_and_stores_nothing(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    """The message updates (completed transcripts) and stop boundaries of the null write side."""
    reference = _voice(make_manager(session_id="stored"), ["Hi there", "It is sunny"])
    asyncio.run(_converse(reference, "hello", "weather?"))
    server.stats.reset()
    agent = _voice(make_manager(persistence_mode="NONE"), ["Hi there", "It is sunny"])
    asyncio.run(_converse(agent, "hello", "weather?"))
    assert _plain(agent.messages) == _plain(reference.messages)
    assert calls(server) == {"CreateEvent": 0, "ListEvents": 1}
    assert stored_events(server, memory_id) == []
