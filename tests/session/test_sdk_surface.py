"""The SDK manager's surface: one repository behind it, and the SDK's signatures exactly."""

from __future__ import annotations

import inspect

import pytest
from bedrock_agentcore.memory.integrations.strands.session_manager import (
    AgentCoreMemorySessionManager as SdkManager,
)
from strands.session.session_repository import SessionRepository
from strands.types.exceptions import SessionException
from strands.types.session import SessionMessage

from agentcore_memory_otel import AgentCoreMemorySessionManager
from agentcore_memory_otel.session.repository import MemoryRepository

from .conftest import SESSION, ManagerFactory

REPOSITORY_METHODS = (
    "create_session",
    "read_session",
    "delete_session",
    "create_agent",
    "read_agent",
    "update_agent",
    "create_message",
    "read_message",
    "update_message",
    "list_messages",
)
SDK_MEMBERS = (
    *REPOSITORY_METHODS,
    "pending_agent_state_count",
    "retrieve_customer_context",
)


def test_the_repository_methods_are_the_memory_repositorys() -> None:
    """One repository: each of the manager's methods is MemoryRepository's, same signature."""
    for name in REPOSITORY_METHODS:
        ours = getattr(AgentCoreMemorySessionManager, name)
        theirs = getattr(MemoryRepository, name)
        assert inspect.signature(ours) == inspect.signature(theirs), name
        assert ours.__doc__ == theirs.__doc__, name
        assert ours.__name__ == name
    assert not getattr(AgentCoreMemorySessionManager, "__abstractmethods__", frozenset())
    assert issubclass(AgentCoreMemorySessionManager, SessionRepository)


@pytest.mark.parametrize("name", SDK_MEMBERS)
def test_bound_signatures_are_the_sdks(name: str, make_manager: ManagerFactory) -> None:
    """What a caller of the SDK's manager sees: parameter names, kinds and defaults."""
    manager = make_manager()
    ours = inspect.signature(getattr(manager, name))
    sdk = inspect.signature(getattr(SdkManager, name))
    sdk = sdk.replace(parameters=list(sdk.parameters.values())[1:])  # bound: no self
    shape = [(p.name, p.kind, p.default) for p in ours.parameters.values()]
    assert shape == [(p.name, p.kind, p.default) for p in sdk.parameters.values()]


def test_keyword_calls_reach_the_repository(make_manager: ManagerFactory) -> None:
    """Every argument can be passed by keyword, as to the SDK's methods."""
    manager = make_manager()
    message = SessionMessage({"role": "user", "content": [{"text": "hi"}]}, 0)
    manager.create_message(session_id=SESSION, agent_id="a", session_message=message)
    found = manager.read_message(session_id=SESSION, agent_id="a", message_id=0)
    assert found is not None and found.to_message()["content"] == [{"text": "hi"}]
    listed = manager.list_messages(session_id=SESSION, agent_id="a", limit=5, offset=0)
    assert [m.message_id for m in listed] == [0]
    with pytest.raises(SessionException, match="Session ID mismatch"):
        manager.delete_session(session_id="another")
