"""Finding the memory events a trace wrote, from its trace id back to events and messages.

A trace id taken from Langfuse, Jaeger or Phoenix leads to the events stamped with it.
It uses ListEvents' metadata filter on the trace-id key and follows ``nextToken`` until it is
absent (filtered pages can be empty and still continue). Without a session id, it goes
through the actor's sessions with ListSessions. Metadata-filtered reads are eventually
consistent in AgentCore Memory, so events written within the last moments may not show yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from strands.types.content import Message

from .persistence.codec import StoredMessage, decode_event
from .trace_stamp import DEFAULT_SPAN_ID_KEY, DEFAULT_TRACE_ID_KEY, normalize_trace_id


@dataclass(frozen=True)
class TraceEvent:
    """A stored event of a trace, with its decoded messages."""

    event_id: str
    session_id: str
    actor_id: str
    timestamp: datetime
    trace_id: str
    span_id: str | None
    messages: list[Message]
    metadata: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "eventId": self.event_id,
            "sessionId": self.session_id,
            "actorId": self.actor_id,
            "eventTimestamp": self.timestamp.isoformat(),
            "traceId": self.trace_id,
            "spanId": self.span_id,
            "metadata": self.metadata,
            "messages": self.messages,
        }


def find_events(
    trace_id: str,
    *,
    memory_id: str,
    actor_id: str,
    session_id: str | None = None,
    client: Any = None,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    trace_id_key: str = DEFAULT_TRACE_ID_KEY,
    span_id_key: str = DEFAULT_SPAN_ID_KEY,
) -> list[TraceEvent]:
    """The events stamped with ``trace_id``, oldest first, with their messages in order.

    Args:
        trace_id: The trace id in any form ``normalize_trace_id`` accepts (W3C hex or X-Ray).
        memory_id: The memory resource.
        actor_id: The actor the events were stored under.
        session_id: Limit the search to one session; otherwise every session of the actor.
        client: A boto3 ``bedrock-agentcore`` client; built from the other arguments if absent.
        endpoint_url: Endpoint for the client built here (e.g. the local server).
        region_name: Region for the client built here.
        trace_id_key: The metadata key the trace id was stamped under.
        span_id_key: The metadata key the span id was stamped under.
    """
    trace_id = normalize_trace_id(trace_id)
    if client is None:
        from .aws.client import make_client

        client = make_client(endpoint_url=endpoint_url, region_name=region_name)
    sessions = [session_id] if session_id else _sessions(client, memory_id, actor_id)
    found: list[TraceEvent] = []
    for session in sessions:
        for event in _filtered_events(client, memory_id, actor_id, session, trace_id_key, trace_id):
            found.append(_trace_event(event, trace_id, span_id_key))
    found.sort(key=lambda e: (e.timestamp, e.event_id))
    return found


def _sessions(client: Any, memory_id: str, actor_id: str) -> list[str]:
    request = {"memoryId": memory_id, "actorId": actor_id, "maxResults": 100}
    return [
        s["sessionId"]
        for page in client.get_paginator("list_sessions").paginate(**request)
        for s in page.get("sessionSummaries", [])
    ]


def _filtered_events(
    client: Any, memory_id: str, actor_id: str, session_id: str, key: str, trace_id: str
) -> list[dict[str, Any]]:
    request = {
        "memoryId": memory_id,
        "actorId": actor_id,
        "sessionId": session_id,
        "maxResults": 100,
        "includePayloads": True,
        "filter": {
            "eventMetadata": [
                {
                    "left": {"metadataKey": key},
                    "operator": "EQUALS_TO",
                    "right": {"metadataValue": {"stringValue": trace_id}},
                }
            ]
        },
    }
    return [
        event
        for page in client.get_paginator("list_events").paginate(**request)
        for event in page.get("events", [])
    ]


def _trace_event(event: dict[str, Any], trace_id: str, span_id_key: str) -> TraceEvent:
    metadata = {k: v.get("stringValue", "") for k, v in (event.get("metadata") or {}).items()}
    messages = [
        stored.session_message.to_message()
        for stored in decode_event(event)
        if isinstance(stored, StoredMessage)
    ]
    return TraceEvent(
        event_id=event["eventId"],
        session_id=event["sessionId"],
        actor_id=event["actorId"],
        timestamp=event["eventTimestamp"],
        trace_id=trace_id,
        span_id=metadata.get(span_id_key),
        messages=messages,
        metadata=metadata,
        raw=event,
    )
