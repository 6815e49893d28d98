"""The journal's row bodies: pending entries and planned events as JSON, and back.

A row holds what the buffer holds, so a replay rebuilds the very same entries and requests
(clientTokens, timestamps and trace stamps included). A trace stamp is kept as its two hex
ids; the span context it links to is rebuilt as a remote, sampled one. A row read back is
checked (JSON, members, their types) before anything is sent: one that does not read is a
``JournalRowError`` naming the file, table and row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from opentelemetry.trace import SpanContext, TraceFlags

from ...wire.pending import PendingMessage, PendingRecord, RecordKind
from ...wire.planned import PlannedEvent
from ...wire.trace_stamp import TraceStamp

T = TypeVar("T")


class JournalRowError(ValueError):
    """A journal row does not read back (damaged or edited outside this package).

    Nothing is sent or removed: the session's rows stay as they are until the row is fixed
    or the session's rows are erased (``erase_rows``, the ``erase`` command).
    """

    def __init__(self, path: Path, table: str, row_id: int, cause: BaseException) -> None:
        super().__init__(
            f"journal_path {str(path)!r}: row {row_id} of table {table!r} does not read back "
            f"({type(cause).__name__}: {str(cause)[:200]}); nothing was replayed or removed. "
            "Fix the row, or erase the session's journal rows, and build the manager again"
        )
        self.path, self.table, self.row_id = path, table, row_id


def read_row(path: Path, table: str, row_id: int, body: Any, read: Callable[[Any], T]) -> T:
    """``read`` of a row's JSON body; ``JournalRowError`` if it is not a row this code wrote."""
    try:
        return read(json.loads(body))
    except Exception as exc:  # a row edited or damaged outside this package
        raise JournalRowError(path, table, row_id, exc) from exc


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
        _typed(b, "agent_id", str),
        _typed(b, "message_id", int),
        _typed(b, "item", dict),
        _typed(b, "size", int),
        _typed(b, "timestamp_ms", int),
        _typed(b, "metadata", dict),
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
        _typed(b, "subject_id", str, type(None)),
        _typed(b, "item", dict),
        _typed(b, "size", int),
        _typed(b, "metadata", dict),
        _stamp_from(b["stamp"]),
        _typed(b, "is_new", bool),
        _typed(b, "next_message_id", int, type(None)),
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
    request = _typed(b, "request", dict)
    _typed(request, "payload", list)
    return PlannedEvent(
        request,
        _typed(b, "agent_id", str, type(None)),
        _typed(b, "message_count", int),
        tuple(record_from(r) for r in _typed(b, "records", list)),
        _typed(b, "payload_bytes", int),
        tuple(_context(link) for link in _typed(b, "links", list)),
        journal_id=row_id,
        item_message_ids=tuple(b.get("item_message_ids", ())),
    )


def _typed(body: dict[str, Any], name: str, *types: type) -> Any:
    """``body[name]``, which must be of one of ``types`` (a row is checked before it is sent)."""
    value = body[name]
    if not isinstance(value, types):
        raise TypeError(
            f"{name} is {type(value).__name__}, not {' or '.join(t.__name__ for t in types)}"
        )
    return value


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
