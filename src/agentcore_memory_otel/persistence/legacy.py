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
from typing import Any

from strands.types.session import Session, SessionAgent

from ..aws import limits
from .codec import StoredAgent, StoredSession, decode_event

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
    actor_id = prefix + identifier
    if len(actor_id) > limits.ACTOR_ID_MAX_LENGTH or not limits.ACTOR_ID_PATTERN.fullmatch(
        actor_id
    ):
        return None
    return actor_id


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
