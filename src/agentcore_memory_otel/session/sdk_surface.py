"""The bedrock-agentcore SDK manager's surface beyond Strands' ``SessionManager``.

That manager is also a Strands ``SessionRepository``. Here its repository methods are the
session's one ``MemoryRepository``'s (``session.repository``): the session manager declares each
with ``repository_method``, which calls the manager's ``repository``. The SDK's other members
(``persistence_mode``, ``has_existing_agent``, ``pending_agent_state_count``,
``retrieve_customer_context``) are a ``SdkSurface``'s, an object built from the parts it reads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Concatenate, ParamSpec, Protocol, TypeVar

from strands.hooks import MessageAddedEvent

from .agents import AgentTrack
from .config import AgentCoreMemoryConfig, PersistenceMode
from .repository import MemoryRepository
from .retrieval import Retriever, is_bidirectional

if TYPE_CHECKING:
    from .recorder import Recording

P = ParamSpec("P")
R = TypeVar("R")


class HasRepository(Protocol):
    """What ``repository_method`` delegates through: the session manager."""

    repository: MemoryRepository


def repository_method(
    method: Callable[Concatenate[MemoryRepository, P], R],
) -> Callable[Concatenate[HasRepository, P], R]:
    """The session manager's version of a ``MemoryRepository`` method.

    It calls the method of the manager's ``repository``, and has its name, signature and
    docstring.
    """
    name = method.__name__

    @functools.wraps(method)
    def delegated(self: HasRepository, /, *args: P.args, **kwargs: P.kwargs) -> R:
        bound: Callable[P, R] = getattr(self.repository, name)
        return bound(*args, **kwargs)

    return delegated


class SdkSurface:
    """The SDK manager's members beyond Strands' ``SessionManager`` and ``SessionRepository``.

    Args:
        config: The session manager's configuration.
        agents: The session manager's agents by id (read, never changed, here).
        retriever: Injects long-term memory, or ``None`` without ``retrieval_config``.
        recorder: Counts the agent records not yet acknowledged.
    """

    def __init__(
        self,
        *,
        config: AgentCoreMemoryConfig,
        agents: Mapping[str, AgentTrack],
        retriever: Retriever | None,
        recorder: Recording,
    ) -> None:
        self._config = config
        self._agents = agents
        self._retriever = retriever
        self._recorder = recorder

    @property
    def persistence_mode(self) -> PersistenceMode:
        """What is written (``config.persistence_mode``)."""
        return self._config.persistence_mode

    @property
    def has_existing_agent(self) -> bool:
        """Whether an agent has been initialized with this manager."""
        return bool(self._agents)

    def pending_agent_state_count(self) -> int:
        """Agent records not yet acknowledged (at most one per agent: a newer one replaces it)."""
        return self._recorder.pending_agent_records()

    def retrieve_customer_context(self, event: MessageAddedEvent) -> None:
        """Put long-term memory relevant to the agent's latest message in front of its text.

        Only for a user message that starts with text, with ``retrieval_config`` set, and not
        for bidirectional agents; a namespace that fails is logged and skipped.
        """
        messages = event.agent.messages
        if self._retriever is None or not messages or is_bidirectional(event.agent):
            return
        self._retriever.inject(messages[-1], event.agent.agent_id)
