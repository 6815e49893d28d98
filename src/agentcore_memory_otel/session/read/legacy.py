"""Sessions written by older bedrock-agentcore SDK releases, whose state lived under other actors.

Those releases stored the session record under actorId ``session_<sessionId>`` and each agent
record under ``agent_<agentId>`` (same sessionId, no metadata, one blob per event). Messages
were already under the real actorId, so a legacy session is recognised by messages without an
agent record next to them. Migration writes the record in the current format first and deletes
the legacy event only after that write succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from strands.types.session import Session, SessionAgent

from ...wire import limits
from ...wire.codec import StoredAgent, StoredSession, decode_event
from ...wire.encoding import encode_agent, encode_session
from ...wire.pending import PendingRecord, RecordKind
from ..write.entries import EntryFactory

if TYPE_CHECKING:
    from ...client.api import MemoryApi
    from ..write.scheduler import WriteScheduler
    from .restore import SessionScan

SESSION_PREFIX = "session_"
AGENT_PREFIX = "agent_"


@dataclass(frozen=True)
class LegacyRecord:
    """A record found under a legacy actorId, with what it takes to delete it."""

    record: Session | SessionAgent
    actor_id: str
    event_id: str


def legacy_actor_id(prefix: str, identifier: str) -> str | None:
    """The legacy actorId for an id, or ``None`` if that could never have been valid."""
    try:
        return limits.ACTOR_ID.check(prefix + identifier, "actorId")
    except ValueError:
        return None


def find_legacy(
    list_events: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    memory_id: str,
    session_id: str,
    agent_id: str | None,
) -> LegacyRecord | None:
    """The newest legacy agent record (or session record when ``agent_id`` is None)."""
    prefix, identifier = (AGENT_PREFIX, agent_id) if agent_id else (SESSION_PREFIX, session_id)
    actor_id = legacy_actor_id(prefix, identifier)
    if actor_id is None:
        return None
    page = list_events(
        {
            "memoryId": memory_id,
            "actorId": actor_id,
            "sessionId": session_id,
            "maxResults": 1,
            "includePayloads": True,
        }
    )
    for event in page.get("events", []):
        for stored in reversed(decode_event(event)):
            if isinstance(stored, StoredAgent) and stored.session_agent.agent_id == agent_id:
                return LegacyRecord(stored.session_agent, actor_id, stored.event_id)
            if isinstance(stored, StoredSession) and agent_id is None:
                return LegacyRecord(stored.session, actor_id, stored.event_id)
    return None


Store = Callable[[list[PendingRecord]], None]
"""Writes records now (buffers and flushes them), raising if they are not stored."""


def migrate_agent(
    *,
    list_events: Callable[[dict[str, Any]], dict[str, Any]],
    delete_event: Callable[[dict[str, Any]], Any],
    entries: EntryFactory,
    store: Store | None,
    memory_id: str,
    session_id: str,
    agent_id: str,
    has_session_record: bool,
) -> SessionAgent | None:
    """Read an agent record in the legacy layout and, with ``store``, migrate it.

    The agent record (and the session record, if the session has none in the current layout)
    is stored in the current layout before any legacy event is deleted.
    """
    found = find_legacy(list_events, memory_id=memory_id, session_id=session_id, agent_id=agent_id)
    if found is None:
        return None
    assert isinstance(found.record, SessionAgent)
    if store is None:
        return found.record
    legacy = [found]
    records = [entries.record(RecordKind.AGENT, agent_id, encode_agent(found.record), is_new=False)]
    if not has_session_record:
        session = find_legacy(
            list_events, memory_id=memory_id, session_id=session_id, agent_id=None
        )
        if session is not None and isinstance(session.record, Session):
            item = encode_session(session.record)
            records.append(entries.record(RecordKind.SESSION, None, item, is_new=True))
            legacy.append(session)
    store(records)
    for old in legacy:
        delete_event(
            {
                "memoryId": memory_id,
                "actorId": old.actor_id,
                "sessionId": session_id,
                "eventId": old.event_id,
            }
        )
    return found.record


@dataclass(frozen=True)
class LegacyMigration:
    """One session manager's reads (and, when persisting, migrations) of legacy agent records."""

    api: MemoryApi  # lists and deletes events
    entries: EntryFactory  # builds the migrated records
    scan: SessionScan  # whether the session has a session record in the current layout
    write_path: WriteScheduler | None  # stores migrated records; None (not persisting): read only
    memory_id: str
    session_id: str

    def migrate(self, agent_id: str) -> SessionAgent | None:
        """Read (and, when persisting, migrate) ``agent_id``'s record in the legacy layout."""
        return migrate_agent(
            list_events=self.api.list_events,
            delete_event=self.api.delete_event,
            entries=self.entries,
            store=self._store_now if self.write_path is not None else None,
            memory_id=self.memory_id,
            session_id=self.session_id,
            agent_id=agent_id,
            has_session_record=self.scan.has_session_record(),
        )

    def _store_now(self, records: list[PendingRecord]) -> None:
        assert self.write_path is not None
        for record in records:
            self.write_path.set_record(record)
        self.write_path.batcher.flush()  # stored before any legacy event is deleted
