"""A planned event: one CreateEvent call, fixed when it is planned.

Everything a retry must repeat exactly (payload, timestamps, metadata, ``clientToken``) is in
``request`` from the moment the batcher plans it; the journal stores planned events as they are
and hands them back unchanged, so the service deduplicates a resend of anything it had stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opentelemetry.trace import SpanContext

from .pending import PendingRecord, RecordKind


@dataclass
class PlannedEvent:
    """One CreateEvent call, fixed at planning time so a retry repeats it exactly."""

    request: dict[str, Any]
    agent_id: str | None
    message_count: int
    records: tuple[PendingRecord, ...]
    payload_bytes: int
    links: tuple[SpanContext, ...]
    added_at: tuple[float, ...] = ()
    """When each of its messages was added (``time.monotonic()``)."""
    event_id: str | None = None
    journal_id: int | None = None
    """Its row in the journal, deleted once the event is acknowledged."""
    item_message_ids: tuple[int | None, ...] = ()
    """Per payload item, the id of the message it holds (``None`` for a record)."""
    redacted: set[int] = field(default_factory=set)
    """Ids of its messages redacted while it was in flight: deleted once it is acknowledged."""

    @property
    def carries_agent(self) -> bool:
        """Whether the event holds an agent record."""
        return any(r.kind is RecordKind.AGENT for r in self.records)

    @property
    def carries_session(self) -> bool:
        """Whether the event holds the session record."""
        return any(r.kind is RecordKind.SESSION for r in self.records)
