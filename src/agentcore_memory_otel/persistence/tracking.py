"""What the session manager remembers about each agent: message ids, record digests, origins."""

from __future__ import annotations

import hashlib
import json

from strands.types.session import SessionAgent, SessionMessage


def state_digest(session_agent: SessionAgent, *, with_window: bool = True) -> str:
    """A content hash of an agent record that ignores its timestamps.

    With ``with_window=False`` the conversation manager's state is ignored too.
    """
    ignored = {"created_at", "updated_at"} | (
        set() if with_window else {"conversation_manager_state"}
    )
    body = {k: v for k, v in session_agent.to_dict().items() if k not in ignored}
    canonical = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class AgentTrack:
    """What the session manager remembers about one agent between hooks."""

    def __init__(self) -> None:
        self.next_message_id = 0
        self.base = 0  # the first id this manager gives the agent's messages
        self.latest_origin: tuple[str | None, int] | None = None  # stored identity of latest
        self.digest: str | None = None  # of the whole record
        self.durable_digest: str | None = None  # of everything but the window state
        self.latest: SessionMessage | None = None


def removed_message_count(record: SessionAgent) -> int:
    """The conversation manager's count of messages trimmed from the front (0 if unknown)."""
    count = record.conversation_manager_state.get("removed_message_count", 0)
    return int(count) if isinstance(count, int) else 0
