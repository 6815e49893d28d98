"""Restoring a session: one unfiltered, newest-first ListEvents scan, read only as far as needed.

Metadata-filtered reads can lag behind writes, so nothing here filters. The scan fetches pages of
100 events (the maximum) lazily and keeps them, so several agents of one session share it.
For one agent, the scan stops as soon as it holds the agent's newest record and every message
the agent will load, i.e. message ids down to the conversation manager's
``removed_message_count``. It follows ``nextToken`` until it is absent, even across empty
pages.

A message's identity is its origin (the session manager that stored it), agent and message
id: a rewrite from the same origin (a redaction) supersedes the original in place, while two
session managers writing the same session at once (each numbering from the same point) keep
all of their messages, in event order. Such interleaved origins are reported with a warning,
and when the agent's window has
trimmed, the scan reads the whole session: interleaved messages are numbered by their place in
it, so where the window starts must not depend on where the scan stops.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from strands.types.session import SessionAgent, SessionMessage

from ...client.paging import pages, session_request
from ...wire.branches import BranchView
from ...wire.codec import (
    StoredAgent,
    StoredMessage,
    StoredMultiAgent,
    StoredPart,
    StoredSession,
    join_parts,
)
from ...wire.read_ahead import DeferredAgent, Scanned, scan_event

logger = logging.getLogger(__name__)

_UNKNOWN = 2**62

StoredIdentity = tuple[str | None, int]
"""Who stored a message and under which id: (origin id, message id)."""


def session_pages(
    list_events: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    memory_id: str,
    actor_id: str,
    session_id: str,
    branch: BranchView | None = None,
) -> Iterator[dict[str, Any]]:
    """The pages of one session, newest first, payloads included, each fetched when taken.

    The walk is ``client.paging.pages``: full pages, and a token that comes back stops it.

    Without ``branch`` (or on ``main``) the pages go unfiltered; on another branch they carry
    its branch filter. Either way each page holds only the events the branch sees.
    """
    request = session_request(memory_id, actor_id, session_id)
    scope = branch.list_filter() if branch is not None else None
    if scope is not None:
        request["filter"] = scope
    for page in pages(list_events, request):
        if branch is None:
            yield page
        else:
            yield {**page, "events": branch.admit(page.get("events") or [])}


@dataclass
class RestoredAgent:
    """What the scan found for one agent."""

    record: SessionAgent | None
    messages: list[SessionMessage]
    next_message_id: int
    latest_origin: StoredIdentity | None = None
    """The stored identity of the last message, so a redaction of it supersedes it."""
    latest_event_ids: tuple[str, ...] = ()
    """The events holding the last message (each copy; the SDK's: its one event), so a
    redaction deletes them."""


@dataclass
class SessionScan:
    """The session's events, newest first, fetched page by page on demand."""

    source: Iterator[dict[str, Any]]
    """The session's pages (``session_pages``), each fetched when taken."""
    decode: Callable[[dict[str, Any]], list[Scanned]] = scan_event
    decoded: list[list[Scanned]] = field(default_factory=list)
    newest_timestamp_ms: int = 0
    oldest_timestamp_ms: int = 0  # of the last event fetched
    pages: int = 0
    complete: bool = False

    def fetch(self) -> bool:
        """Fetch the next page; return False once there is nothing more to fetch."""
        if self.complete:
            return False
        page = next(self.source, None)
        if page is None:
            self.complete = True
            return False
        self.pages += 1
        events = page.get("events", [])
        for event in events:
            self.decoded.append(self.decode(event))
        # Only the newest and the oldest timestamps are used: converting botocore's datetimes
        # (dateutil time zones) for every event took a sixth of a long restore.
        for event in events:
            if self.newest_timestamp_ms:
                break
            self.newest_timestamp_ms = _timestamp_ms(event)
        if events:
            self.oldest_timestamp_ms = _timestamp_ms(events[-1])
        # The last page has no token: known now, so no caller asks for a page after it.
        self.complete = not page.get("nextToken")
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

    def multi_agent_states(self, multi_agent_id: str) -> Iterator[StoredMultiAgent]:
        """The stored states of the Graph or Swarm ``multi_agent_id``, newest first.

        Reads on only as far as the caller takes; the whole session when there is none.
        """
        position = 0
        while True:
            for event in self.decoded[position:]:
                for stored in reversed(event):
                    if (
                        isinstance(stored, StoredMultiAgent)
                        and stored.multi_agent_id == multi_agent_id
                    ):
                        yield stored
            position = len(self.decoded)
            if not self.fetch():
                return

    def restore_agent(self, agent_id: str, offset: Callable[[SessionAgent], int]) -> RestoredAgent:
        """Collect ``agent_id``'s newest record and the messages it will load.

        Args:
            agent_id: The agent to restore.
            offset: Given the agent record, the first message id the agent will load (the
                conversation manager's ``removed_message_count``).
        """
        scanned = self._scan_agent(agent_id, lambda so_far: _enough(so_far, offset))
        _warn_if_interleaved(agent_id, scanned.ours)
        record = scanned.record.session_agent if scanned.record else None
        return assemble(record, scanned.ours, scanned.foreign)

    def collect_messages(
        self, agent_id: str, enough: Callable[[dict[int, SessionMessage]], bool]
    ) -> list[SessionMessage]:
        """The agent's messages as a restore orders them, read until ``enough`` is true.

        ``enough`` is given this package's messages read so far, by id; a message the SDK
        wrote (no id) makes the scan read to the end, since those are numbered from the oldest.
        """
        scanned = self._scan_agent(
            agent_id, lambda so_far: not so_far.foreign and enough(so_far.messages_by_id())
        )
        return assemble(None, scanned.ours, scanned.foreign).messages

    def _scan_agent(self, agent_id: str, stop: Callable[[_Scanned], bool]) -> _Scanned:
        """Read newest first, collecting the agent's record and messages, until ``stop``."""
        scanned = _Scanned()
        parts: dict[str, list[StoredPart]] = defaultdict(list)
        position = 0  # items seen so far, newest first
        seen_events = 0
        while True:
            for event in self.decoded[seen_events:]:
                # Within an event the last item is the newest.
                for stored in reversed(event):
                    position += 1
                    if isinstance(stored, StoredPart):
                        group = parts[stored.group]
                        group.append(stored)
                        joined = join_parts(group) if len(group) == stored.parts else None
                        if joined is None:
                            continue
                        stored = joined
                    if isinstance(stored, StoredAgent | DeferredAgent):
                        if scanned.record is None:
                            scanned.record = agent_record(stored, agent_id)
                    elif isinstance(stored, StoredMessage):
                        if stored.message_id is None:
                            found = _Found(stored.session_message, position, [stored.event_id])
                            scanned.foreign.append(found)
                        elif stored.agent_id == agent_id:
                            scanned.collect(stored, stored.message_id, position)
            seen_events = len(self.decoded)
            scanned.oldest_ms = self.oldest_timestamp_ms
            if stop(scanned) or not self.fetch():
                return scanned


def agent_record(stored: Scanned, agent_id: str) -> StoredAgent | None:
    """``stored`` if it is ``agent_id``'s record (a deferred one decoded), else None."""
    if isinstance(stored, DeferredAgent):
        return stored.decoded if stored.agent_id == agent_id else None
    if isinstance(stored, StoredAgent) and stored.session_agent.agent_id == agent_id:
        return stored
    return None


def _timestamp_ms(event: dict[str, Any]) -> int:
    """An event's timestamp in epoch milliseconds (0 if it has none)."""
    timestamp = event.get("eventTimestamp")
    return round(timestamp.timestamp() * 1000) if timestamp is not None else 0


@dataclass
class _Scanned:
    """What a scan has collected for one agent so far, newest first."""

    record: StoredAgent | None = None
    ours: dict[StoredIdentity, _Found] = field(default_factory=dict)
    origins: dict[str | None, _Origin] = field(default_factory=dict)
    foreign: list[_Found] = field(default_factory=list)  # written without ids (the SDK)
    oldest_ms: int = 0  # timestamp of the oldest event read

    def collect(self, stored: StoredMessage, message_id: int, position: int) -> None:
        """Note one of this package's messages, and what it tells of its origin."""
        tag = stored.origin
        origin = self.origins.setdefault(tag.id if tag else None, _Origin())
        origin.low = min(origin.low, message_id)
        if tag is not None and tag.base is not None:
            origin.base = min(origin.base, tag.base)
        if tag is not None and tag.since_ms is not None:
            origin.since_ms = min(origin.since_ms, tag.since_ms)
        key = (tag.id if tag else None, message_id)
        found = self.ours.get(key)
        if found is None:
            # Newest first: a rewrite (a redaction) wins over the original...
            self.ours[key] = _Found(stored.session_message, position, [stored.event_id])
        else:
            # ...and keeps the original's place in the conversation.
            found.position = position
            found.event_ids.append(stored.event_id)

    def messages_by_id(self) -> dict[int, SessionMessage]:
        """The package's own messages read so far, by message id."""
        return {message_id: found.message for (_, message_id), found in self.ours.items()}


def _enough(scanned: _Scanned, offset: Callable[[SessionAgent], int]) -> bool:
    """Whether a restore holds the agent's record and every message it will load."""
    record = scanned.record
    if record is None or scanned.foreign:
        return False  # messages without ids are numbered from the session's first
    first_needed = offset(record.session_agent)
    # Messages with ids from the record's next_message_id on are newer than the record,
    # so the scan has passed them; older ones lie in the record's event or below it.
    if record.next_message_id is not None and record.next_message_id <= first_needed:
        return True
    if not scanned.ours or min(message_id for _, message_id in scanned.ours) > first_needed:
        return False
    if first_needed > 0 and _interleaved(scanned.ours):
        # Interleaved origins' messages are numbered by their place in the whole session, so
        # where the window starts depends on every older message: read them all.
        return False
    # An origin whose first messages are needed may have had company: another manager
    # that started from the same point stored after the first one's horizon, so the scan
    # goes back past it.
    return all(
        origin.low <= max(first_needed, origin.base)
        and (first_needed > origin.base or scanned.oldest_ms <= origin.since_ms)
        for origin in scanned.origins.values()
    )


@dataclass
class _Origin:
    """What the scan learnt about one origin of the agent's messages."""

    # Unknown (messages stored before origins were tagged): the plain lowest-id rule holds.
    low: int = _UNKNOWN  # lowest message id seen
    base: int = _UNKNOWN  # first id it wrote
    since_ms: int = _UNKNOWN  # its horizon


@dataclass
class _Found:
    message: SessionMessage
    position: int  # of the oldest copy, counted from the newest item
    event_ids: list[str] = field(default_factory=list)  # of every copy


def _interleaved(ours: dict[StoredIdentity, _Found]) -> bool:
    """Whether two origins stored messages of one agent over the same stretch of ids."""
    spans: dict[str | None, tuple[int, int]] = {}
    for origin, message_id in ours:
        low, high = spans.get(origin, (message_id, message_id))
        spans[origin] = (min(low, message_id), max(high, message_id))
    ordered = sorted(spans.values())
    return any(later[0] <= earlier[1] for earlier, later in itertools.pairwise(ordered))


def _warn_if_interleaved(agent_id: str, ours: dict[StoredIdentity, _Found]) -> None:
    """Warn when two origins stored messages of one agent over the same stretch of ids."""
    if _interleaved(ours):
        logger.warning(
            "agent_id=<%s>, origins=<%d> | several session managers wrote this agent's messages "
            "at the same time; all of them are restored in the order they were stored",
            agent_id,
            len({origin for origin, _ in ours}),
        )


def assemble(
    record: SessionAgent | None, ours: dict[StoredIdentity, _Found], foreign: list[_Found]
) -> RestoredAgent:
    """Number and order the messages found, in the order they were stored.

    Messages keep their place in event order, whichever manager stored them: this package's
    (several managers included) and those the SDK wrote without ids. With messages of the
    SDK's, the scan read the whole session, and they are numbered from 0; otherwise this
    package's are numbered on from the lowest id read (with one manager at a time, exactly
    the ids they were stored with).
    """
    entries: list[tuple[int, SessionMessage, StoredIdentity | None, list[str]]] = [
        (found.position, found.message, origin, found.event_ids) for origin, found in ours.items()
    ] + [(found.position, found.message, None, found.event_ids) for found in foreign]
    entries.sort(key=lambda entry: -entry[0])
    first_id = 0 if foreign else min((message_id for _, message_id in ours), default=0)
    messages: list[SessionMessage] = []
    for index, (_, message, _origin, _events) in enumerate(entries):
        message.message_id = first_id + index
        messages.append(message)
    latest_origin = entries[-1][2] if entries else None
    latest_events = tuple(entries[-1][3]) if entries else ()
    next_id = messages[-1].message_id + 1 if messages else 0
    return RestoredAgent(record, messages, next_id, latest_origin, latest_events)
