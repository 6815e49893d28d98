"""What waits in the batcher's buffer: encoded messages and records, and the kinds of record.

The shapes the batcher, the journal, a planned event and telemetry all speak of, with no
behaviour of their own; ``entries`` builds them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from typing import assert_never

from . import limits
from .json_text import PayloadItem
from .metadata import Metadata
from .trace_stamp import TraceStamp

# Room for the request's other members (ids, timestamp, metadata, token) under the 10 MB cap.
EVENT_PAYLOAD_MAX_BYTES = limits.EVENT_MAX_BYTES - 64 * 1024


class RecordKind(Enum):
    """What a record describes; records are keyed by (kind, id)."""

    SESSION = "session"
    """The session itself (its id is ``None``); written once, when the session starts."""
    AGENT = "agent"
    """One agent's state: its ``SessionAgent`` and the id its next message will get."""
    MULTI_AGENT = "multi_agent"
    """A Graph's or Swarm's serialized state (``serialize_state()``), keyed by its id."""

    @property
    def state_type(self) -> str:
        """The ``stateType`` metadata value of an event holding this kind of record."""
        match self:
            case RecordKind.SESSION:
                return "SESSION"
            case RecordKind.AGENT:
                return "AGENT"
            case RecordKind.MULTI_AGENT:
                return "MULTI_AGENT"
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
            case RecordKind.MULTI_AGENT:
                return 2
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
    added_at: float = field(default_factory=time.monotonic, compare=False)
    """When the hook added it (``time.monotonic()``), for the write-lag metric."""


@dataclass(frozen=True)
class PendingRecord:
    """An encoded record waiting to be written.

    ``subject_id`` is the agent's (or the orchestrator's) id, and ``None`` for the session record.
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
