"""The SDK manager's surface: one repository behind it, and the SDK's signatures exactly."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from bedrock_agentcore.memory.integrations.strands.session_manager import (
    AgentCoreMemorySessionManager as SdkManager,
)
from strands.session.session_repository import SessionRepository
from strands.types.exceptions import SessionException
from strands.types.session import Session, SessionAgent, SessionMessage, SessionType

from agentcore_memory_otel import AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.repository import MemoryRepository

from .conftest import SESSION, ManagerFactory, stored_events

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


def _arguments(manager: AgentCoreMemorySessionManager) -> dict[str, Any]:
    """A value for every parameter name the SDK's repository methods take."""
    message = SessionMessage({"role": "user", "content": [{"text": "hi"}]}, 0)
    return {
        "session": Session(session_id=SESSION, session_type=SessionType.AGENT),
        "session_id": SESSION,
        "agent_id": "a",
        "session_agent": SessionAgent(agent_id="a", state={"k": 1}, conversation_manager_state={}),
        "session_message": message,
        "message_id": 0,
        "limit": 5,
        "offset": 0,
    }


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if hasattr(value, "to_dict"):
        found = value.to_dict()
        return {k: v for k, v in found.items() if k not in ("created_at", "updated_at")}
    if isinstance(value, dict):
        return sorted(value)  # the stored event: its keys (ids differ from call to call)
    return value


@pytest.mark.parametrize("name", [n for n in REPOSITORY_METHODS if n != "delete_session"])
def test_every_repository_method_answers_alike_however_it_is_called(
    name: str, make_manager: ManagerFactory
) -> None:
    """On the class with the manager first, on the instance positionally and by keyword."""
    manager = make_manager(batch_size=1)
    values = _arguments(manager)
    manager.create_agent(SESSION, values["session_agent"])
    manager.create_message(SESSION, "a", values["session_message"])
    names = [p for p in inspect.signature(getattr(SdkManager, name)).parameters][1:-1]
    args = [values[n] for n in names]
    answers = [
        getattr(AgentCoreMemorySessionManager, name)(manager, *args),
        getattr(manager, name)(*args),
        getattr(manager, name)(**dict(zip(names, args, strict=True))),
    ]
    assert [_comparable(a) for a in answers] == [_comparable(answers[0])] * 3
    assert manager.pending_message_count() == 0


def test_delete_session_on_the_class_positionally_and_by_keyword(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    for call in (
        lambda m: AgentCoreMemorySessionManager.delete_session(m, SESSION),
        lambda m: m.delete_session(SESSION),
        lambda m: m.delete_session(session_id=SESSION),
    ):
        manager = make_manager(batch_size=1)
        manager.create_message(SESSION, "a", _arguments(manager)["session_message"])
        assert stored_events(server, memory_id)
        call(manager)
        assert stored_events(server, memory_id) == []


@pytest.mark.parametrize("name", ["has_existing_agent", "persistence_mode"])
def test_the_sdk_s_plain_attributes_are_read_only_here_as_documented(
    name: str, make_manager: ManagerFactory
) -> None:
    """docs/sdk-compatibility.md says so: assigning fails loudly instead of changing nothing."""
    manager = make_manager()
    before = getattr(manager, name)
    with pytest.raises(AttributeError):
        setattr(manager, name, not before if name == "has_existing_agent" else "NONE")
    assert getattr(manager, name) == before
