"""``AgentCoreMemorySessionManager``: a Strands session manager on AgentCore Memory.

Its events go under ``actorId = config.actor_id``, ``sessionId = config.session_id``. Their
payload is messages, then the session record, then an agent record (``wire.codec``); messages
carry their index in the agent's conversation (``message_id``). Their metadata (``agentId``,
``stateType``, the trace stamp, the user's) is tabled in docs/configuration.md.

The manager decides from Strands' hooks what to store; its ``Recorder`` (``session.recorder``)
turns that into entries, and the ``WriteScheduler`` (``session.write.scheduler``) decides when
they are sent (docs/write-modes.md). The calls each step makes are in docs/call-counts.md.
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
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
from strands.session.session_repository import SessionRepository
from strands.types.content import Message
from strands.types.exceptions import SessionException
from strands.types.session import Session, SessionType

from ..client.boto import make_client
from ..client.memory_client import MemoryClient
from ..telemetry import InstrumentedMemoryApi, WriteTelemetry, apply_session_attributes
from ..wire.metadata import AGENT_ID_KEY, check_entry
from .agents import AgentRegistry
from .config import AgentCoreMemoryConfig, PersistenceMode
from .converter import MemoryConverter
from .message_traces import MessageTraces
from .offload import off_loop
from .parts import build_parts
from .repository import MemoryRepository
from .retrieval import reads_value
from .sdk_surface import SdkSurface, repository_method
from .write.batcher import StorageError

if TYPE_CHECKING:
    from strands.multiagent.base import MultiAgentBase
    from strands.types.agent import LocalAgent

logger = logging.getLogger(__name__)


class AgentCoreMemorySessionManager(SessionRepository, SessionManager["LocalAgent"]):
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
        self._lock, self._recorder, self._scheduler = parts.lock, parts.recorder, parts.scheduler
        self._retriever, self._multi_agents = parts.retriever, parts.multi_agents
        self._agents = AgentRegistry(
            recorder=self._recorder,
            scheduler=self._scheduler,
            origin_id=parts.origin_id,
            scan=parts.scan if parts.session_exists else None,
            legacy=parts.legacy,
            legacy_lookup=legacy_lookup and not parts.session_exists,
            strip_tools=self.config.filter_restored_tool_context,
        )
        self._message_traces = MessageTraces()
        # The SDK manager's surface: the session's one repository, the members beyond it, and
        # a client to read events back.
        self.repository = parts.repository
        self._sdk = SdkSurface(
            config=self.config,
            agents=self._agents,
            retriever=self._retriever,
            recorder=self._recorder,
        )
        self.memory_client = MemoryClient(self.api)
        if not parts.session_exists:
            # The SDK finds sessions by an event holding only their record: with
            # ``sdk_readable`` it is stored at once, else it rides on the first write.
            session = Session(session_id=self.session_id, session_type=SessionType.AGENT)
            self._recorder.new_session(session, now=self.config.sdk_readable)
        self._finalizer = self._scheduler.finalizer(self)

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
            self._recorder.note_reads(event.agent.agent_id, reads)

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
        with self._lock:
            durable_change = self._agents.capture(event.agent)
            # A change to the conversation manager's window alone (it trimmed at the end of
            # the turn) waits to ride on the next message: were it lost, a restore would only
            # load a few more messages, which the window trims again.
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
                self._recorder.rewrite(event.agent.agent_id, updated)
            except StorageError:
                raise  # a failed write is the caller's to see, as from any other hook
            except SessionException as exc:
                logger.warning("message_id=<%d> | update not stored: %s", updated.message_id, exc)

    def _on_bidi_boundary(
        self, event: BidiAgentStopEvent | BidiBeforeConnectionRestartEvent
    ) -> None:
        with self._lock:
            self._agents.capture(event.agent)
            self._scheduler.send_soon()

    # --- SessionManager interface -----------------------------------------------------------

    def initialize(self, agent: LocalAgent, **kwargs: Any) -> None:
        """Restore ``agent`` from the session, or register it as a new agent of the session."""
        check_entry(AGENT_ID_KEY, agent.agent_id, source="agent_id")
        with self._lock:
            self._agents.initialize(agent)
        if self.config.session_trace_attributes:
            apply_session_attributes(agent, session_id=self.session_id, actor_id=self._actor_id)

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
        self._scheduler.wait_for_room()
        with self._lock:
            self._agents.buffer_message(message, agent, per_call)
            if capture_agent:
                self._agents.capture(agent)
            self._scheduler.message_added()

    def sync_agent(self, agent: LocalAgent, **kwargs: Any) -> None:
        """Persist the agent's state if it changed (at the next flush when batching)."""
        with self._lock:
            self._agents.capture(agent)
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
            self._recorder.redact(agent.agent_id, track, rewrite, origin_id, stored_in)

    # --- the SDK manager's surface (session.sdk_surface) ------------------------------------
    # Its SessionRepository methods: the session's one repository's.

    create_session = repository_method(MemoryRepository.create_session)
    read_session = repository_method(MemoryRepository.read_session)
    delete_session = repository_method(MemoryRepository.delete_session)
    create_agent = repository_method(MemoryRepository.create_agent)
    read_agent = repository_method(MemoryRepository.read_agent)
    update_agent = repository_method(MemoryRepository.update_agent)
    # Returns the stored event, as the SDK's does (Strands' returns nothing).
    _create_message = repository_method(MemoryRepository.create_message)
    create_message = _create_message  # type: ignore[assignment]
    read_message = repository_method(MemoryRepository.read_message)
    update_message = repository_method(MemoryRepository.update_message)
    list_messages = repository_method(MemoryRepository.list_messages)

    @property
    def session_repository(self) -> SessionRepository:
        """The repository behind the manager: the manager itself, as with the SDK."""
        return self

    @property
    def persistence_mode(self) -> PersistenceMode:
        """What is written (``config.persistence_mode``)."""
        return self._sdk.persistence_mode

    @property
    def has_existing_agent(self) -> bool:
        """Whether an agent has been initialized with this manager."""
        return self._sdk.has_existing_agent

    def pending_agent_state_count(self) -> int:
        """Agent records not yet acknowledged (at most one per agent: a newer one replaces it)."""
        return self._sdk.pending_agent_state_count()

    def retrieve_customer_context(self, event: MessageAddedEvent) -> None:
        """See ``SdkSurface.retrieve_customer_context``."""
        self._sdk.retrieve_customer_context(event)

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
                self._scheduler.send_soon()

    # --- lifecycle -------------------------------------------------------------------------

    def pending_message_count(self) -> int:
        """Messages not yet acknowledged by AgentCore Memory."""
        return self._scheduler.pending_message_count()

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything added so far is stored (acknowledged by AgentCore Memory).

        Args:
            timeout: Background mode: give up waiting after this many seconds.

        Raises:
            FlushError: A call failed; everything unsent stays buffered for the next flush
                (in background mode the sender thread keeps retrying), or ``timeout`` passed.
        """
        self._scheduler.flush(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Stop the flush timer (and sender thread) once everything buffered is stored.

        Idempotent and thread-safe: a second ``close()`` (the ``with`` block's exit after an
        explicit one, another thread's, a signal handler's) returns at once once everything
        is stored. A message added after ``close()`` is stored all the same (the write path
        reopens), and the exit flush still covers it. See docs/write-modes.md, "Lifecycle".

        Raises:
            FlushError: A call failed or ``timeout`` passed; the data stays buffered and
                ``close()`` may be retried.
        """
        self._scheduler.close(timeout)

    def __enter__(self) -> AgentCoreMemorySessionManager:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.close()
        except Exception:
            if exc is None:
                raise
            # Do not mask the exception already in flight.
            logger.exception("session_id=<%s> | flush on exit failed", self.session_id)
