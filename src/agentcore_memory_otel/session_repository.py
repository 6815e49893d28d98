"""The session manager's Strands ``SessionRepository`` interface, delegated to its repository.

These are the methods the bedrock-agentcore SDK's manager offers as a ``SessionRepository``;
``persistence.repository.MemoryRepository`` implements them on this package's event format.
"""

from __future__ import annotations

from typing import Any

from strands.session.session_repository import SessionRepository
from strands.types.session import Session, SessionAgent, SessionMessage

from .persistence.repository import MemoryRepository


class RepositoryMethods(SessionRepository):
    """The ``SessionRepository`` interface of a session manager, delegated to its repository."""

    repository: MemoryRepository

    def create_session(self, session: Session, **kwargs: Any) -> Session:
        """See ``MemoryRepository.create_session``."""
        return self.repository.create_session(session, **kwargs)

    def read_session(self, session_id: str, **kwargs: Any) -> Session | None:
        """See ``MemoryRepository.read_session``."""
        return self.repository.read_session(session_id, **kwargs)

    def delete_session(self, session_id: str, **kwargs: Any) -> None:
        """See ``MemoryRepository.delete_session``."""
        self.repository.delete_session(session_id, **kwargs)

    def create_agent(self, session_id: str, session_agent: SessionAgent, **kwargs: Any) -> None:
        """See ``MemoryRepository.create_agent``."""
        self.repository.create_agent(session_id, session_agent, **kwargs)

    def read_agent(self, session_id: str, agent_id: str, **kwargs: Any) -> SessionAgent | None:
        """See ``MemoryRepository.read_agent``."""
        return self.repository.read_agent(session_id, agent_id, **kwargs)

    def update_agent(self, session_id: str, session_agent: SessionAgent, **kwargs: Any) -> None:
        """See ``MemoryRepository.update_agent``."""
        self.repository.update_agent(session_id, session_agent, **kwargs)

    def create_message(  # type: ignore[override]  # returns the event, as the SDK's does
        self, session_id: str, agent_id: str, session_message: SessionMessage, **kwargs: Any
    ) -> dict[str, Any] | None:
        """See ``MemoryRepository.create_message``."""
        return self.repository.create_message(session_id, agent_id, session_message, **kwargs)

    def read_message(
        self, session_id: str, agent_id: str, message_id: int, **kwargs: Any
    ) -> SessionMessage | None:
        """See ``MemoryRepository.read_message``."""
        return self.repository.read_message(session_id, agent_id, message_id, **kwargs)

    def update_message(
        self, session_id: str, agent_id: str, session_message: SessionMessage, **kwargs: Any
    ) -> None:
        """See ``MemoryRepository.update_message``."""
        self.repository.update_message(session_id, agent_id, session_message, **kwargs)

    def list_messages(
        self,
        session_id: str,
        agent_id: str,
        limit: int | None = None,
        offset: int = 0,
        **kwargs: Any,
    ) -> list[SessionMessage]:
        """See ``MemoryRepository.list_messages``."""
        return self.repository.list_messages(session_id, agent_id, limit, offset, **kwargs)

    @property
    def session_repository(self) -> SessionRepository:
        """The repository behind the manager: the manager itself, as with the SDK."""
        return self
