"""Graph and Swarm persistence: each orchestrator's ``serialize_state()`` as a record of its own.

The record (``RecordKind.MULTI_AGENT``, keyed by the orchestrator's id) is captured when the
orchestrator is initialized and after every node and every invocation, as Strands'
``RepositorySessionManager`` does; it is buffered only when its content changed (a hash that
ignores ``execution_time``, which changes on every read). A restore takes the newest record from
the session's single unfiltered scan and hands it to ``deserialize_state``, so a Graph or Swarm
resumes exactly as Strands resumes it from its own session storage.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .codec import content_digest, encode_multi_agent
from .entries import EntryFactory, PendingRecord, RecordKind
from .restore import SessionScan

if TYPE_CHECKING:
    from strands.multiagent.base import MultiAgentBase

# Wall-clock figures that change on every serialization without any progress being made.
_VOLATILE_KEYS = frozenset({"execution_time"})


def multi_agent_digest(state: dict[str, Any]) -> str:
    """A content hash of a serialized orchestrator state that ignores its timings."""
    return content_digest({k: v for k, v in state.items() if k not in _VOLATILE_KEYS})


class MultiAgentTracker:
    """What one session manager knows of the Graphs and Swarms it persists.

    Args:
        entries: Builds the records (metadata, trace stamp) like every other entry.
        scan: The session's newest-first scan, shared with agent restores.
        session_exists: Whether the session had events when the manager was built.
        buffer: Takes a record to write (the writer's ``set_record``), or ``None`` when
            nothing is persisted.
        on_unchanged: Told of a sync that found nothing to write.
    """

    def __init__(
        self,
        *,
        entries: EntryFactory,
        scan: SessionScan,
        session_exists: bool,
        buffer: Callable[[PendingRecord], None] | None,
        on_unchanged: Callable[[], None],
    ) -> None:
        self._entries = entries
        self._scan = scan
        self._session_exists = session_exists
        self._buffer = buffer
        self._on_unchanged = on_unchanged
        # The last state captured (or restored) per orchestrator id, and its digest.
        self._states: dict[str, dict[str, Any]] = {}
        self._digests: dict[str, str] = {}

    def initialize(self, source: MultiAgentBase) -> None:
        """Restore ``source`` from the session, or capture it as a new orchestrator.

        An orchestrator built again under an id this manager already persists continues from
        the state this manager last captured for it (the scan predates those writes).
        """
        state = self._states.get(source.id)
        if state is None and self._session_exists:
            state = self._scan.restore_multi_agent(source.id)
        if state is None:
            self.capture(source)
            return
        source.deserialize_state(copy.deepcopy(state))
        self._states[source.id] = state
        self._digests[source.id] = multi_agent_digest(state)

    def capture(self, source: MultiAgentBase) -> bool:
        """Buffer ``source``'s state if it changed since it was last captured; say whether."""
        if self._buffer is None:
            return False
        state = source.serialize_state()
        digest = multi_agent_digest(state)
        if digest == self._digests.get(source.id):
            self._on_unchanged()
            return False
        is_new = source.id not in self._digests
        item = encode_multi_agent(source.id, state)  # raises before anything is changed
        self._buffer(self._entries.record(RecordKind.MULTI_AGENT, source.id, item, is_new=is_new))
        self._states[source.id] = state
        self._digests[source.id] = digest
        return True
