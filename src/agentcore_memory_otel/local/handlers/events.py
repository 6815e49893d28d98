"""Short-term memory handlers: events, and the sessions and actors they imply."""

from __future__ import annotations

from typing import Any

from ...wire import limits
from ..backend import Backend
from ..event_filters import BranchFilter, MetadataFilter
from ..events import NewEvent
from ..measure import serialised_bytes
from ..operations import Body, Request, operation
from ..validation import Problems
from .common import data_memory, page, read_max_results, read_next_token


@operation("CreateEvent")
def create_event(backend: Backend, request: Request) -> Body:
    """CreateEvent: ``POST /memories/{memoryId}/events`` -> 201 ``{event}``."""
    memory_id = data_memory(backend, request)
    body = request.body
    problems = Problems()
    timestamp_ms = problems.timestamp_ms("eventTimestamp", body["eventTimestamp"])
    payload: list[dict[str, Any]] = body["payload"]
    if serialised_bytes(payload) > limits.EVENT_MAX_BYTES:
        problems.add("payload", f"Event must be at most {limits.EVENT_MAX_BYTES} bytes")
    branch = body.get("branch")
    # The model marks only the name required; the live API refuses a branch without its root.
    if branch is not None and branch.get("rootEventId") is None:
        problems.add("branch.rootEventId", "Member must not be null")
    token = problems.token("clientToken", body.get("clientToken"))
    problems.raise_if_any()
    assert timestamp_ms is not None
    actor_id: str = body["actorId"]
    root = (branch["name"], branch["rootEventId"]) if branch is not None else None
    metadata = body.get("metadata")
    if metadata is not None:  # keep the one member a value has (members sent as null go)
        metadata = {key: {"stringValue": value["stringValue"]} for key, value in metadata.items()}
    new = NewEvent(
        actor_id,
        body.get("sessionId"),
        timestamp_ms,
        payload,
        root,
        metadata,
        token,
    )
    event, created = backend.events.create(memory_id, new)
    if created and body.get("extractionMode") != "SKIP":
        backend.extraction.submit(
            memory_id,
            actor_id,
            event["sessionId"],
            event["eventId"],
            payload,
            variables=(body.get("extractionConfig") or {}).get("namespaceVariables"),
        )
    return {"event": event}


def _event_labels(request: Request) -> tuple[str, str, str]:
    labels = request.labels
    return labels["actorId"], labels["sessionId"], labels["eventId"]


@operation("GetEvent")
def get_event(backend: Backend, request: Request) -> Body:
    """GetEvent -> 200 ``{event}``."""
    memory_id = data_memory(backend, request)
    actor_id, session_id, event_id = _event_labels(request)
    return {"event": backend.events.get(memory_id, actor_id, session_id, event_id)}


@operation("DeleteEvent")
def delete_event(backend: Backend, request: Request) -> Body:
    """DeleteEvent -> 200 ``{eventId}``."""
    memory_id = data_memory(backend, request)
    actor_id, session_id, event_id = _event_labels(request)
    backend.events.delete(memory_id, actor_id, session_id, event_id)
    return {"eventId": event_id}


@operation("ListEvents")
def list_events(backend: Backend, request: Request) -> Body:
    """ListEvents -> 200 ``{events, nextToken?}``; see ``events.EventStore.list_events``."""
    memory_id = data_memory(backend, request)
    body = request.body
    filters = body.get("filter") or {}
    problems = Problems()
    token = read_next_token(problems, body)
    expressions = problems.missing_right_operands(
        "filter.eventMetadata", filters.get("eventMetadata") or []
    )
    problems.raise_if_any()
    spec = filters.get("branch")
    branch = (
        BranchFilter(spec["name"], bool(spec.get("includeParentBranches")))
        if spec is not None
        else None
    )
    events, more = backend.events.list_events(
        memory_id,
        request.labels["actorId"],
        request.labels["sessionId"],
        max_results=read_max_results(body),
        next_token=token,
        # Payloads are included unless the request says false.
        include_payloads=body.get("includePayloads") is not False,
        branch=branch,
        metadata_filters=[_metadata_filter(expression) for expression in expressions],
    )
    return page("events", events, more)


def _metadata_filter(expression: dict[str, Any]) -> MetadataFilter:
    """``(key, operator, value)``; only EQUALS_TO compares, so only it carries a value."""
    operator: str = expression["operator"]
    value = expression["right"]["metadataValue"]["stringValue"] if operator == "EQUALS_TO" else None
    return expression["left"]["metadataKey"], operator, value


@operation("ListSessions")
def list_sessions(backend: Backend, request: Request) -> Body:
    """ListSessions -> 200 ``{sessionSummaries, nextToken?}``."""
    memory_id = data_memory(backend, request)
    body = request.body
    problems = Problems()
    token = read_next_token(problems, body)
    problems.raise_if_any()
    sessions, more = backend.events.list_sessions(
        memory_id,
        request.labels["actorId"],
        max_results=read_max_results(body),
        next_token=token,
        has_events=(body.get("filter") or {}).get("eventFilter") == "HAS_EVENTS",
    )
    return page("sessionSummaries", sessions, more)


@operation("ListActors")
def list_actors(backend: Backend, request: Request) -> Body:
    """ListActors -> 200 ``{actorSummaries, nextToken?}``."""
    memory_id = data_memory(backend, request)
    problems = Problems()
    token = read_next_token(problems, request.body)
    problems.raise_if_any()
    actors, more = backend.events.list_actors(
        memory_id, max_results=read_max_results(request.body), next_token=token
    )
    return page("actorSummaries", actors, more)
