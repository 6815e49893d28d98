"""Record lineage: what is stored, within the API's limits, and read back from hostile data."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentcore_memory_otel import AgentCoreMemoryStore
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.activity import record_sources, trace_records
from agentcore_memory_otel.wire.lineage import (
    SOURCE_EVENT_IDS,
    SOURCE_EVENTS,
    SOURCE_SPAN_ID,
    SOURCE_TRACE_IDS,
    Source,
    decode_event_id,
    encode_event_id,
    lineage_metadata,
    parse_lineage,
)

from ..support import ACTOR, RETRIES, STORE_SESSION
from ..telemetry.conftest import PROVIDER

TRACES = [f"{i:032x}" for i in range(1, 9)]
EVENTS = [f"{1_700_000_000_000 + i:019d}#{i:08x}" for i in range(8)]


def test_lists_keep_the_newest_five_and_count_them_all() -> None:
    metadata = lineage_metadata(
        [Source(e, t) for e, t in zip(EVENTS, TRACES, strict=True)],
        actor_id="a" * 300,
        session_id="s1",
    )
    assert metadata[SOURCE_EVENT_IDS]["stringListValue"] == [
        encode_event_id(e) for e in reversed(EVENTS[-5:])
    ]
    assert metadata[SOURCE_TRACE_IDS]["stringListValue"] == list(reversed(TRACES[-5:]))
    assert metadata[SOURCE_EVENTS] == {"numberValue": 8}
    assert "sourceActorId" not in metadata  # 300 characters: over the 256 a value holds
    assert all("#" not in item for item in metadata[SOURCE_EVENT_IDS]["stringListValue"])
    assert [decode_event_id(encode_event_id(e)) for e in EVENTS] == EVENTS
    lineage = parse_lineage({"memoryRecordId": "mem-x", "metadata": metadata})
    assert lineage.event_ids == tuple(reversed(EVENTS[-5:])) and lineage.event_count == 8


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        "not a map",
        {SOURCE_TRACE_IDS: "abc", SOURCE_EVENT_IDS: {"stringListValue": "x"}},
        {SOURCE_TRACE_IDS: {"stringListValue": [1, None, {}]}, SOURCE_EVENTS: {"numberValue": "9"}},
        {SOURCE_EVENTS: {"numberValue": float("nan")}, "sourceActorId": {"stringValue": 5}},
        {SOURCE_EVENTS: {"numberValue": 1e300}, "sourceSessionId": []},
        {SOURCE_EVENTS: {"numberValue": True}, SOURCE_SPAN_ID: {"stringValue": ""}},
        {SOURCE_TRACE_IDS: {"stringListValue": ["\udcff", "é", "ab" * 20, "A" * 32]}},
        {
            SOURCE_EVENT_IDS: {"stringListValue": ["12.zz", "../x", "1#2#3", ".", "12"]},
            "sourceActorId": {"stringValue": "bad actor!"},
            "sourceSessionId": {"stringValue": "s" * 101},
        },
    ],
)
def test_hostile_stored_metadata_reads_as_no_lineage(metadata: Any) -> None:
    lineage = parse_lineage({"memoryRecordId": "mem-x", "metadata": metadata, "content": 3})
    assert lineage.event_ids == () and lineage.event_count == 0
    assert lineage.actor_id is None and lineage.session_id is None and lineage.span_id is None
    assert lineage.trace_ids == ()


def _store(server: LocalMemoryServer, memory_id: str) -> AgentCoreMemoryStore:
    return AgentCoreMemoryStore(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=STORE_SESSION,
        namespace="/facts/{actorId}",
        writable=True,
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
    )


def test_a_record_added_in_a_trace_names_the_trace_and_span(
    server: LocalMemoryServer, memory_id: str, spans: InMemorySpanExporter
) -> None:
    store = _store(server, memory_id)
    with PROVIDER.get_tracer("test").start_as_current_span("turn") as span:
        record_id = asyncio.run(store.add("The user likes green tea", {"source": "chat"}))
        context = span.get_span_context()
    trace_id = trace.format_trace_id(context.trace_id)
    client = server.client()
    sources = record_sources(record_id, memory_id=memory_id, client=client)
    assert sources.lineage.trace_ids == (trace_id,)
    assert sources.lineage.span_id == trace.format_span_id(context.span_id)
    assert sources.events == []  # created directly: no source event
    assert [r.record_id for r in trace_records(trace_id, memory_id=memory_id, client=client)] == [
        record_id
    ]
    stored = client.get_memory_record(memoryId=memory_id, memoryRecordId=record_id)
    assert stored["memoryRecord"]["metadata"]["source"] == {"stringValue": "chat"}


def test_the_callers_keys_win_and_a_full_map_gets_no_lineage(
    server: LocalMemoryServer, memory_id: str, spans: InMemorySpanExporter
) -> None:
    store = _store(server, memory_id)
    full = {f"k{i}": "v" for i in range(20)}
    with PROVIDER.get_tracer("test").start_as_current_span("turn"):
        crowded = asyncio.run(store.add("twenty keys", full))
        own = asyncio.run(store.add("own trace key", {SOURCE_TRACE_IDS: ["mine"]}))
    client = server.client()
    stored = client.get_memory_record(memoryId=memory_id, memoryRecordId=crowded)
    assert set(stored["memoryRecord"]["metadata"]) == set(full)
    stored = client.get_memory_record(memoryId=memory_id, memoryRecordId=own)
    assert stored["memoryRecord"]["metadata"][SOURCE_TRACE_IDS] == {"stringListValue": ["mine"]}


SUMMARY = [
    {
        "summaryMemoryStrategy": {
            "name": "summaries",
            "namespaceTemplates": ["/summaries/{actorId}/{sessionId}"],
        }
    }
]


def test_a_session_summary_names_the_newest_five_events_and_skips_bad_stamps(
    server: LocalMemoryServer, control: Any
) -> None:
    memory_id = control.create_memory(
        name="summary_lineage", eventExpiryDuration=30, memoryStrategies=SUMMARY
    )["memory"]["id"]
    client = server.client()
    stamps = [*TRACES[:5], "not-hex", None]
    made = []
    for i, stamp in enumerate(stamps):
        metadata = {"traceId": {"stringValue": stamp}} if stamp else {}
        made.append(
            client.create_event(
                memoryId=memory_id,
                actorId="ada",
                sessionId="s1",
                eventTimestamp=time.time() + i,
                payload=[{"conversational": {"content": {"text": f"fact {i}"}, "role": "USER"}}],
                metadata=metadata,
            )["event"]["eventId"]
        )
        assert server.backend.extraction.wait_idle(10)
    (summary,) = client.list_memory_records(memoryId=memory_id, namespace="/summaries/ada/s1")[
        "memoryRecordSummaries"
    ]
    lineage = parse_lineage(summary)
    assert lineage.event_ids == tuple(reversed(made[-5:]))
    assert lineage.event_count == len(made)
    # The two newest events have no valid stamp; the traces named are the newest valid ones.
    assert lineage.trace_ids == tuple(reversed(TRACES[:5]))
    assert (lineage.actor_id, lineage.session_id) == ("ada", "s1")
