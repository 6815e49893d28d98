"""The write path under faults (issue 21): the writer thread never dies, never hangs, loses nothing.

One regression test per defect: a journal error on the writer thread, a second close(), a
fork, the journal keyed by one spelling of the memory id, telemetry that raises, and a
metadata_provider over the key budget; then the lifecycle's transitions.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, cast

import pytest
from opentelemetry.metrics import Meter, MeterProvider, NoOpMeterProvider
from opentelemetry.sdk.metrics import MeterProvider as SdkMeterProvider
from opentelemetry.sdk.metrics.export import MetricReader
from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
from opentelemetry.trace import NoOpTracerProvider, Tracer, TracerProvider

import agentcore_memory_otel
from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.write import sender
from agentcore_memory_otel.session.write.batcher import FlushError
from agentcore_memory_otel.session.write.scheduler import WriteScheduler
from agentcore_memory_otel.wire.codec import StoredMessage, decode_event

from .conftest import ACTOR, RETRIES, SESSION, ManagerFactory, make_agent, no_trim, stored_events
from .faulty_journal import DISK_FULL, LOCKED, WRITER_STATEMENTS, faulty_journal

WriteModeName = Literal["sync", "background"]
FIXTURES = Path(__file__).with_name("fixtures")
SRC = Path(agentcore_memory_otel.__file__).resolve().parents[1]
"""The source tree under test, for subprocesses (whichever the tests import)."""


def stored_texts(
    server: LocalMemoryServer, memory_id: str, session: str = SESSION, actor: str = ACTOR
) -> list[tuple[str | None, int | None, str]]:
    """(agent id, message id, first text) of every stored message, in stored order."""
    out = []
    for event in stored_events(server, memory_id, session=session, actor=actor):
        for stored in decode_event(event):
            if isinstance(stored, StoredMessage):
                content = stored.session_message.to_message()["content"]
                text = next((b["text"] for b in content if "text" in b), "")
                out.append((stored.agent_id, stored.message_id, text))
    return out


def texts(server: LocalMemoryServer, memory_id: str, **kwargs: Any) -> list[str]:
    return [text for _, _, text in stored_texts(server, memory_id, **kwargs)]


def finishes(call: Callable[[], Any], within: float) -> bool:
    """Run ``call`` on a thread; whether it returned (or raised) within ``within`` seconds."""
    done = threading.Event()

    def run() -> None:
        try:
            with contextlib.suppress(Exception):  # only whether it hangs matters here
                call()
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    return done.wait(within)


def eventually(check: Callable[[], bool], within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


# --- defect 1: an error that is not a FlushError on the writer thread ----------------------


@pytest.mark.parametrize("message", [LOCKED, DISK_FULL])
@pytest.mark.parametrize("statement", WRITER_STATEMENTS)
def test_a_journal_error_on_the_writer_thread_is_raised_by_flush_and_retried(
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    tmp_path: Path,
    statement: str,
    message: str,
) -> None:
    manager = make_manager(write_mode="background", journal_path=tmp_path / "j.db")
    agent = make_agent(manager, ["one", "two"], conversation_manager=no_trim())
    db = faulty_journal(manager)
    db.arm((statement,), message, count=3)
    agent("first")  # the turn is not disturbed
    with pytest.raises(FlushError) as info:
        manager.flush(timeout=10)
    assert isinstance(info.value.cause, sqlite3.OperationalError)
    assert message in str(info.value.cause)
    # Once the cause is gone, what is pending is sent without anyone calling flush().
    assert eventually(lambda: manager.pending_message_count() == 0)
    agent("second")
    manager.flush(timeout=10)
    assert texts(server, memory_id) == ["first", "one", "second", "two"]
    assert manager._scheduler._sender.failures >= 1  # type: ignore[union-attr]


def test_a_journal_locked_by_another_connection_past_the_busy_timeout(
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real SQLite lock held longer than the busy timeout, then released."""
    from agentcore_memory_otel.session.write.journal import Journal

    monkeypatch.setattr(Journal, "busy_timeout_ms", 200)
    journal = tmp_path / "j.db"
    manager = make_manager(write_mode="background", journal_path=journal)
    agent = make_agent(manager, ["one"], conversation_manager=no_trim())
    server.faults.set_latency(0.6, "CreateEvent")
    agent("first")  # buffered and journaled; the writer thread is sending
    holder = sqlite3.connect(journal, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # the writer cannot forget the acknowledged event
    try:
        with pytest.raises(FlushError, match="locked"):
            manager.flush(timeout=20)
    finally:
        time.sleep(0.5)
        holder.execute("ROLLBACK")
        holder.close()
    server.faults.reset()
    assert eventually(lambda: manager.pending_message_count() == 0)
    assert texts(server, memory_id) == ["first", "one"]  # resent, deduplicated: once each


# --- defect 2: close() works once -----------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_close_twice_and_flush_after_close_return_at_once(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, mode: str
) -> None:
    with make_manager(write_mode=mode) as manager:
        agent = make_agent(manager, ["one"], conversation_manager=no_trim())
        agent("first")
        manager.close()
        assert finishes(manager.close, within=5)
        assert finishes(manager.flush, within=5)
    assert texts(server, memory_id) == ["first", "one"]
    assert manager._scheduler.state.value == "closed"  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_a_message_added_after_close_is_stored(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, mode: str
) -> None:
    manager = make_manager(write_mode=mode)
    agent = make_agent(manager, ["one", "two"], conversation_manager=no_trim())
    agent("first")
    manager.close()
    agent("second")  # reopens the write path
    assert finishes(lambda: manager.flush(timeout=10), within=15)
    assert texts(server, memory_id) == ["first", "one", "second", "two"]


def test_a_message_added_after_close_is_stored_at_exit(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    """The process appends after close() and exits without another call: the exit flush sends."""
    script = tmp_path / "after_close.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
            from agentcore_memory_otel.testing import ScriptedModel
            from strands import Agent
            from strands.agent.conversation_manager import NullConversationManager

            manager = AgentCoreMemorySessionManager(
                AgentCoreMemoryConfig(memory_id={memory_id!r}, session_id={SESSION!r},
                    actor_id={ACTOR!r}, write_mode="background", create_event_rate=None),
                endpoint_url={server.endpoint_url!r},
            )
            agent = Agent(model=ScriptedModel(["one", "two"]), session_manager=manager,
                conversation_manager=NullConversationManager(), callback_handler=None)
            agent("first")
            manager.close()
            agent("second")
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    subprocess.run([sys.executable, str(script)], check=True, timeout=120, env=env)
    assert texts(server, memory_id) == ["first", "one", "second", "two"]


# --- defect 3: fork --------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
@pytest.mark.parametrize("journal", [False, True])
def test_a_forked_child_stores_what_it_adds_and_the_parent_what_it_had(
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    tmp_path: Path,
    journal: bool,
) -> None:
    extra = {"journal_path": tmp_path / "j.db"} if journal else {}
    manager = make_manager(write_mode="background", **extra)
    agent = make_agent(manager, ["one"], conversation_manager=no_trim())
    server.faults.set_latency(0.3, "CreateEvent")
    agent("first")  # still pending (or in flight) when the process forks
    pid = os.fork()
    if pid == 0:  # the child: its own agent, its own messages
        status = 1
        try:
            child = make_agent(manager, ["from child"], agent_id="child")
            child("child prompt")
            manager.flush(timeout=20)
            status = 0
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    manager.flush(timeout=20)
    stored = stored_texts(server, memory_id)
    assert [t for a, _, t in stored if a == "default"] == ["first", "one"]
    assert [t for a, _, t in stored if a == "child"] == ["child prompt", "from child"]


# --- defect 4: the journal's identity of a memory --------------------------------------------


def _crash_with_pending(
    server: LocalMemoryServer, memory_name: str, journal: Path, session: str = SESSION
) -> None:
    """A sync manager whose writes all fail, abandoned as a crash would leave it."""
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_name,
            session_id=session,
            actor_id=ACTOR,
            batch_size=10,
            journal_path=journal,
            create_event_rate=None,
        ),
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
    )
    agent = make_agent(manager, ["one"], conversation_manager=no_trim())
    server.faults.fail_next("CreateEvent", 1000, status=500)
    with pytest.raises(Exception, match="ServiceException"):
        agent("first")
    server.faults.reset()
    manager._finalizer.detach()  # type: ignore[union-attr]  # no exit flush: it crashed
    manager._scheduler.journal.close()  # type: ignore[union-attr]


@pytest.mark.parametrize(("crashed", "restarted"), [("arn", "id"), ("id", "arn")])
def test_a_restart_with_the_other_spelling_of_the_memory_replays_the_journal(
    server: LocalMemoryServer,
    memory: dict[str, Any],
    make_manager: ManagerFactory,
    tmp_path: Path,
    crashed: str,
    restarted: str,
) -> None:
    journal = tmp_path / "j.db"
    _crash_with_pending(server, memory[crashed], journal)
    manager = make_manager(memory_id=memory[restarted], journal_path=journal)
    resumed = make_agent(manager, conversation_manager=no_trim())
    assert [m["content"][0]["text"] for m in resumed.messages] == ["first", "one"]
    assert texts(server, memory["id"]) == ["first", "one"]


def test_a_journal_written_by_the_previous_version_replays(
    server: LocalMemoryServer, memory: dict[str, Any], make_manager: ManagerFactory, tmp_path: Path
) -> None:
    """``fixtures/journal-v0.db`` was written by the version before issue 21 (README there)."""
    journal = tmp_path / "journal.db"
    shutil.copy(FIXTURES / "journal-v0.db", journal)
    old_id = (FIXTURES / "journal-v0.memory-id").read_text().strip()
    with sqlite3.connect(journal) as db:  # the memory ids of this test's server
        for table in ("entries", "planned"):
            db.execute(
                f"UPDATE {table} SET scope = replace(scope, ?, ?), body = replace(body, ?, ?)",
                (old_id, memory["id"], old_id, memory["id"]),
            )
    manager = make_manager(memory_id=memory["id"], journal_path=journal)
    resumed = make_agent(manager, conversation_manager=no_trim())
    assert [m["content"][0]["text"] for m in resumed.messages] == ["first", "one"]
    assert texts(server, memory["id"]) == ["first", "one"]
    with sqlite3.connect(journal) as db:
        assert db.execute("SELECT COUNT(*) FROM planned").fetchone()[0] == 0


# --- defect 5: telemetry that raises ---------------------------------------------------------


class Boom(RuntimeError):
    pass


def _boom(*_: Any, **__: Any) -> Any:
    raise Boom("injected telemetry failure")


class RaisingHistogram:
    """A histogram whose ``record`` raises (the issue's reproduction)."""

    def record(self, *_: Any, **__: Any) -> None:
        raise Boom("histogram")


class RaisingMeter:
    """A meter whose histograms raise when recorded to; ``creating=True``: every ``create_*``
    raises instead. Anything else is a no-op meter's."""

    def __init__(self, *, creating: bool) -> None:
        self._noop = NoOpMeterProvider().get_meter("noop")
        self._creating = creating

    def create_histogram(self, *_: Any, **__: Any) -> Any:
        if self._creating:
            raise Boom("create_histogram")
        return RaisingHistogram()

    def __getattr__(self, name: str) -> Any:
        if self._creating and name.startswith("create_"):
            return _boom
        return getattr(self._noop, name)


class RaisingMeterProvider(MeterProvider):
    def __init__(self, *, creating: bool = False) -> None:
        self._creating = creating

    def get_meter(self, *_: Any, **__: Any) -> Meter:
        return cast(Meter, RaisingMeter(creating=self._creating))


class RaisingTracer(Tracer):
    start_span = start_as_current_span = _boom


class RaisingTracerProvider(TracerProvider):
    def get_tracer(self, *_: Any, **__: Any) -> Tracer:
        return RaisingTracer()


class RaisingProcessor(SpanProcessor):
    on_start = on_end = _boom


class RaisingReader(MetricReader):
    def _receive_metrics(self, *_: Any, **__: Any) -> None:
        raise Boom("reader")

    def shutdown(self, *_: Any, **__: Any) -> None:
        pass


def _collect_forever(reader: MetricReader) -> None:
    for _ in range(400):
        with contextlib.suppress(Exception):  # the reader raises by design
            reader.collect()
        time.sleep(0.01)


def _providers(kind: str) -> dict[str, Any]:
    match kind:
        case "meter":
            return {"meter_provider": RaisingMeterProvider()}
        case "meter instruments":
            return {"meter_provider": RaisingMeterProvider(creating=True)}
        case "tracer":
            return {"tracer_provider": RaisingTracerProvider()}
        case "span processor":
            provider = SdkTracerProvider()
            provider.add_span_processor(RaisingProcessor())
            return {"tracer_provider": provider}
        case "metric reader":
            # A reader that raises, collected from a thread while the turns run.
            reader = RaisingReader()
            threading.Thread(target=_collect_forever, args=(reader,), daemon=True).start()
            return {"meter_provider": SdkMeterProvider(metric_readers=[reader])}
        case "get_meter":
            meter_provider: Any = NoOpMeterProvider()
            meter_provider.get_meter = _boom
            return {"meter_provider": meter_provider}
        case "get_tracer":
            tracer_provider: Any = NoOpTracerProvider()
            tracer_provider.get_tracer = _boom
            return {"tracer_provider": tracer_provider}
    raise AssertionError(kind)


@pytest.mark.parametrize("mode", ["sync", "background"])
@pytest.mark.parametrize(
    "kind",
    [
        "meter",
        "meter instruments",
        "tracer",
        "span processor",
        "metric reader",
        "get_meter",
        "get_tracer",
    ],
)
def test_telemetry_that_raises_never_fails_a_turn_nor_loses_a_message(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path, mode: WriteModeName, kind: str
) -> None:
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id,
            session_id=SESSION,
            actor_id=ACTOR,
            write_mode=mode,
            journal_path=tmp_path / "j.db",
            max_pending_messages=1,  # hooks wait for room: the wait metric is recorded
            create_event_rate=None,
        ),
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
        **_providers(kind),
    )
    agent = make_agent(manager, ["one", "two", "three"], conversation_manager=no_trim())
    server.faults.fail_next("CreateEvent", 1, status=500)  # a failure to count, retried
    for prompt in ("first", "second"):
        agent(prompt)
    manager.close(timeout=20)
    assert texts(server, memory_id) == ["first", "one", "second", "two"]
    restarted = make_agent(
        AgentCoreMemorySessionManager(
            AgentCoreMemoryConfig(
                memory_id=memory_id, session_id=SESSION, actor_id=ACTOR, create_event_rate=None
            ),
            endpoint_url=server.endpoint_url,
            boto_client_config=RETRIES,
            **_providers(kind),
        ),
        ["three"],
        conversation_manager=no_trim(),
    )
    restarted("third")
    assert texts(server, memory_id)[-2:] == ["third", "three"]


def test_every_public_method_of_the_observer_is_guarded() -> None:
    from agentcore_memory_otel.telemetry import WriteTelemetry

    public = [n for n in vars(WriteTelemetry) if not n.startswith("_")]
    assert public and all(getattr(getattr(WriteTelemetry, n), "__guarded__", False) for n in public)
    broken = WriteTelemetry(cast(Any, object()), "m")  # every use of its instruments raises
    broken.write_failed("write")
    broken.acknowledged([time.monotonic()], "sync")
    broken.invocation()


# --- defect 6: metadata_provider over the key budget -------------------------------------------


@pytest.mark.parametrize(("keys", "trace_metadata"), [(16, False), (12, True), (14, False)])
def test_a_metadata_provider_over_the_key_budget_fails_at_construction(
    make_manager: ManagerFactory, keys: int, trace_metadata: bool
) -> None:
    provided = {f"k{i}": "v" for i in range(keys)}
    with pytest.raises(ValueError, match=r"metadata_provider.*15") as info:
        make_manager(metadata_provider=lambda: provided, trace_metadata=trace_metadata)
    assert "metadata_provider" in str(info.value) and "15" in str(info.value)


def test_a_metadata_provider_within_the_budget_is_accepted(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    provided = {f"k{i}": "v" for i in range(11)}  # 15 - agentId - stateType - 2 trace keys
    manager = make_manager(metadata_provider=lambda: provided)
    make_agent(manager, ["one"])("first")
    (event, *_) = stored_events(server, memory_id)
    assert set(provided) <= set(event["metadata"])


# --- defect 7: close() raised a failure from before it, while its own attempt would succeed ----


def test_flush_and_close_cut_the_backoff_short_and_raise_only_their_own_attempts_failure(
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sender failed, then the cause went away: close() sends, it does not raise the past.

    The backoff is an hour, so nothing but flush() and close() can start a new attempt; the
    failure counts say exactly how many attempts there were.
    """
    monkeypatch.setattr(sender, "BACKOFF_FIRST", 3600.0)
    monkeypatch.setattr(sender, "BACKOFF_MAX", 3600.0)
    manager = make_manager(write_mode="background")
    thread = manager._scheduler._sender  # type: ignore[union-attr]
    assert thread is not None
    agent = make_agent(manager, ["one"], conversation_manager=no_trim())
    server.faults.fail_next("CreateEvent", 1000, status=500)
    agent("first")  # the turn is not disturbed; the sender fails and backs off for an hour
    assert eventually(lambda: thread.failures == 1)
    # Still failing: flush() ends the backoff, makes one attempt and raises that one's failure.
    with pytest.raises(FlushError, match="ServiceException"):
        manager.flush(timeout=60)
    assert thread.failures == 2
    server.faults.reset()
    # The cause is gone: close() makes one attempt, which succeeds (before the fix it raised the
    # failure of the attempt before it at once, and the sender slept through its backoff).
    manager.close(timeout=60)
    assert thread.failures == 2
    assert manager._scheduler.state.value == "closed"  # type: ignore[union-attr]
    assert texts(server, memory_id) == ["first", "one"]


def test_flushes_from_many_threads_during_a_backoff_each_raise_and_never_hang(
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Concurrent flush() calls end one backoff; each gets a failure no older than itself."""
    monkeypatch.setattr(sender, "BACKOFF_FIRST", 3600.0)
    monkeypatch.setattr(sender, "BACKOFF_MAX", 3600.0)
    manager = make_manager(write_mode="background")
    thread = manager._scheduler._sender  # type: ignore[union-attr]
    assert thread is not None
    agent = make_agent(manager, ["one"], conversation_manager=no_trim())
    server.faults.fail_next("CreateEvent", 1000, status=500)
    agent("first")
    assert eventually(lambda: thread.failures == 1)
    outcomes: list[BaseException | None] = []

    def flush() -> None:
        try:
            manager.flush(timeout=60)
            outcomes.append(None)
        except BaseException as exc:
            outcomes.append(exc)

    flushers = [threading.Thread(target=flush) for _ in range(6)]
    for flusher in flushers:
        flusher.start()
    for flusher in flushers:
        flusher.join(90)
    assert not any(flusher.is_alive() for flusher in flushers)
    assert len(outcomes) == 6
    assert all(isinstance(outcome, FlushError) for outcome in outcomes), outcomes
    assert all("ServiceException" in str(outcome) for outcome in outcomes)  # no timeout
    assert 2 <= thread.failures <= 7  # one attempt at least, one per flush() at most
    server.faults.reset()
    manager.close(timeout=60)
    assert texts(server, memory_id) == ["first", "one"]


# --- the lifecycle: every transition, from several threads and from a signal handler -----------


def _state(path: Any) -> str:
    """The path's state now (a function, so a type checker does not narrow it across calls)."""
    return str(path.state.value)


def test_lifecycle_transitions(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(write_mode="background")
    path = manager._scheduler
    assert isinstance(path, WriteScheduler)
    agent = make_agent(manager, ["one", "two", "three"], conversation_manager=no_trim())
    assert path.state.value == "open"
    server.faults.fail_next("CreateEvent", 1000, status=500)
    agent("first")
    assert eventually(lambda: path.state.value == "failed")  # open -> failed
    with pytest.raises(FlushError):
        manager.close(timeout=5)  # failed: close raises, stays failed, may be retried
    assert path.state.value == "failed"
    server.faults.reset()
    assert eventually(lambda: path.state.value == "open")  # failed -> open, by itself
    server.faults.set_latency(0.5, "CreateEvent")
    agent("second")
    closer = threading.Thread(target=manager.close)
    closer.start()
    assert eventually(lambda: path.state.value == "closing", within=5)  # open -> closing
    closer.join(10)
    assert not closer.is_alive()
    assert _state(path) == "closed"  # closing -> closed
    server.faults.reset()
    agent("third")  # closed -> open: the path reopens
    assert path.state.value in ("open", "closing")
    manager.close()
    assert path.state.value == "closed"
    assert texts(server, memory_id) == ["first", "one", "second", "two", "third", "three"]


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_close_from_many_threads_at_once(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, mode: str
) -> None:
    manager = make_manager(write_mode=mode)
    agent = make_agent(manager, ["one"], conversation_manager=no_trim())
    server.faults.set_latency(0.2, "CreateEvent")
    agent("first")
    threads = [threading.Thread(target=manager.close) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(t.is_alive() for t in threads)
    assert manager._scheduler.state.value == "closed"  # type: ignore[union-attr]
    assert texts(server, memory_id) == ["first", "one"]


SIGNAL_CHILD = """
import signal, sys
from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.testing import ScriptedModel
from strands import Agent
from strands.agent.conversation_manager import NullConversationManager

endpoint, memory_id, mode = sys.argv[1:4]
manager = AgentCoreMemorySessionManager(
    AgentCoreMemoryConfig(memory_id=memory_id, session_id="sig", actor_id="a",
        write_mode=mode, create_event_rate=None),
    endpoint_url=endpoint,
)
closes = 0
def close(signum, frame):
    global closes
    closes += 1
    manager.close()
signal.signal(signal.SIGALRM, close)
signal.setitimer(signal.ITIMER_REAL, 0.003, 0.007)  # close() lands anywhere in the write path
agent = Agent(model=ScriptedModel(lambda _: "ok"), session_manager=manager,
    conversation_manager=NullConversationManager(), callback_handler=None)
for turn in range(40):
    agent(f"p{turn}")
signal.setitimer(signal.ITIMER_REAL, 0)
manager.close()
print(len(agent.messages), closes, flush=True)
"""


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_close_from_a_signal_handler_anywhere_in_the_write_path(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path, mode: str
) -> None:
    script = tmp_path / "signal_child.py"
    script.write_text(SIGNAL_CHILD)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    server.faults.set_latency(0.005)
    done = subprocess.run(
        [sys.executable, str(script), server.endpoint_url, memory_id, mode],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    accepted, closes = map(int, done.stdout.split())
    assert closes > 10
    stored = texts(server, memory_id, session="sig", actor="a")
    assert len(stored) == accepted == 80
    assert stored == [t for turn in range(40) for t in (f"p{turn}", "ok")]
