"""Restoring a session: one unfiltered, newest-first ListEvents scan, read only as far as needed.

Metadata-filtered reads can lag behind writes, so nothing here filters. The scan fetches pages of
100 events (the maximum) lazily and keeps them, so several agents of one session share it.
For one agent, the scan stops as soon as it holds the agent's newest record and every message
the agent will load, i.e. message ids down to the conversation manager's
``removed_message_count``. It follows ``nextToken`` until it is absent, even across empty
pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from strands.types.session import SessionAgent, SessionMessage

from .codec import (
    Stored,
    StoredAgent,
    StoredMessage,
    StoredMultiAgent,
    StoredSession,
    decode_event,
)

PAGE_SIZE = 100

ListPage = Callable[[str | None], dict[str, Any]]
"""Fetches one ListEvents page given the previous page's ``nextToken``."""


def session_pages(
    list_events: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    memory_id: str,
    actor_id: str,
    session_id: str,
) -> ListPage:
    """The page fetcher of one session: full pages, payloads included, no filter."""

    def page(token: str | None) -> dict[str, Any]:
        request: dict[str, Any] = {
            "memoryId": memory_id,
            "actorId": actor_id,
            "sessionId": session_id,
            "maxResults": PAGE_SIZE,
            "includePayloads": True,
        }
        if token:
            request["nextToken"] = token
        return list_events(request)

    return page


@dataclass
class RestoredAgent:
    """What the scan found for one agent."""

    record: SessionAgent | None
    messages: list[SessionMessage]
    next_message_id: int


@dataclass
class SessionScan:
    """The session's events, newest first, fetched page by page on demand."""

    list_page: ListPage
    decode: Callable[[dict[str, Any]], list[Stored]] = decode_event
    decoded: list[list[Stored]] = field(default_factory=list)
    newest_timestamp_ms: int = 0
    pages: int = 0
    complete: bool = False
    _token: str | None = None

    def fetch(self) -> bool:
        """Fetch the next page; return False once there is nothing more to fetch."""
        if self.complete:
            return False
        page = self.list_page(self._token)
        self.pages += 1
        for event in page.get("events", []):
            self.decoded.append(self.decode(event))
            timestamp = event.get("eventTimestamp")
            if timestamp is not None and not self.newest_timestamp_ms:
                self.newest_timestamp_ms = round(timestamp.timestamp() * 1000)
        self._token = page.get("nextToken") or None
        self.complete = self._token is None
        return True

    def session_exists(self) -> bool:
        """Whether the session has any event; fetches the first page if needed."""
        if self.pages == 0:
            self.fetch()
        while not self.decoded and self.fetch():
            pass
        return bool(self.decoded)

    def has_session_record(self) -> bool:
        """Whether a session record was seen in what has been fetched so far."""
        return any(isinstance(s, StoredSession) for event in self.decoded for s in event)

    def restore_multi_agent(self, multi_agent_id: str) -> dict[str, Any] | None:
        """The newest serialized state of the Graph or Swarm ``multi_agent_id``, if stored.

        Reads on until that record is found; the whole session when there is none.
        """
        position = 0
        while True:
            for event in self.decoded[position:]:
                for stored in reversed(event):
                    if (
                        isinstance(stored, StoredMultiAgent)
                        and stored.multi_agent_id == multi_agent_id
                    ):
                        return stored.state
            position = len(self.decoded)
            if not self.fetch():
                return None

    def restore_agent(self, agent_id: str, offset: Callable[[SessionAgent], int]) -> RestoredAgent:
        """Collect ``agent_id``'s newest record and the messages it will load.

        Args:
            agent_id: The agent to restore.
            offset: Given the agent record, the first message id the agent will load (the
                conversation manager's ``removed_message_count``).
        """
        record: StoredAgent | None = None
        # This agent's messages and those written without ids (by the SDK), newest first.
        found: list[tuple[int | None, SessionMessage]] = []
        position = 0
        while True:
            for event in self.decoded[position:]:
                # Within an event the last item is the newest.
                for stored in reversed(event):
                    if isinstance(stored, StoredAgent):
                        if record is None and stored.session_agent.agent_id == agent_id:
                            record = stored
                    elif isinstance(stored, StoredMessage) and (
                        stored.message_id is None or stored.agent_id == agent_id
                    ):
                        found.append((stored.message_id, stored.session_message))
            position = len(self.decoded)
            if self._enough(record, found, offset) or not self.fetch():
                break
        return assemble(record.session_agent if record else None, found)

    @staticmethod
    def _enough(
        record: StoredAgent | None,
        found: list[tuple[int | None, SessionMessage]],
        offset: Callable[[SessionAgent], int],
    ) -> bool:
        ids = [message_id for message_id, _ in found]
        if record is None or None in ids:
            return False  # messages without ids are numbered from the session's first
        first_needed = offset(record.session_agent)
        # Messages with ids from the record's next_message_id on are newer than the record,
        # so the scan has passed them; older ones lie in the record's event or below it.
        if record.next_message_id is not None and record.next_message_id <= first_needed:
            return True
        return bool(ids) and min(i for i in ids if i is not None) <= first_needed


def assemble(
    record: SessionAgent | None, found: list[tuple[int | None, SessionMessage]]
) -> RestoredAgent:
    """Number and order the messages found (given newest first).

    A message without an id (written by the SDK, which numbers messages by position) takes
    the id after the highest one written before it, so messages keep their place however the
    two writers took turns. Of two versions of one id, the newer (a rewrite) wins.
    """
    by_id: dict[int, SessionMessage] = {}
    highest = -1
    for message_id, message in reversed(found):
        if message_id is None:
            message_id = highest + 1
        by_id[message_id] = message
        highest = max(highest, message_id)
    messages: list[SessionMessage] = []
    for message_id in sorted(by_id):
        message = by_id[message_id]
        message.message_id = message_id
        messages.append(message)
    next_id = messages[-1].message_id + 1 if messages else 0
    return RestoredAgent(record, messages, next_id)
