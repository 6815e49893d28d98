"""Packing: buffered messages and records into CreateEvent requests, as a flush plans them.

Planning rules, applied when a flush starts:

* Consecutive messages of the same agent and the same trace go into one event, in order;
  an event never mixes agents or traces. A new event starts at 100 payload items, at 10 MB,
  when merged metadata would pass 15 keys, or when a message gives a metadata key another
  value than the event's earlier messages (so an event's metadata holds for all its messages).
* The session record rides in the first event; an agent record rides in the last event that
  holds that agent's messages. A multi-agent (Graph or Swarm) record has no messages of its own:
  it rides in the newest event holding messages of its trace, if any. A record with no message
  to ride on gets an event of its own.
* Each event's ``eventTimestamp`` is its newest message's timestamp (state-only events take
  the clock's next tick), and its ``clientToken`` is fixed when it is planned.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, assert_never

from opentelemetry.trace import SpanContext

from ...wire import limits
from ...wire.branches import BranchView
from ...wire.clock import MonotonicClock
from ...wire.encoding import with_next_message_id
from ...wire.json_text import PayloadItem
from ...wire.metadata import AGENT_ID_KEY, STATE_TYPE_KEY, Metadata, merge, user_key_budget
from ...wire.pending import (
    EVENT_PAYLOAD_MAX_BYTES,
    PendingMessage,
    PendingRecord,
    RecordKey,
    RecordKind,
)
from ...wire.planned import PlannedEvent
from ...wire.trace_stamp import TraceStamp


@dataclass
class _Draft:
    agent_id: str | None
    trace_id: str | None
    messages: list[PendingMessage] = field(default_factory=list)
    records: list[PendingRecord] = field(default_factory=list)
    size: int = 0
    user_metadata: Metadata = field(default_factory=dict)

    def has_room(self, size: int, metadata: Metadata, trace_keys: int) -> bool:
        items = len(self.messages) + len(self.records) + 1
        keys = len(merge(self.user_metadata, metadata))
        return (
            items <= limits.PAYLOAD_MAX_ITEMS
            and self.size + size <= EVENT_PAYLOAD_MAX_BYTES
            and keys <= user_key_budget(trace_keys=trace_keys)
        )

    def agrees_with(self, metadata: Metadata) -> bool:
        """Whether ``metadata`` gives no key a value different from the draft's messages."""
        return all(self.user_metadata.get(key, value) == value for key, value in metadata.items())

    def add(self, entry: PendingMessage | PendingRecord) -> None:
        self.size += entry.size
        if isinstance(entry, PendingMessage):
            self.messages.append(entry)
            self.user_metadata = merge(self.user_metadata, entry.metadata)
        else:
            # A record riding along must not override its messages' metadata.
            self.records.append(entry)
            self.user_metadata = merge(entry.metadata, self.user_metadata)

    @property
    def stamp(self) -> TraceStamp | None:
        """The newest message's stamp; a record's only for events without messages."""
        for entries in (self.messages, self.records):
            stamps = [e.stamp for e in entries if e.stamp is not None]
            if stamps:
                return stamps[-1]
        return None


class EventPacker:
    """Plans one session's buffered entries as CreateEvent requests (the rules above).

    Args:
        target: ``memoryId``, ``actorId`` and ``sessionId`` of every request.
        clock: Source of strictly increasing timestamps (for events without messages).
        trace_keys: Metadata keys for the trace stamp, or ``None`` not to stamp.
        branch: The branch every event goes on (``None`` or ``main``: no ``branch`` member).
    """

    def __init__(
        self,
        *,
        target: dict[str, str],
        clock: MonotonicClock,
        trace_keys: tuple[str, str] | None,
        branch: BranchView | None,
    ) -> None:
        self._target = target
        self._clock = clock
        self._trace_keys = trace_keys
        self._branch = branch

    @property
    def trace_key_count(self) -> int:
        """How many metadata keys the trace stamp takes."""
        return 2 if self._trace_keys else 0

    def plan(
        self, messages: list[PendingMessage], records: dict[RecordKey, PendingRecord]
    ) -> list[PlannedEvent]:
        """The events that store ``messages`` and ``records``, in order, clientTokens fixed."""
        drafts: list[_Draft] = []
        trace_keys = self.trace_key_count
        for message in messages:
            trace_id = message.stamp.trace_id if message.stamp else None
            last = drafts[-1] if drafts else None
            if (
                last is None
                or last.agent_id != message.agent_id
                or last.trace_id != trace_id
                or not last.has_room(message.size, message.metadata, trace_keys)
                or not last.agrees_with(message.metadata)
            ):
                last = _Draft(message.agent_id, trace_id)
                drafts.append(last)
            last.add(message)
        # Records ride on a message event of their agent when there is room (the newest such
        # event first); otherwise they share one state event per agent. The session record
        # goes first so that it is never newer than the first message.
        ordered = sorted(records.values(), key=lambda r: r.kind.precedence)
        agent_ids = [r.subject_id for r in ordered if r.kind is RecordKind.AGENT]
        for record in ordered:
            owner = self._owner(record, drafts, agent_ids)
            fits = [
                d
                for d in drafts
                if d.agent_id == owner and d.has_room(record.size, record.metadata, trace_keys)
            ]
            if fits:
                target = fits[0] if record.kind is RecordKind.SESSION else fits[-1]
            else:
                target = _Draft(owner, None)
                drafts.append(target)
            target.add(record)
        # An agent record says which message id comes next: every message of its agent with a
        # smaller id is in the record's event or an older one, which lets a restore stop early.
        next_ids: dict[str, int] = {}
        for message in messages:
            next_ids[message.agent_id] = max(
                next_ids.get(message.agent_id, 0), message.message_id + 1
            )
        return [self._plan_event(draft, next_ids) for draft in drafts]

    @staticmethod
    def _owner(
        record: PendingRecord, drafts: list[_Draft], agent_ids: list[str | None]
    ) -> str | None:
        """The agent whose events a record rides with (the session's: the first agent's).

        ``None`` means the record's own state event, without an ``agentId``.
        """
        match record.kind:
            case RecordKind.AGENT:
                return record.subject_id
            case RecordKind.SESSION:
                return next((d.agent_id for d in drafts), next(iter(agent_ids), None))
            case RecordKind.MULTI_AGENT:
                trace_id = record.stamp.trace_id if record.stamp else None
                riding = [d for d in drafts if d.messages and d.trace_id == trace_id]
                return riding[-1].agent_id if riding else None
            case _:
                assert_never(record.kind)

    def _plan_event(self, draft: _Draft, next_ids: dict[str, int]) -> PlannedEvent:
        internal: Metadata = {}
        if draft.agent_id is not None:
            internal[AGENT_ID_KEY] = {"stringValue": draft.agent_id}
        if draft.records:
            kind = max((r.kind for r in draft.records), key=lambda k: k.precedence)
            internal[STATE_TYPE_KEY] = {"stringValue": kind.state_type}
        stamp = draft.stamp
        trace_layer = (
            stamp.metadata(*self._trace_keys) if stamp is not None and self._trace_keys else {}
        )
        metadata = merge(trace_layer, draft.user_metadata, internal)
        timestamp_ms = (
            max(m.timestamp_ms for m in draft.messages) if draft.messages else self._clock.next_ms()
        )
        request: dict[str, Any] = {
            **self._target,
            "eventTimestamp": timestamp_ms / 1000,
            "payload": [m.item for m in draft.messages]
            + [_final_item(r, next_ids) for r in draft.records],
            "clientToken": str(uuid.uuid4()),
        }
        if metadata:
            request["metadata"] = metadata
        on_branch = self._branch.create_event_branch() if self._branch is not None else None
        if on_branch is not None:
            request["branch"] = on_branch
        entries: list[PendingMessage | PendingRecord] = [*draft.messages, *draft.records]
        links = _unique(e.stamp.span_context for e in entries if e.stamp)
        return PlannedEvent(
            request,
            draft.agent_id,
            len(draft.messages),
            tuple(draft.records),
            draft.size,
            links,
            tuple(m.added_at for m in draft.messages),
            item_message_ids=tuple(m.message_id for m in draft.messages)
            + (None,) * len(draft.records),
        )


def _final_item(record: PendingRecord, next_ids: dict[str, int]) -> PayloadItem:
    if record.subject_id is None or record.next_message_id is None:
        return record.item
    planned = next_ids.get(record.subject_id, 0)
    return with_next_message_id(record.item, max(planned, record.next_message_id))


def _unique(contexts: Iterable[SpanContext]) -> tuple[SpanContext, ...]:
    """Span contexts without repeats, in first-seen order (SpanContext is not hashable)."""
    seen: dict[tuple[int, int], SpanContext] = {}
    for context in contexts:
        seen.setdefault((context.trace_id, context.span_id), context)
    return tuple(seen.values())
