"""The export format: one stored event per JSON Lines line, checked before anything is sent.

A line is a JSON object::

    {"memoryId": ..., "actorId": ..., "sessionId": ..., "eventId": ...,
     "eventTimestamp": "2026-01-02T03:04:05.678Z", "branch": {"name": "main"},
     "metadata": {"traceId": {"stringValue": ...}, ...}, "traceId": ..., "spanId": ...,
     "payload": [...]}

``payload``, ``metadata`` and ``branch`` are the event's as ListEvents gave them (a branch
other than ``main`` carries its ``rootEventId``); ``eventTimestamp`` is UTC to the millisecond,
the service's resolution. ``traceId`` and ``spanId`` repeat the trace ids found in the metadata,
for reading and grepping; an import ignores them. Lines are in stored order, oldest first per
session. JSON escapes every non-ASCII character, so text that is not valid UTF-8 (a lone
surrogate) survives the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from ...wire import limits
from ...wire.json_text import item_size, text_length
from ...wire.trace_stamp import DEFAULT_SPAN_ID_KEY, DEFAULT_TRACE_ID_KEY

MAIN_BRANCH: Final = "main"
_PAYLOAD_KINDS: Final = frozenset({"conversational", "blob", "json"})


class LineError(ValueError):
    """A line of an export file the API would refuse, or that is not an exported event."""

    def __init__(self, number: int, message: str) -> None:
        super().__init__(f"line {number}: {message}")
        self.number = number


@dataclass(frozen=True)
class ExportedEvent:
    """One event read from an export file, checked."""

    number: int  # its line
    actor_id: str
    session_id: str
    event_id: str
    timestamp_ms: int
    payload: list[Any]
    metadata: dict[str, Any]
    branch: str
    root_event_id: str | None
    memory_id: str  # the memory it was exported from


def event_line(
    event: dict[str, Any],
    trace_id_key: str = DEFAULT_TRACE_ID_KEY,
    span_id_key: str = DEFAULT_SPAN_ID_KEY,
) -> str:
    """The line for an event as ListEvents returned it (with payloads)."""
    metadata = event.get("metadata") or {}
    branch = dict(event.get("branch") or {"name": MAIN_BRANCH})
    line: dict[str, Any] = {
        "memoryId": event["memoryId"],
        "actorId": event["actorId"],
        "sessionId": event["sessionId"],
        "eventId": event["eventId"],
        "eventTimestamp": _iso(_millis(event["eventTimestamp"])),
        "branch": branch,
    }
    if metadata:
        line["metadata"] = metadata
    for name, key in (("traceId", trace_id_key), ("spanId", span_id_key)):
        if key in metadata:
            line[name] = metadata[key].get("stringValue")
    line["payload"] = event.get("payload") or []
    return json.dumps(line)


def _millis(value: datetime | float | int) -> int:
    if isinstance(value, datetime):
        return round(value.timestamp() * 1000)
    return round(float(value) * 1000)


def _iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms // 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def parse_line(number: int, text: str) -> ExportedEvent:
    """The event on line ``number``.

    Raises:
        LineError: Naming the line, the field and the limit it breaks.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise LineError(number, f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise LineError(number, "not a JSON object (an exported event)")
    try:
        return _event(number, data)
    except ValueError as exc:
        if isinstance(exc, LineError):
            raise
        raise LineError(number, str(exc)) from None


def _event(number: int, data: dict[str, Any]) -> ExportedEvent:
    actor_id = limits.ACTOR_ID.check(data.get("actorId"), "actorId")
    session_id = limits.SESSION_ID.check(data.get("sessionId"), "sessionId")
    event_id = limits.EVENT_ID.check(data.get("eventId"), "eventId")
    memory_id = data.get("memoryId")
    if not isinstance(memory_id, str):
        raise ValueError(f"memoryId must be a string, got {memory_id!r}")
    payload = _payload(data.get("payload"))
    metadata = _metadata(data.get("metadata", {}))
    branch, root = _branch(data.get("branch", {"name": MAIN_BRANCH}))
    try:  # a lone UTF-16 surrogate survives JSON's escapes, not the API
        json.dumps([payload, metadata], ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"the event holds a lone UTF-16 surrogate ({exc.object[exc.start : exc.end]!r}), "
            "which the API refuses"
        ) from None
    size = item_size(payload)  # as the service counts: compact JSON, UTF-8
    if size > limits.EVENT_MAX_BYTES:
        raise ValueError(
            f"payload is {size} bytes; an event holds at most {limits.EVENT_MAX_BYTES}"
        )
    return ExportedEvent(
        number,
        actor_id,
        session_id,
        event_id,
        _timestamp(data.get("eventTimestamp")),
        payload,
        metadata,
        branch,
        root,
        memory_id,
    )


def _timestamp(value: object) -> int:
    if not isinstance(value, str):
        raise ValueError(f"eventTimestamp must be an ISO 8601 string, got {value!r}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"eventTimestamp {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError(f"eventTimestamp {value!r} has no time zone (exports are UTC, ...Z)")
    ms = round(moment.timestamp() * 1000)
    if not 0 <= ms <= limits.TIMESTAMP_MAX_SECONDS * 1000:
        raise ValueError(
            f"eventTimestamp {value!r} is outside 1970-01-01 to 9999-12-31 (an eventId holds "
            "its time as 19 digits of milliseconds from 1970)"
        )
    return ms


def _payload(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"payload must be a list, got {type(value).__name__}")
    if len(value) > limits.PAYLOAD_MAX_ITEMS:
        raise ValueError(
            f"payload has {len(value)} items; an event holds at most {limits.PAYLOAD_MAX_ITEMS}"
        )
    for index, item in enumerate(value):
        field = f"payload[{index}]"
        if not isinstance(item, dict) or len(item) != 1 or not set(item) <= _PAYLOAD_KINDS:
            raise ValueError(
                f"{field} must be an object with exactly one of {sorted(_PAYLOAD_KINDS)}"
            )
        if "conversational" in item:
            _conversational(item["conversational"], f"{field}.conversational")
    return value


def _conversational(value: object, field: str) -> None:
    if not isinstance(value, dict):
        raise ValueError(f"{field} must be an object")
    role = value.get("role")
    if role not in limits.ROLES:
        raise ValueError(f"{field}.role must be one of {sorted(limits.ROLES)}, got {role!r}")
    content = value.get("content")
    text = content.get("text") if isinstance(content, dict) else None
    if not isinstance(text, str) or not 1 <= text_length(text) <= limits.TEXT_MAX_CHARS:
        raise ValueError(
            f"{field}.content.text must be a string of 1 to {limits.TEXT_MAX_CHARS} characters "
            "(UTF-16 code units, as the API counts)"
        )


def _metadata(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("metadata must be an object")
    if len(value) > limits.METADATA_MAX_KEYS:
        raise ValueError(
            f"metadata has {len(value)} keys; an event holds at most {limits.METADATA_MAX_KEYS}"
        )
    for key, entry in value.items():
        limits.METADATA_KEY.check(key, "metadata key")
        if not isinstance(entry, dict) or set(entry) != {"stringValue"}:
            raise ValueError(f"metadata[{key!r}] must be {{'stringValue': ...}}")
        limits.EVENT_METADATA_VALUE.check(entry["stringValue"], f"metadata[{key!r}]")
    return value


def _branch(value: object) -> tuple[str, str | None]:
    if not isinstance(value, dict):
        raise ValueError("branch must be an object")
    name = limits.BRANCH_NAME.check(value.get("name"), "branch.name")
    root = value.get("rootEventId")
    if root is not None:
        limits.EVENT_ID.check(root, "branch.rootEventId")
    elif name != MAIN_BRANCH:
        raise ValueError(f"branch.rootEventId is required on branch {name!r} (not {MAIN_BRANCH})")
    return name, root
