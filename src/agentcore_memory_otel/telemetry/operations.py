"""The one table of memory operations: GenAI operation name and span attributes per API call."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from opentelemetry.util.types import AttributeValue

from . import names

Attributes = dict[str, AttributeValue]
Extractor = Callable[[dict[str, Any]], Attributes]


class MemoryOperation(str, Enum):
    """The GenAI memory operation names (``gen_ai.operation.name``) this package reports."""

    CREATE_MEMORY = "create_memory"
    SEARCH_MEMORY = "search_memory"
    DELETE_MEMORY = "delete_memory"


def _none(_: dict[str, Any]) -> Attributes:
    return {}


def _scope(request: dict[str, Any]) -> Attributes:
    """The actor and session a call is about (the memory id is on every span)."""
    attributes: Attributes = {}
    if "sessionId" in request:
        attributes[names.GEN_AI_CONVERSATION_ID] = request["sessionId"]
    if "actorId" in request:
        attributes[names.ACTOR_ID] = request["actorId"]
    return attributes


def _one_event(request: dict[str, Any]) -> Attributes:
    return {**_scope(request), names.GEN_AI_MEMORY_RECORD_ID: request["eventId"]}


def _create_request(request: dict[str, Any]) -> Attributes:
    return {**_scope(request), names.PAYLOAD_ITEMS: len(request["payload"])}


def _created(response: dict[str, Any]) -> Attributes:
    event_id = response["event"]["eventId"]
    return {
        names.GEN_AI_MEMORY_RECORD_ID: event_id,
        names.GEN_AI_MEMORY_RECORD_COUNT: 1,
        names.EVENT_IDS: [event_id],
    }


def _events_page(response: dict[str, Any]) -> Attributes:
    return {
        names.GEN_AI_MEMORY_RECORD_COUNT: len(response.get("events", [])),
        names.NEXT_PAGE: bool(response.get("nextToken")),
    }


def _got_one(_: dict[str, Any]) -> Attributes:
    return {names.GEN_AI_MEMORY_RECORD_COUNT: 1}


def _next_page(response: dict[str, Any]) -> Attributes:
    return {names.NEXT_PAGE: bool(response.get("nextToken"))}


def _namespace(request: dict[str, Any]) -> Attributes:
    namespace = request.get("namespace") or request.get("namespacePath")
    return {names.NAMESPACE: namespace} if namespace else {}


def _records_to_create(request: dict[str, Any]) -> Attributes:
    return {**_namespace(request), names.GEN_AI_MEMORY_RECORD_COUNT: len(request["records"])}


def _records_created(response: dict[str, Any]) -> Attributes:
    stored = [r["memoryRecordId"] for r in response.get("successfulRecords", [])]
    attributes: Attributes = {names.GEN_AI_MEMORY_RECORD_COUNT: len(stored)}
    if len(stored) == 1:
        attributes[names.GEN_AI_MEMORY_RECORD_ID] = stored[0]
    return attributes


def _record_contents(request: dict[str, Any]) -> Attributes:
    contents = [{"content": record["content"]} for record in request["records"]]
    return {names.GEN_AI_MEMORY_RECORDS: json.dumps(contents)}


def _one_record(request: dict[str, Any]) -> Attributes:
    return {**_namespace(request), names.GEN_AI_MEMORY_RECORD_ID: request["memoryRecordId"]}


def _records_page(response: dict[str, Any]) -> Attributes:
    return {**_records(response), **_next_page(response)}


def _records(response: dict[str, Any]) -> Attributes:
    return {names.GEN_AI_MEMORY_RECORD_COUNT: len(response.get("memoryRecordSummaries", []))}


def _payload_content(request: dict[str, Any]) -> Attributes:
    return {names.GEN_AI_MEMORY_RECORDS: json.dumps([{"content": request["payload"]}])}


def _query_content(request: dict[str, Any]) -> Attributes:
    return {names.GEN_AI_MEMORY_QUERY_TEXT: request["searchCriteria"]["searchQuery"]}


def used_records(
    response: dict[str, Any], used: Callable[[dict[str, Any]], bool], content: bool
) -> Attributes:
    """The returned records the caller put to use (a retrieval: those injected), in rank order.

    Their ids and scores always; their texts as ``gen_ai.memory.records`` only with ``content``
    (content capture on).
    """
    summaries = [
        r for r in response.get("memoryRecordSummaries", []) if isinstance(r, dict) and used(r)
    ]
    scores = [
        float(score) if isinstance(score := r.get("score"), (int, float)) else 0.0
        for r in summaries
    ]
    attributes: Attributes = {
        names.RECORD_IDS: [str(r.get("memoryRecordId", "")) for r in summaries],
        names.RECORD_SCORES: scores,
    }
    if content:  # the conventions' MemoryRecord shape: id, content, score
        attributes[names.GEN_AI_MEMORY_RECORDS] = json.dumps(
            [
                {"id": r.get("memoryRecordId"), "content": r.get("content"), "score": score}
                for r, score in zip(summaries, scores, strict=True)
            ]
        )
    return attributes


@dataclass(frozen=True)
class OperationSpec:
    """How one API operation appears on its span.

    Attributes:
        name: The GenAI operation name, which is also the span name.
        request: Attributes read from the request, set when the span starts.
        response: Attributes read from a successful response.
        content: Message content read from the request; only used when content capture is on.
        one_record: The call concerns one record (event), so ``gen_ai.memory.record.id`` is
            set (BatchCreateMemoryRecords sets it when exactly one record was created).
    """

    name: MemoryOperation
    request: Extractor = _scope
    response: Extractor = _none
    content: Extractor = _none
    one_record: bool = False


OPERATIONS: dict[str, OperationSpec] = {
    "CreateEvent": OperationSpec(
        MemoryOperation.CREATE_MEMORY,
        request=_create_request,
        response=_created,
        content=_payload_content,
        one_record=True,
    ),
    "GetEvent": OperationSpec(
        MemoryOperation.SEARCH_MEMORY, request=_one_event, response=_got_one, one_record=True
    ),
    "ListEvents": OperationSpec(MemoryOperation.SEARCH_MEMORY, response=_events_page),
    "ListSessions": OperationSpec(MemoryOperation.SEARCH_MEMORY, response=_next_page),
    "ListActors": OperationSpec(MemoryOperation.SEARCH_MEMORY, response=_next_page),
    "RetrieveMemoryRecords": OperationSpec(
        MemoryOperation.SEARCH_MEMORY,
        request=_namespace,
        response=_records,
        content=_query_content,
    ),
    "GetMemoryRecord": OperationSpec(
        MemoryOperation.SEARCH_MEMORY, request=_one_record, response=_got_one, one_record=True
    ),
    "ListMemoryRecords": OperationSpec(
        MemoryOperation.SEARCH_MEMORY, request=_namespace, response=_records_page
    ),
    "DeleteMemoryRecord": OperationSpec(
        MemoryOperation.DELETE_MEMORY, request=_one_record, one_record=True
    ),
    "BatchCreateMemoryRecords": OperationSpec(
        MemoryOperation.CREATE_MEMORY,
        request=_records_to_create,
        response=_records_created,
        content=_record_contents,
    ),
    "DeleteEvent": OperationSpec(
        MemoryOperation.DELETE_MEMORY, request=_one_event, one_record=True
    ),
    "BatchDeleteMemoryRecords": OperationSpec(MemoryOperation.DELETE_MEMORY),
}
"""Every AgentCore Memory operation the package calls, by API operation name."""
