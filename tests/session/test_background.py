"""Background write mode: hooks make no calls, one writer thread sends in order, coalescing,
a bounded buffer, flush semantics, failures retried and raised, span links, call counts."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import ValidationError

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager, FlushError
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ToolCall

from ..support import metric_points
from .conftest import RETRIES, SESSION, ManagerFactory, calls, make_agent, no_trim, stored_events

TOOL_TURN: list[Any] = [ToolCall("add", {"a": 2, "b": 3}), "It is 5."]


def _texts(events: list[dict[str, Any]]) -> list[str]:
    return [
        item["conversational"]["content"]["text"]
        for event in events
        for item in event["payload"]
        if "conversational" in item
    ]


def _create_event_threads(manager: AgentCoreMemorySessionManager) -> list[str]:
    """Names of the threads each CreateEvent of ``manager`` is sent from (a botocore hook)."""
    names: list[str] = []
    manager.api.client.meta.events.register(
        "before-call.bedrock-agentcore.CreateEvent",
        lambda **_: names.append(threading.current_thread().name),
    )
    return names


def test_hooks_make_no_calls_and_one_thread_sends_in_order(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(write_mode="background")
    threads = _create_event_threads(manager)
    agent = make_agent(manager, ["r0", *TOOL_TURN, "r2"], conversation_manager=no_trim())
    agent("p0")
    agent("p1")
    agent("p2")
    manager.flush()
    assert manager.pending_message_count() == 0
    assert threads and set(threads) == {f"agentcore-memory-writer-{SESSION}"}
    texts = _texts(stored_events(server, memory_id))
    assert len(texts) == 8
    assert ['"p0"' in texts[0], '"p2"' in texts[6], '"r2"' in texts[7]] == [True] * 3
    restored = make_agent(make_manager(), conversation_manager=no_trim())
    assert restored.messages == agent.messages


def test_messages_coalesce_while_a_call_is_in_flight(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(write_mode="background")
    agent = make_agent(manager, [*TOOL_TURN], conversation_manager=no_trim())
    server.faults.set_latency(0.3, "CreateEvent")
    server.stats.reset()
    agent("What is 2 + 3?")
    manager.flush()
    # Four messages; the first went alone, the rest arrived during its 300 ms and coalesced.
    assert calls(server)["CreateEvent"] < 4
    assert len(_texts(stored_events(server, memory_id))) == 4


def test_a_full_buffer_makes_the_hook_wait_and_drops_nothing(
    server: LocalMemoryServer, memory_id: str
) -> None:
    reader = InMemoryMetricReader()
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id,
            session_id=SESSION,
            actor_id="a",
            write_mode="background",
            max_pending_messages=1,
        ),
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
        meter_provider=MeterProvider(metric_readers=[reader]),
    )
    server.faults.set_latency(0.2, "CreateEvent")
    agent = make_agent(manager, [*TOOL_TURN], conversation_manager=no_trim())
    agent("What is 2 + 3?")
    manager.close()
    assert len(_texts(stored_events(server, memory_id, actor="a"))) == 4
    waits = metric_points(reader, "agentcore_memory.write.hook_wait")
    assert waits and waits[0][1].count >= 1
    lags = metric_points(reader, "agentcore_memory.write.lag")
    assert [a["agentcore.memory.write_mode"] for a, _ in lags] == ["background"]
    assert lags[0][1].count == 4


def test_a_failing_write_is_retried_raised_by_flush_logged_once_and_counted(
    server: LocalMemoryServer, memory_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    reader = InMemoryMetricReader()
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id, session_id=SESSION, actor_id="a", write_mode="background"
        ),
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
        meter_provider=MeterProvider(metric_readers=[reader]),
    )
    agent = make_agent(manager, ["ok"], conversation_manager=no_trim())
    server.faults.fail_next("CreateEvent", 1000, status=500)
    with caplog.at_level(logging.ERROR):
        agent("hello")  # the turn is not disturbed
        with pytest.raises(FlushError) as info:
            manager.flush()
        assert "ServiceException" in str(info.value.cause)
        time.sleep(1.0)  # a few retries with backoff
    failures = metric_points(reader, "agentcore_memory.write.failures")
    assert failures[0][0]["agentcore.memory.failure.source"] == "write"
    assert failures[0][1] >= 2
    assert caplog.text.count("background memory write failed") == 1
    server.faults.reset()
    deadline = time.monotonic() + 30
    while True:
        try:
            manager.flush()
            break
        except FlushError:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    texts = _texts(stored_events(server, memory_id, actor="a"))
    assert len(texts) == 2 and '"hello"' in texts[0] and '"ok"' in texts[1]  # each once
    manager.close()


def test_writer_spans_link_to_the_spans_that_produced_their_messages(
    server: LocalMemoryServer, memory_id: str
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id, session_id=SESSION, actor_id="a", write_mode="background"
        ),
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
        tracer_provider=provider,
    )
    agent = make_agent(manager, ["ok"])
    with provider.get_tracer("test").start_as_current_span("turn") as turn:
        agent("hello")
    manager.close()
    writes = [s for s in exporter.get_finished_spans() if s.name.startswith("create_memory")]
    assert writes
    trace_id = turn.get_span_context().trace_id
    for span in writes:
        assert span.context is not None and span.context.trace_id != trace_id
        assert span.links and all(link.context.trace_id == trace_id for link in span.links)


def test_write_mode_is_validated_by_name() -> None:
    fields: dict[str, Any] = {
        "memory_id": "m-0123456789",
        "session_id": "s",
        "actor_id": "a",
        "write_mode": "x",
    }
    with pytest.raises(ValidationError, match="write_mode"):
        AgentCoreMemoryConfig(**fields)


@pytest.mark.parametrize(("script", "most"), [(["Hello!"], 2), (TOOL_TURN, 4)])
def test_background_call_counts_are_at_most_the_sync_ones(
    server: LocalMemoryServer, make_manager: ManagerFactory, script: list[Any], most: int
) -> None:
    manager = make_manager(write_mode="background")
    agent = make_agent(manager, [*script, *script])
    agent("first")
    manager.flush()
    server.stats.reset()
    agent("second")
    manager.flush()
    assert 1 <= calls(server)["CreateEvent"] <= most
    assert calls(server)["ListEvents"] == 0


def test_background_batch_within_an_invocation_is_one_call(
    server: LocalMemoryServer, make_manager: ManagerFactory
) -> None:
    manager = make_manager(write_mode="background", batch_size=10)
    agent = make_agent(manager, [*TOOL_TURN, *TOOL_TURN])
    agent("first")
    manager.flush()
    server.stats.reset()
    agent("second")
    manager.flush()
    assert calls(server) == {"CreateEvent": 1, "ListEvents": 0}


def _ten_tools(messages: list[Any]) -> Any:
    used = 0
    for message in reversed(messages):
        if message["role"] == "user" and any("text" in b for b in message["content"]):
            break
        used += sum(1 for b in message["content"] if "toolUse" in b)
    return ToolCall("add", {"a": 1, "b": 2}) if used < 10 else "done"


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_pacing_keeps_a_ten_tool_turn_under_the_quota(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, mode: str
) -> None:
    manager = make_manager(write_mode=mode, create_event_rate=5)
    agent = make_agent(manager, _ten_tools, conversation_manager=no_trim())
    server.faults.set_create_event_rate_limit(5)
    server.stats.reset()
    agent("ten additions")
    manager.flush()
    assert server.stats.count("CreateEvent", outcome="ThrottledException") == 0
    assert len(_texts(stored_events(server, memory_id))) == 22
    made = calls(server)["CreateEvent"]
    # Sync: one call per message. Background: pacing coalesces instead of waiting.
    assert made == 22 if mode == "sync" else made < 22


def test_the_documented_snippet(server: LocalMemoryServer, memory_id: str, tmp_path: Any) -> None:
    """docs/write-modes.md: background mode with a journal, in a ``with`` block."""
    config = AgentCoreMemoryConfig(
        memory_id=memory_id,
        session_id="s-1",
        actor_id="user-1",
        write_mode="background",
        journal_path=tmp_path / "memory-journal.db",
    )
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as manager:
        agent = make_agent(manager, ["Hi!"])
        agent("Hello")
        manager.flush(timeout=5)
        assert manager.pending_message_count() == 0
    assert len(_texts(stored_events(server, memory_id, session="s-1", actor="user-1"))) == 2


def test_flush_returns_after_a_buffered_message_is_rewritten_into_fewer_parts(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    # A reply too large for one event is buffered as several parts; redacting it before it is
    # sent leaves one part. flush() must still see everything acknowledged, and return.
    huge = 'x"y' * 4_000_000  # ~20 MB encoded: three parts
    manager = make_manager(write_mode="background", batch_size=10)
    agent = make_agent(manager, [huge], conversation_manager=no_trim())
    agent("hello")
    assert manager.pending_message_count() >= 4  # nothing sent yet: the batch is not full
    manager.redact_latest_message({"role": "assistant", "content": [{"text": "[redacted]"}]}, agent)
    manager.flush(timeout=10)
    assert manager.pending_message_count() == 0
    texts = _texts(stored_events(server, memory_id))
    assert len(texts) == 2 and "[redacted]" in texts[1] and len(texts[1]) < 10_000


def test_a_second_close_returns_and_a_late_message_is_still_stored(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    """close() twice (a ``with`` block and the fixture, say) must not wait forever."""
    manager = make_manager(write_mode="background")
    agent = make_agent(manager, ["one"], conversation_manager=no_trim())
    agent("first")
    manager.close()
    done = threading.Event()

    def close_again() -> None:
        manager.append_message({"role": "user", "content": [{"text": "late"}]}, agent)
        manager.flush()
        manager.close()
        done.set()

    threading.Thread(target=close_again, daemon=True).start()
    assert done.wait(10), "a flush or close after close() never returned"
    texts = [m["content"][0]["text"] for m in make_agent(make_manager(), []).messages]
    assert texts == ["first", "one", "late"]
