"""Strands' ``SessionRepository`` methods on this package's event format, as the SDK offers them.

Reads use the restore's one unfiltered, newest-first ListEvents scan, fetched page by page only
as far as the answer needs, and first flush whatever the manager has buffered, so a read sees
every write made before it. Writes go through the manager's recorder (``session.recorder``), so
they carry the same metadata and trace stamps, batch the same way and are traced like every
other call; with ``persistence_mode`` NONE they store nothing.

Messages are addressed as Strands addresses them: ``message_id`` is the message's index in its
agent's conversation, ``offset`` and ``limit`` count those indices, and a rewrite of a message
(``update_message``, a redaction) supersedes the original on every read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

from strands.types.exceptions import SessionException
from strands.types.session import Session, SessionAgent, SessionMessage

from ..client.api import MemoryApi
from ..client.paging import pages, session_request
from ..wire.branches import BranchView
from ..wire.codec import StoredAgent, StoredMessage, StoredSession, decode_event
from ..wire.metadata import AGENT_ID_KEY
from ..wire.planned import PlannedEvent
from ..wire.read_ahead import Scanned
from .read.legacy import AGENT_PREFIX, SESSION_PREFIX, find_legacy, legacy_actor_id
from .read.restore import SessionScan, agent_record, session_pages
from .recorder import Recording


class MemoryRepository:
    """One session's repository view: ``create_*``, ``read_*``, ``update_*``, ``list_messages``.

    The session manager's methods of the same names are these (``sdk_surface.repository_method``);
    ``self`` is positional-only so that type checkers accept them as the manager's, whose
    ``**kwargs`` could otherwise be taken to carry a ``self``.

    Args:
        api: The (traced) AgentCore Memory API.
        memory_id, actor_id, session_id: The session this repository serves.
        recorder: Stores what the write methods hand it, as for the manager's hooks.
        filter_tool_context: ``list_messages`` drops toolUse/toolResult blocks, as the SDK does.
    """

    def __init__(
        self,
        *,
        api: MemoryApi,
        memory_id: str,
        actor_id: str,
        session_id: str,
        recorder: Recording,
        filter_tool_context: bool,
        branch: BranchView | None = None,
    ) -> None:
        self._api = api
        self._branch = branch
        self._memory_id = memory_id
        self._actor_id = actor_id
        self._session_id = session_id
        self._recorder = recorder
        self._filter_tool_context = filter_tool_context
        self._created_at: dict[str, str] = {}  # agent id -> created_at, for update_agent

    # --- sessions ----------------------------------------------------------------------------

    def create_session(self, /, session: Session, **kwargs: Any) -> Session:
        """Store the session record now (replacing one still buffered); return ``session``."""
        self._check(session.session_id)
        self._recorder.store_session(session)
        return session

    def read_session(self, /, session_id: str, **kwargs: Any) -> Session | None:
        """The session record, or ``None``; a legacy record is read where no current one is.

        The session record sits in the session's first event, so this reads every page.
        """
        if session_id != self._session_id:
            return None
        scan = self._fresh_scan()
        for stored in _newest_first(scan):
            if isinstance(stored, StoredSession):
                return stored.session
        legacy = self._legacy(None)
        return legacy if isinstance(legacy, Session) else None

    def delete_session(self, /, session_id: str, **kwargs: Any) -> None:
        """Delete every event of the session, legacy-layout records included.

        Anything still buffered is written first, so nothing this manager wrote before the
        call survives it. The SDK's ``delete_session`` only logs a warning and deletes nothing.
        """
        self._check(session_id)
        self._recorder.write_buffered()
        agent_ids: set[str] = set()
        targets: list[tuple[str, str]] = []
        for event in self._events(self._actor_id, payloads=True):
            targets.append((self._actor_id, str(event["eventId"])))
            agent = event.get("metadata", {}).get(AGENT_ID_KEY, {}).get("stringValue")
            agent_ids.update([agent] if agent else [])
            for stored in decode_event(event):
                if isinstance(stored, StoredAgent):
                    agent_ids.add(stored.session_agent.agent_id)
                elif isinstance(stored, StoredMessage) and stored.agent_id:
                    agent_ids.add(stored.agent_id)
        legacy_actors = [legacy_actor_id(SESSION_PREFIX, session_id)]
        legacy_actors += [legacy_actor_id(AGENT_PREFIX, a) for a in sorted(agent_ids)]
        for actor in legacy_actors:
            if actor is not None:
                events = self._events(actor, payloads=False)
                targets += [(actor, str(e["eventId"])) for e in events]
        for actor, event_id in targets:
            self._api.delete_event(
                {
                    "memoryId": self._memory_id,
                    "actorId": actor,
                    "sessionId": session_id,
                    "eventId": event_id,
                }
            )

    # --- agents ------------------------------------------------------------------------------

    def create_agent(self, /, session_id: str, session_agent: SessionAgent, **kwargs: Any) -> None:
        """Store an agent record (at once with ``batch_size=1``, else with the next flush)."""
        self._check(session_id)
        self._created_at[session_agent.agent_id] = session_agent.created_at
        self._recorder.store_agent(session_agent, is_new=True)

    def read_agent(self, /, session_id: str, agent_id: str, **kwargs: Any) -> SessionAgent | None:
        """The agent's newest record, or ``None``; a legacy record is read if there is none."""
        if session_id != self._session_id:
            return None
        found: SessionAgent | None = None
        for stored in _newest_first(self._fresh_scan()):
            if (record := agent_record(stored, agent_id)) is not None:
                found = record.session_agent
                break
        if found is None:
            legacy = self._legacy(agent_id)
            found = legacy if isinstance(legacy, SessionAgent) else None
        if found is not None:
            self._created_at[agent_id] = found.created_at
        return found

    def update_agent(self, /, session_id: str, session_agent: SessionAgent, **kwargs: Any) -> None:
        """Store a newer record of an existing agent, keeping its ``created_at``.

        Raises:
            SessionException: The agent has no record in the session.
        """
        self._check(session_id)
        agent_id = session_agent.agent_id
        if agent_id not in self._created_at and self.read_agent(session_id, agent_id) is None:
            raise SessionException(f"Agent {agent_id} in session {session_id} does not exist")
        session_agent.created_at = self._created_at[agent_id]
        self._recorder.store_agent(session_agent, is_new=False)

    # --- messages ----------------------------------------------------------------------------

    def create_message(
        self, /, session_id: str, agent_id: str, session_message: SessionMessage, **kwargs: Any
    ) -> dict[str, Any] | None:
        """Store a message; return its event (``{}`` while it is buffered or not persisted).

        Args:
            session_id: The session (must be the manager's).
            agent_id: The agent the message belongs to.
            session_message: The message; its ``message_id`` is its index in the conversation.
            **kwargs: ``metadata``: per-call event metadata, as for ``append_message``.
        """
        self._check(session_id)
        written = self._recorder.store_message(session_message, agent_id, kwargs.get("metadata"))
        return _event_of(written, agent_id)

    def read_message(
        self, /, session_id: str, agent_id: str, message_id: int, **kwargs: Any
    ) -> SessionMessage | None:
        """The agent's message with index ``message_id`` (its newest rewrite), or ``None``."""
        if session_id != self._session_id:
            return None
        found = self._messages(agent_id, lambda ours: message_id in ours)
        return next((m for m in found if m.message_id == message_id), None)

    def update_message(
        self, /, session_id: str, agent_id: str, session_message: SessionMessage, **kwargs: Any
    ) -> None:
        """Store a rewrite of a message, which supersedes it on every read.

        As with ``redact_latest_message``: a message still buffered is replaced in the buffer,
        so the original is never stored, and a redacted message is stored with its redacted
        content only; the event holding its original, if this manager wrote it, is deleted
        once the rewrite is stored.
        """
        self._check(session_id)
        if not isinstance(session_message.message_id, int):
            raise SessionException(
                f"update_message: message_id must be the message's index, "
                f"got {session_message.message_id!r}"
            )
        if session_message.redact_message is not None:
            redacted = session_message.redact_message
            session_message = SessionMessage(
                redacted,
                session_message.message_id,
                redact_message=redacted,
                created_at=session_message.created_at,
            )
        self._recorder.store_rewrite(session_message, agent_id, kwargs.get("metadata"))

    def list_messages(
        self,
        /,
        session_id: str,
        agent_id: str,
        limit: int | None = None,
        offset: int = 0,
        **kwargs: Any,
    ) -> list[SessionMessage]:
        """The agent's messages with index ``offset`` and up, at most ``limit``, oldest first.

        The scan stops at the page holding message ``offset``; newer pages cannot be skipped
        since events come newest first.
        """
        self._check(session_id)
        found = self._messages(agent_id, lambda ours: bool(ours) and min(ours) <= offset)
        end = None if limit is None else offset + limit
        selected = [
            m for m in found if offset <= m.message_id and (end is None or m.message_id < end)
        ]
        return _without_tool_context(selected) if self._filter_tool_context else selected

    # --- internals ---------------------------------------------------------------------------

    def _check(self, session_id: str) -> None:
        if session_id != self._session_id:
            raise SessionException(
                f"Session ID mismatch: expected {self._session_id}, got {session_id}"
            )

    def _fresh_scan(self) -> SessionScan:
        """A new scan of the session, after writing what is buffered."""
        self._recorder.write_buffered()
        return SessionScan(
            session_pages(
                self._api.list_events,
                memory_id=self._memory_id,
                actor_id=self._actor_id,
                session_id=self._session_id,
                branch=self._branch,
            )
        )

    def _events(self, actor_id: str, *, payloads: bool) -> Iterator[dict[str, Any]]:
        """Every raw event of one actor's session, newest first, reading every page."""
        request = session_request(self._memory_id, actor_id, self._session_id, payloads=payloads)
        for page in pages(self._api.list_events, request):
            yield from page.get("events") or []

    def _legacy(self, agent_id: str | None) -> Session | SessionAgent | None:
        found = find_legacy(
            self._api.list_events,
            memory_id=self._memory_id,
            session_id=self._session_id,
            agent_id=agent_id,
        )
        return found.record if found is not None else None

    def _messages(
        self, agent_id: str, enough: Callable[[dict[int, SessionMessage]], bool]
    ) -> list[SessionMessage]:
        """The agent's messages, read newest first until ``enough`` of its own are in hand.

        Messages the SDK wrote carry no index; they are numbered from the oldest, so any of
        them makes the scan read to the end.
        """
        scan = self._fresh_scan()
        return scan.collect_messages(agent_id, enough)


def _newest_first(scan: SessionScan) -> Iterator[Scanned]:
    """Every decoded item of the session, newest first, fetching pages as they are reached."""
    position = 0
    while True:
        for event in scan.decoded[position:]:
            yield from reversed(event)
        position = len(scan.decoded)
        if not scan.fetch():
            return


def _event_of(written: list[PlannedEvent], agent_id: str) -> dict[str, Any]:
    """The stored event that holds the agent's newest written message, SDK-shaped."""
    for event in reversed(written):
        if event.message_count and event.agent_id == agent_id:
            request = event.request
            return {
                "memoryId": request["memoryId"],
                "actorId": request["actorId"],
                "sessionId": request["sessionId"],
                "eventId": event.event_id,
                "eventTimestamp": datetime.fromtimestamp(request["eventTimestamp"], timezone.utc),
            }
    return {}


def _without_tool_context(messages: list[SessionMessage]) -> list[SessionMessage]:
    """Messages without toolUse/toolResult blocks; messages left empty are dropped."""
    kept: list[SessionMessage] = []
    for message in messages:
        content = [
            block
            for block in message.message["content"]
            if "toolUse" not in block and "toolResult" not in block
        ]
        if content:
            kept.append(
                SessionMessage(
                    {**message.message, "content": content},
                    message.message_id,
                    redact_message=message.redact_message,
                    created_at=message.created_at,
                    updated_at=message.updated_at,
                )
            )
    return kept
