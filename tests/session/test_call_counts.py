"""The call-count targets, counted on the server, with real Strands agents."""

from __future__ import annotations

import math
from typing import Any

import pytest
from strands.agent.conversation_manager import SlidingWindowConversationManager

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ToolCall

from .conftest import ManagerFactory, calls, make_agent, no_trim, stored_events

TOOL_TURN: list[Any] = [ToolCall("add", {"a": 2, "b": 3}), "It is 5."]


def test_new_session_costs_one_list_events(
    server: LocalMemoryServer, make_manager: ManagerFactory
) -> None:
    server.stats.reset()
    manager = make_manager()
    make_agent(manager)
    assert calls(server) == {"CreateEvent": 0, "ListEvents": 1}
    assert server.stats.count() == 1


def test_simple_turn_is_two_create_events(
    server: LocalMemoryServer, make_manager: ManagerFactory, memory_id: str
) -> None:
    agent = make_agent(make_manager(), ["Hello!"])
    server.stats.reset()
    agent("Hi")
    assert calls(server) == {"CreateEvent": 2, "ListEvents": 0}
    events = stored_events(server, memory_id)
    # The session and agent records rode on the first message's event.
    assert [len(e["payload"]) for e in events] == [3, 1]
    assert events[0]["metadata"]["stateType"] == {"stringValue": "AGENT"}


def test_tool_turn_is_four_create_events(
    server: LocalMemoryServer, make_manager: ManagerFactory
) -> None:
    agent = make_agent(make_manager(), ["Hello!", *TOOL_TURN])
    agent("Hi")
    server.stats.reset()
    agent("What is 2 + 3?")
    assert calls(server) == {"CreateEvent": 4, "ListEvents": 0}
    assert server.stats.count() == 4


def test_state_change_rides_with_the_tool_result(
    server: LocalMemoryServer, make_manager: ManagerFactory, memory_id: str
) -> None:
    agent = make_agent(make_manager(), [ToolCall("remember", {"fact": "likes tea"}), "Noted."])
    server.stats.reset()
    agent("Remember that I like tea")
    assert calls(server)["CreateEvent"] == 4
    events = stored_events(server, memory_id)
    tool_result_event = events[2]
    assert tool_result_event["payload"][0]["conversational"]["role"] == "TOOL"
    assert tool_result_event["metadata"]["stateType"] == {"stringValue": "AGENT"}
    assert '"likes tea"' in tool_result_event["payload"][1]["blob"]


@pytest.mark.parametrize(("script", "messages"), [(["Hello!"], 2), (TOOL_TURN, 4)])
def test_invocation_within_batch_size_is_one_call(
    server: LocalMemoryServer,
    make_manager: ManagerFactory,
    script: list[object],
    messages: int,
    memory_id: str,
) -> None:
    agent = make_agent(make_manager(batch_size=10), [*script, *script])
    server.stats.reset()
    agent("first")
    assert calls(server) == {"CreateEvent": 1, "ListEvents": 0}
    server.stats.reset()
    agent("second")
    assert calls(server) == {"CreateEvent": 1, "ListEvents": 0}
    events = stored_events(server, memory_id)
    assert [sum("conversational" in p for p in e["payload"]) for e in events] == [messages] * 2


def _build_session(make_manager: ManagerFactory, turns: int, **agent_kwargs: object) -> None:
    manager = make_manager(batch_size=100)
    agent = make_agent(manager, [f"answer {i}" for i in range(turns)], **agent_kwargs)
    for i in range(turns):
        agent(f"question {i}")
    manager.close()


@pytest.mark.parametrize("turns", [5, 50, 99, 100, 101, 150])  # 99-101: the page boundary
def test_resume_reads_ceil_events_over_100(
    server: LocalMemoryServer, make_manager: ManagerFactory, memory_id: str, turns: int
) -> None:
    _build_session(make_manager, turns, conversation_manager=no_trim())
    event_count = len(stored_events(server, memory_id))
    assert event_count == turns  # one event per invocation
    server.stats.reset()
    resumed = make_agent(make_manager(), conversation_manager=no_trim())
    assert calls(server) == {"CreateEvent": 0, "ListEvents": math.ceil(event_count / 100)}
    assert len(resumed.messages) == 2 * turns
    assert resumed.messages[-1]["content"] == [{"text": f"answer {turns - 1}"}]


@pytest.mark.slow
def test_resume_1000_messages_with_sliding_window_reads_at_most_two_pages(
    server: LocalMemoryServer, make_manager: ManagerFactory, memory_id: str
) -> None:
    manager = make_manager()  # batch_size=1: 1,000 message events
    agent = make_agent(
        manager,
        [f"answer {i}" for i in range(500)],
        conversation_manager=SlidingWindowConversationManager(window_size=40),
    )
    for i in range(500):
        agent(f"question {i}")
    manager.close()
    assert len(stored_events(server, memory_id)) >= 1000
    server.stats.reset()
    resumed = make_agent(
        make_manager(), conversation_manager=SlidingWindowConversationManager(window_size=40)
    )
    assert calls(server)["ListEvents"] <= 2
    assert calls(server)["CreateEvent"] == 0
    assert len(resumed.messages) == len(agent.messages)
    assert resumed.messages == [{k: v for k, v in m.items()} for m in agent.messages]
