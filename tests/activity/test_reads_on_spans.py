"""What a turn read: the injected records on the retrieval span and in the stored metadata."""

from __future__ import annotations

import json
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentcore_memory_otel import RetrievalConfig
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.retrieval import Read, reads_value
from agentcore_memory_otel.telemetry import names
from agentcore_memory_otel.wire.lineage import READS_KEY, parse_reads

from ..support import make_agent, seed_records
from ..telemetry.conftest import memory_spans


def _records(server: LocalMemoryServer, memory_id: str, namespace: str) -> dict[str, str]:
    page = server.client().list_memory_records(memoryId=memory_id, namespace=namespace)
    return {r["content"]["text"]: r["memoryRecordId"] for r in page["memoryRecordSummaries"]}


def _retrieval_span(spans: InMemorySpanExporter) -> Any:
    (span,) = [
        s
        for s in memory_spans(spans)
        if (s.attributes or {}).get(names.RPC_METHOD) == "RetrieveMemoryRecords"
    ]
    return span


def test_injected_records_are_named_on_the_span_and_in_the_next_event(
    server: LocalMemoryServer,
    memory_id: str,
    traced_manager: Any,
    spans: InMemorySpanExporter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(names.CAPTURE_CONTENT_ENV, raising=False)
    seed_records(server, memory_id, "/facts/user-1", "green tea is liked", "bicycles are owned")
    ids = _records(server, memory_id, "/facts/user-1")
    manager = traced_manager(
        retrieval_config={"/facts/{actorId}": RetrievalConfig(relevance_score=0.3)}
    )
    make_agent(manager, ["ok"])("green tea?")
    span = _retrieval_span(spans)
    # Both are returned; only the one scoring over relevance_score is injected and named.
    assert span.attributes[names.GEN_AI_MEMORY_RECORD_COUNT] == 2
    assert list(span.attributes[names.RECORD_IDS]) == [ids["green tea is liked"]]
    (score,) = span.attributes[names.RECORD_SCORES]
    assert score >= 0.3
    assert span.attributes[names.NAMESPACE] == "/facts/user-1"
    assert names.GEN_AI_MEMORY_RECORDS not in span.attributes  # no content without the opt-in
    # The assistant reply's event names the injected record and its score.
    events = server.client().list_events(
        memoryId=memory_id, actorId="user-1", sessionId="traced", maxResults=100
    )["events"]
    reads = [
        e["metadata"][READS_KEY]["stringValue"]
        for e in events
        if READS_KEY in (e.get("metadata") or {})
    ]
    assert len(reads) == 1
    ((read_id, read_score),) = parse_reads(reads[0])
    assert read_id == ids["green tea is liked"]
    assert read_score == pytest.approx(score, abs=1e-3)


def test_injected_content_goes_on_the_span_only_with_content_capture(
    server: LocalMemoryServer,
    memory_id: str,
    traced_manager: Any,
    spans: InMemorySpanExporter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(names.CAPTURE_CONTENT_ENV, "true")
    seed_records(server, memory_id, "/facts/user-1", "green tea is liked")
    (record_id,) = _records(server, memory_id, "/facts/user-1").values()
    manager = traced_manager(
        retrieval_config={"/facts/{actorId}": RetrievalConfig(relevance_score=0.0)}
    )
    make_agent(manager, ["ok"])("green tea?")
    span = _retrieval_span(spans)
    captured = json.loads(str(span.attributes[names.GEN_AI_MEMORY_RECORDS]))
    (score,) = span.attributes[names.RECORD_SCORES]
    assert captured == [
        {"id": record_id, "content": {"text": "green tea is liked"}, "score": score}
    ]


def test_reads_value_fits_the_metadata_limit_and_skips_foreign_ids() -> None:
    reads = [Read(f"mem-{i:036d}", "/ns", 1.0 - i / 10) for i in range(8)]
    value = reads_value([Read("not-a-record id!", "/ns", 2.0), *reads])
    assert value is not None and len(value) <= 256
    parsed = parse_reads(value)
    assert [r for r, _ in parsed] == [r.record_id for r in reads[: len(parsed)]]
    assert len(parsed) == 5  # 5 of the service's 40-character ids fit in 256 characters
    assert reads_value([]) is None
    # Hostile stored values parse to what is valid in them, never raise.
    assert parse_reads("mem-x mem-" + "a" * 36 + "=zz \udcff=1 =3") == [("mem-" + "a" * 36, None)]


def test_reads_of_a_failed_turn_are_named_on_no_later_turn(
    server: LocalMemoryServer, memory_id: str, traced_manager: Any, spans: InMemorySpanExporter
) -> None:
    seed_records(server, memory_id, "/facts/user-1", "green tea is liked")
    manager = traced_manager(
        retrieval_config={"/facts/{actorId}": RetrievalConfig(relevance_score=0.0)}
    )
    calls = []

    def model(messages: Any) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("model down")
        return "ok"

    agent = make_agent(manager, model)
    with pytest.raises(RuntimeError, match="model down"):
        agent("green tea?")
    agent("green tea again?")
    second = manager.last_trace_id
    events = server.client().list_events(
        memoryId=memory_id, actorId="user-1", sessionId="traced", maxResults=100
    )["events"]
    naming = [e for e in events if READS_KEY in (e.get("metadata") or {})]
    # Only the second turn's reply names a read; the second user message does not inherit the
    # failed turn's.
    assert [e["metadata"]["traceId"]["stringValue"] for e in naming] == [second]
