"""Entries: messages and records encoded, stamped and checked, ready for the writer.

An entry is built once, when its hook fires: its payload item, size, metadata, timestamp and
trace stamp are fixed then, so a later flush (or a retry of it) sends exactly what the hook
saw. Every check (metadata keys and values, the key budget, the event size) runs while the
entry is built, so a hook that raises has changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, assert_never

from strands.types.session import SessionMessage

from ..aws import limits
from ..trace_stamp import TraceStamp, current_stamp
from .clock import MonotonicClock
from .codec import PayloadItem, encode_message, item_size
from .metadata import Metadata, check_key_budget, merge, normalise

# Room for the request's other members (ids, timestamp, metadata, token) under the 10 MB cap.
EVENT_PAYLOAD_MAX_BYTES = limits.EVENT_MAX_BYTES - 64 * 1024


class RecordKind(Enum):
    """What a record describes; records are keyed by (kind, id)."""

    SESSION = "session"
    """The session itself (its id is ``None``); written once, when the session starts."""
    AGENT = "agent"
    """One agent's state: its ``SessionAgent`` and the id its next message will get."""

    @property
    def state_type(self) -> str:
        """The ``stateType`` metadata value of an event holding this kind of record."""
        match self:
            case RecordKind.SESSION:
                return "SESSION"
            case RecordKind.AGENT:
                return "AGENT"
            case _:
                assert_never(self)

    @property
    def precedence(self) -> int:
        """Which kind names an event holding several (the highest wins)."""
        match self:
            case RecordKind.SESSION:
                return 0
            case RecordKind.AGENT:
                return 1
            case _:
                assert_never(self)


RecordKey = tuple[RecordKind, str | None]
"""A record's identity in the buffer: a newer record with the same key replaces the older."""


@dataclass(frozen=True)
class PendingMessage:
    """An encoded message waiting to be written."""

    agent_id: str
    message_id: int
    item: PayloadItem
    size: int
    timestamp_ms: int
    metadata: Metadata
    stamp: TraceStamp | None


@dataclass(frozen=True)
class PendingRecord:
    """An encoded record waiting to be written.

    ``subject_id`` is the agent's id for an agent record and ``None`` for the session record.
    ``is_new`` marks the first record of its subject in this session: it exists only because
    the session or agent is new, so a naive manager would have paid a call just to create it.
    """

    kind: RecordKind
    subject_id: str | None
    item: PayloadItem
    size: int
    metadata: Metadata
    stamp: TraceStamp | None
    is_new: bool
    next_message_id: int | None = None

    @property
    def key(self) -> RecordKey:
        """The buffer slot this record occupies."""
        return (self.kind, self.subject_id)


class EntryFactory:
    """Builds the entries of one session manager from its configuration.

    Args:
        clock: Source of strictly increasing message timestamps.
        default_metadata: Normalised metadata for every event.
        metadata_provider: Called for each entry; its keys sit above ``default_metadata``.
        stamp_traces: Whether entries carry the active span's ids.
    """

    def __init__(
        self,
        *,
        clock: MonotonicClock,
        default_metadata: Metadata,
        metadata_provider: Callable[[], Mapping[str, Any]] | None,
        stamp_traces: bool,
    ) -> None:
        self._clock = clock
        self._default_metadata = default_metadata
        self._metadata_provider = metadata_provider
        self._stamp_traces = stamp_traces

    @property
    def trace_key_count(self) -> int:
        """How many metadata keys the trace stamp takes in each event."""
        return 2 if self._stamp_traces else 0

    def message(
        self, session_message: SessionMessage, agent_id: str, per_call: Any = None
    ) -> PendingMessage:
        """Encode and check one message; nothing is changed if this raises.

        Raises:
            ValueError: Metadata breaks a limit, or the message is larger than an event.
        """
        metadata = self._metadata(per_call)
        item = encode_message(session_message, agent_id)
        size = item_size(item)
        if size > EVENT_PAYLOAD_MAX_BYTES:
            raise ValueError(
                f"message {session_message.message_id} encodes to {size} bytes; an event may "
                f"hold at most {limits.EVENT_MAX_BYTES} bytes"
            )
        return PendingMessage(
            agent_id,
            session_message.message_id,
            item,
            size,
            self._clock.next_ms(),
            metadata,
            self._stamp(),
        )

    def record(
        self,
        kind: RecordKind,
        subject_id: str | None,
        item: PayloadItem,
        *,
        is_new: bool,
        next_message_id: int | None = None,
    ) -> PendingRecord:
        """Encode and check one record; nothing is changed if this raises."""
        return PendingRecord(
            kind,
            subject_id,
            item,
            item_size(item),
            self._metadata(None),
            self._stamp(),
            is_new,
            next_message_id,
        )

    def _metadata(self, per_call: Any) -> Metadata:
        provided = self._metadata_provider() if self._metadata_provider else None
        metadata = merge(
            self._default_metadata,
            normalise(provided, source="metadata_provider"),
            normalise(per_call, source="metadata"),
        )
        check_key_budget(metadata, trace_keys=self.trace_key_count)
        return metadata

    def _stamp(self) -> TraceStamp | None:
        return current_stamp() if self._stamp_traces else None
