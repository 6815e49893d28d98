"""The memory store's calls are traced, measured and stamped like the session manager's."""

from __future__ import annotations

import asyncio
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from strands.memory import MemoryManager

from agentcore_memory_otel import AgentCoreMemoryStore, find_events
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import ACTOR, RETRIES, STORE_SESSION, make_store_agent, metric_total, store_events
from .conftest import PROVIDER, memory_spans


def _store(server: LocalMemoryServer, memory_id: str, reader: InMemoryMetricReader) -> Any:
    return AgentCoreMemoryStore(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=STORE_SESSION,
        namespace="/facts/{actorId}",
        writable=True,
        extraction=True,
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
        tracer_provider=PROVIDER,
        meter_provider=MeterProvider(metric_readers=[reader]),
    )


def test_store_calls_are_client_spans_with_genai_memory_attributes(
    server: LocalMemoryServer,
    memory_id: str,
    spans: InMemorySpanExporter,
    reader: InMemoryMetricReader,
) -> None:
    store = _store(server, memory_id, reader)
    record_id = asyncio.run(store.add("The user likes sushi with tuna"))
    agent = make_store_agent(MemoryManager(stores=[store]), ["Tuna it is."])
    spans.clear()
    agent("What sushi do I like?")
    by_id = {s.context.span_id: s for s in spans.get_finished_spans()}
    ours = memory_spans(spans)
    by_method: dict[str, list[Any]] = {}
    for span in ours:
        by_method.setdefault(span.attributes["rpc.method"], []).append(span)
    assert set(by_method) == {"RetrieveMemoryRecords", "CreateEvent"}
    (search,) = by_method["RetrieveMemoryRecords"]
    assert search.kind is SpanKind.CLIENT
    assert search.name == "search_memory"
    assert search.attributes["gen_ai.operation.name"] == "search_memory"
    assert search.attributes["gen_ai.memory.store.id"] == memory_id
    assert search.attributes["gen_ai.memory.record.count"] == 1
    assert search.attributes["agentcore.memory.namespace"] == f"/facts/{ACTOR}"
    assert "gen_ai.memory.query.text" not in search.attributes  # content is opt-in
    (create,) = by_method["CreateEvent"]
    assert create.name == "create_memory"
    assert create.attributes["gen_ai.conversation.id"] == STORE_SESSION
    assert create.attributes["agentcore.memory.actor.id"] == ACTOR
    assert create.attributes["agentcore.memory.event.message_count"] == 2
    # The event is stamped with the span that saved it (Strands' memory extraction span),
    # which is the parent of the CreateEvent span.
    (event,) = store_events(server, memory_id)
    stamped = int(event["metadata"]["spanId"]["stringValue"], 16)
    assert create.parent.span_id == stamped
    assert (
        format(by_id[stamped].context.trace_id, "032x")
        == (event["metadata"]["traceId"]["stringValue"])
    )
    assert create.attributes["gen_ai.memory.record.id"] == event["eventId"]
    # find_events goes from the saving trace to the event.
    found = find_events(
        event["metadata"]["traceId"]["stringValue"],
        memory_id=memory_id,
        actor_id=ACTOR,
        client=server.client(),
    )
    assert [e.event_id for e in found] == [event["eventId"]]

    assert by_id[stamped].name == "memory.extract"
    calls = {
        op: metric_total(reader, "agentcore_memory.api.calls", **{"agentcore.memory.operation": op})
        for op in ("BatchCreateMemoryRecords", "RetrieveMemoryRecords", "CreateEvent")
    }
    assert calls == {"BatchCreateMemoryRecords": 1, "RetrieveMemoryRecords": 1, "CreateEvent": 1}
    assert record_id.startswith("mem-")


def test_add_span_names_the_new_record(
    server: LocalMemoryServer,
    memory_id: str,
    spans: InMemorySpanExporter,
    reader: InMemoryMetricReader,
) -> None:
    store = _store(server, memory_id, reader)
    spans.clear()
    record_id = asyncio.run(store.add("The user prefers window seats"))
    (span,) = memory_spans(spans)
    assert span.name == "create_memory"
    assert span.attributes["rpc.method"] == "BatchCreateMemoryRecords"
    assert span.attributes["gen_ai.memory.record.id"] == record_id
    assert span.attributes["gen_ai.memory.record.count"] == 1


def test_record_content_goes_on_spans_only_when_opted_in(
    server: LocalMemoryServer,
    memory_id: str,
    spans: InMemorySpanExporter,
    reader: InMemoryMetricReader,
    monkeypatch: Any,
) -> None:
    store = _store(server, memory_id, reader)
    spans.clear()
    asyncio.run(store.add("The user prefers window seats"))
    assert "gen_ai.memory.records" not in memory_spans(spans)[0].attributes
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    spans.clear()
    asyncio.run(store.add("The user is vegetarian"))
    (span,) = memory_spans(spans)
    # The convention's shape: a list of records, each with its content.
    records = span.attributes["gen_ai.memory.records"]
    assert records == '[{"content": {"text": "The user is vegetarian"}}]'


def test_add_messages_stamps_the_callers_span(
    server: LocalMemoryServer,
    memory_id: str,
    spans: InMemorySpanExporter,
    reader: InMemoryMetricReader,
) -> None:
    store = _store(server, memory_id, reader)
    with PROVIDER.get_tracer("test").start_as_current_span("save turn") as mine:
        asyncio.run(store.add_messages([{"role": "user", "content": [{"text": "hi"}]}]))
    (event,) = store_events(server, memory_id)
    assert event["metadata"]["spanId"]["stringValue"] == format(mine.context.span_id, "016x")
    assert event["metadata"]["traceId"]["stringValue"] == format(mine.context.trace_id, "032x")
    (create,) = memory_spans(spans)
    assert create.parent.span_id == mine.context.span_id
