"""Restoring sessions: exact order, state, several agents, restarts."""

from __future__ import annotations

from typing import Any

from strands.agent.conversation_manager import SlidingWindowConversationManager

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ToolCall

from .conftest import ManagerFactory, make_agent, no_trim, stored_events


def _strip(messages: list[Any]) -> list[tuple[str, list[Any]]]:
    return [(m["role"], m["content"]) for m in messages]


def test_resume_restores_messages_and_state_in_order(make_manager: ManagerFactory) -> None:
    script = [
        "Hi there",
        ToolCall("remember", {"fact": "tea"}),
        ToolCall("add", {"a": 1, "b": 1}),
        "Done.",
    ]
    agent = make_agent(make_manager(), script)
    agent("hello")
    agent("remember tea and add 1+1")
    resumed = make_agent(make_manager())
    assert _strip(resumed.messages) == _strip(agent.messages)
    assert resumed.state.get("facts") == ["tea"]
    roles = [m["role"] for m in resumed.messages]
    assert roles == [
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
        "assistant",
    ]
    tool_use = resumed.messages[3]["content"][0]["toolUse"]
    tool_result = resumed.messages[4]["content"][0]["toolResult"]
    assert tool_use["toolUseId"] == tool_result["toolUseId"]


def test_batched_order_survives_restarts(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    expected: list[tuple[str, list[Any]]] = []
    for round_ in range(3):
        manager = make_manager(batch_size=7)
        script: list[Any] = [
            ToolCall("add", {"a": round_, "b": 1}),
            f"round {round_}",
            f"more {round_}",
        ]
        agent = make_agent(manager, script, conversation_manager=no_trim())
        agent(f"q{round_}a")
        agent(f"q{round_}b")
        manager.close()
        expected = _strip(agent.messages)
    resumed = make_agent(make_manager(), conversation_manager=no_trim())
    assert _strip(resumed.messages) == expected
    assert len(expected) == 18
    timestamps = [e["eventTimestamp"] for e in stored_events(server, memory_id)]
    assert timestamps == sorted(timestamps)
    assert len(set(timestamps)) == len(timestamps)


def test_event_ids_increase_strictly_at_millisecond_resolution(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    agent = make_agent(make_manager(), [ToolCall("add", {"a": 1, "b": 2}), "3"] * 5)
    for i in range(5):
        agent(f"sum {i}")
    prefixes = [int(e["eventId"].split("#")[0]) for e in stored_events(server, memory_id)]
    assert prefixes == sorted(prefixes)
    assert len(set(prefixes)) == len(prefixes) == 20


def test_sliding_window_offset_is_respected(make_manager: ManagerFactory) -> None:
    manager = make_manager()
    window = SlidingWindowConversationManager(window_size=6)
    agent = make_agent(manager, [f"a{i}" for i in range(10)], conversation_manager=window)
    for i in range(10):
        agent(f"q{i}")
    assert window.removed_message_count > 0
    manager.close()
    resumed_window = SlidingWindowConversationManager(window_size=6)
    resumed = make_agent(make_manager(), conversation_manager=resumed_window)
    assert resumed_window.removed_message_count == window.removed_message_count
    assert _strip(resumed.messages) == _strip(agent.messages)


def test_window_change_alone_waits_for_the_next_message(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    window = SlidingWindowConversationManager(window_size=4)
    agent = make_agent(make_manager(), [f"a{i}" for i in range(6)], conversation_manager=window)
    for i in range(5):
        agent(f"q{i}")
    server.stats.reset()
    agent("q5")  # trims at the end of the turn: that change rides on the next message
    assert server.stats.count("CreateEvent") == 2
    # Even if the process died now, nothing is lost: the restore loads a few more messages
    # than the window, which it trims again at the end of the next turn.
    resumed_window = SlidingWindowConversationManager(window_size=4)
    resumed = make_agent(make_manager(), ["again"], conversation_manager=resumed_window)
    assert _strip(resumed.messages)[-len(agent.messages) :] == _strip(agent.messages)
    assert resumed_window.removed_message_count < window.removed_message_count
    resumed("q6")
    assert len(resumed.messages) <= 4


def test_two_agents_share_a_session(make_manager: ManagerFactory) -> None:
    manager = make_manager()
    alpha = make_agent(manager, ["alpha says hi"], agent_id="alpha")
    beta = make_agent(manager, ["beta says hi"], agent_id="beta")
    alpha("hello alpha")
    beta("hello beta")
    beta.state.set("mood", "good")
    manager.close()
    again = make_manager()
    alpha2 = make_agent(again, agent_id="alpha")
    beta2 = make_agent(again, agent_id="beta")
    assert _strip(alpha2.messages) == _strip(alpha.messages)
    assert _strip(beta2.messages) == _strip(beta.messages)


def test_state_is_written_only_when_it_changed(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    agent = make_agent(make_manager(), ["one", "two"])
    agent("first")
    agent("second")
    events = stored_events(server, memory_id)
    with_state = [e for e in events if "stateType" in e.get("metadata", {})]
    assert len(with_state) == 1  # only the first event; nothing changed afterwards
    agent.state.set("k", "v")
    manager_events_before = len(events)
    agent.model = type(agent.model)(["three"])  # type: ignore[call-arg]
    agent("third")
    events = stored_events(server, memory_id)
    assert len(events) == manager_events_before + 2
    assert events[-2]["metadata"]["stateType"] == {"stringValue": "AGENT"}
    assert '"k": "v"' in events[-2]["payload"][-1]["blob"]


def test_session_manager_rejects_duplicate_agent_ids(make_manager: ManagerFactory) -> None:
    import pytest
    from strands.types.exceptions import SessionException

    manager = make_manager()
    make_agent(manager)
    with pytest.raises(SessionException):
        make_agent(manager)
