"""Fixtures for session-manager tests: real Strands agents, scripted models, the local server."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import (
    ACTOR,
    RETRIES,
    SESSION,
    ManagerFactory,
    add,
    calls,
    make_agent,
    no_trim,
    remember,
    stored_events,
)

__all__ = [
    "ACTOR",
    "RETRIES",
    "SESSION",
    "ManagerFactory",
    "add",
    "calls",
    "make_agent",
    "no_trim",
    "remember",
    "stored_events",
]


@pytest.fixture
def make_manager(server: LocalMemoryServer, memory_id: str) -> Iterator[ManagerFactory]:
    """Build session managers against the local server; they are closed after the test."""
    made: list[AgentCoreMemorySessionManager] = []

    def build(**overrides: Any) -> AgentCoreMemorySessionManager:
        # The local server has no quota unless a test sets one: pacing is tested on its own.
        fields: dict[str, Any] = {
            "memory_id": memory_id,
            "session_id": SESSION,
            "actor_id": ACTOR,
            "create_event_rate": None,
        }
        fields.update(overrides)
        manager = AgentCoreMemorySessionManager(
            AgentCoreMemoryConfig(**fields),
            endpoint_url=server.endpoint_url,
            boto_client_config=RETRIES,
        )
        made.append(manager)
        return manager

    yield build
    server.faults.reset()
    for manager in made:
        with contextlib.suppress(Exception):  # a test may leave a manager failing on purpose
            manager.close()
