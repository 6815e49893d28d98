"""What a session manager with ``persistence_mode`` NONE holds instead of its write side.

A ``NullRecorder`` builds and stores nothing: nothing is encoded (so nothing can fail on a
storage limit or a metadata check), buffered or sent, and no agent state is digested. A
``NullScheduler`` never has anything pending. The manager calls them exactly as it calls the
``Recorder`` and the ``WriteScheduler``, so its code has one path for both modes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strands.types.session import Session, SessionAgent, SessionMessage

from ..wire.planned import PlannedEvent
from .agents import AgentTrack

if TYPE_CHECKING:
    import weakref

    from strands.types.agent import LocalAgent


class NullRecorder:
    """The ``Recorder`` of a manager with ``persistence_mode`` NONE: builds and stores nothing."""

    def new_session(self, session: Session, *, now: bool) -> None:
        """Nothing is stored."""

    def agent(self, agent: LocalAgent, track: AgentTrack) -> bool:
        """Nothing is captured: no change to write."""
        return False

    def note_reads(self, agent_id: str, reads: str | None) -> None:
        """No message will carry them."""

    def message(
        self, session_message: SessionMessage, agent_id: str, per_call: Any, base: int | None
    ) -> None:
        """Nothing is stored (nor checked against a storage limit)."""

    def rewrite(
        self, agent_id: str, session_message: SessionMessage, origin: str | None = None
    ) -> None:
        """Nothing is stored."""

    def redact(
        self,
        agent_id: str,
        track: AgentTrack,
        rewrite: SessionMessage,
        origin_id: str | None,
        stored_in: tuple[str, ...],
    ) -> None:
        """Nothing was stored, so nothing is rewritten or deleted."""

    def pending_agent_records(self) -> int:
        """Nothing is ever pending."""
        return 0

    def store_session(self, session: Session) -> None:
        """Nothing is stored."""

    def store_agent(self, session_agent: SessionAgent, *, is_new: bool) -> None:
        """Nothing is stored."""

    def store_message(
        self, session_message: SessionMessage, agent_id: str, metadata: Any
    ) -> list[PlannedEvent]:
        """Nothing is stored: no event."""
        return []

    def store_rewrite(self, session_message: SessionMessage, agent_id: str, metadata: Any) -> None:
        """Nothing is stored."""

    def write_buffered(self) -> None:
        """Nothing is buffered."""


class NullScheduler:
    """The ``WriteScheduler`` of a manager with ``persistence_mode`` NONE.

    Nothing is ever pending, so there is never anything to wait for, flush or close.
    """

    def wait_for_room(self) -> None:
        """There is always room."""

    def message_added(self) -> None:
        """Nothing to send."""

    def send_soon(self) -> None:
        """Nothing to send."""

    def pending_message_count(self) -> int:
        """Nothing is pending."""
        return 0

    def flush(self, timeout: float | None = None) -> None:
        """Nothing to flush."""

    def close(self, timeout: float | None = None) -> None:
        """Nothing to close."""

    def finalizer(self, owner: object) -> weakref.finalize[Any, Any] | None:
        """Nothing to flush at exit."""
        return None
