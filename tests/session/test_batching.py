"""Batching: grouping, splitting at API limits, blobs, every flush trigger, threads."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

from agentcore_memory_otel.local import LocalMemoryServer

from .conftest import ACTOR, SESSION, ManagerFactory, calls, make_agent, stored_events


def _messages_of(event: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for item in event["payload"]:
        if "conversational" in item:
            out.append(json.loads(item["conversational"]["content"]["text"]))
        elif isinstance(item["blob"], str) and item["blob"].startswith("["):
            out.append(json.loads(json.loads(item["blob"])[0]))
    return out


def test_buffer_flushes_when_full_in_original_order(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(batch_size=3)
    agent = make_agent(manager, [])
    server.stats.reset()
    for i in range(7):
        manager.append_message({"role": "user", "content": [{"text": f"m{i}"}]}, agent)
    assert calls(server)["CreateEvent"] == 2
    assert manager.pending_message_count() == 1
    events = stored_events(server, memory_id)
    assert [[m["message"]["content"][0]["text"] for m in _messages_of(e)] for e in events] == [
        ["m0", "m1", "m2"],
        ["m3", "m4", "m5"],
    ]
    assert [m["message_id"] for e in events for m in _messages_of(e)] == list(range(6))
    # The event takes its newest message's timestamp.
    manager.close()
    assert manager.pending_message_count() == 0


def test_flush_at_end_of_invocation(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    manager = make_manager(batch_size=50)
    agent = make_agent(manager, ["a"])
    agent("q")
    assert manager.pending_message_count() == 0
    assert calls(server)["CreateEvent"] == 1


def test_split_at_100_items(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(batch_size=100)
    agent = make_agent(manager, [])
    for i in range(150):
        manager.append_message({"role": "user", "content": [{"text": f"m{i}"}]}, agent)
    manager.flush()
    events = stored_events(server, memory_id)
    # The first flush has no room left for the session and agent records: they share one
    # state event; the second flush holds the last 50 messages.
    assert [len(e["payload"]) for e in events] == [100, 2, 50]
    assert [m["message_id"] for e in events for m in _messages_of(e)] == list(range(150))


def test_split_at_ten_megabytes(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(batch_size=40)
    agent = make_agent(manager, [])
    for i in range(30):  # 30 x ~420 KB blobs: more than 10 MB together
        manager.append_message(
            {"role": "user", "content": [{"text": f"{i}" + "x" * 420_000}]}, agent
        )
    manager.flush()
    events = stored_events(server, memory_id)
    assert len(events) >= 2
    assert all(len(json.dumps(e["payload"])) <= 10 * 1024 * 1024 for e in events)
    assert [m["message_id"] for e in events for m in _messages_of(e)] == list(range(30))


def test_long_messages_go_as_blobs(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager()
    agent = make_agent(manager, [])
    long_text = "é" * 100_001
    manager.append_message({"role": "user", "content": [{"text": long_text}]}, agent)
    manager.append_message({"role": "user", "content": [{"text": "short"}]}, agent)
    events = stored_events(server, memory_id)
    assert "blob" in events[0]["payload"][0]
    assert "conversational" in events[1]["payload"][0]
    resumed = make_agent(make_manager())
    assert resumed.messages[0]["content"][0]["text"] == long_text


def test_interval_timer_flushes(make_manager: ManagerFactory, server: LocalMemoryServer) -> None:
    manager = make_manager(batch_size=100, flush_interval_seconds=0.2)
    agent = make_agent(manager, [])
    manager.append_message({"role": "user", "content": [{"text": "tick"}]}, agent)
    assert manager.pending_message_count() == 1
    deadline = time.monotonic() + 5
    while manager.pending_message_count() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert manager.pending_message_count() == 0
    assert calls(server)["CreateEvent"] == 1


def test_context_manager_flushes_on_exit(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    with make_manager(batch_size=100) as manager:
        agent = make_agent(manager, [])
        manager.append_message({"role": "user", "content": [{"text": "bye"}]}, agent)
        assert calls(server)["CreateEvent"] == 0
    assert calls(server)["CreateEvent"] == 1


def test_interpreter_exit_flushes(server: LocalMemoryServer, memory_id: str) -> None:
    script = textwrap.dedent(f"""
        from strands import Agent
        from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
        from agentcore_memory_otel.testing import ScriptedModel
        manager = AgentCoreMemorySessionManager(
            AgentCoreMemoryConfig(memory_id={memory_id!r}, session_id="exit", actor_id="a",
                                  batch_size=100),
            endpoint_url={server.endpoint_url!r})
        agent = Agent(model=ScriptedModel([]), session_manager=manager, callback_handler=None)
        manager.append_message({{"role": "user", "content": [{{"text": "last words"}}]}}, agent)
        assert manager.pending_message_count() == 1
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    events = stored_events(server, memory_id, session="exit", actor="a")
    assert len(events) == 1
    assert "last words" in events[0]["payload"][0]["conversational"]["content"]["text"]


def test_concurrent_appends_from_threads(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(batch_size=7, flush_interval_seconds=0.05)
    agents = [make_agent(manager, [], agent_id=f"agent{i}") for i in range(4)]

    def work(index: int) -> None:
        for n in range(25):
            manager.append_message(
                {"role": "user", "content": [{"text": f"{index}-{n}"}]}, agents[index]
            )

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    manager.close()
    stored = [m for e in stored_events(server, memory_id) for m in _messages_of(e)]
    texts = [m["message"]["content"][0]["text"] for m in stored]
    assert sorted(texts) == sorted(f"{i}-{n}" for i in range(4) for n in range(25))
    for i in range(4):
        mine = [m for m in stored if m["agent_id"] == f"agent{i}"]
        assert [m["message"]["content"][0]["text"] for m in mine] == [f"{i}-{n}" for n in range(25)]
        assert [m["message_id"] for m in mine] == list(range(25))
    assert server.stats.count("CreateEvent", outcome="success") >= 100 // 7


def test_single_event_per_actor_and_session(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(batch_size=4)
    agent = make_agent(manager, ["x", "y"])
    agent("a")
    agent("b")
    client = server.client()
    assert client.list_actors(memoryId=memory_id)["actorSummaries"] == [{"actorId": ACTOR}]
    sessions = client.list_sessions(memoryId=memory_id, actorId=ACTOR)["sessionSummaries"]
    assert [s["sessionId"] for s in sessions] == [SESSION]
