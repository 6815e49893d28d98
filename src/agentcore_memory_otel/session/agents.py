"""Per-agent bookkeeping: the agents a manager persists, digests, numbering, and restores."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from strands.agent.state import AgentState
from strands.types.content import Message
from strands.types.exceptions import SessionException
from strands.types.session import SessionAgent, SessionMessage

from ..wire.json_text import content_digest
from .read.history import fix_broken_tool_use, strip_tool_context
from .read.legacy import LegacyMigration
from .read.restore import RestoredAgent, SessionScan

if TYPE_CHECKING:
    from strands.types.agent import LocalAgent

    from .recorder import Recording, Scheduling

logger = logging.getLogger(__name__)


def state_digest(session_agent: SessionAgent, *, with_window: bool = True) -> str:
    """A content hash of an agent record that ignores its timestamps.

    With ``with_window=False`` the conversation manager's state is ignored too.
    """
    ignored = {"created_at", "updated_at"} | (
        set() if with_window else {"conversation_manager_state"}
    )
    body = {k: v for k, v in session_agent.to_dict().items() if k not in ignored}
    return content_digest(body)


def removed_message_count(record: SessionAgent) -> int:
    """The first message id an agent restored from ``record`` loads (its window's offset)."""
    count = record.conversation_manager_state.get("removed_message_count", 0)
    return int(count) if isinstance(count, int) else 0


# Tracking ids kept beyond twice the history before the dropped ones are forgotten, so that the
# history is scanned once per many messages, not on every message.
_FORGET_SLACK = 32


class AgentTrack:
    """What the session manager remembers about one agent between hooks."""

    def __init__(self) -> None:
        self.next_message_id = 0
        self.base = 0  # the first id this manager gives the agent's messages
        self.latest_origin: tuple[str | None, int] | None = None  # stored identity of latest
        self.digest: str | None = None  # of the whole record
        self.durable_digest: str | None = None  # of everything but the window state
        self.latest: SessionMessage | None = None
        self.latest_events: tuple[str, ...] = ()  # events holding the latest, if restored
        self.message_ids: dict[str, int] = {}  # message tracking id -> message id

    def remember(self, session_message: SessionMessage) -> None:
        """Note a message's id under its tracking id, for ``MessageUpdatedEvent``."""
        tracking_id = session_message.message.get("tracking_id")
        if tracking_id:
            self.message_ids[tracking_id] = session_message.message_id

    def added(
        self, session_message: SessionMessage, origin_id: str, held: Sequence[Message]
    ) -> None:
        """Note the message just numbered ``next_message_id`` as the latest, by ``origin_id``.

        ``held`` is the agent's history now. Strands replaces (``MessageUpdatedEvent``) only
        a message its agent still holds, so tracking ids of messages the conversation manager
        has dropped are forgotten: ``message_ids`` stays within about twice the history's
        length, however long the session runs. The message just added is always kept: a caller
        of ``append_message`` may store it before its agent holds it.
        """
        self.next_message_id += 1
        self.latest = session_message
        self.latest_origin = (origin_id, session_message.message_id)
        self.latest_events = ()
        self.remember(session_message)
        if len(self.message_ids) > 2 * len(held) + _FORGET_SLACK:
            kept = {message.get("tracking_id") for message in held}
            kept.add(session_message.message.get("tracking_id"))
            self.message_ids = {t: i for t, i in self.message_ids.items() if t in kept}

    def captured(self, record: SessionAgent) -> bool | None:
        """Note ``record``'s digests if its content changed since the last capture or sync.

        Returns ``None`` if it did not change, else whether something besides the conversation
        manager's state changed.
        """
        digest = state_digest(record)
        if digest == self.digest:
            return None
        durable = state_digest(record, with_window=False)
        durable_change = durable != self.durable_digest
        self.digest, self.durable_digest = digest, durable
        return durable_change

    def redacted(self, message: Message) -> tuple[SessionMessage, str | None]:
        """Make ``message`` the latest message's content; returns its rewrite and its origin_id.

        The rewrite carries only ``message``, never the original, under the original's stored
        identity: its message id there, and the origin_id of the manager that stored it (``None``:
        unknown).

        Raises:
            SessionException: No message to redact.
        """
        if self.latest is None:
            raise SessionException("No message to redact.")
        origin_id, stored_id = self.latest_origin or (None, self.latest.message_id)
        self.latest = SessionMessage(message, self.latest.message_id, redact_message=message)
        return SessionMessage(message, stored_id, redact_message=message), origin_id

    def updated(self, tracking_id: str, message: Message) -> SessionMessage | None:
        """The new version of the message tracked as ``tracking_id``; ``None`` if not tracked.

        It replaces ``latest`` when it is a version of the latest message.
        """
        message_id = self.message_ids.get(tracking_id)
        if message_id is None:
            return None
        updated = SessionMessage.from_message(message, message_id)
        if self.latest is not None and self.latest.message_id == message_id:
            self.latest = updated
        return updated

    def synced(self, record: SessionAgent) -> None:
        """Note ``record`` as what is stored for the agent."""
        self.digest = state_digest(record)
        self.durable_digest = state_digest(record, with_window=False)


class AgentRegistry(Mapping[str, AgentTrack]):
    """The agents one session manager persists, by id.

    It restores each agent, and hands its messages and records to the recorder. Callers hold
    the manager's lock.

    Args:
        recorder: Takes the messages and records to store.
        scheduler: Told when a message was added (sync mode then flushes a full buffer).
        origin_id: The id this manager's messages are stored under (``OriginTag``).
        scan: The session's newest-first scan; ``None`` when the session had no events.
        legacy: Reads (and migrates, when persisting) records in the legacy layout.
        legacy_lookup: Also look in the legacy layout for an agent with nothing stored.
        strip_tools: Restored messages lose their toolUse/toolResult blocks.
    """

    def __init__(
        self,
        *,
        recorder: Recording,
        scheduler: Scheduling,
        origin_id: str,
        scan: SessionScan | None,
        legacy: LegacyMigration,
        legacy_lookup: bool,
        strip_tools: bool,
    ) -> None:
        self._recorder = recorder
        self._scheduler = scheduler
        self._origin_id = origin_id
        self._scan = scan
        self._legacy = legacy
        self._legacy_lookup = legacy_lookup
        self._strip_tools = strip_tools
        self._tracks: dict[str, AgentTrack] = {}

    def __getitem__(self, agent_id: str) -> AgentTrack:
        return self._tracks[agent_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tracks)

    def __len__(self) -> int:
        return len(self._tracks)

    def initialize(self, agent: LocalAgent) -> None:
        """Restore ``agent`` from the session, or register it as a new agent of the session.

        Raises:
            SessionException: An agent with its id was initialized already.
        """
        agent_id = agent.agent_id
        if agent_id in self._tracks:
            raise SessionException("The `agent_id` of an agent must be unique in a session.")
        self._tracks[agent_id] = AgentTrack()
        try:
            self._initialize(agent)
        except BaseException:
            del self._tracks[agent_id]  # so that the agent can be built again
            raise

    def buffer_message(self, message: Message, agent: LocalAgent, per_call: Any) -> None:
        """Give a message the agent's next id, hand it to the recorder and track it.

        Metadata and size are checked first: if they raise, nothing has changed.
        """
        track = self._tracks[agent.agent_id]
        session_message = SessionMessage.from_message(message, track.next_message_id)
        self._recorder.message(session_message, agent.agent_id, per_call, track.base)
        track.added(session_message, self._origin_id, agent.messages)

    def capture(self, agent: LocalAgent) -> bool:
        """Buffer the agent record if it changed; whether more than the window state did."""
        return self._recorder.agent(agent, self._tracks[agent.agent_id])

    def _initialize(self, agent: LocalAgent) -> None:
        track = self._tracks[agent.agent_id]
        restored = RestoredAgent(None, [], 0)
        if self._scan is not None:
            restored = self._scan.restore_agent(agent.agent_id, removed_message_count)
        # Legacy sessions keep their records under other actors: look there for messages
        # without a record, and for a session that looks new when asked to.
        if restored.record is None and (restored.messages or self._legacy_lookup):
            restored.record = self._legacy.migrate(agent.agent_id)
            if restored.record is not None:
                track.synced(restored.record)
        if restored.record is None and not restored.messages:
            # A new agent: its record, and any messages it was built with, ride the next write.
            self.capture(agent)
            for message in agent.messages:
                self.buffer_message(message, agent, None)
            self._scheduler.message_added()
            return

        # Repairs stay in memory, as Strands' do: nothing the restore adds is stored, and a
        # trailing toolUse (a crash, or an interrupt to resume) is left to the agent.
        apply_restored(agent, restored, track, strip_tools=self._strip_tools)
        if restored.record is None:
            # Messages without a record (it expired, or a crash came between the two): keep
            # the history and write a fresh record with the next write.
            self.capture(agent)
        else:
            track.synced(SessionAgent.from_agent(agent))


def apply_restored(
    agent: LocalAgent, restored: RestoredAgent, track: AgentTrack, *, strip_tools: bool
) -> None:
    """Give ``agent`` its stored state and the history its conversation manager keeps.

    As Strands' ``RepositorySessionManager`` does: the record's state, internal state and
    window, then the messages from the window's offset on (none for a server-side stateful
    model), with broken tool use/result pairs repaired in memory by Strands' rules (see
    ``history``); the last message is left to the agent.
    """
    from strands.agent.agent import Agent

    record = restored.record
    prepend: list[Message] = []
    offset = 0
    if record is not None:
        agent.state = AgentState(record.state)
        record.initialize_internal_state(agent)
        if isinstance(agent, Agent):
            manager = agent.conversation_manager
            try:
                prepend = manager.restore_from_session(record.conversation_manager_state) or []
                offset = manager.removed_message_count
            except Exception as exc:  # another kind of manager's state, or a hostile one
                # Strands raises here; a session that cannot be opened helps nobody, so the
                # manager starts afresh on the messages the record's window kept.
                logger.warning(
                    "agent_id=<%s> | conversation manager state not restored, starting afresh: %s",
                    record.agent_id,
                    exc,
                )
                offset = removed_message_count(record)
    loaded = [m for m in restored.messages if m.message_id >= offset]
    track.next_message_id = track.base = restored.next_message_id
    track.latest = loaded[-1] if loaded else None
    track.latest_origin = restored.latest_origin if loaded else None
    track.latest_events = restored.latest_event_ids if loaded else ()
    for session_message in loaded:
        track.remember(session_message)
    if isinstance(agent, Agent) and agent.model.stateful:
        return
    messages = prepend + [m.to_message() for m in loaded]
    if strip_tools:
        messages = strip_tool_context(messages)
    agent.messages = fix_broken_tool_use(messages)
