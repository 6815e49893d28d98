"""The journal's row bodies: pending entries and planned events as JSON, and back.

A row holds what the buffer holds, so a replay rebuilds the very same entries and requests
(clientTokens, timestamps and trace stamps included). A trace stamp is kept as its two hex
ids; the span context it links to is rebuilt as a remote, sampled one.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import SpanContext, TraceFlags

from ...wire.pending import PendingMessage, PendingRecord, RecordKind
from ...wire.planned import PlannedEvent
from ...wire.trace_stamp import TraceStamp


def message_body(m: PendingMessage) -> dict[str, Any]:
    """A message entry's row body."""
    return {
        "agent_id": m.agent_id,
        "message_id": m.message_id,
        "item": m.item,
        "size": m.size,
        "timestamp_ms": m.timestamp_ms,
        "metadata": m.metadata,
        "stamp": _stamp_body(m.stamp),
    }


def message_from(b: dict[str, Any]) -> PendingMessage:
    """The message entry a row body holds."""
    return PendingMessage(
        b["agent_id"],
        b["message_id"],
        b["item"],
        b["size"],
        b["timestamp_ms"],
        b["metadata"],
        _stamp_from(b["stamp"]),
    )


def record_body(r: PendingRecord) -> dict[str, Any]:
    """A record entry's row body."""
    return {
        "kind": r.kind.value,
        "subject_id": r.subject_id,
        "item": r.item,
        "size": r.size,
        "metadata": r.metadata,
        "stamp": _stamp_body(r.stamp),
        "is_new": r.is_new,
        "next_message_id": r.next_message_id,
    }


def record_from(b: dict[str, Any]) -> PendingRecord:
    """The record entry a row body holds."""
    return PendingRecord(
        RecordKind(b["kind"]),
        b["subject_id"],
        b["item"],
        b["size"],
        b["metadata"],
        _stamp_from(b["stamp"]),
        b["is_new"],
        b["next_message_id"],
    )


def event_body(event: PlannedEvent) -> dict[str, Any]:
    """A planned event's row body."""
    return {
        "request": event.request,
        "agent_id": event.agent_id,
        "message_count": event.message_count,
        "records": [record_body(r) for r in event.records],
        "payload_bytes": event.payload_bytes,
        "links": [[f"{c.trace_id:032x}", f"{c.span_id:016x}"] for c in event.links],
        "item_message_ids": list(event.item_message_ids),
    }


def event_from(row_id: int, b: dict[str, Any]) -> PlannedEvent:
    """The planned event a row body holds, with its row id as ``journal_id``."""
    return PlannedEvent(
        b["request"],
        b["agent_id"],
        b["message_count"],
        tuple(record_from(r) for r in b["records"]),
        b["payload_bytes"],
        tuple(_context(link) for link in b["links"]),
        journal_id=row_id,
        item_message_ids=tuple(b.get("item_message_ids", ())),
    )


def _stamp_body(stamp: TraceStamp | None) -> list[str] | None:
    return [stamp.trace_id, stamp.span_id] if stamp is not None else None


def _stamp_from(body: list[str] | None) -> TraceStamp | None:
    if body is None:
        return None
    return TraceStamp(body[0], body[1], _context(body))


def _context(body: list[str]) -> SpanContext:
    return SpanContext(
        int(body[0], 16),
        int(body[1], 16),
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
