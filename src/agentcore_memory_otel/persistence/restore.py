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

from .codec import Stored, StoredAgent, StoredMessage, StoredSession, decode_event

PAGE_SIZE = 100

ListPage = Callable[[str | None], dict[str, Any]]
"""Fetches one ListEvents page given the previous page's ``nextToken``."""


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
            self.decoded.append(decode_event(event))
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

    def restore_agent(self, agent_id: str, offset: Callable[[SessionAgent], int]) -> RestoredAgent:
        """Collect ``agent_id``'s newest record and the messages it will load.

        Args:
            agent_id: The agent to restore.
            offset: Given the agent record, the first message id the agent will load (the
                conversation manager's ``removed_message_count``).
        """
        record: StoredAgent | None = None
        ours: dict[int, SessionMessage] = {}
        foreign: list[SessionMessage] = []  # written without ids (the SDK), newest first
        position = 0
        while True:
            for event in self.decoded[position:]:
                # Within an event the last item is the newest.
                for stored in reversed(event):
                    if isinstance(stored, StoredAgent):
                        if record is None and stored.session_agent.agent_id == agent_id:
                            record = stored
                    elif isinstance(stored, StoredMessage):
                        if stored.message_id is None:
                            foreign.append(stored.session_message)
                        elif stored.agent_id == agent_id:
                            # Newest first: a later rewrite (a redaction) wins over the original.
                            ours.setdefault(stored.message_id, stored.session_message)
            position = len(self.decoded)
            if self._enough(record, ours, foreign, offset) or not self.fetch():
                break
        return assemble(record.session_agent if record else None, ours, foreign)

    @staticmethod
    def _enough(
        record: StoredAgent | None,
        ours: dict[int, SessionMessage],
        foreign: list[SessionMessage],
        offset: Callable[[SessionAgent], int],
    ) -> bool:
        if record is None or foreign:
            return False
        first_needed = offset(record.session_agent)
        # Messages with ids from the record's next_message_id on are newer than the record,
        # so the scan has passed them; older ones lie in the record's event or below it.
        if record.next_message_id is not None and record.next_message_id <= first_needed:
            return True
        return bool(ours) and min(ours) <= first_needed


def assemble(
    record: SessionAgent | None, ours: dict[int, SessionMessage], foreign: list[SessionMessage]
) -> RestoredAgent:
    """One agent's conversation, oldest first, from its own messages and those without ids."""
    # Messages without ids come first: this package only appends after them. They take ids in
    # the order they were written.
    messages: list[SessionMessage] = []
    for index, message in enumerate(reversed(foreign)):
        message.message_id = index
        messages.append(message)
    for message_id in sorted(ours):
        message = ours[message_id]
        message.message_id = message_id
        messages.append(message)
    next_id = messages[-1].message_id + 1 if messages else 0
    return RestoredAgent(record, messages, next_id)
