"""Operation handlers: validate a decoded request, call the backend, shape the response.

Each handler takes the path labels, the query parameters and the JSON body of one request and
returns ``(HTTP status, response body)``. They know the wire shapes but nothing of HTTP itself,
so they can be called directly in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..aws import limits
from .backend import Backend
from .errors import ValidationError
from .events import BranchFilter, NewEvent
from .records import NewRecord, RecordFilter, Scope
from .validation import (
    Problems,
    check_branch,
    check_event_metadata,
    check_memory_id,
    check_metadata_filters,
    check_payload,
    json_size,
)


@dataclass
class Request:
    """One decoded request."""

    labels: dict[str, str]
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    # Set by the fault layer: metadata-filtered ListEvents do not see events stored after it.
    hide_created_after_ms: int | None = None


Response = tuple[int, dict[str, Any]]
Handler = Callable[[Backend, Request], Response]


def _memory(backend: Backend, request: Request) -> str:
    """The bare memory id of a data-plane request, which must name an existing memory."""
    memory_id = check_memory_id(request.labels["memoryId"])
    backend.memories.require(memory_id)
    return memory_id


def _max_results(problems: Problems, body: dict[str, Any]) -> int:
    value = problems.integer(
        "maxResults",
        body.get("maxResults"),
        minimum=limits.MAX_RESULTS_MIN,
        maximum=limits.MAX_RESULTS_MAX,
        default=limits.MAX_RESULTS_DEFAULT,
    )
    return value or limits.MAX_RESULTS_DEFAULT


def _page(key: str, items: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {key: items}
    if token:
        body["nextToken"] = token
    return body


def _actor_and_session(
    problems: Problems, actor: Any, session: Any, *, session_required: bool
) -> tuple[str | None, str | None]:
    actor_id = problems.string(
        "actorId", actor, pattern=limits.ACTOR_ID_PATTERN, max_length=limits.ACTOR_ID_MAX_LENGTH
    )
    session_id = problems.string(
        "sessionId",
        session,
        required=session_required,
        pattern=limits.SESSION_ID_PATTERN,
        max_length=limits.SESSION_ID_MAX_LENGTH,
    )
    return actor_id, session_id


# --- events ---------------------------------------------------------------------------------


def create_event(backend: Backend, request: Request) -> Response:
    """CreateEvent: ``POST /memories/{memoryId}/events`` -> 201 ``{event}``."""
    memory_id = _memory(backend, request)
    body = request.body
    problems = Problems()
    actor_id, session_id = _actor_and_session(
        problems, body.get("actorId"), body.get("sessionId"), session_required=False
    )
    timestamp_ms = problems.timestamp_ms("eventTimestamp", body.get("eventTimestamp"))
    payload = check_payload(problems, body.get("payload"))
    if payload is not None and json_size(payload) > limits.EVENT_MAX_BYTES:
        problems.add("payload", f"Event must be at most {limits.EVENT_MAX_BYTES} bytes")
    metadata = check_event_metadata(problems, body.get("metadata"))
    branch = check_branch(problems, body.get("branch"))
    token = problems.string("clientToken", body.get("clientToken"), required=False)
    problems.raise_if_any()
    assert actor_id is not None and timestamp_ms is not None and payload is not None
    event, _ = backend.events.create(
        memory_id,
        NewEvent(actor_id, session_id, timestamp_ms, payload, branch, metadata, token),
    )
    return 201, {"event": event}


def _event_labels(request: Request) -> tuple[str, str, str]:
    problems = Problems()
    actor_id, session_id = _actor_and_session(
        problems, request.labels["actorId"], request.labels["sessionId"], session_required=True
    )
    event_id = problems.string(
        "eventId", request.labels.get("eventId"), pattern=limits.EVENT_ID_PATTERN
    )
    problems.raise_if_any()
    assert actor_id and session_id and event_id
    return actor_id, session_id, event_id


def get_event(backend: Backend, request: Request) -> Response:
    """GetEvent -> 200 ``{event}``."""
    memory_id = _memory(backend, request)
    actor_id, session_id, event_id = _event_labels(request)
    return 200, {"event": backend.events.get(memory_id, actor_id, session_id, event_id)}


def delete_event(backend: Backend, request: Request) -> Response:
    """DeleteEvent -> 200 ``{eventId}``."""
    memory_id = _memory(backend, request)
    actor_id, session_id, event_id = _event_labels(request)
    backend.events.delete(memory_id, actor_id, session_id, event_id)
    return 200, {"eventId": event_id}


def list_events(backend: Backend, request: Request) -> Response:
    """ListEvents -> 200 ``{events, nextToken?}``; see ``events.EventStore.list``."""
    memory_id = _memory(backend, request)
    body = request.body
    problems = Problems()
    actor_id, session_id = _actor_and_session(
        problems, request.labels["actorId"], request.labels["sessionId"], session_required=True
    )
    max_results = _max_results(problems, body)
    include_payloads = problems.boolean(
        "includePayloads", body.get("includePayloads"), default=True
    )
    token = problems.string("nextToken", body.get("nextToken"), required=False)
    branch: BranchFilter | None = None
    filters = body.get("filter") or {}
    if not isinstance(filters, dict):
        problems.add("filter", "Member must be a structure")
        filters = {}
    if filters.get("branch") is not None:
        spec = filters["branch"]
        name = problems.string(
            "filter.branch.name",
            spec.get("name") if isinstance(spec, dict) else None,
            pattern=limits.BRANCH_NAME_PATTERN,
            max_length=limits.BRANCH_NAME_MAX_LENGTH,
        )
        include_parents = problems.boolean(
            "filter.branch.includeParentBranches",
            spec.get("includeParentBranches") if isinstance(spec, dict) else None,
            default=False,
        )
        if name is not None:
            branch = BranchFilter(name, include_parents)
    metadata_filters = check_metadata_filters(
        problems, "filter.eventMetadata", filters.get("eventMetadata")
    )
    problems.raise_if_any()
    assert actor_id and session_id
    events, next_token = backend.events.list_events(
        memory_id,
        actor_id,
        session_id,
        max_results=max_results,
        next_token=token,
        include_payloads=include_payloads,
        branch=branch,
        metadata_filters=metadata_filters,
        hide_created_after_ms=request.hide_created_after_ms,
    )
    return 200, _page("events", events, next_token)


def list_sessions(backend: Backend, request: Request) -> Response:
    """ListSessions -> 200 ``{sessionSummaries, nextToken?}``."""
    memory_id = _memory(backend, request)
    body = request.body
    problems = Problems()
    actor_id, _ = _actor_and_session(
        problems, request.labels["actorId"], None, session_required=False
    )
    max_results = _max_results(problems, body)
    token = problems.string("nextToken", body.get("nextToken"), required=False)
    event_filter = (body.get("filter") or {}).get("eventFilter")
    if event_filter not in (None, "HAS_EVENTS"):
        problems.add("filter.eventFilter", "Member must satisfy enum value set: [HAS_EVENTS]")
    problems.raise_if_any()
    assert actor_id
    sessions, next_token = backend.events.list_sessions(
        memory_id,
        actor_id,
        max_results=max_results,
        next_token=token,
        has_events=event_filter == "HAS_EVENTS",
    )
    return 200, _page("sessionSummaries", sessions, next_token)


def list_actors(backend: Backend, request: Request) -> Response:
    """ListActors -> 200 ``{actorSummaries, nextToken?}``."""
    memory_id = _memory(backend, request)
    problems = Problems()
    max_results = _max_results(problems, request.body)
    token = problems.string("nextToken", request.body.get("nextToken"), required=False)
    problems.raise_if_any()
    actors, next_token = backend.events.list_actors(
        memory_id, max_results=max_results, next_token=token
    )
    return 200, _page("actorSummaries", actors, next_token)


# --- long-term records ----------------------------------------------------------------------


def _namespace(problems: Problems, name: str, value: Any, *, required: bool) -> str | None:
    return problems.string(
        name,
        value,
        required=required,
        pattern=limits.NAMESPACE_PATTERN,
        max_length=limits.NAMESPACE_MAX_LENGTH,
    )


def _strategy_id(problems: Problems, name: str, value: Any) -> str | None:
    return problems.string(
        name, value, required=False, pattern=limits.MEMORY_STRATEGY_ID_PATTERN, max_length=100
    )


def _record_filters(problems: Problems, field: str, value: Any) -> tuple[RecordFilter, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value or len(value) > limits.METADATA_FILTERS_MAX:
        problems.add(
            field, f"Member must be a list of length between 1 and {limits.METADATA_FILTERS_MAX}"
        )
        return ()
    out = []
    for index, expr in enumerate(value):
        item = f"{field}.{index}"
        left = problems.union(f"{item}.left", (expr or {}).get("left"), ("metadataKey",))
        operator = problems.string(f"{item}.operator", (expr or {}).get("operator"))
        right = (expr or {}).get("right")
        right_value = right.get("metadataValue") if isinstance(right, dict) else None
        if operator not in ("EXISTS", "NOT_EXISTS") and right_value is None:
            problems.add(f"{item}.right", "Member is required for this operator")
            continue
        if left is not None and operator is not None:
            out.append((str(left[1]), operator, right_value))
    return tuple(out)


def _check_record_id(problems: Problems, value: str) -> str | None:
    return problems.string(
        "memoryRecordId",
        value,
        pattern=limits.MEMORY_RECORD_ID_PATTERN,
        min_length=limits.MEMORY_RECORD_ID_MIN_LENGTH,
        max_length=limits.MEMORY_RECORD_ID_MAX_LENGTH,
    )


def retrieve_memory_records(backend: Backend, request: Request) -> Response:
    """RetrieveMemoryRecords -> 200 ``{memoryRecordSummaries, nextToken?}``, best first."""
    memory_id = _memory(backend, request)
    body = request.body
    problems = Problems()
    namespace = _namespace(problems, "namespace", body.get("namespace"), required=False)
    path = _namespace(problems, "namespacePath", body.get("namespacePath"), required=False)
    if (body.get("namespace") is None) == (body.get("namespacePath") is None):
        problems.add("namespace", "Exactly one of namespace or namespacePath is required")
    criteria = body.get("searchCriteria")
    if not isinstance(criteria, dict):
        problems.add("searchCriteria", "Member must not be null")
        criteria = {}
    query = problems.string(
        "searchCriteria.searchQuery",
        criteria.get("searchQuery"),
        max_length=limits.SEARCH_QUERY_MAX_CHARS,
    )
    top_k = problems.integer(
        "searchCriteria.topK",
        criteria.get("topK"),
        minimum=limits.TOP_K_MIN,
        maximum=limits.TOP_K_MAX,
        default=limits.TOP_K_DEFAULT,
    )
    strategy = _strategy_id(
        problems, "searchCriteria.memoryStrategyId", criteria.get("memoryStrategyId")
    )
    filters = _record_filters(
        problems, "searchCriteria.metadataFilters", criteria.get("metadataFilters")
    )
    max_results = _max_results(problems, body)
    token = problems.string("nextToken", body.get("nextToken"), required=False)
    problems.raise_if_any()
    assert query is not None
    records, next_token = backend.records.retrieve(
        memory_id,
        Scope(namespace, path, strategy, filters),
        query,
        top_k=top_k or limits.TOP_K_DEFAULT,
        max_results=max_results,
        next_token=token,
    )
    return 200, _page("memoryRecordSummaries", records, next_token)


def list_memory_records(backend: Backend, request: Request) -> Response:
    """ListMemoryRecords -> 200 ``{memoryRecordSummaries, nextToken?}``, newest first."""
    memory_id = _memory(backend, request)
    body = request.body
    problems = Problems()
    namespace = _namespace(problems, "namespace", body.get("namespace"), required=False)
    path = _namespace(problems, "namespacePath", body.get("namespacePath"), required=False)
    strategy = _strategy_id(problems, "memoryStrategyId", body.get("memoryStrategyId"))
    filters = _record_filters(problems, "metadataFilters", body.get("metadataFilters"))
    max_results = _max_results(problems, body)
    token = problems.string("nextToken", body.get("nextToken"), required=False)
    problems.raise_if_any()
    records, next_token = backend.records.list_records(
        memory_id,
        Scope(namespace, path, strategy, filters),
        max_results=max_results,
        next_token=token,
    )
    return 200, _page("memoryRecordSummaries", records, next_token)


def get_memory_record(backend: Backend, request: Request) -> Response:
    """GetMemoryRecord -> 200 ``{memoryRecord}``."""
    memory_id = _memory(backend, request)
    problems = Problems()
    record_id = _check_record_id(problems, request.labels["memoryRecordId"])
    problems.raise_if_any()
    assert record_id
    return 200, {"memoryRecord": backend.records.get(memory_id, record_id)}


def delete_memory_record(backend: Backend, request: Request) -> Response:
    """DeleteMemoryRecord -> 200 ``{memoryRecordId}``."""
    memory_id = _memory(backend, request)
    problems = Problems()
    record_id = _check_record_id(problems, request.labels["memoryRecordId"])
    problems.raise_if_any()
    assert record_id
    backend.records.delete(memory_id, record_id)
    return 200, {"memoryRecordId": record_id}


def batch_create_memory_records(backend: Backend, request: Request) -> Response:
    """BatchCreateMemoryRecords -> 201 ``{successfulRecords, failedRecords}``.

    A malformed record fails alone (``failedRecords``, errorCode 400); the rest are stored.
    """
    memory_id = _memory(backend, request)
    body = request.body
    problems = Problems()
    records = body.get("records")
    if not isinstance(records, list) or len(records) > limits.BATCH_RECORDS_MAX:
        problems.add("records", f"Member must be a list of at most {limits.BATCH_RECORDS_MAX}")
    token = problems.string("clientToken", body.get("clientToken"), required=False)
    problems.raise_if_any()
    valid: list[NewRecord] = []
    failed: list[dict[str, Any]] = []
    for index, raw in enumerate(records or []):
        record, problem = _new_record(f"records.{index}", raw)
        if record is not None:
            valid.append(record)
        else:
            identifier = raw.get("requestIdentifier") if isinstance(raw, dict) else None
            failed.append(
                {
                    "requestIdentifier": identifier,
                    "status": "FAILED",
                    "memoryRecordId": "",
                    "errorCode": 400,
                    "errorMessage": problem,
                }
            )
    successful = backend.records.batch_create(memory_id, valid, token)
    return 201, {"successfulRecords": successful, "failedRecords": failed}


def _new_record(field: str, raw: Any) -> tuple[NewRecord | None, str]:
    problems = Problems()
    raw = raw if isinstance(raw, dict) else {}
    identifier = problems.string(
        f"{field}.requestIdentifier",
        raw.get("requestIdentifier"),
        pattern=limits.REQUEST_IDENTIFIER_PATTERN,
        max_length=limits.REQUEST_IDENTIFIER_MAX_LENGTH,
    )
    namespaces = raw.get("namespaces")
    if not isinstance(namespaces, list) or len(namespaces) != 1:
        problems.add(f"{field}.namespaces", "Member must hold exactly one namespace")
        namespace = None
    else:
        namespace = _namespace(problems, f"{field}.namespaces.0", namespaces[0], required=True)
    content = raw.get("content") if isinstance(raw.get("content"), dict) else {}
    text = problems.string(
        f"{field}.content.text", content.get("text"), max_length=limits.RECORD_TEXT_MAX_CHARS
    )
    timestamp_ms = problems.timestamp_ms(f"{field}.timestamp", raw.get("timestamp"))
    strategy = _strategy_id(problems, f"{field}.memoryStrategyId", raw.get("memoryStrategyId"))
    metadata = raw.get("metadata")
    if metadata is not None and (
        not isinstance(metadata, dict) or not 1 <= len(metadata) <= limits.RECORD_METADATA_MAX_KEYS
    ):
        problems.add(
            f"{field}.metadata",
            f"Member must be a map of 1 to {limits.RECORD_METADATA_MAX_KEYS} entries",
        )
    if problems.items:
        return None, ValidationError(problems.items).message
    assert identifier and namespace and text and timestamp_ms is not None
    return NewRecord(identifier, namespace, text, timestamp_ms, strategy, metadata), ""


def batch_delete_memory_records(backend: Backend, request: Request) -> Response:
    """BatchDeleteMemoryRecords -> 200 ``{successfulRecords, failedRecords}``."""
    memory_id = _memory(backend, request)
    problems = Problems()
    records = request.body.get("records")
    if not isinstance(records, list) or len(records) > limits.BATCH_RECORDS_MAX:
        problems.add("records", f"Member must be a list of at most {limits.BATCH_RECORDS_MAX}")
        records = []
    ids = []
    for index, item in enumerate(records):
        record_id = problems.string(
            f"records.{index}.memoryRecordId", (item or {}).get("memoryRecordId")
        )
        if record_id:
            ids.append(record_id)
    problems.raise_if_any()
    successful, failed = backend.records.batch_delete(memory_id, ids)
    return 200, {"successfulRecords": successful, "failedRecords": failed}


# --- control plane --------------------------------------------------------------------------


def create_memory(backend: Backend, request: Request) -> Response:
    """CreateMemory -> 202 ``{memory}``; the memory is ACTIVE at once."""
    body = request.body
    problems = Problems()
    name = problems.string("name", body.get("name"), pattern=limits.MEMORY_NAME_PATTERN)
    expiry = body.get("eventExpiryDuration")
    if expiry is None:
        problems.add("eventExpiryDuration", "Member must not be null")
    expiry = problems.integer(
        "eventExpiryDuration",
        expiry,
        minimum=limits.EVENT_EXPIRY_MIN_DAYS,
        maximum=limits.EVENT_EXPIRY_MAX_DAYS,
        default=None,
    )
    description = problems.string(
        "description", body.get("description"), required=False, max_length=4096
    )
    strategies = body.get("memoryStrategies") or []
    if not isinstance(strategies, list):
        problems.add("memoryStrategies", "Member must be a list")
        strategies = []
    for index, strategy in enumerate(strategies):
        member = problems.union(
            f"memoryStrategies.{index}",
            strategy,
            (
                "semanticMemoryStrategy",
                "summaryMemoryStrategy",
                "userPreferenceMemoryStrategy",
                "customMemoryStrategy",
                "episodicMemoryStrategy",
            ),
        )
        if member is not None:
            problems.string(
                f"memoryStrategies.{index}.{member[0]}.name",
                (member[1] or {}).get("name"),
                pattern=limits.MEMORY_NAME_PATTERN,
            )
    token = problems.string(
        "clientToken", body.get("clientToken"), required=False, min_length=0, max_length=500
    )
    problems.raise_if_any()
    assert name is not None and expiry is not None
    kept = ("memoryExecutionRoleArn", "encryptionKeyArn")
    extra: dict[str, Any] = {k: body[k] for k in kept if k in body}
    memory = backend.memories.create(
        name=name,
        event_expiry_days=expiry,
        description=description,
        strategies=strategies,
        client_token=token,
        extra=extra,
    )
    return 202, {"memory": memory}


def _control_memory_id(request: Request) -> str:
    problems = Problems()
    memory_id = problems.string(
        "memoryId",
        request.labels["memoryId"],
        pattern=limits.BARE_MEMORY_ID_PATTERN,
        min_length=limits.MEMORY_ID_MIN_LENGTH,
    )
    problems.raise_if_any()
    assert memory_id
    return memory_id


def get_memory(backend: Backend, request: Request) -> Response:
    """GetMemory -> 200 ``{memory}``."""
    return 200, {"memory": backend.memories.get(_control_memory_id(request))}


def list_memories(backend: Backend, request: Request) -> Response:
    """ListMemories -> 200 ``{memories, nextToken?}``, newest first."""
    problems = Problems()
    max_results = _max_results(problems, request.body)
    token = problems.string("nextToken", request.body.get("nextToken"), required=False)
    problems.raise_if_any()
    memories, next_token = backend.memories.list_memories(max_results=max_results, next_token=token)
    return 200, _page("memories", memories, next_token)


def delete_memory(backend: Backend, request: Request) -> Response:
    """DeleteMemory -> 202 ``{memoryId, status: DELETING}``; the memory is gone at once."""
    memory_id = _control_memory_id(request)
    backend.memories.delete(memory_id)
    return 202, {"memoryId": memory_id, "status": "DELETING"}


HANDLERS: dict[str, Handler] = {
    "CreateEvent": create_event,
    "GetEvent": get_event,
    "DeleteEvent": delete_event,
    "ListEvents": list_events,
    "ListSessions": list_sessions,
    "ListActors": list_actors,
    "RetrieveMemoryRecords": retrieve_memory_records,
    "ListMemoryRecords": list_memory_records,
    "GetMemoryRecord": get_memory_record,
    "DeleteMemoryRecord": delete_memory_record,
    "BatchCreateMemoryRecords": batch_create_memory_records,
    "BatchDeleteMemoryRecords": batch_delete_memory_records,
    "CreateMemory": create_memory,
    "GetMemory": get_memory,
    "ListMemories": list_memories,
    "DeleteMemory": delete_memory,
}
