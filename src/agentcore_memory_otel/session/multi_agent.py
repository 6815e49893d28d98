"""Graph and Swarm persistence: each orchestrator's ``serialize_state()`` as a record of its own.

The record (``RecordKind.MULTI_AGENT``, keyed by the orchestrator's id) is captured when the
orchestrator is initialized and after every node and every invocation, as Strands'
``RepositorySessionManager`` does; it is buffered only when its content changed (a hash that
ignores ``execution_time``, which changes on every read). A restore takes the newest record from
the session's single unfiltered scan that ``deserialize_state`` accepts, so a Graph or Swarm
resumes exactly as Strands resumes it from its own session storage.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..wire.encoding import encode_multi_agent
from ..wire.json_text import content_digest
from ..wire.pending import PendingRecord, RecordKind
from .read.restore import SessionScan
from .write.entries import EntryFactory

if TYPE_CHECKING:
    from strands.multiagent.base import MultiAgentBase

logger = logging.getLogger(__name__)

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
        buffer: Takes a record to write (the ``WriteScheduler``'s ``set_record``), or ``None``
            with ``persistence_mode`` NONE: then nothing is captured.
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
        the state this manager last captured for it (the scan predates those writes). A stored
        state ``deserialize_state`` cannot take (another client's, a hostile one) is skipped
        with one warning naming its event, and the next older one is tried: a bad checkpoint
        never keeps a Graph or Swarm from being built.
        """
        state = self._states.get(source.id)
        if state is not None:
            source.deserialize_state(copy.deepcopy(state))
        elif self._session_exists:
            state = self._restore(source)
        if state is None:
            self.capture(source)
            return
        self._states[source.id] = state
        self._digests[source.id] = multi_agent_digest(state)

    def _restore(self, source: MultiAgentBase) -> dict[str, Any] | None:
        """Hand ``source`` the newest stored state it takes; returns that state."""
        fresh = source.serialize_state()  # what a failed attempt is undone with
        for stored in self._scan.multi_agent_states(source.id):
            try:
                source.deserialize_state(copy.deepcopy(stored.state))
                multi_agent_digest(stored.state)  # it must hash, to be compared later
            except Exception as exc:  # hostile data: wrong types, bad values, deep nesting
                logger.warning(
                    "multi_agent_id=<%s>, event_id=<%s> | skipping a stored state that cannot "
                    "be restored: %s",
                    source.id,
                    stored.event_id,
                    f"{type(exc).__name__}: {exc}"[:200],
                )
                source.deserialize_state(copy.deepcopy(fresh))
                continue
            return stored.state
        return None

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
