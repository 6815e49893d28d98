"""Fixtures for memory-store tests: stores on the local server, real Strands agents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from strands import Agent
from strands.memory import MemoryManager

from agentcore_memory_otel import AgentCoreMemoryStore
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

from ..session.conftest import RETRIES, stored_events

ACTOR = "user/42:alice"
SESSION = "store-session"

StoreFactory = Callable[..., AgentCoreMemoryStore]


@pytest.fixture
def make_store(server: LocalMemoryServer, memory_id: str) -> Iterator[StoreFactory]:
    """Build stores against the local server (namespace ``/facts/{actorId}`` by default)."""

    def build(**overrides: Any) -> AgentCoreMemoryStore:
        fields: dict[str, Any] = {
            "memory_id": memory_id,
            "actor_id": ACTOR,
            "session_id": SESSION,
            "endpoint_url": server.endpoint_url,
            "boto_client_config": RETRIES,
        }
        if "namespace_path" not in overrides:
            fields["namespace"] = "/facts/{actorId}"
        fields.update(overrides)
        return AgentCoreMemoryStore(**fields)

    yield build
    server.faults.reset()


def make_agent(manager: MemoryManager, script: Any, **kwargs: Any) -> Agent:
    """A real Strands agent with a scripted model and the memory manager attached."""
    kwargs.setdefault("callback_handler", None)
    return Agent(model=ScriptedModel(script), memory_manager=manager, **kwargs)


def session_events(server: LocalMemoryServer, memory_id: str) -> list[dict[str, Any]]:
    """Every event of the store's session, oldest first."""
    return stored_events(server, memory_id, session=SESSION, actor=ACTOR)


def conversation(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(role, text) of every conversational item, in order."""
    return [
        (item["conversational"]["role"], item["conversational"]["content"]["text"])
        for event in events
        for item in event["payload"]
    ]
