"""The journal's row bodies read back as the entries and events they were written from.

A replay sends what a row holds, so every field a request or a restore depends on must come
back equal: timestamps, metadata, trace stamps (and the span links built from them), record
kinds and the ids of each payload item (``None`` for records). Rows pass through JSON, as
the journal stores them.
"""

from __future__ import annotations

import json
from typing import Any

from opentelemetry.trace import SpanContext, TraceFlags

from agentcore_memory_otel.session.write.journal_rows import (
    event_body,
    event_from,
    message_body,
    message_from,
    record_body,
    record_from,
)
from agentcore_memory_otel.wire.pending import PendingMessage, PendingRecord, RecordKind
from agentcore_memory_otel.wire.planned import PlannedEvent
from agentcore_memory_otel.wire.trace_stamp import TraceStamp

TRACE, SPAN = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
CONTEXT = SpanContext(int(TRACE, 16), int(SPAN, 16), True, TraceFlags(TraceFlags.SAMPLED))
STAMP = TraceStamp(TRACE, SPAN, CONTEXT)
UNICODE = "ünï 𝄞 \u2028 \ud800 lone"  # a lone surrogate survives json.dumps' escapes


def _through_json(body: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(body))
    return loaded


def _message(stamp: TraceStamp | None) -> PendingMessage:
    item = {"conversational": {"content": {"text": UNICODE}, "role": "USER"}}
    metadata = {"k": {"stringValue": UNICODE}}
    return PendingMessage("agent", 4, item, 123, 1_700_000_000_123, metadata, stamp)


def _record(kind: RecordKind, subject: str | None) -> PendingRecord:
    return PendingRecord(kind, subject, {"blob": "{}"}, 2, {}, STAMP, True, 5)


def test_message_rows_read_back_equal_with_and_without_a_stamp() -> None:
    for stamp in (STAMP, None):
        message = _message(stamp)
        back = message_from(_through_json(message_body(message)))
        assert back == message
        if stamp is not None:
            assert back.stamp is not None and back.stamp.span_context == CONTEXT


def test_record_rows_read_back_equal_for_every_kind() -> None:
    for kind, subject in [
        (RecordKind.SESSION, None),
        (RecordKind.AGENT, "agent"),
        (RecordKind.MULTI_AGENT, "graph"),
    ]:
        record = _record(kind, subject)
        assert record_from(_through_json(record_body(record))) == record


def test_planned_event_rows_read_back_as_the_same_request() -> None:
    event = PlannedEvent(
        {
            "memoryId": "m",
            "payload": [{"blob": UNICODE}],
            "clientToken": "t",
            "eventTimestamp": 1.5,
        },
        "agent",
        1,
        (_record(RecordKind.AGENT, "agent"),),
        77,
        (CONTEXT,),
        item_message_ids=(3, None),
    )
    back = event_from(42, _through_json(event_body(event)))
    assert back.journal_id == 42
    assert back.request == event.request
    assert (back.agent_id, back.message_count, back.payload_bytes) == ("agent", 1, 77)
    assert back.records == event.records
    assert back.item_message_ids == (3, None)
    assert [(c.trace_id, c.span_id) for c in back.links] == [(CONTEXT.trace_id, CONTEXT.span_id)]


def test_a_planned_row_from_before_item_ids_reads_with_none() -> None:
    """Rows written before ``item_message_ids`` existed lack the member: no ids, not an error."""
    body = _through_json(
        event_body(PlannedEvent({"payload": []}, None, 0, (), 0, (), item_message_ids=()))
    )
    del body["item_message_ids"]
    assert event_from(1, body).item_message_ids == ()
