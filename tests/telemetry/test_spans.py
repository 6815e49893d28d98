"""One CLIENT span per AgentCore Memory call, nested under Strands' spans, joinable to events."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from botocore.config import Config
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from agentcore_memory_otel import FlushError
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ToolCall

from ..support import make_agent, stored_events
from .conftest import PROVIDER, memory_spans


def test_each_call_is_a_client_span_under_a_strands_span(
    traced_manager: Any, spans: InMemorySpanExporter, server: LocalMemoryServer, memory_id: str
) -> None:
    agent = make_agent(traced_manager(), [ToolCall("add", {"a": 1, "b": 2}), "3"])
    spans.clear()
    server.stats.reset()
    agent("add 1 and 2")
    finished = spans.get_finished_spans()
    by_id = {s.context.span_id: s for s in finished}
    creates = [s for s in memory_spans(spans) if s.attributes["rpc.method"] == "CreateEvent"]
    assert len(creates) == server.stats.count("CreateEvent") == 4
    events = stored_events(server, memory_id, session="traced", actor="user-1")
    assert [s.attributes["gen_ai.memory.record.id"] for s in creates] == [
        e["eventId"] for e in events
    ]
    for span in creates:
        assert span.kind is SpanKind.CLIENT
        parent = by_id[span.parent.span_id]
        assert parent.name.startswith(("invoke_agent", "execute_event_loop_cycle"))
        attrs = span.attributes
        assert span.name == "create_memory"
        assert attrs["gen_ai.operation.name"] == "create_memory"
        assert attrs["gen_ai.memory.store.id"] == memory_id
        assert attrs["gen_ai.conversation.id"] == "traced"
        assert attrs["gen_ai.provider.name"] == "aws.bedrock"
        assert attrs["rpc.system"] == "aws-api"
        assert attrs["rpc.service"] == "Bedrock AgentCore"
        assert attrs["cloud.region"] == "us-east-1"
        assert attrs["aws.request_id"]
        assert attrs["agentcore.memory.event.message_count"] == 1
        assert attrs["agentcore.memory.event.payload_bytes"] > 0
        assert attrs["agentcore.memory.retry_count"] == 0
        assert list(attrs["agentcore.memory.event.ids"]) == [attrs["gen_ai.memory.record.id"]]
    # The event's spanId names a span of the same trace, and the memory span is in it too.
    for span, event in zip(creates, events, strict=True):
        stamped = int(event["metadata"]["spanId"]["stringValue"], 16)
        assert by_id[stamped].context.trace_id == span.context.trace_id


def test_state_and_batch_attributes(traced_manager: Any, spans: InMemorySpanExporter) -> None:
    manager = traced_manager(batch_size=10)
    make_agent(manager, ["a"])("q")
    (create,) = [s for s in memory_spans(spans) if s.attributes["rpc.method"] == "CreateEvent"]
    assert create.attributes["agentcore.memory.event.message_count"] == 2
    assert create.attributes["agentcore.memory.event.agent_state_included"] is True
    assert create.attributes["agentcore.memory.event.session_record_included"] is True
    assert create.attributes["agentcore.memory.event.payload_items"] == 4
    assert create.attributes["gen_ai.memory.record.count"] == 1  # one event


def test_read_spans(traced_manager: Any, spans: InMemorySpanExporter) -> None:
    make_agent(traced_manager(), [])
    (listing,) = memory_spans(spans)
    assert listing.name == "search_memory"
    assert listing.attributes["rpc.method"] == "ListEvents"
    assert listing.attributes["gen_ai.memory.record.count"] == 0
    assert listing.attributes["agentcore.memory.has_next_page"] is False
    assert listing.attributes["agentcore.memory.actor.id"] == "user-1"


def test_failed_calls_record_error_type_and_retries(
    traced_manager: Any, spans: InMemorySpanExporter, server: LocalMemoryServer
) -> None:
    manager = traced_manager()
    agent = make_agent(manager, [])
    server.faults.fail_next("CreateEvent", 1, status=429)
    manager.append_message({"role": "user", "content": [{"text": "retried"}]}, agent)
    server.faults.fail_next("CreateEvent", 10, status=500)
    with pytest.raises(FlushError):
        manager.append_message({"role": "user", "content": [{"text": "fails"}]}, agent)
    server.faults.reset()
    creates = [s for s in memory_spans(spans) if s.attributes["rpc.method"] == "CreateEvent"]
    assert creates[0].attributes["agentcore.memory.retry_count"] == 1
    assert creates[0].status.status_code is not StatusCode.ERROR
    failed = creates[1]
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.attributes["error.type"] == "ServiceException"
    assert failed.attributes["agentcore.memory.retry_count"] == 2


def test_flush_from_close_links_the_producing_spans(
    traced_manager: Any, spans: InMemorySpanExporter
) -> None:
    manager = traced_manager(batch_size=50)
    agent = make_agent(manager, [])
    tracer = PROVIDER.get_tracer("test")
    with tracer.start_as_current_span("request") as producer:
        manager.append_message({"role": "user", "content": [{"text": "later"}]}, agent)
    manager.close()
    (create,) = [s for s in memory_spans(spans) if s.attributes["rpc.method"] == "CreateEvent"]
    assert create.parent is None  # written outside any span
    linked = [(link.context.trace_id, link.context.span_id) for link in create.links]
    assert linked == [(producer.get_span_context().trace_id, producer.get_span_context().span_id)]
    assert create.context.trace_id != producer.get_span_context().trace_id


def test_content_capture_is_opt_in(
    traced_manager: Any, spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_agent(traced_manager(), ["secret reply"])("secret question")
    text = json.dumps(
        [
            dict(s.attributes)
            for s in spans.get_finished_spans()
            if s.instrumentation_scope.name == "agentcore_memory_otel"
        ]
    )
    assert "secret" not in text
    assert all("gen_ai.memory.records" not in s.attributes for s in memory_spans(spans))
    spans.clear()
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    make_agent(traced_manager(session_id="captured"), ["open reply"])("open question")
    creates = [s for s in memory_spans(spans) if s.attributes["rpc.method"] == "CreateEvent"]
    assert "open question" in str(creates[0].attributes["gen_ai.memory.records"])


def test_spans_have_a_gen_ai_attribute_for_langfuse(
    traced_manager: Any, spans: InMemorySpanExporter
) -> None:
    make_agent(traced_manager(), ["x"])("y")
    assert memory_spans(spans)
    for span in memory_spans(spans):
        assert any(key.startswith("gen_ai.") for key in span.attributes)


def test_library_installs_no_global_provider(server: LocalMemoryServer, memory_id: str) -> None:
    # A fresh interpreter: run an agent with no providers given, then look at the globals.
    script = textwrap.dedent(f"""
        from opentelemetry import metrics, trace
        from strands import Agent
        from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
        from agentcore_memory_otel.testing import ScriptedModel
        config = AgentCoreMemoryConfig(memory_id={memory_id!r}, session_id="g", actor_id="a")
        with AgentCoreMemorySessionManager(config, endpoint_url={server.endpoint_url!r}) as m:
            Agent(model=ScriptedModel(["hi"]), session_manager=m, callback_handler=None)("hi")
        print(type(trace.get_tracer_provider()).__name__,
              type(metrics.get_meter_provider()).__name__)
    """)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["ProxyTracerProvider", "_ProxyMeterProvider"]


def test_none_and_the_explicit_global_provider_share_counts(
    server: LocalMemoryServer, memory_id: str
) -> None:
    script = textwrap.dedent(f"""
        from opentelemetry import metrics
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from strands import Agent
        from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
        from agentcore_memory_otel.testing import ScriptedModel
        reader = InMemoryMetricReader()
        provider = MeterProvider(metric_readers=[reader])
        metrics.set_meter_provider(provider)
        for session, given in (("one", None), ("two", provider)):
            config = AgentCoreMemoryConfig(memory_id={memory_id!r}, session_id=session,
                                           actor_id="a")
            with AgentCoreMemorySessionManager(config, endpoint_url={server.endpoint_url!r},
                                               meter_provider=given) as m:
                Agent(model=ScriptedModel(["hi"]), session_manager=m, callback_handler=None)("x")
        data = reader.get_metrics_data()
        total = sum(p.value for r in data.resource_metrics for s in r.scope_metrics
                    for m in s.metrics if m.name == "agentcore_memory.api.calls"
                    for p in m.data.data_points
                    if p.attributes["agentcore.memory.operation"] == "CreateEvent")
        print(int(total))
    """)
    server.stats.reset()
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert int(out) == server.stats.count("CreateEvent") == 4


def test_retries_are_counted_for_connection_errors(spans: InMemorySpanExporter) -> None:
    import socket

    from agentcore_memory_otel.client.boto import make_client
    from agentcore_memory_otel.telemetry import InstrumentedMemoryApi

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"  # nothing listens there
    client = make_client(
        endpoint_url=dead,
        boto_client_config=Config(
            retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=1
        ),
    )
    api = InstrumentedMemoryApi(client, tracer_provider=PROVIDER)
    with pytest.raises(Exception, match="Could not connect"):
        api.list_events({"memoryId": "m-abcdefghij", "actorId": "a", "sessionId": "s"})
    (span,) = memory_spans(spans)
    assert span.attributes["agentcore.memory.retry_count"] == 2
    assert span.attributes["error.type"] == "EndpointConnectionError"
