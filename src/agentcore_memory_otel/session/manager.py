"""``AgentCoreMemorySessionManager``: a Strands session manager on AgentCore Memory.

Event format (everything under ``actorId = config.actor_id``, ``sessionId = config.session_id``):

* Payload items are messages, then the session record, then the agent record, as described in
  ``codec``. Messages carry their index in the agent's conversation (``message_id``).
* Metadata set by the session manager:

  ======================  =====================================================================
  ``agentId``             the agent whose messages and record the event holds (one per event)
  ``stateType``           ``MULTI_AGENT`` if the event holds a Graph's or Swarm's state,
                          else ``AGENT`` if it holds an agent record, ``SESSION`` if it holds
                          only the session record; absent for message-only events
  ``traceId``/``spanId``  W3C ids of the span active when the newest item was produced
                          (names configurable; omitted when no span is active)
  ======================  =====================================================================

  plus the user's ``default_metadata``, ``metadata_provider()`` and per-call metadata.

Calls made (see ``writer`` for batching, ``restore`` for reading):

* Construction: one ListEvents page. A new session writes nothing until the first message
  (its session and agent records ride on that write), unless ``sdk_readable`` is set: then
  its session record is written at once, in an event of its own, as the SDK does.
* Each message: one CreateEvent with ``batch_size=1``, carrying the agent record too when the
  agent changed (judged by a content hash without timestamps); with ``batch_size > 1``,
  messages are buffered and flushed together.
* Restore: the newest-first scan stops once the agent's record and the messages it will load
  are in hand.
* Graphs and Swarms: one CreateEvent per checkpoint that changed (after each node and each
  invocation), see ``session.multi_agent``.
* Redaction of a stored message: one CreateEvent (the rewrite) and one DeleteEvent per event
  holding the original, plus one CreateEvent per such event that held other items too; a
  message restored from another writer's events adds one GetEvent per event.

When and how writes are sent (sync or background mode, pacing, the journal) is
``session.write.scheduler``'s job; see docs/write-modes.md.
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import TracerProvider
from strands.bidi.hooks import BidiAgentStopEvent, BidiBeforeConnectionRestartEvent
from strands.hooks import (
    AfterInvocationEvent,
    AfterMultiAgentInvocationEvent,
    AfterNodeCallEvent,
    AgentInitializedEvent,
    HookRegistry,
    MessageAddedEvent,
    MessageUpdatedEvent,
    MultiAgentInitializedEvent,
)
from strands.session.session_manager import SessionManager
from strands.types.content import Message
from strands.types.exceptions import SessionException
from strands.types.session import Session, SessionAgent, SessionMessage, SessionType

from ..client.boto import make_client
from ..client.memory_client import MemoryClient
from ..telemetry import InstrumentedMemoryApi, WriteTelemetry, apply_session_attributes, names
from ..wire.branches import event_branch
from ..wire.encoding import encode_agent, encode_session
from ..wire.lineage import READS_KEY
from ..wire.metadata import AGENT_ID_KEY, check_entry
from ..wire.pending import PendingMessage, RecordKind
from ..wire.trace_stamp import current_stamp
from .agents import AgentTrack, apply_restored, removed_message_count
from .config import AgentCoreMemoryConfig
from .converter import MemoryConverter
from .message_traces import MessageTraces
from .offload import off_loop
from .parts import build_parts
from .read.restore import RestoredAgent
from .retrieval import reads_value
from .sdk_surface import SdkSurface
from .write.batcher import StorageError
from .write.redaction import Deletion, deletion_of_stored, holds_latest_foreign, holds_message

if TYPE_CHECKING:
    from strands.multiagent.base import MultiAgentBase
    from strands.types.agent import LocalAgent

logger = logging.getLogger(__name__)


class AgentCoreMemorySessionManager(SdkSurface, SessionManager["LocalAgent"]):
    """Persists a Strands agent's conversation and state in AgentCore Memory.

    It is also the session's Strands ``SessionRepository`` (``create_session``, ``read_agent``,
    ``list_messages``, ...; see ``session.repository``), and ``memory_client`` reads events
    back as the SDK's ``MemoryClient`` does, both with every call traced.

    Args:
        agentcore_memory_config: Where and how to store the session.
        region_name: AWS region; else as ``client.boto.resolve_region`` chooses it.
        boto_session: boto3 session to build the client from.
        boto_client_config: botocore ``Config`` for the client (retries, timeouts, ...).
        converter: Stores and reads messages in another format, as the SDK's ``converter=``
            (see ``session.converter``); this package's format when ``None``.
        endpoint_url: AgentCore endpoint, e.g. the local server's ``endpoint_url``.
        tracer_provider: Where memory spans go; the global provider when ``None``.
        meter_provider: Where memory metrics go; the global provider when ``None``.
        legacy_lookup: When the session turns out new, also look for each agent's record in
            the legacy layout (one ListEvents per new agent) and migrate it, as the SDK does.
            Off by default: a new session then costs one call in all.
    """

    def __init__(
        self,
        agentcore_memory_config: AgentCoreMemoryConfig,
        region_name: str | None = None,
        boto_session: boto3.Session | None = None,
        boto_client_config: Config | None = None,
        *,
        converter: type[MemoryConverter] | MemoryConverter | None = None,
        endpoint_url: str | None = None,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        legacy_lookup: bool = False,
    ) -> None:
        self.config = agentcore_memory_config
        self.session_id = self.config.session_id
        self._memory_id = self.config.memory_id
        self._actor_id = self.config.actor_id
        self._legacy_lookup = legacy_lookup
        client = make_client(
            region_name=region_name,
            boto_session=boto_session,
            boto_client_config=boto_client_config,
            endpoint_url=endpoint_url,
        )
        self.api = InstrumentedMemoryApi(
            client, tracer_provider=tracer_provider, meter_provider=meter_provider
        )
        # The one object persistence reports facts to; every method of it runs guarded.
        self.telemetry = WriteTelemetry(self.api.instruments, self._memory_id)
        parts = build_parts(self.config, self.api, self.telemetry, converter)
        self._entries, self._lock = parts.entries, parts.lock
        self._scheduler, self._retriever = parts.write_path, parts.retriever
        self._scan, self._session_exists = parts.scan, parts.session_exists
        self._multi_agents, self._legacy = parts.multi_agents, parts.legacy
        self._converter = converter
        self._agents: dict[str, AgentTrack] = {}
        self._message_traces = MessageTraces()
        # Per agent: the records the latest retrieval injected, and the trace it ran in; named
        # on the agent's next message if that is in the same trace.
        self._pending_reads: dict[str, tuple[str, str]] = {}
        # The SDK manager's surface: the repository methods and a client to read events back.
        self.repository = parts.repository
        self.memory_client = MemoryClient(self.api)
        if not self._session_exists and self._scheduler is not None:
            session = Session(session_id=self.session_id, session_type=SessionType.AGENT)
            self._scheduler.set_record(
                self._entries.record(RecordKind.SESSION, None, encode_session(session), is_new=True)
            )
            if self.config.sdk_readable:
                # The SDK finds sessions by an event holding only their record.
                self._scheduler.batcher.flush()
        self._finalizer = self._scheduler.finalizer(self) if self._scheduler is not None else None

    # --- hooks: when to persist --------------------------------------------------------------

    def register_hooks(self, registry: HookRegistry, **kwargs: Any) -> None:
        """Register the hooks that restore, persist and enrich the agent."""
        # Restore the agent (or create its record) once it is constructed.
        registry.add_callback(AgentInitializedEvent, lambda event: self.initialize(event.agent))
        # Persist each message as it is added, with the agent record when it changed, then
        # inject long-term memory into user messages (after persisting, so it is not stored).
        # Both run off the event loop of an async agent (see ``off_loop``).
        registry.add_callback(MessageAddedEvent, off_loop(self._on_message_added))
        # At the end of an invocation, capture conversation-manager changes and flush batches.
        registry.add_callback(AfterInvocationEvent, off_loop(self._on_after_invocation))
        # A replaced message (a BidiAgent's completed transcript) supersedes the stored one.
        registry.add_callback(MessageUpdatedEvent, self._on_message_updated)
        # A BidiAgent has no invocation end: flush when it stops and before it reconnects.
        registry.add_callback(BidiAgentStopEvent, self._on_bidi_boundary)
        registry.add_callback(BidiBeforeConnectionRestartEvent, self._on_bidi_boundary)
        # Graphs and Swarms: restore at construction, checkpoint after each node and invocation.
        registry.add_callback(
            MultiAgentInitializedEvent, lambda event: self.initialize_multi_agent(event.source)
        )
        registry.add_callback(AfterNodeCallEvent, lambda event: self.sync_multi_agent(event.source))
        registry.add_callback(
            AfterMultiAgentInvocationEvent, lambda event: self.sync_multi_agent(event.source)
        )

    def _on_message_added(self, event: MessageAddedEvent) -> None:
        self._message_traces.note(event.message, event.agent.agent_id, event.agent.messages)
        # The hook also captures the agent's state, so it rides in the same write.
        self._append(event.message, event.agent, None, capture_agent=True)
        self.retrieve_customer_context(event)
        if self._retriever is not None:
            reads = reads_value(self._retriever.take_reads(event.agent.agent_id))
            stamp = current_stamp()
            if reads is not None and stamp is not None:
                self._pending_reads[event.agent.agent_id] = (stamp.trace_id, reads)

    @property
    def last_trace_id(self) -> str | None:
        """The trace id (32 lowercase hex) that produced the latest assistant message.

        ``None`` before any (or with no tracer provider set). Post feedback on it: it is the
        id Langfuse, Phoenix and Jaeger show for the agent call.
        """
        return self._message_traces.last_trace_id

    def trace_id_of(self, message: Message) -> str | None:
        """The trace id (32 lowercase hex) that produced ``message``; ``None`` if unknown.

        ``message`` is the very dict the agent holds (``agent.messages[i]``,
        ``result.message``), added while this manager was attached; restored messages are
        not known (their events carry the trace id: ``find_events``/``trace_activity``).
        """
        return self._message_traces.trace_id_of(message)

    def _on_after_invocation(self, event: AfterInvocationEvent) -> None:
        self.telemetry.invocation()
        if self._scheduler is not None:
            with self._lock:
                durable_change = self._capture_agent(event.agent)
                # A change to the conversation manager's window alone (it trimmed at the end
                # of the turn) waits to ride on the next message: were it lost, a restore
                # would only load a few more messages, which the window trims again.
                if durable_change or self._scheduler.pending_message_count():
                    self._scheduler.send_soon()

    def _on_message_updated(self, event: MessageUpdatedEvent[Any]) -> None:
        with self._lock:
            track = self._agents.get(event.agent.agent_id)
            updated = track.updated(event.tracking_id, event.message) if track else None
            if updated is None:
                logger.debug("tracking_id=<%s> | updated message is not tracked", event.tracking_id)
                return
            try:
                self._rewrite(event.agent.agent_id, updated)
            except StorageError:
                raise  # a failed write is the caller's to see, as from any other hook
            except SessionException as exc:
                logger.warning("message_id=<%d> | update not stored: %s", updated.message_id, exc)

    def _on_bidi_boundary(
        self, event: BidiAgentStopEvent | BidiBeforeConnectionRestartEvent
    ) -> None:
        if self._scheduler is not None:
            with self._lock:
                self._capture_agent(event.agent)
                self._flush()

    # --- SessionManager interface -----------------------------------------------------------

    def initialize(self, agent: LocalAgent, **kwargs: Any) -> None:
        """Restore ``agent`` from the session, or register it as a new agent of the session."""
        agent_id = agent.agent_id
        check_entry(AGENT_ID_KEY, agent_id, source="agent_id")
        with self._lock:
            if agent_id in self._agents:
                raise SessionException("The `agent_id` of an agent must be unique in a session.")
            self._agents[agent_id] = AgentTrack()
            try:
                self._initialize(agent)
            except BaseException:
                del self._agents[agent_id]  # so that the agent can be built again
                raise
        if self.config.session_trace_attributes:
            apply_session_attributes(agent, session_id=self.session_id, actor_id=self._actor_id)

    def _initialize(self, agent: LocalAgent) -> None:
        track = self._agents[agent.agent_id]
        restored = RestoredAgent(None, [], 0)
        if self._session_exists:
            restored = self._scan.restore_agent(agent.agent_id, removed_message_count)
        # Legacy sessions keep their records under other actors: look there for messages
        # without a record, and for a session that looks new when asked to.
        new_session_lookup = self._legacy_lookup and not self._session_exists
        if restored.record is None and (restored.messages or new_session_lookup):
            restored.record = self._legacy.migrate(agent.agent_id)
            if restored.record is not None:
                track.synced(restored.record)
        if restored.record is None and not restored.messages:
            # A new agent: its record, and any messages it was built with, ride the next write.
            self._capture_agent(agent)
            for message in agent.messages:
                self._buffer_message(message, agent, None)
            if self._scheduler is not None:
                self._scheduler.message_added()
            return

        # Repairs stay in memory, as Strands' do: nothing the restore adds is stored, and a
        # trailing toolUse (a crash, or an interrupt to resume) is left to the agent.
        apply_restored(agent, restored, track, strip_tools=self.config.filter_restored_tool_context)
        if restored.record is None:
            # Messages without a record (it expired, or a crash came between the two): keep
            # the history and write a fresh record with the next write.
            self._capture_agent(agent)
        else:
            track.synced(SessionAgent.from_agent(agent))

    def append_message(self, message: Message, agent: LocalAgent, **kwargs: Any) -> None:
        """Persist a message (buffered when ``batch_size > 1``).

        Args:
            message: The message to store.
            agent: The agent it belongs to.
            **kwargs: ``metadata``: per-call event metadata, above ``metadata_provider()``.
        """
        self._append(message, agent, kwargs.get("metadata"), capture_agent=False)

    def _append(
        self, message: Message, agent: LocalAgent, per_call: Any, *, capture_agent: bool
    ) -> None:
        """Buffer one message, once there is room, for the write path to send when due.

        ``capture_agent`` buffers the agent's changed state with it.
        """
        if self._scheduler is not None:
            self._scheduler.wait_for_room()
        with self._lock:
            self._buffer_message(message, agent, per_call)
            if self._scheduler is not None:
                if capture_agent:
                    self._capture_agent(agent)
                self._scheduler.message_added()

    def sync_agent(self, agent: LocalAgent, **kwargs: Any) -> None:
        """Persist the agent's state if it changed (at the next flush when batching)."""
        if self._scheduler is None:
            return
        with self._lock:
            self._capture_agent(agent)
            if self.config.batch_size == 1:
                self._scheduler.send_soon()

    def redact_latest_message(
        self, redact_message: Message, agent: LocalAgent, **kwargs: Any
    ) -> None:
        """Replace the latest message, in storage too.

        A message still in the buffer is replaced there, so the original is never stored.
        Otherwise a rewrite with the same message id is stored, which supersedes the original
        on restore, and once it is acknowledged every event holding the original is deleted
        (its other items written again first, see ``session.write.redaction``). The rewrite
        holds only the redacted content.

        Raises:
            SessionException: There is no message to redact, or it is stored with a custom
                converter (such messages carry no index to supersede by).
        """
        with self._lock:
            track = self._agents.get(agent.agent_id)
            if track is None:
                raise SessionException("No message to redact.")
            stored_in = track.latest_events
            # The stored rewrite carries only the redacted content, never the original.
            rewrite, origin_id = track.redacted(redact_message)
            if self._scheduler is None:
                return
            pending = self._entries.message(rewrite, agent.agent_id, origin=origin_id)
            if not pending or self._scheduler.replace_message(pending):
                return
            if self._converter is not None:
                raise SessionException(
                    f"message {rewrite.message_id} is already stored, and messages written "
                    "with a custom converter carry no index to supersede it by"
                )
            foreign = track.latest_origin is None  # stored without ids: the SDK's format
            originals = self._stored_originals(
                stored_in, agent.agent_id, rewrite, origin_id, foreign=foreign
            )
            self._scheduler.redact(pending, originals)
            track.latest_events = ()
            self._scheduler.message_added()

    # --- Graphs and Swarms (session.multi_agent) -----------------------------------------

    def initialize_multi_agent(self, source: MultiAgentBase, **kwargs: Any) -> None:
        """Restore a Graph or Swarm from the session, or register it as new."""
        with self._lock:
            self._multi_agents.initialize(source)
        if self.config.session_trace_attributes:
            apply_session_attributes(source, session_id=self.session_id, actor_id=self._actor_id)

    def sync_multi_agent(self, source: MultiAgentBase, **kwargs: Any) -> None:
        """Checkpoint a Graph's or Swarm's state, and write it now if it changed.

        Written at once whatever ``batch_size`` is: each checkpoint is what a restart resumes
        from, so a node never re-runs because its checkpoint sat in a buffer.
        """
        with self._lock:
            if self._multi_agents.capture(source):
                self._flush()

    # --- lifecycle -------------------------------------------------------------------------

    def pending_message_count(self) -> int:
        """Messages not yet acknowledged by AgentCore Memory."""
        return self._scheduler.pending_message_count() if self._scheduler is not None else 0

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything added so far is stored (acknowledged by AgentCore Memory).

        Args:
            timeout: Background mode: give up waiting after this many seconds.

        Raises:
            FlushError: A call failed; everything unsent stays buffered for the next flush
                (in background mode the writer thread keeps retrying), or ``timeout`` passed.
        """
        if self._scheduler is not None:
            self._scheduler.flush(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Stop the flush timer (and writer thread) once everything buffered is stored.

        Idempotent and thread-safe: a second ``close()`` (the ``with`` block's exit after an
        explicit one, another thread's, a signal handler's) returns at once once everything
        is stored. A message added after ``close()`` is stored all the same (the write path
        reopens), and the exit flush still covers it. See docs/write-modes.md, "Lifecycle".

        Raises:
            FlushError: A call failed or ``timeout`` passed; the data stays buffered and
                ``close()`` may be retried.
        """
        if self._scheduler is not None:
            self._scheduler.close(timeout)

    def __enter__(self) -> AgentCoreMemorySessionManager:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close()
            return
        try:
            self.close()
        except Exception:
            # Do not mask the exception already in flight.
            logger.exception("session_id=<%s> | flush on exit failed", self.session_id)

    # --- internals ---------------------------------------------------------------------------

    def _buffer_message(self, message: Message, agent: LocalAgent, per_call: Any) -> None:
        """Give a message the agent's next id and buffer it (only track it when not persisting).

        Metadata and size are checked first: if they raise, nothing has changed.
        """
        track = self._agents[agent.agent_id]
        session_message = SessionMessage.from_message(message, track.next_message_id)
        if self._scheduler is not None:
            pending = self._message_entries(session_message, agent.agent_id, per_call, track.base)
            if pending:
                self._scheduler.add_message(pending)
        track.added(session_message, self._entries.origin_id, agent.messages)

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

    def _rewrite(
        self, agent_id: str, session_message: SessionMessage, origin: str | None = None
    ) -> None:
        """Store a new version of a numbered message, superseding the old one on restore.

        A message still buffered is replaced there, so the old version is never stored.
        ``origin`` is the writer that stored the old version, when not this manager.

        Raises:
            SessionException: The old version is stored and a custom converter is in use:
                converted messages carry no index to supersede by.
        """
        if self._scheduler is None:
            return
        pending = self._entries.message(session_message, agent_id, origin=origin)
        if not pending or self._scheduler.replace_message(pending):
            return
        if self._converter is not None:
            raise SessionException(
                f"message {session_message.message_id} is already stored, and messages written "
                "with a custom converter carry no index to supersede it by"
            )
        self._scheduler.add_message(pending)
        self._scheduler.message_added()

    def _stored_originals(
        self,
        event_ids: tuple[str, ...],
        agent_id: str,
        rewrite: SessionMessage,
        origin_id: str | None,
        *,
        foreign: bool,
    ) -> list[Deletion]:
        """The deletions of the events another writer stored a message in (one GetEvent each).

        ``foreign``: the message was stored without ids (by the SDK), so it is found by place.
        """
        holds = holds_message(agent_id, rewrite.message_id, origin_id)
        originals: list[Deletion] = []
        for event_id in dict.fromkeys(event_ids):
            request = {
                "memoryId": self._memory_id,
                "actorId": self._actor_id,
                "sessionId": self.session_id,
                "eventId": event_id,
            }
            try:
                event = self.api.get_event(request)["event"]
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                    continue  # already gone
                raise
            if event_branch(event) != self.config.branch:
                # Inherited from a parent branch, which stays as it is; the rewrite supersedes
                # it on this branch's restores.
                continue
            deletion = deletion_of_stored(event, holds_latest_foreign(event) if foreign else holds)
            if deletion is not None:
                originals.append(deletion)
        return originals

    def _capture_agent(self, agent: LocalAgent) -> bool:
        """Buffer the agent record if its content changed since it was last captured.

        Returns whether something besides the conversation manager's state changed.
        """
        if self._scheduler is None:
            return False
        session_agent = SessionAgent.from_agent(agent)
        track = self._agents[agent.agent_id]
        is_new = track.digest is None
        durable_change = track.captured(session_agent)
        if durable_change is None:
            self.telemetry.avoided(names.STATE_UNCHANGED)
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

    def _flush(self) -> None:
        """Send what is buffered now (sync mode) or at once in the background."""
        if self._scheduler is not None:
            self._scheduler.send_soon()
