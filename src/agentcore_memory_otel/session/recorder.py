"""What a session manager stores: its agents' changes as entries, handed to the buffer.

The manager's hooks and its repository methods hand what changed (a message, a rewrite, an
agent or session record) to a ``Recorder``, which builds the entries (``EntryFactory``) and
buffers them in the session's ``EventBatcher``:

* for hooks through the ``WriteScheduler``, which decides when the batch is sent (the manager
  then tells it ``message_added`` or ``send_soon``);
* for repository methods (``store_*``) on the batcher, flushing on the caller's thread where
  the SDK's repository writes at once, so that their return values describe stored events.

Graph and Swarm checkpoints (``session.multi_agent``) and migrated legacy records
(``session.read.legacy``) are the two other ways in: they build their records themselves and
buffer them through the ``WriteScheduler``. With ``persistence_mode`` NONE the manager holds a
``NullRecorder`` and a ``NullScheduler`` instead (``session.no_persistence``).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from strands.types.exceptions import SessionException
from strands.types.session import Session, SessionAgent, SessionMessage

from ..telemetry import names
from ..wire.branches import event_branch
from ..wire.encoding import encode_agent, encode_session
from ..wire.lineage import READS_KEY
from ..wire.pending import PendingMessage, RecordKind
from ..wire.planned import PlannedEvent
from ..wire.trace_stamp import current_stamp
from .agents import AgentTrack
from .no_persistence import NullRecorder, NullScheduler
from .write.entries import EntryFactory
from .write.redaction import Deletion, deletion_of_stored, holds_latest_foreign, holds_message
from .write.scheduler import WriteScheduler

if TYPE_CHECKING:
    from strands.types.agent import LocalAgent

    from ..telemetry import InstrumentedMemoryApi, WriteTelemetry
    from .config import AgentCoreMemoryConfig

logger = logging.getLogger(__name__)


class Recorder:
    """Builds one session's entries and buffers them (``persistence_mode`` FULL).

    Args:
        config: The session manager's configuration (ids, branch, ``batch_size``).
        api: The instrumented API (GetEvent, to find the events a redacted message is in).
        entries: Builds entries: metadata, trace stamps, size checks, the converter.
        scheduler: The session's write path; its batcher holds the buffer.
        telemetry: Told of writes avoided.
        lock: The session manager's lock, held while the buffer changes.
        converted: A custom converter is in use: stored messages carry no index, so a stored
            one cannot be superseded.
    """

    def __init__(
        self,
        *,
        config: AgentCoreMemoryConfig,
        api: InstrumentedMemoryApi,
        entries: EntryFactory,
        scheduler: WriteScheduler,
        telemetry: WriteTelemetry,
        lock: threading.RLock,
        converted: bool,
    ) -> None:
        self._config = config
        self._api = api
        self._entries = entries
        self._scheduler = scheduler
        self._batcher = scheduler.batcher
        self._telemetry = telemetry
        self._lock = lock
        self._converted = converted
        # Per agent: the records the latest retrieval injected, and the trace it ran in; named
        # on the agent's next message if that is in the same trace.
        self._pending_reads: dict[str, tuple[str, str]] = {}

    # --- from the manager's hooks: buffered, sent when the WriteScheduler says -------------

    def new_session(self, session: Session, *, now: bool) -> None:
        """Buffer a new session's record (to ride on the first write), or store it ``now``."""
        self._scheduler.set_record(
            self._entries.record(RecordKind.SESSION, None, encode_session(session), is_new=True)
        )
        if now:
            self._batcher.flush()

    def agent(self, agent: LocalAgent, track: AgentTrack) -> bool:
        """Buffer the agent record if its content changed since it was last captured.

        Returns whether something besides the conversation manager's state changed.
        """
        session_agent = SessionAgent.from_agent(agent)
        is_new = track.digest is None
        durable_change = track.captured(session_agent)
        if durable_change is None:
            self._telemetry.avoided(names.STATE_UNCHANGED)
            return False
        self._scheduler.set_record(
            self._entries.record(
                RecordKind.AGENT,
                agent.agent_id,
                encode_agent(session_agent),
                is_new=is_new,
                next_message_id=track.next_message_id,
            )
        )
        return durable_change

    def note_reads(self, agent_id: str, reads: str | None) -> None:
        """Name ``reads`` (the records a retrieval injected) on the agent's next message."""
        stamp = current_stamp(for_stamping=False)
        if reads is not None and stamp is not None:
            self._pending_reads[agent_id] = (stamp.trace_id, reads)

    def message(
        self, session_message: SessionMessage, agent_id: str, per_call: Any, base: int | None
    ) -> None:
        """Buffer a numbered message; if its metadata or size check raises, nothing changed."""
        pending = self._message_entries(session_message, agent_id, per_call, base)
        if pending:
            self._scheduler.add_message(pending)

    def rewrite(
        self, agent_id: str, session_message: SessionMessage, origin: str | None = None
    ) -> None:
        """Buffer a new version of a numbered message, superseding the old one on restore.

        A message still buffered is replaced there, so the old version is never stored.
        ``origin`` is the origin_id of the manager that stored the old version, when not this
        one.

        Raises:
            SessionException: The old version is stored and a custom converter is in use.
        """
        pending = self._rewrite_entries(session_message, agent_id, origin)
        if pending:
            self._scheduler.add_message(pending)
            self._scheduler.message_added()

    def redact(
        self,
        agent_id: str,
        track: AgentTrack,
        rewrite: SessionMessage,
        origin_id: str | None,
        stored_in: tuple[str, ...],
    ) -> None:
        """Buffer a redacted message's rewrite; the events holding the original go after it.

        They go once the rewrite is acknowledged; ``stored_in`` are the events it was restored
        from (one GetEvent each).

        Raises:
            SessionException: The original is stored and a custom converter is in use.
        """
        pending = self._rewrite_entries(rewrite, agent_id, origin_id)
        if not pending:
            return
        foreign = track.latest_origin is None  # stored without ids: the SDK's format
        originals = self._stored_originals(stored_in, agent_id, rewrite, origin_id, foreign)
        self._scheduler.redact(pending, originals)
        track.latest_events = ()
        self._scheduler.message_added()

    def pending_agent_records(self) -> int:
        """Agent records not yet acknowledged (at most one per agent)."""
        return self._batcher.pending_record_count(RecordKind.AGENT)

    # --- from the repository methods: stored at once, as the SDK's repository does ----------

    def store_session(self, session: Session) -> None:
        """Store the session record now (replacing one still buffered)."""
        with self._lock:
            record = encode_session(session)
            self._batcher.set_record(
                self._entries.record(RecordKind.SESSION, None, record, is_new=True)
            )
            self._batcher.flush()

    def store_agent(self, session_agent: SessionAgent, *, is_new: bool) -> None:
        """Store an agent record (at once with ``batch_size=1``, else with the next flush)."""
        with self._lock:
            item = encode_agent(session_agent)
            self._batcher.set_record(
                self._entries.record(RecordKind.AGENT, session_agent.agent_id, item, is_new=is_new)
            )
            if self._config.batch_size == 1:
                self._batcher.flush()

    def store_message(
        self, session_message: SessionMessage, agent_id: str, metadata: Any
    ) -> list[PlannedEvent]:
        """Buffer a message, and write the buffer if that filled it; returns what was written."""
        with self._lock:
            pending = self._entries.message(session_message, agent_id, metadata)
            if not pending:  # a converter that stores nothing for this message
                return []
            self._batcher.add_message(pending)
            if not self._batcher.buffer_full():
                return []
            return self._batcher.flush()

    def store_rewrite(self, session_message: SessionMessage, agent_id: str, metadata: Any) -> None:
        """Buffer a rewrite, and write the buffer if that filled it.

        A redacted rewrite deletes the original this manager wrote, once it is stored.
        """
        with self._lock:
            pending = self._entries.message(session_message, agent_id, metadata)
            if not pending:
                return
            if session_message.redact_message is not None:
                self._batcher.redact(pending)
            elif self._batcher.replace_message(pending):
                return
            else:
                self._batcher.add_message(pending)
            if self._batcher.buffer_full():
                self._batcher.flush()

    def write_buffered(self) -> None:
        """Write what is buffered, so that a read sees every earlier write.

        Raises:
            FlushError: The write failed; what is unsent stays buffered.
        """
        with self._lock:
            self._batcher.flush()

    # --- internals ---------------------------------------------------------------------------

    def _message_entries(
        self, session_message: SessionMessage, agent_id: str, per_call: Any, base: int | None
    ) -> tuple[PendingMessage, ...]:
        """The message's entries, naming the records injected before it when there is room.

        The ``memoryReads`` key rides only on a message of the same trace as the retrieval
        (a turn that failed before its next message names them on no later turn's event), and
        only if the event metadata's 15-key budget allows it; otherwise the message is stored
        without it (the retrieval span still names them).
        """
        pending = self._pending_reads.pop(agent_id, None)
        stamp = current_stamp() if pending is not None else None
        same_trace = stamp is not None and pending is not None and stamp.trace_id == pending[0]
        if pending is not None and same_trace and (per_call is None or isinstance(per_call, dict)):
            reads = pending[1]
            try:
                return self._entries.message(
                    session_message, agent_id, {**(per_call or {}), READS_KEY: reads}, base=base
                )
            except ValueError:
                logger.debug("agent_id=<%s> | no metadata room to name the records read", agent_id)
        return self._entries.message(session_message, agent_id, per_call, base=base)

    def _rewrite_entries(
        self, session_message: SessionMessage, agent_id: str, origin: str | None
    ) -> tuple[PendingMessage, ...]:
        """A rewrite's entries; none when there is nothing more to do.

        That is when a converter stores nothing for it, or it replaced the old version still in
        the buffer.

        Raises:
            SessionException: The old version is stored and a custom converter is in use.
        """
        pending = self._entries.message(session_message, agent_id, origin=origin)
        if not pending or self._scheduler.replace_message(pending):
            return ()
        if self._converted:
            raise SessionException(
                f"message {session_message.message_id} is already stored, and messages written "
                "with a custom converter carry no index to supersede it by"
            )
        return pending

    def _stored_originals(
        self,
        event_ids: tuple[str, ...],
        agent_id: str,
        rewrite: SessionMessage,
        origin_id: str | None,
        foreign: bool,
    ) -> list[Deletion]:
        """The deletions of the events another manager stored a message in (one GetEvent each).

        ``foreign``: the message was stored without ids (by the SDK), so it is found by place.
        """
        holds = holds_message(agent_id, rewrite.message_id, origin_id)
        originals: list[Deletion] = []
        for event_id in dict.fromkeys(event_ids):
            request = {
                "memoryId": self._config.memory_id,
                "actorId": self._config.actor_id,
                "sessionId": self._config.session_id,
                "eventId": event_id,
            }
            try:
                event = self._api.get_event(request)["event"]
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                    continue  # already gone
                raise
            if event_branch(event) != self._config.branch:
                # Inherited from a parent branch, which stays as it is; the rewrite supersedes
                # it on this branch's restores.
                continue
            deletion = deletion_of_stored(event, holds_latest_foreign(event) if foreign else holds)
            if deletion is not None:
                originals.append(deletion)
        return originals


Recording = Recorder | NullRecorder
"""What a session manager and its repository hand their changes to."""

Scheduling = WriteScheduler | NullScheduler
"""What a session manager asks when to send and waits on."""
