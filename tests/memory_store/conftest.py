"""Fixtures for memory-store tests: stores on the local server, real Strands agents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agentcore_memory_otel import AgentCoreMemoryStore
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import ACTOR, RETRIES, STORE_SESSION

StoreFactory = Callable[..., AgentCoreMemoryStore]


@pytest.fixture
def make_store(server: LocalMemoryServer, memory_id: str) -> Iterator[StoreFactory]:
    """Build stores against the local server (namespace ``/facts/{actorId}`` by default)."""

    def build(**overrides: Any) -> AgentCoreMemoryStore:
        fields: dict[str, Any] = {
            "memory_id": memory_id,
            "actor_id": ACTOR,
            "session_id": STORE_SESSION,
            "endpoint_url": server.endpoint_url,
            "boto_client_config": RETRIES,
        }
        if "namespace_path" not in overrides:
            fields["namespace"] = "/facts/{actorId}"
        fields.update(overrides)
        return AgentCoreMemoryStore(**fields)

    yield build
    server.faults.reset()
