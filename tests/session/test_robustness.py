"""Recovery from lost records, failed initialisation, dropped managers and timer races."""

from __future__ import annotations

import gc
import time
from typing import Any

import pytest

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager, FlushError
from agentcore_memory_otel.local import LocalMemoryServer

from .conftest import ACTOR, SESSION, ManagerFactory, calls, make_agent, no_trim, stored_events


def _texts(messages: list[Any]) -> list[str]:
    return [m["content"][0]["text"] for m in messages]


def test_messages_without_a_record_are_restored_and_ids_continue(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    agent = make_agent(make_manager(), ["a0", "a1"], conversation_manager=no_trim())
    agent("u0")
    agent("u1")
    first = stored_events(server, memory_id)[0]  # holds u0 and the session and agent records
    server.client().delete_event(
        memoryId=memory_id, actorId=ACTOR, sessionId=SESSION, eventId=first["eventId"]
    )
    resumed = make_agent(make_manager(), ["a2"], conversation_manager=no_trim())
    assert _texts(resumed.messages) == ["a0", "u1", "a1"]
    resumed("u2")
    again = make_agent(make_manager(), conversation_manager=no_trim())
    assert _texts(again.messages) == ["a0", "u1", "a1", "u2", "a2"]


def test_failed_initialisation_can_be_retried(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    manager = make_manager()
    history: list[Any] = [{"role": "user", "content": [{"text": "seed"}]}]
    server.faults.fail_next("CreateEvent", 10, status=500)
    with pytest.raises(FlushError):
        make_agent(manager, messages=list(history))
    server.faults.reset()
    agent = make_agent(manager, ["ok"], messages=list(history))
    agent("hi")
    restored = make_agent(make_manager()).messages
    # Restored as stored, as Strands' own managers do: two user messages in a row stay two.
    assert [[b["text"] for b in m["content"]] for m in restored] == [["seed"], ["hi"], ["ok"]]


def test_a_dropped_manager_flushes_what_it_buffered(
    server: LocalMemoryServer, memory_id: str
) -> None:
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id,
            session_id="dropped",
            actor_id="a",
            batch_size=10,
            flush_interval_seconds=60,
        ),
        endpoint_url=server.endpoint_url,
    )
    agent = make_agent(manager, [])
    manager.append_message({"role": "user", "content": [{"text": "kept"}]}, agent)
    del agent, manager
    gc.collect()
    events = stored_events(server, memory_id, session="dropped", actor="a")
    assert len(events) == 1


def test_timer_never_writes_records_alone(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    manager = make_manager(flush_interval_seconds=0.05)
    agent = make_agent(manager, ["hello"])
    time.sleep(0.3)
    assert calls(server)["CreateEvent"] == 0
    agent("hi")
    assert calls(server)["CreateEvent"] == 2  # the records rode on the first message


def test_redaction_in_persistence_none(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    """With persistence off a redaction is accepted, and nothing is stored."""
    server.stats.reset()
    manager = make_manager(persistence_mode="NONE")
    agent = make_agent(manager, ["reply"])
    agent("secret")
    manager.redact_latest_message({"role": "assistant", "content": [{"text": "[x]"}]}, agent)
    manager.close()
    assert server.stats.count("CreateEvent") == 0
    assert manager.pending_message_count() == 0
    assert stored_events(server, memory_id) == []


def test_a_redacted_buffered_message_is_never_stored(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(batch_size=10)
    agent = make_agent(manager, [])
    manager.append_message({"role": "user", "content": [{"text": "hunter2"}]}, agent)
    manager.redact_latest_message({"role": "user", "content": [{"text": "[blocked]"}]}, agent)
    manager.flush()
    stored = str(stored_events(server, memory_id))
    assert "hunter2" not in stored.replace('"redact_message"', "")
    assert "[blocked]" in stored


def test_conflicting_metadata_splits_the_batch(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(batch_size=10, metadata_provider=lambda: {"turn": "provider"})
    agent = make_agent(manager, [])
    manager.append_message(
        {"role": "user", "content": [{"text": "a"}]}, agent, metadata={"turn": "per-call-1"}
    )
    manager.append_message({"role": "user", "content": [{"text": "b"}]}, agent)
    manager.append_message({"role": "user", "content": [{"text": "c"}]}, agent)
    manager.flush()
    turns = [e["metadata"]["turn"]["stringValue"] for e in stored_events(server, memory_id)]
    assert turns == ["per-call-1", "provider"]


def test_restoring_an_agent_without_messages_reads_one_page(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    manager = make_manager(batch_size=1)
    talker = make_agent(
        manager, [f"r{i}" for i in range(110)], agent_id="talker", conversation_manager=no_trim()
    )
    quiet = make_agent(manager, [], agent_id="quiet")
    for i in range(110):
        talker(f"q{i}")
    quiet.state.set("mood", "calm")
    manager.sync_agent(quiet)  # its record is now the newest event
    manager.close()
    server.stats.reset()
    restored = make_agent(make_manager(), agent_id="quiet")
    assert restored.state.get("mood") == "calm"
    assert calls(server)["ListEvents"] == 1
