"""Routes: HTTP method plus raw path to an AgentCore Memory operation name and its labels.

The path is split on ``/`` *before* percent-decoding each segment, because actorIds may hold
``/`` and ``:`` and memoryIds may be ARNs; boto3 encodes those as ``%2F`` and ``%3A`` inside a
single segment. Data-plane and control-plane routes do not collide, so one server answers both.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

# (method, path template, operation). ``{name}`` segments are labels.
ROUTES: tuple[tuple[str, str, str], ...] = (
    # Data plane (bedrock-agentcore)
    ("POST", "/memories/{memoryId}/events", "CreateEvent"),
    (
        "GET",
        "/memories/{memoryId}/actor/{actorId}/sessions/{sessionId}/events/{eventId}",
        "GetEvent",
    ),
    (
        "DELETE",
        "/memories/{memoryId}/actor/{actorId}/sessions/{sessionId}/events/{eventId}",
        "DeleteEvent",
    ),
    ("POST", "/memories/{memoryId}/actor/{actorId}/sessions/{sessionId}", "ListEvents"),
    ("POST", "/memories/{memoryId}/actor/{actorId}/sessions", "ListSessions"),
    ("POST", "/memories/{memoryId}/actors", "ListActors"),
    ("POST", "/memories/{memoryId}/retrieve", "RetrieveMemoryRecords"),
    ("GET", "/memories/{memoryId}/memoryRecord/{memoryRecordId}", "GetMemoryRecord"),
    ("DELETE", "/memories/{memoryId}/memoryRecords/{memoryRecordId}", "DeleteMemoryRecord"),
    ("POST", "/memories/{memoryId}/memoryRecords", "ListMemoryRecords"),
    ("POST", "/memories/{memoryId}/memoryRecords/batchCreate", "BatchCreateMemoryRecords"),
    ("POST", "/memories/{memoryId}/memoryRecords/batchDelete", "BatchDeleteMemoryRecords"),
    # Control plane (bedrock-agentcore-control), memory resources only
    ("POST", "/memories/create", "CreateMemory"),
    ("GET", "/memories/{memoryId}/details", "GetMemory"),
    ("POST", "/memories/", "ListMemories"),
    ("DELETE", "/memories/{memoryId}/delete", "DeleteMemory"),
)


@dataclass(frozen=True)
class Match:
    """A routed request: the operation and its decoded path labels."""

    operation: str
    labels: dict[str, str]


def _split(path: str) -> list[str]:
    return path.split("/")[1:]


_COMPILED = tuple((method, _split(template), op) for method, template, op in ROUTES)


def match(method: str, raw_path: str) -> Match | None:
    """Find the operation for a method and a raw (still percent-encoded) path."""
    segments = _split(raw_path)
    for route_method, template, operation in _COMPILED:
        if route_method != method or len(template) != len(segments):
            continue
        labels: dict[str, str] = {}
        for pattern, raw in zip(template, segments, strict=True):
            if pattern.startswith("{"):
                value = unquote(raw)
                if not value:
                    break
                labels[pattern[1:-1]] = value
            elif pattern != raw:
                break
        else:
            return Match(operation, labels)
    return None
