"""Every event carries the W3C ids of the span that produced it; batches never mix traces."""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentcore_memory_otel import trace_metadata_provider
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ToolCall

from ..support import make_agent, stored_events
from .conftest import PROVIDER


def _agent_spans(spans: InMemorySpanExporter) -> list[Any]:
    return [s for s in spans.get_finished_spans() if s.name.startswith("invoke_agent")]


def _hex_trace(span: Any) -> str:
    return trace.format_trace_id(span.context.trace_id)


def test_message_events_carry_their_invocation_trace(
    traced_manager: Any, spans: InMemorySpanExporter, server: LocalMemoryServer, memory_id: str
) -> None:
    agent = make_agent(traced_manager(), ["hi", ToolCall("add", {"a": 1, "b": 2}), "3"])
    agent("hello")
    agent("add")
    invocations = _agent_spans(spans)
    assert len(invocations) == 2
    events = stored_events(server, memory_id, session="traced", actor="user-1")
    assert len(events) == 6
    traces = [e["metadata"]["traceId"]["stringValue"] for e in events]
    assert traces == [_hex_trace(invocations[0])] * 2 + [_hex_trace(invocations[1])] * 4
    span_ids = {
        trace.format_span_id(s.context.span_id): _hex_trace(s) for s in spans.get_finished_spans()
    }
    for event, trace_id in zip(events, traces, strict=True):
        span_id = event["metadata"]["spanId"]["stringValue"]
        assert len(span_id) == 16 and span_id == span_id.lower()
        assert span_ids[span_id] == trace_id  # the stamped span belongs to that trace


def test_no_active_span_means_no_trace_keys(
    traced_manager: Any, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = traced_manager()
    agent = make_agent(manager, [])
    manager.append_message({"role": "user", "content": [{"text": "outside"}]}, agent)
    (event,) = stored_events(server, memory_id, session="traced", actor="user-1")
    assert "traceId" not in event["metadata"] and "spanId" not in event["metadata"]


def test_stamp_can_be_renamed_overridden_or_turned_off(
    traced_manager: Any, spans: InMemorySpanExporter, server: LocalMemoryServer, memory_id: str
) -> None:
    tracer = PROVIDER.get_tracer("test")
    renamed = traced_manager(
        session_id="renamed", trace_id_key="otel.trace", span_id_key="otel.span"
    )
    overridden = traced_manager(
        session_id="overridden", metadata_provider=lambda: {"traceId": "from-provider"}
    )
    off = traced_manager(session_id="off", trace_metadata=False)
    with tracer.start_as_current_span("user work") as span:
        expected = trace.format_trace_id(span.get_span_context().trace_id)
        for manager in (renamed, overridden, off):
            agent = make_agent(manager, [], agent_id="a")
            manager.append_message({"role": "user", "content": [{"text": "x"}]}, agent)

    def meta(session: str) -> dict[str, str]:
        (event,) = stored_events(server, memory_id, session=session, actor="user-1")
        return {k: v["stringValue"] for k, v in event["metadata"].items()}

    assert meta("renamed")["otel.trace"] == expected
    assert "traceId" not in meta("renamed")
    assert meta("overridden")["traceId"] == "from-provider"
    assert meta("overridden")["spanId"] == trace.format_span_id(span.get_span_context().span_id)
    assert "traceId" not in meta("off") and "spanId" not in meta("off")


def test_public_metadata_provider(spans: InMemorySpanExporter) -> None:
    assert trace_metadata_provider() == {}
    with PROVIDER.get_tracer("test").start_as_current_span("s") as span:
        context = span.get_span_context()
        assert trace_metadata_provider() == {
            "traceId": trace.format_trace_id(context.trace_id),
            "spanId": trace.format_span_id(context.span_id),
        }
        assert set(trace_metadata_provider("t", "s")) == {"t", "s"}


def test_batches_never_mix_traces(
    traced_manager: Any, spans: InMemorySpanExporter, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = traced_manager(batch_size=50)
    agent = make_agent(manager, ["one", "two"])
    agent("first")
    agent("second")
    events = stored_events(server, memory_id, session="traced", actor="user-1")
    assert len(events) == 2  # one per invocation, each with both of its messages
    assert [len([p for p in e["payload"] if "conversational" in p]) for e in events] == [2, 2]
    assert [e["metadata"]["traceId"]["stringValue"] for e in events] == [
        _hex_trace(s) for s in _agent_spans(spans)
    ]
    # Writes from two traces buffered together still become one event per trace.
    tracer = PROVIDER.get_tracer("test")
    manager2 = traced_manager(session_id="mixed", batch_size=50)
    agent2 = make_agent(manager2, [])
    trace_ids = []
    for name in ("a", "b"):
        with tracer.start_as_current_span(name) as span:
            trace_ids.append(trace.format_trace_id(span.get_span_context().trace_id))
            for i in range(3):
                manager2.append_message(
                    {"role": "user", "content": [{"text": f"{name}{i}"}]}, agent2
                )
    manager2.flush()
    mixed = stored_events(server, memory_id, session="mixed", actor="user-1")
    assert [e["metadata"]["traceId"]["stringValue"] for e in mixed] == trace_ids


def test_event_takes_its_messages_trace_not_its_records(
    traced_manager: Any, spans: InMemorySpanExporter, server: LocalMemoryServer, memory_id: str
) -> None:
    tracer = PROVIDER.get_tracer("test")
    manager = traced_manager(batch_size=10)
    with tracer.start_as_current_span("build"):
        agent = make_agent(manager, [])  # its records are captured in this trace
    with tracer.start_as_current_span("request") as request:
        manager.append_message({"role": "user", "content": [{"text": "x"}]}, agent)
        manager.flush()
    (event,) = stored_events(server, memory_id, session="traced", actor="user-1")
    assert event["metadata"]["traceId"]["stringValue"] == trace.format_trace_id(
        request.get_span_context().trace_id
    )
