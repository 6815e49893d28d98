"""Short-term memory handlers: events, and the sessions and actors they imply."""

from __future__ import annotations

from ...aws import limits
from ..backend import Backend
from ..events import BranchFilter, NewEvent
from ..operations import Body, Request, operation
from ..validation import (
    Problems,
    check_branch,
    check_event_metadata,
    check_metadata_filters,
    check_payload,
    json_size,
)
from .common import (
    actor_and_session,
    data_memory,
    page,
    read_max_results,
    read_next_token,
)


@operation("CreateEvent")
def create_event(backend: Backend, request: Request) -> Body:
    """CreateEvent: ``POST /memories/{memoryId}/events`` -> 201 ``{event}``."""
    memory_id = data_memory(backend, request)
    body = request.body
    problems = Problems()
    actor_id, session_id = actor_and_session(
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
    event, created = backend.events.create(
        memory_id,
        NewEvent(actor_id, session_id, timestamp_ms, payload, branch, metadata, token),
    )
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
    problems = Problems()
    actor_id, session_id = actor_and_session(
        problems, request.labels["actorId"], request.labels["sessionId"], session_required=True
    )
    event_id = problems.string(
        "eventId", request.labels.get("eventId"), pattern=limits.EVENT_ID_PATTERN
    )
    problems.raise_if_any()
    assert actor_id and session_id and event_id
    return actor_id, session_id, event_id


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
    """ListEvents -> 200 ``{events, nextToken?}``; see ``events.EventStore.list``."""
    memory_id = data_memory(backend, request)
    body = request.body
    problems = Problems()
    actor_id, session_id = actor_and_session(
        problems, request.labels["actorId"], request.labels["sessionId"], session_required=True
    )
    max_results = read_max_results(problems, body)
    include_payloads = problems.boolean(
        "includePayloads", body.get("includePayloads"), default=True
    )
    token = read_next_token(problems, body)
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
    events, more = backend.events.list_events(
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
    return page("events", events, more)


@operation("ListSessions")
def list_sessions(backend: Backend, request: Request) -> Body:
    """ListSessions -> 200 ``{sessionSummaries, nextToken?}``."""
    memory_id = data_memory(backend, request)
    body = request.body
    problems = Problems()
    actor_id, _ = actor_and_session(
        problems, request.labels["actorId"], None, session_required=False
    )
    max_results = read_max_results(problems, body)
    token = read_next_token(problems, body)
    event_filter = (body.get("filter") or {}).get("eventFilter")
    if event_filter not in (None, "HAS_EVENTS"):
        problems.add("filter.eventFilter", "Member must satisfy enum value set: [HAS_EVENTS]")
    problems.raise_if_any()
    assert actor_id
    sessions, more = backend.events.list_sessions(
        memory_id,
        actor_id,
        max_results=max_results,
        next_token=token,
        has_events=event_filter == "HAS_EVENTS",
    )
    return page("sessionSummaries", sessions, more)


@operation("ListActors")
def list_actors(backend: Backend, request: Request) -> Body:
    """ListActors -> 200 ``{actorSummaries, nextToken?}``."""
    memory_id = data_memory(backend, request)
    problems = Problems()
    max_results = read_max_results(problems, request.body)
    token = read_next_token(problems, request.body)
    problems.raise_if_any()
    actors, more = backend.events.list_actors(memory_id, max_results=max_results, next_token=token)
    return page("actorSummaries", actors, more)
