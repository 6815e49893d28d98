"""The session manager as a Strands ``SessionRepository``, and the rest of the SDK's surface."""

from __future__ import annotations

import json
from typing import Any

import pytest
from strands.hooks import MessageAddedEvent
from strands.session.session_repository import SessionRepository
from strands.types.exceptions import SessionException
from strands.types.session import SessionAgent, SessionMessage

from agentcore_memory_otel import AgentCoreMemorySessionManager, RetrievalConfig
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import seed_records
from .conftest import ACTOR, SESSION, ManagerFactory, calls, make_agent, stored_events

AGENT = "default"


def _message(index: int) -> SessionMessage:
    message: Any = {
        "role": "user" if index % 2 == 0 else "assistant",
        "content": [{"text": f"message {index}"}],
    }
    return SessionMessage(message, index)


def _texts(messages: list[SessionMessage]) -> list[str]:
    return [m.to_message()["content"][0]["text"] for m in messages]


def _fill(manager: AgentCoreMemorySessionManager, count: int) -> None:
    for index in range(count):
        manager.create_message(SESSION, AGENT, _message(index))


def test_the_manager_is_a_session_repository(make_manager: ManagerFactory) -> None:
    manager = make_manager()
    assert isinstance(manager, SessionRepository)
    assert manager.session_repository is manager
    assert manager.persistence_mode.value == "FULL"
    assert not manager.has_existing_agent
    make_agent(manager)
    assert manager.has_existing_agent


def test_reads_see_records_still_riding_on_the_next_write(
    server: LocalMemoryServer, make_manager: ManagerFactory
) -> None:
    manager = make_manager()
    agent = make_agent(manager, state={"colour": "green"})
    assert manager.pending_agent_state_count() == 1  # a new agent's record waits for a message
    server.stats.reset()
    session = manager.read_session(SESSION)
    assert session is not None and session.session_id == SESSION
    # The buffered records were written first (one event), then the session was scanned.
    assert calls(server) == {"CreateEvent": 1, "ListEvents": 1}
    assert manager.pending_agent_state_count() == 0
    record = manager.read_agent(SESSION, agent.agent_id)
    assert record is not None and record.state == {"colour": "green"}
    assert manager.read_agent(SESSION, "nobody") is None
    assert manager.read_session("another-session") is None
    assert manager.read_agent("another-session", AGENT) is None


def test_list_messages_reads_only_the_pages_it_needs(
    server: LocalMemoryServer, make_manager: ManagerFactory
) -> None:
    manager = make_manager()
    _fill(manager, 250)  # one event each: pages hold messages 249-150, 149-50, 49-0
    cases = [
        ({"offset": 200, "limit": 10}, range(200, 210), 1),
        ({"offset": 150}, range(150, 250), 1),
        ({"offset": 100, "limit": 5}, range(100, 105), 2),
        ({"offset": 0, "limit": 3}, range(3), 3),
        ({}, range(250), 3),
        ({"offset": 240, "limit": 100}, range(240, 250), 1),
        ({"offset": 300}, range(0), 1),  # message 249 on page 1 shows none come after
    ]
    for kwargs, expected, pages in cases:
        server.stats.reset()
        listed = manager.list_messages(SESSION, AGENT, **kwargs)
        assert [m.message_id for m in listed] == list(expected), kwargs
        assert _texts(listed) == [f"message {i}" for i in expected]
        assert calls(server) == {"CreateEvent": 0, "ListEvents": pages}, kwargs
    server.stats.reset()
    found = manager.read_message(SESSION, AGENT, 230)
    assert found is not None and _texts([found]) == ["message 230"]
    assert calls(server)["ListEvents"] == 1
    assert manager.read_message(SESSION, AGENT, 999) is None
    assert manager.read_message(SESSION, "other-agent", 1) is None


def test_create_message_returns_its_event(make_manager: ManagerFactory) -> None:
    manager = make_manager()
    event = manager.create_message(SESSION, AGENT, _message(0))
    assert event is not None
    assert event["eventId"] and event["sessionId"] == SESSION and event["actorId"] == ACTOR
    batched = make_manager(session_id="batched", batch_size=5)
    assert batched.create_message("batched", AGENT, _message(0)) == {}
    assert batched.pending_message_count() == 1
    with pytest.raises(SessionException, match="Session ID mismatch"):
        manager.create_message("another-session", AGENT, _message(1))


def test_update_message_supersedes_like_a_redaction(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    manager = make_manager()
    agent = make_agent(manager, ["secret answer", "fine"], conversation_manager=None)
    agent("tell me a secret")
    latest = manager.read_message(SESSION, AGENT, 1)
    assert latest is not None
    latest.redact_message = {"role": "assistant", "content": [{"text": "[redacted]"}]}
    manager.update_message(SESSION, AGENT, latest)
    assert _texts(manager.list_messages(SESSION, AGENT)) == ["tell me a secret", "[redacted]"]
    # The rewrite holds only the redacted content, like redact_latest_message's.
    newest = stored_events(server, memory_id)[-1]
    assert "secret answer" not in json.dumps(newest["payload"])
    # redact_latest_message goes the same way, and a restore sees both rewrites.
    manager.redact_latest_message({"role": "assistant", "content": [{"text": "[gone]"}]}, agent)
    assert _texts(manager.list_messages(SESSION, AGENT, offset=1)) == ["[gone]"]
    restored = make_agent(make_manager())
    assert [m["content"][0]["text"] for m in restored.messages] == ["tell me a secret", "[gone]"]


def test_update_message_of_a_buffered_message_never_stores_the_original(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    manager = make_manager(batch_size=10)
    manager.create_message(SESSION, AGENT, _message(0))
    manager.update_message(
        SESSION, AGENT, SessionMessage({"role": "user", "content": [{"text": "edited"}]}, 0)
    )
    manager.flush()
    stored = json.dumps([e["payload"] for e in stored_events(server, memory_id)])
    assert "edited" in stored and "message 0" not in stored
    with pytest.raises(SessionException, match="message_id"):
        manager.update_message(SESSION, AGENT, SessionMessage(_message(1).message, None))  # type: ignore[arg-type]


def test_create_and_update_agent(make_manager: ManagerFactory) -> None:
    manager = make_manager()
    helper = SessionAgent(agent_id="helper", state={"n": 1}, conversation_manager_state={})
    manager.create_agent(SESSION, helper)
    assert manager.pending_agent_state_count() == 0  # written at once with batch_size=1
    created_at = helper.created_at
    changed = SessionAgent(agent_id="helper", state={"n": 2}, conversation_manager_state={})
    manager.update_agent(SESSION, changed)
    fresh = make_manager()  # a second manager knows nothing of the first's caches
    read = fresh.read_agent(SESSION, "helper")
    assert read is not None and read.state == {"n": 2} and read.created_at == created_at
    with pytest.raises(SessionException, match="does not exist"):
        fresh.update_agent(SESSION, SessionAgent("ghost", {}, {}))
    batched = make_manager(batch_size=10)
    batched.create_agent(SESSION, SessionAgent("other", {}, {}))
    assert batched.pending_agent_state_count() == 1
    batched.flush()
    assert batched.pending_agent_state_count() == 0


def test_delete_session_deletes_every_event_legacy_included(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    client = server.client()
    for actor in (f"session_{SESSION}", f"agent_{AGENT}"):
        client.create_event(
            memoryId=memory_id,
            actorId=actor,
            sessionId=SESSION,
            eventTimestamp=1_700_000_000,
            payload=[{"blob": "{}"}],
        )
    manager = make_manager()
    agent = make_agent(manager, ["one", "two"])
    agent("first")
    agent("second")
    kept = make_manager(session_id="kept")
    make_agent(kept, ["x"])("other session")
    stored = len(stored_events(server, memory_id))
    server.stats.reset()
    manager.delete_session(SESSION)
    assert server.stats.count("DeleteEvent") == stored + 2
    assert stored_events(server, memory_id) == []
    for actor in (f"session_{SESSION}", f"agent_{AGENT}"):
        assert stored_events(server, memory_id, actor=actor) == []
    assert len(stored_events(server, memory_id, session="kept")) == 2
    with pytest.raises(SessionException):
        manager.delete_session("kept")


def test_list_messages_can_drop_tool_context(make_manager: ManagerFactory) -> None:
    manager = make_manager(filter_restored_tool_context=True)
    tool_use = {"toolUse": {"toolUseId": "t1", "name": "add", "input": {}}}
    tool_result = {"toolResult": {"toolUseId": "t1", "content": [{"text": "5"}]}}
    messages: list[Any] = [
        {"role": "user", "content": [{"text": "add"}]},
        {"role": "assistant", "content": [{"text": "calling"}, tool_use]},
        {"role": "user", "content": [tool_result]},
        {"role": "assistant", "content": [{"text": "5"}]},
    ]
    for index, message in enumerate(messages):
        manager.create_message(SESSION, AGENT, SessionMessage(message, index))
    listed = manager.list_messages(SESSION, AGENT)
    assert [m.message_id for m in listed] == [0, 1, 3]
    assert [m.message["content"] for m in listed] == [
        [{"text": "add"}],
        [{"text": "calling"}],
        [{"text": "5"}],
    ]


def test_retrieve_customer_context_injects_into_the_latest_user_message(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    seed_records(server, memory_id, f"/users/{ACTOR}/facts/food", "The user likes green tea")
    manager = make_manager(
        retrieval_config={"/users/{actorId}/facts": RetrievalConfig(relevance_score=0.0)}
    )
    agent = make_agent(manager)
    agent.messages.append({"role": "user", "content": [{"text": "what tea do I like?"}]})
    manager.retrieve_customer_context(MessageAddedEvent(agent=agent, message=agent.messages[-1]))
    # Records below the configured namespace are found too (namespacePath), as with the SDK.
    assert agent.messages[-1]["content"] == [
        {"text": "<user_context>The user likes green tea</user_context>"},
        {"text": "what tea do I like?"},
    ]
    agent.messages.append({"role": "assistant", "content": [{"text": "green"}]})
    manager.retrieve_customer_context(MessageAddedEvent(agent=agent, message=agent.messages[-1]))
    assert agent.messages[-1]["content"] == [{"text": "green"}]
