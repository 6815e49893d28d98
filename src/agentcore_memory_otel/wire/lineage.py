"""Lineage of long-term records: which events and traces a record came from.

Every record this package creates (``AgentCoreMemoryStore.add``) and every record the local
server extracts carries its sources in the record's own ``metadata`` map, the one place the
API keeps per-record data of the caller's choosing (``MemoryRecordMetadataMap``: at most 20
keys; a string value 1-256 characters, a string-list value 1-5 items of 1-64 characters, all in
the metadata charset (letters, digits, white space and ``._:/=+@-``)):

=================== ============ ==================================================================
key                 value type   value
=================== ============ ==================================================================
``sourceTraceIds``  string list  the W3C trace ids (32 hex) of the source events, newest first
``sourceEventIds``  string list  the source eventIds, newest first, ``#`` written as ``.`` (the
                                 charset has no ``#``; eventIds are ``digits#hex``, so it reverses)
``sourceActorId``   string       the actor the source events belong to
``sourceSessionId`` string       their session
``sourceSpanId``    string       the span that created the record (records created directly)
``sourceEvents``    number       how many source events there were in all (a list holds 5)
=================== ============ ==================================================================

A list holds at most 5 items, so a record from more events (a session summary) names its 5
newest; ``sourceEvents`` tells how many there were. When the real service extracts records, it
writes none of these keys: see ``docs/correlation.md`` for the lineage available there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from . import limits
from .codec import StoredMessage, decode_event

_TRACE_ID = re.compile(r"[0-9a-f]{32}")
_EVENT_ID = re.compile(r"[0-9]+#[a-fA-F0-9]+")

SOURCE_TRACE_IDS: Final = "sourceTraceIds"
SOURCE_EVENT_IDS: Final = "sourceEventIds"
SOURCE_ACTOR_ID: Final = "sourceActorId"
SOURCE_SESSION_ID: Final = "sourceSessionId"
SOURCE_SPAN_ID: Final = "sourceSpanId"
SOURCE_EVENTS: Final = "sourceEvents"

LINEAGE_KEYS: Final = (
    SOURCE_TRACE_IDS,
    SOURCE_EVENT_IDS,
    SOURCE_ACTOR_ID,
    SOURCE_SESSION_ID,
    SOURCE_SPAN_ID,
    SOURCE_EVENTS,
)
"""Every record metadata key lineage may use (six of the record's 20)."""


def encode_event_id(event_id: str) -> str:
    """An eventId as a record metadata list item: ``#`` is outside the charset, ``.`` is not."""
    return event_id.replace("#", ".")


def decode_event_id(item: str) -> str:
    """The eventId a ``sourceEventIds`` item stands for."""
    return item.replace(".", "#")


def _fits(item: str) -> bool:
    try:
        limits.RECORD_METADATA_LIST_ITEM.check(item, "item")
    except ValueError:
        return False
    return True


def _fits_string(value: str) -> bool:
    try:
        limits.RECORD_METADATA_STRING.check(value, "value")
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Source:
    """An event a record came from: its id and the trace that wrote it (``None`` if unstamped)."""

    event_id: str
    trace_id: str | None


def lineage_metadata(
    sources: Sequence[Source],
    *,
    actor_id: str | None = None,
    session_id: str | None = None,
    trace_id: str | None = None,
    span_id: str | None = None,
) -> dict[str, dict[str, Any]]:
    """The record metadata naming a record's sources, within the API's limits.

    ``sources`` are oldest first; the lists keep the newest 5 (distinct trace ids). ``trace_id``
    and ``span_id`` are for a record created directly inside a trace (no source event).
    Values the API cannot hold (an actor id over 256 characters) are left out.
    """
    newest = list(reversed(sources))
    event_items = [
        encode_event_id(s.event_id) for s in newest if _fits(encode_event_id(s.event_id))
    ]
    traces: list[str] = []
    for candidate in ([trace_id] if trace_id else []) + [s.trace_id for s in newest if s.trace_id]:
        if candidate not in traces and _fits(candidate):
            traces.append(candidate)
    metadata: dict[str, dict[str, Any]] = {}
    if traces:
        metadata[SOURCE_TRACE_IDS] = {
            "stringListValue": traces[: limits.RECORD_STRING_LIST_MAX_ITEMS]
        }
    if event_items:
        metadata[SOURCE_EVENT_IDS] = {
            "stringListValue": event_items[: limits.RECORD_STRING_LIST_MAX_ITEMS]
        }
        metadata[SOURCE_EVENTS] = {"numberValue": len(sources)}
    for key, value in (
        (SOURCE_ACTOR_ID, actor_id),
        (SOURCE_SESSION_ID, session_id),
        (SOURCE_SPAN_ID, span_id),
    ):
        if value and _fits_string(value):
            metadata[key] = {"stringValue": value}
    return metadata


@dataclass(frozen=True)
class RecordLineage:
    """What a record's metadata says about where it came from.

    Attributes:
        record_id: The record.
        trace_ids: The traces of its source events (or the trace that created it), newest first.
        event_ids: Its source eventIds, newest first (at most 5).
        event_count: How many source events there were (``len(event_ids)`` or more).
        actor_id: The source events' actor, when known.
        session_id: Their session, when known.
        span_id: The span that created the record, for a record created directly.
    """

    record_id: str
    trace_ids: tuple[str, ...] = ()
    event_ids: tuple[str, ...] = ()
    event_count: int = 0
    actor_id: str | None = None
    session_id: str | None = None
    span_id: str | None = None
    namespace: str | None = None
    text: str | None = field(default=None, repr=False)

    @property
    def known(self) -> bool:
        """Whether the record names any source (records the real service extracts do not)."""
        return bool(self.trace_ids or self.event_ids)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "memoryRecordId": self.record_id,
            "namespace": self.namespace,
            "traceIds": list(self.trace_ids),
            "eventIds": list(self.event_ids),
            "eventCount": self.event_count,
            "actorId": self.actor_id,
            "sessionId": self.session_id,
            "spanId": self.span_id,
        }


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, Mapping):
        return ()
    items = value.get("stringListValue")
    if not isinstance(items, list):
        return ()
    return tuple(item for item in items if isinstance(item, str))


def _string(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return None
    text = value.get("stringValue")
    return text if isinstance(text, str) and text else None


def _valid(rule: limits.TextRule, value: str | None) -> str | None:
    """``value`` if the API accepts it under ``rule``, else ``None``."""
    if value is None:
        return None
    try:
        return rule.check(value, "value")
    except ValueError:
        return None


def parse_lineage(record: Mapping[str, Any]) -> RecordLineage:
    """The lineage in a ``MemoryRecord`` or ``MemoryRecordSummary``.

    Never raises on stored data: a key of the wrong type or shape counts as absent, and so
    does an id the API would not accept (a trace id that is not 32 lowercase hex digits, the
    form this package stores; an eventId, actor id or session id breaking its pattern), so
    the calls made from a lineage are always well formed.
    """
    metadata = record.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    events = tuple(
        event_id
        for event_id in (decode_event_id(e) for e in _strings(metadata.get(SOURCE_EVENT_IDS)))
        if _EVENT_ID.fullmatch(event_id)
    )
    count_value = metadata.get(SOURCE_EVENTS)
    count = count_value.get("numberValue") if isinstance(count_value, Mapping) else None
    event_count = (
        int(count)
        if isinstance(count, (int, float))
        and not isinstance(count, bool)
        and count >= 0
        and count == count
        and count < 2**53
        else 0
    )
    namespaces = record.get("namespaces")
    text = (
        record.get("content", {}).get("text")
        if isinstance(record.get("content"), Mapping)
        else None
    )
    return RecordLineage(
        record_id=str(record.get("memoryRecordId", "")),
        trace_ids=tuple(
            t for t in _strings(metadata.get(SOURCE_TRACE_IDS)) if _TRACE_ID.fullmatch(t)
        ),
        event_ids=events,
        event_count=max(event_count, len(events)),
        actor_id=_valid(limits.ACTOR_ID, _string(metadata.get(SOURCE_ACTOR_ID))),
        session_id=_valid(limits.SESSION_ID, _string(metadata.get(SOURCE_SESSION_ID))),
        span_id=_string(metadata.get(SOURCE_SPAN_ID)),
        namespace=namespaces[0]
        if isinstance(namespaces, list) and namespaces and isinstance(namespaces[0], str)
        else None,
        text=text if isinstance(text, str) else None,
    )


# What an event (API shape) says about the memory activity of its turn.

READS_KEY: Final = "memoryReads"
"""The event metadata key naming the records a turn injected (see ``reads_value``)."""


def parse_reads(value: str) -> list[tuple[str, float | None]]:
    """The ``(record id, score)`` pairs of a ``memoryReads`` value; malformed pairs are skipped."""
    found: list[tuple[str, float | None]] = []
    for pair in value.split():
        record_id, _, score = pair.partition("=")
        try:
            limits.MEMORY_RECORD_ID.check(record_id, "memoryRecordId")
        except ValueError:
            continue
        try:
            found.append((record_id, float(score)))
        except ValueError:
            found.append((record_id, None))
    return found


@dataclass(frozen=True)
class Superseded:
    """A message the trace rewrote (a redaction or an update); the original's events are gone."""

    agent_id: str | None
    message_id: int | None
    event_id: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"agentId": self.agent_id, "messageId": self.message_id, "eventId": self.event_id}


def branch_of(event: Mapping[str, Any]) -> str | None:
    """The branch an event (API shape) was written on; ``None`` when it names none."""
    branch = event.get("branch")
    name = branch.get("name") if isinstance(branch, Mapping) else None
    return name if isinstance(name, str) else None


def superseded_in(event: Mapping[str, Any]) -> list[Superseded]:
    """The messages of an event (API shape) that are rewrites of earlier ones.

    A rewrite (a redaction or an update) carries an origin tag with only its id
    (``wire.codec``).
    """
    return [
        Superseded(stored.agent_id, stored.message_id, str(event.get("eventId", "")))
        for stored in decode_event(dict(event))
        if isinstance(stored, StoredMessage)
        and stored.origin is not None
        and stored.origin.base is None
        and stored.origin.since_ms is None
    ]


def reads_in(event: Mapping[str, Any]) -> list[tuple[str, float | None]]:
    """The records an event (API shape) says its turn injected: ``(record id, score)``."""
    metadata = event.get("metadata")
    value = metadata.get(READS_KEY) if isinstance(metadata, Mapping) else None
    text = value.get("stringValue") if isinstance(value, Mapping) else None
    return parse_reads(text) if isinstance(text, str) else []
