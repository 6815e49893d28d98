"""Stopping the in-process server: prompt, from any thread, never cutting an answer short."""

from __future__ import annotations

import threading
from typing import Any

from agentcore_memory_otel.local import LocalMemoryServer

from ..support import NO_RETRIES


def _memory(server: LocalMemoryServer) -> str:
    control = server.client("bedrock-agentcore-control", config=NO_RETRIES)
    created = control.create_memory(name="stop_test", eventExpiryDuration=30)
    return str(created["memory"]["id"])


def test_a_call_in_flight_when_stop_is_called_gets_its_whole_answer() -> None:
    server = LocalMemoryServer().start()
    memory_id = _memory(server)
    client = server.client(config=NO_RETRIES)
    server.faults.set_latency(0.5, "ListEvents")
    answers: list[Any] = []
    errors: list[BaseException] = []
    started = threading.Event()

    def call() -> None:
        started.set()
        try:
            answers.append(client.list_events(memoryId=memory_id, sessionId="s", actorId="a"))
        except BaseException as error:
            errors.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    started.wait()
    in_flight = server._server.server_state.tasks if server._server else set()
    while not in_flight:  # the ListEvents has reached the server and waits in its latency
        threading.Event().wait(0.01)
    server.stop()
    caller.join(10)
    assert not errors, errors
    assert answers and answers[0]["events"] == []


def test_stop_twice_from_two_threads_and_before_start() -> None:
    never_started = LocalMemoryServer()
    never_started.stop()
    server = LocalMemoryServer().start()
    _memory(server)
    stoppers = [threading.Thread(target=server.stop) for _ in range(2)]
    for stopper in stoppers:
        stopper.start()
    for stopper in stoppers:
        stopper.join(10)
    server.stop()
    assert not any(stopper.is_alive() for stopper in stoppers)


def test_a_file_backed_server_restarted_at_once_keeps_what_it_answered(tmp_path: Any) -> None:
    db = tmp_path / "memory.db"
    for _ in range(3):
        with LocalMemoryServer(db) as server:
            control = server.client("bedrock-agentcore-control", config=NO_RETRIES)
            known = control.list_memories()["memories"]
            control.create_memory(name=f"m{len(known)}", eventExpiryDuration=30)
    with LocalMemoryServer(db) as server:
        control = server.client("bedrock-agentcore-control", config=NO_RETRIES)
        assert len(control.list_memories()["memories"]) == 3
