"""Stopping the in-process server: prompt, from any thread, never cutting an answer short."""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from ..support import NO_RETRIES, free_port


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


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open fds in /proc")
def test_fifty_start_stop_cycles_leave_no_thread_or_file_descriptor() -> None:
    with LocalMemoryServer() as warm:  # botocore's and uvicorn's lazy imports and caches
        warm.client("bedrock-agentcore-control", config=NO_RETRIES).list_memories()
    gc.collect()
    threads, fds = threading.active_count(), _open_fds()
    for _ in range(50):
        server = LocalMemoryServer().start()
        control = server.client("bedrock-agentcore-control", config=NO_RETRIES)
        control.list_memories()
        server.stop()
        control.close()
    gc.collect()
    assert threading.active_count() == threads
    assert _open_fds() == fds


def test_a_server_stopped_from_a_signal_handler_in_the_main_thread_stops() -> None:
    server = LocalMemoryServer().start()
    _memory(server)
    previous = signal.signal(signal.SIGALRM, lambda *_: server.stop())
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        deadline = time.monotonic() + 10
        while server._server is not None and time.monotonic() < deadline:
            time.sleep(0.01)  # the handler runs here, in the main thread
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert server._server is None
    assert not any(t.name == "agentcore-memory-local" for t in threading.enumerate())


def test_a_keep_alive_connection_is_reused_after_a_restart_on_the_same_port(
    tmp_path: Any,
) -> None:
    """The client's pooled connection was closed by the old server; the next call still works."""
    port = free_port()
    first = LocalMemoryServer(tmp_path / "m.db", port=port).start()
    control = first.client("bedrock-agentcore-control", config=NO_RETRIES)
    kept = control.create_memory(name="kept", eventExpiryDuration=30)["memory"]["id"]
    first.stop()
    with LocalMemoryServer(tmp_path / "m.db", port=port):
        assert [m["id"] for m in control.list_memories()["memories"]] == [kept]


def test_a_stopped_server_refuses_to_start_again_instead_of_failing_every_call() -> None:
    """stop() closes the database: a restart of the same object answered every call with a 500."""
    server = LocalMemoryServer().start()
    server.stop()
    with pytest.raises(RuntimeError, match=r"stopped.*new LocalMemoryServer"):
        server.start()
    never_started = LocalMemoryServer()
    never_started.stop()
    with pytest.raises(RuntimeError, match="stopped"):
        never_started.start()


def test_a_bad_log_level_is_refused_by_name_before_anything_is_opened() -> None:
    """It was a bare KeyError('nope') from uvicorn, raised with the port already bound."""
    with pytest.raises(ValueError, match=r"log_level must be one of critical, .*got 'nope'"):
        LocalMemoryServer(log_level="nope")


class _FailsToServe(LocalMemoryServer):
    """A server whose start fails once its port is bound (uvicorn refusing its config)."""

    def _serve(self, sock: Any) -> None:
        raise OSError("cannot serve")


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open fds in /proc")
def test_a_failed_start_releases_its_port_and_is_not_taken_for_a_running_server() -> None:
    """The bound socket stayed open (one more per attempt) and endpoint_url named it."""
    port = free_port()
    server = _FailsToServe(port=port)
    fds = _open_fds()
    for _ in range(3):
        with pytest.raises(OSError, match="cannot serve"):
            server.start()
    assert _open_fds() == fds
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.endpoint_url
    with LocalMemoryServer(port=port) as after:  # the port is free again
        assert after.endpoint_url.endswith(f":{port}")
    server.stop()
