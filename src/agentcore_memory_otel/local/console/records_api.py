"""The console's trace and long-term record endpoints: a trace's events and what it did, records.

Each reads straight from the backend, as ``api`` does; ``api.api_routes`` serves them.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import QueryParams

from ...wire import limits
from ...wire.lineage import SOURCE_TRACE_IDS, parse_lineage, reads_in, superseded_in
from ..backend import Backend
from ..errors import ApiError
from ..records import Scope
from .query import Answer, BadRequest, memory_id_of, page_size, required, trace_id_of
from .render import event_view, timestamp


def trace(backend: Backend, query: QueryParams) -> Answer:
    """``GET /trace?memoryId=&traceId=[&actorId=][&sessionId=]``: a trace's events, oldest first.

    The first page (no ``nextToken``) also carries ``count``: the events of all the pages.
    """
    memory_id = memory_id_of(backend, query)
    trace_id = trace_id_of(query)
    actor_id, session_id = query.get("actorId") or None, query.get("sessionId") or None
    next_token = query.get("nextToken")
    found, token = backend.traces.trace_events(
        memory_id,
        trace_id,
        actor_id=actor_id,
        session_id=session_id,
        max_results=page_size(query),
        next_token=next_token,
    )
    answer: Answer = {"traceId": trace_id}
    if next_token is None:  # the first page says how many events all the pages hold
        answer["count"] = backend.traces.trace_event_count(
            memory_id, trace_id, actor_id=actor_id, session_id=session_id
        )
    answer.update(events=[event_view(e) for e in found], nextToken=token)
    return answer


ACTIVITY_MAX_EVENTS = 1000
"""The most events of one trace ``/activity`` reads (a trace is one agent call or a few)."""


def activity(backend: Backend, query: QueryParams) -> Answer:
    """``GET /activity?memoryId=&traceId=[&actorId=][&sessionId=]``: what the trace did.

    The messages its events superseded, the records its turns injected (with their namespace,
    ``null`` once deleted), and the records learned from its events (their lineage names it).
    """
    memory_id = memory_id_of(backend, query)
    trace_id = trace_id_of(query)
    actor_id, session_id = query.get("actorId") or None, query.get("sessionId") or None
    found: list[dict[str, Any]] = []
    token: str | None = None
    while len(found) < ACTIVITY_MAX_EVENTS:
        page, token = backend.traces.trace_events(
            memory_id,
            trace_id,
            actor_id=actor_id,
            session_id=session_id,
            max_results=limits.MAX_RESULTS_MAX,
            next_token=token,
        )
        found += page
        if not token:
            break
    reads = [
        {
            "memoryRecordId": record_id,
            "score": score,
            "namespace": _namespace_of(backend, memory_id, record_id),
            "eventId": event["eventId"],
        }
        for event in found
        for record_id, score in reads_in(event)
    ]
    return {
        "traceId": trace_id,
        "truncated": bool(token),
        "superseded": [s.to_dict() for event in found for s in superseded_in(event)],
        "reads": reads,
        "records": [record_view(r) for r in _taught(backend, memory_id, trace_id)],
    }


def _namespace_of(backend: Backend, memory_id: str, record_id: str) -> str | None:
    try:
        return parse_lineage(backend.records.get(memory_id, record_id)).namespace
    except ApiError:
        return None


def _taught(backend: Backend, memory_id: str, trace_id: str) -> list[dict[str, Any]]:
    """Records whose lineage names ``trace_id``, newest first (every page)."""
    contains = (SOURCE_TRACE_IDS, "CONTAINS", {"stringValue": trace_id})
    scope = Scope(namespace_path="/", metadata_filters=(contains,))
    records: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page, token = backend.records.list_records(
            memory_id, scope, max_results=limits.MAX_RESULTS_MAX, next_token=token
        )
        records += [r for r in page if trace_id in parse_lineage(r).trace_ids]
        if not token:
            return records


def record(backend: Backend, query: QueryParams) -> Answer:
    """``GET /record?memoryId=&recordId=``: one record, its lineage and its source events."""
    memory_id = memory_id_of(backend, query)
    record_id = required(query, "recordId")
    try:
        limits.MEMORY_RECORD_ID.check(record_id, "recordId")
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    stored = backend.records.get(memory_id, record_id)
    lineage = parse_lineage(stored)
    sources: list[Answer] = []
    if lineage.actor_id and lineage.session_id:
        for event_id in lineage.event_ids:
            try:
                event = backend.events.get(
                    memory_id, lineage.actor_id, lineage.session_id, event_id
                )
            except ApiError:
                sources.append({"eventId": event_id, "found": False})
            else:
                sources.append({**event_view(event), "found": True})
    return {"record": record_view(stored), "sourceEvents": sources}


def namespaces(backend: Backend, query: QueryParams) -> Answer:
    """``GET /namespaces?memoryId=``: namespaces holding long-term records, with counts."""
    memory_id = memory_id_of(backend, query)
    page, token = backend.records.list_namespaces(
        memory_id, max_results=page_size(query), next_token=query.get("nextToken")
    )
    return {"namespaces": page, "nextToken": token}


def records(backend: Backend, query: QueryParams) -> Answer:
    """``GET /records?memoryId=&namespace=``: a namespace's long-term records, newest first."""
    memory_id = memory_id_of(backend, query)
    page, token = backend.records.list_records(
        memory_id,
        Scope(namespace=required(query, "namespace")),
        max_results=page_size(query),
        next_token=query.get("nextToken"),
    )
    return {"records": [record_view(r) for r in page], "nextToken": token}


def record_view(stored: dict[str, Any]) -> Answer:
    """A record as the console shows it, with its lineage (``lineage.RecordLineage``)."""
    return {
        "memoryRecordId": stored["memoryRecordId"],
        "text": stored["content"]["text"],
        "strategyId": stored["memoryStrategyId"],
        "namespaces": stored["namespaces"],
        "created": timestamp(stored["createdAt"]),
        "metadata": stored.get("metadata", {}),
        "lineage": parse_lineage(stored).to_dict(),
    }
