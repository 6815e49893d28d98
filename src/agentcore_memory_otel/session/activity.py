"""What a trace did to memory, and where a long-term record came from.

* ``record_sources``: from a record to the events and traces it came from (its ``lineage``
  metadata, then one GetEvent per named source event).
* ``trace_records``: from a trace to the records it taught (ListMemoryRecords filtered on
  ``sourceTraceIds`` CONTAINS the trace id; when the memory's ``indexedKeys`` do not allow
  that filter, every record is listed and filtered here).
* ``trace_activity``: one call for the whole story of a trace: the events it wrote (via
  ``find_events``) with their messages, the messages it superseded (a redaction or an
  update stores a rewrite; the original's events are deleted), the records its turns read
  and injected (``memoryReads`` in the events' metadata), and the records it taught.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import TracerProvider

from ..client.boto import client_or_new
from ..client.paging import pages
from ..telemetry import InstrumentedMemoryApi
from ..telemetry.find import TraceEvents, find_events
from ..wire import limits
from ..wire.codec import StoredMessage, decode_event
from ..wire.lineage import (
    SOURCE_TRACE_IDS,
    RecordLineage,
    Superseded,
    branch_of,
    parse_lineage,
    reads_in,
    superseded_in,
)
from ..wire.trace_stamp import DEFAULT_SPAN_ID_KEY, DEFAULT_TRACE_ID_KEY, normalize_trace_id


@dataclass(frozen=True)
class SourceEvent:
    """A source event of a record, as GetEvent returned it (``None`` members: it is gone)."""

    event_id: str
    trace_id: str | None
    messages: list[Any] = field(default_factory=list)
    found: bool = True

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "eventId": self.event_id,
            "traceId": self.trace_id,
            "found": self.found,
            "messages": self.messages,
        }


@dataclass(frozen=True)
class RecordSources:
    """A record's lineage and its source events as they are stored now."""

    lineage: RecordLineage
    events: list[SourceEvent]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {**self.lineage.to_dict(), "events": [e.to_dict() for e in self.events]}


@dataclass(frozen=True)
class RecordRead:
    """A record a turn of the trace injected into the prompt."""

    record_id: str
    score: float | None
    event_id: str
    namespace: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "memoryRecordId": self.record_id,
            "score": self.score,
            "namespace": self.namespace,
            "eventId": self.event_id,
        }


@dataclass(frozen=True)
class TraceActivity:
    """Everything a trace did to memory (see the module docstring)."""

    trace_id: str
    events: TraceEvents
    superseded: list[Superseded]
    reads: list[RecordRead]
    records: list[RecordLineage]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "traceId": self.trace_id,
            "events": [
                {**event.to_dict(), "branch": branch_of(event.raw)} for event in self.events
            ],
            "superseded": [s.to_dict() for s in self.superseded],
            "reads": [read.to_dict() for read in self.reads],
            "records": [record.to_dict() for record in self.records],
        }


@contextmanager
def _traced(
    client: Any, tracer_provider: TracerProvider | None, meter_provider: MeterProvider | None
) -> Iterator[InstrumentedMemoryApi]:
    """The traced API for one library call, closed at its end."""
    api = InstrumentedMemoryApi(
        client, tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    try:
        yield api
    finally:
        api.close()


def record_sources(
    record_id: str,
    *,
    memory_id: str,
    client: Any = None,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    span_id_key: str = DEFAULT_SPAN_ID_KEY,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
) -> RecordSources:
    """A record's lineage and its source events (GetMemoryRecord, then GetEvent per event).

    A record without lineage (extracted by the real service) gives empty ``trace_ids`` and
    ``events``. A source event that was deleted since shows with ``found=False``.

    Raises:
        ValueError: ``record_id`` is not a memory record id.
        botocore.exceptions.ClientError: The record does not exist (ResourceNotFoundException).
    """
    limits.MEMORY_RECORD_ID.check(record_id, "record_id")
    client = client_or_new(client, endpoint_url, region_name)
    with _traced(client, tracer_provider, meter_provider) as api:
        record = api.call("GetMemoryRecord", {"memoryId": memory_id, "memoryRecordId": record_id})[
            "memoryRecord"
        ]
        lineage = parse_lineage(record)
        events: list[SourceEvent] = []
        if lineage.actor_id and lineage.session_id:
            for event_id in lineage.event_ids:
                events.append(_source_event(api, memory_id, lineage, event_id, span_id_key))
    return RecordSources(lineage, events)


def _source_event(
    api: InstrumentedMemoryApi,
    memory_id: str,
    lineage: RecordLineage,
    event_id: str,
    span_id_key: str,
) -> SourceEvent:
    try:
        event = api.call(
            "GetEvent",
            {
                "memoryId": memory_id,
                "actorId": lineage.actor_id,
                "sessionId": lineage.session_id,
                "eventId": event_id,
            },
        )["event"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return SourceEvent(event_id, None, found=False)
        raise
    metadata = event.get("metadata") or {}
    stamped = metadata.get(DEFAULT_TRACE_ID_KEY, {}).get("stringValue")
    messages = [
        stored.session_message.to_message()
        for stored in decode_event(event)
        if isinstance(stored, StoredMessage)
    ]
    return SourceEvent(event_id, stamped, messages)


def trace_records(
    trace_id: str,
    *,
    memory_id: str,
    namespace_path: str = "/",
    client: Any = None,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
) -> list[RecordLineage]:
    """The records whose lineage names ``trace_id``, newest first.

    Args:
        trace_id: In any form ``normalize_trace_id`` accepts.
        memory_id: The memory resource.
        namespace_path: Where to look (the namespace and everything below it; all by default).
        client: A boto3 ``bedrock-agentcore`` client; built from the next two if absent.
        endpoint_url: Endpoint for the client built here (e.g. the local server).
        region_name: Region for the client built here.
        tracer_provider: Where the calls' spans go; the global provider when ``None``.
        meter_provider: Where their metrics go; the global provider when ``None``.

    Raises:
        ValueError: ``trace_id`` is not a trace id, or ``namespace_path`` not a namespace.
    """
    trace_id = normalize_trace_id(trace_id)
    limits.NAMESPACE.check(namespace_path, "namespace_path")
    client = client_or_new(client, endpoint_url, region_name)
    with _traced(client, tracer_provider, meter_provider) as api:
        return _trace_records(api, memory_id, trace_id, namespace_path)


def _trace_records(
    api: InstrumentedMemoryApi, memory_id: str, trace_id: str, namespace_path: str
) -> list[RecordLineage]:
    request: dict[str, Any] = {"memoryId": memory_id, "namespacePath": namespace_path}
    contains = [
        {
            "left": {"metadataKey": SOURCE_TRACE_IDS},
            "operator": "CONTAINS",
            "right": {"metadataValue": {"stringValue": trace_id}},
        }
    ]
    try:
        summaries = list(_records(api, {**request, "metadataFilters": contains}))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ValidationException":
            raise
        summaries = list(_records(api, request))  # the key is not indexed: filter here
    found = [parse_lineage(summary) for summary in summaries]
    return [lineage for lineage in found if trace_id in lineage.trace_ids]


def _records(api: InstrumentedMemoryApi, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for page in pages(functools.partial(api.call, "ListMemoryRecords"), request):
        yield from page.get("memoryRecordSummaries", [])


def trace_activity(
    trace_id: str,
    *,
    memory_id: str,
    actor_id: str | None = None,
    session_id: str | None = None,
    client: Any = None,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    trace_id_key: str = DEFAULT_TRACE_ID_KEY,
    span_id_key: str = DEFAULT_SPAN_ID_KEY,
    namespace_path: str = "/",
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
) -> TraceActivity:
    """What ``trace_id`` did to memory: writes, rewrites, reads, and the records it taught.

    The events are found as ``find_events`` finds them (give ``actor_id`` and ``session_id``
    when you know them: one ListEvents call instead of a walk). Each record read is looked up
    once (GetMemoryRecord) for its namespace; a record deleted since has ``namespace=None``.

    Raises:
        ValueError: ``trace_id`` is not a trace id.
    """
    trace_id = normalize_trace_id(trace_id)
    limits.NAMESPACE.check(namespace_path, "namespace_path")
    client = client_or_new(client, endpoint_url, region_name)
    with _traced(client, tracer_provider, meter_provider) as api:
        events = find_events(
            trace_id,
            memory_id=memory_id,
            actor_id=actor_id,
            session_id=session_id,
            client=client,
            trace_id_key=trace_id_key,
            span_id_key=span_id_key,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
        )
        superseded = [rewrite for event in events for rewrite in superseded_in(event.raw)]
        reads = [
            RecordRead(record_id, score, event.event_id, _namespace_of(api, memory_id, record_id))
            for event in events
            for record_id, score in reads_in(event.raw)
        ]
        records = _trace_records(api, memory_id, trace_id, namespace_path)
    return TraceActivity(trace_id, events, superseded, reads, records)


def _namespace_of(api: InstrumentedMemoryApi, memory_id: str, record_id: str) -> str | None:
    try:
        record = api.call("GetMemoryRecord", {"memoryId": memory_id, "memoryRecordId": record_id})
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise
    return parse_lineage(record.get("memoryRecord", {})).namespace
