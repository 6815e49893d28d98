"""Sessions written by the bedrock-agentcore SDK: its current format, and its legacy layout.

The fixtures are written with boto3 directly, in the shapes that SDK writes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from strands.types.session import Session, SessionMessage, SessionType

from agentcore_memory_otel import FlushError
from agentcore_memory_otel.local import LocalMemoryServer

from .conftest import ACTOR, SESSION, ManagerFactory, calls, make_agent

T0 = 1_735_689_600.0
HISTORY: list[Any] = [
    {"role": "user", "content": [{"text": "My name is Ada."}]},
    {"role": "assistant", "content": [{"text": "Nice to meet you, Ada."}]},
    {"role": "user", "content": [{"text": "x" * 120_000}]},
    {"role": "assistant", "content": [{"text": "That was long."}]},
]
AGENT_RECORD = {
    "agent_id": "default",
    "state": {"favourite": "tea"},
    "conversation_manager_state": {
        "__name__": "SlidingWindowConversationManager",
        "removed_message_count": 0,
        "model_call_count": 0,
    },
    "_internal_state": {},
}


def _sdk_message_items(message: Any) -> list[dict[str, Any]]:
    text = json.dumps(SessionMessage.from_message(message, 0).to_dict())
    role = message["role"].upper()
    if len(text) + len(role) >= 100_000:
        return [{"blob": json.dumps([text, message["role"]])}]
    return [{"conversational": {"content": {"text": text}, "role": role}}]


def _write_sdk_messages(client: Any, memory_id: str) -> None:
    for offset, message in enumerate(HISTORY):
        client.create_event(
            memoryId=memory_id,
            actorId=ACTOR,
            sessionId=SESSION,
            eventTimestamp=T0 + 10 + offset,
            payload=_sdk_message_items(message),
        )


def _blob(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"blob": json.dumps(record)}]


def _session_record() -> dict[str, Any]:
    return Session(session_id=SESSION, session_type=SessionType.AGENT).to_dict()


def _texts(messages: list[Any]) -> list[str]:
    return [m["content"][0]["text"] for m in messages]


def test_reads_the_sdk_current_format(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    client = server.client()
    client.create_event(
        memoryId=memory_id,
        actorId=ACTOR,
        sessionId=SESSION,
        eventTimestamp=T0,
        payload=_blob(_session_record()),
        metadata={"stateType": {"stringValue": "SESSION"}},
    )
    _write_sdk_messages(client, memory_id)
    client.create_event(
        memoryId=memory_id,
        actorId=ACTOR,
        sessionId=SESSION,
        eventTimestamp=T0 + 20,
        payload=_blob(AGENT_RECORD),
        metadata={"stateType": {"stringValue": "AGENT"}, "agentId": {"stringValue": "default"}},
    )
    server.stats.reset()
    agent = make_agent(make_manager(), ["Hello again, Ada."])
    assert calls(server) == {"CreateEvent": 0, "ListEvents": 1}
    assert _texts(agent.messages) == _texts(HISTORY)
    assert agent.state.get("favourite") == "tea"
    agent("Do you remember me?")
    resumed = make_agent(make_manager())
    assert _texts(resumed.messages) == [
        *_texts(HISTORY),
        "Do you remember me?",
        "Hello again, Ada.",
    ]


def _write_legacy(client: Any, memory_id: str) -> None:
    client.create_event(
        memoryId=memory_id,
        actorId=f"session_{SESSION}",
        sessionId=SESSION,
        eventTimestamp=T0,
        payload=_blob(_session_record()),
    )
    client.create_event(
        memoryId=memory_id,
        actorId="agent_default",
        sessionId=SESSION,
        eventTimestamp=T0 + 1,
        payload=_blob(AGENT_RECORD),
    )
    _write_sdk_messages(client, memory_id)


def _legacy_events(client: Any, memory_id: str) -> int:
    return sum(
        len(client.list_events(memoryId=memory_id, actorId=actor, sessionId=SESSION)["events"])
        for actor in (f"session_{SESSION}", "agent_default")
    )


def test_reads_and_migrates_the_legacy_layout(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    client = server.client()
    _write_legacy(client, memory_id)
    agent = make_agent(make_manager())
    assert _texts(agent.messages) == _texts(HISTORY)
    assert agent.state.get("favourite") == "tea"
    assert _legacy_events(client, memory_id) == 0
    migrated = [
        e
        for e in client.list_events(memoryId=memory_id, actorId=ACTOR, sessionId=SESSION)["events"]
        if "stateType" in e.get("metadata", {})
    ]
    assert len(migrated) == 1
    assert migrated[0]["metadata"]["stateType"] == {"stringValue": "AGENT"}
    assert len(migrated[0]["payload"]) == 2  # agent and session records
    server.stats.reset()
    again = make_agent(make_manager())  # now read in the current format: no legacy lookups
    assert calls(server) == {"CreateEvent": 0, "ListEvents": 1}
    assert again.state.get("favourite") == "tea"


def test_legacy_events_are_kept_when_the_migration_write_fails(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    client = server.client()
    _write_legacy(client, memory_id)
    server.faults.fail_next("CreateEvent", 10, status=500)
    with pytest.raises(FlushError):
        make_agent(make_manager())
    assert server.stats.count("DeleteEvent") == 0
    assert _legacy_events(client, memory_id) == 2


def test_persistence_none_reads_legacy_without_migrating(
    server: LocalMemoryServer, memory_id: str, make_manager: ManagerFactory
) -> None:
    client = server.client()
    _write_legacy(client, memory_id)
    server.stats.reset()
    agent = make_agent(make_manager(persistence_mode="NONE"), ["hi"])
    agent("hello")
    assert agent.state.get("favourite") == "tea"
    assert server.stats.count("CreateEvent") == 0
    assert server.stats.count("DeleteEvent") == 0
    assert _legacy_events(client, memory_id) == 2
