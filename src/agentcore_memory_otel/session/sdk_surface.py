"""The bedrock-agentcore SDK manager's surface beyond Strands' ``SessionManager``.

That manager is also a Strands ``SessionRepository``: those methods are delegated to
``session.repository.MemoryRepository``, which implements them on this package's event
format. The rest (``persistence_mode``, ``has_existing_agent``, ``pending_agent_state_count``,
``retrieve_customer_context``) reads the session manager's own parts.
"""

from __future__ import annotations

from typing import Any

from strands.hooks import MessageAddedEvent
from strands.session.session_repository import SessionRepository
from strands.types.session import Session, SessionAgent, SessionMessage

from ..wire.pending import RecordKind
from .agents import AgentTrack
from .config import AgentCoreMemoryConfig, PersistenceMode
from .repository import MemoryRepository
from .retrieval import Retriever, is_bidirectional
from .write.scheduler import WriteScheduler


class SdkSurface(SessionRepository):
    """The SDK manager's members a session manager adds to Strands' ``SessionManager``.

    The ``SessionRepository`` methods are delegated to ``repository``.
    """

    config: AgentCoreMemoryConfig
    repository: MemoryRepository
    _agents: dict[str, AgentTrack]
    _scheduler: WriteScheduler | None
    _retriever: Retriever | None

    @property
    def persistence_mode(self) -> PersistenceMode:
        """What is written (``config.persistence_mode``)."""
        return self.config.persistence_mode

    @property
    def has_existing_agent(self) -> bool:
        """Whether an agent has been initialized with this manager."""
        return bool(self._agents)

    def pending_agent_state_count(self) -> int:
        """Agent records not yet acknowledged (at most one per agent: a newer one replaces it)."""
        return (
            self._scheduler.batcher.pending_record_count(RecordKind.AGENT) if self._scheduler else 0
        )

    def retrieve_customer_context(self, event: MessageAddedEvent) -> None:
        """Put long-term memory relevant to the agent's latest message in front of its text.

        Only for a user message that starts with text, with ``retrieval_config`` set, and not
        for bidirectional agents; a namespace that fails is logged and skipped.
        """
        messages = event.agent.messages
        if self._retriever is None or not messages or is_bidirectional(event.agent):
            return
        self._retriever.inject(messages[-1], event.agent.agent_id)

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
