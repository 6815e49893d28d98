"""A failed write keeps its data, and the retry never stores anything twice."""

from __future__ import annotations

import json

import pytest

from agentcore_memory_otel import FlushError
from agentcore_memory_otel.local import LocalMemoryServer

from .conftest import ManagerFactory, make_agent, no_trim, stored_events


def _texts(server: LocalMemoryServer, memory_id: str) -> list[str]:
    texts = []
    for event in stored_events(server, memory_id):
        for item in event["payload"]:
            if "conversational" in item:
                body = json.loads(item["conversational"]["content"]["text"])
                texts.append(body["message"]["content"][0]["text"])
    return texts


def test_failed_flush_keeps_the_buffer_and_retries_once(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(batch_size=3)
    agent = make_agent(manager, [])
    # Each CreateEvent fails for all of botocore's default attempts.
    server.faults.fail_next("CreateEvent", 10, status=500)
    for i in range(2):
        manager.append_message({"role": "user", "content": [{"text": f"m{i}"}]}, agent)
    with pytest.raises(FlushError, match="3 message"):
        manager.append_message({"role": "user", "content": [{"text": "m2"}]}, agent)
    assert manager.pending_message_count() == 3
    server.faults.reset()
    manager.flush()
    assert manager.pending_message_count() == 0
    assert _texts(server, memory_id) == ["m0", "m1", "m2"]


def test_commit_then_fail_is_not_stored_twice(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(batch_size=2)
    agent = make_agent(manager, [])
    server.faults.commit_then_fail(1)  # stored, but answered 500: botocore retries with the token
    manager.append_message({"role": "user", "content": [{"text": "a"}]}, agent)
    manager.append_message({"role": "user", "content": [{"text": "b"}]}, agent)
    assert server.stats.snapshot()["CreateEvent"] == {"ServiceException": 1, "success": 1}
    assert _texts(server, memory_id) == ["a", "b"]


def test_failure_without_retries_then_flush_dedupes(
    server: LocalMemoryServer, memory_id: str
) -> None:
    from botocore.config import Config

    from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager

    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(memory_id=memory_id, session_id="s", actor_id="a", batch_size=2),
        boto_client_config=Config(retries={"total_max_attempts": 1}),
        endpoint_url=server.endpoint_url,
    )
    agent = make_agent(manager, [])
    server.faults.commit_then_fail(1)
    manager.append_message({"role": "user", "content": [{"text": "a"}]}, agent)
    with pytest.raises(FlushError):
        manager.append_message({"role": "user", "content": [{"text": "b"}]}, agent)
    assert manager.pending_message_count() == 2  # not acknowledged, so still pending
    manager.flush()  # same request, same clientToken: the server returns the stored event
    assert manager.pending_message_count() == 0
    events = stored_events(server, memory_id, session="s", actor="a")
    assert len(events) == 1


def test_partial_flush_sends_only_what_is_unacknowledged(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(batch_size=10)
    alpha = make_agent(manager, [], agent_id="alpha")
    beta = make_agent(manager, [], agent_id="beta")
    for i in range(5):
        manager.append_message({"role": "user", "content": [{"text": f"a{i}"}]}, alpha)
    # One flush, two events (one per agent): the first is stored, the second keeps failing.
    server.faults.fail_next("CreateEvent", 10, status=500, after=1)
    for i in range(4):
        manager.append_message({"role": "user", "content": [{"text": f"b{i}"}]}, beta)
    with pytest.raises(FlushError, match="5 message"):
        manager.append_message({"role": "user", "content": [{"text": "b4"}]}, beta)
    assert manager.pending_message_count() == 5
    server.faults.reset()
    manager.flush()
    assert manager.pending_message_count() == 0
    assert _texts(server, memory_id) == [f"a{i}" for i in range(5)] + [f"b{i}" for i in range(5)]


def test_turn_survives_a_failed_write(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    manager = make_manager()
    agent = make_agent(manager, ["first", "second"], conversation_manager=no_trim())
    agent("one")
    server.faults.fail_next("CreateEvent", 10, status=500)
    with pytest.raises(FlushError):
        agent("two")
    server.faults.reset()
    manager.flush()
    resumed = make_agent(make_manager(), conversation_manager=no_trim())
    # The turn that failed has no reply: as with Strands' own managers, the restore leaves the
    # prompt last and adds nothing.
    assert [m["content"][0]["text"] for m in resumed.messages] == ["one", "first", "two"]
