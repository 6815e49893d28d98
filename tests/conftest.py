"""Shared fixtures: a real local server on loopback and real boto3 clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from .support import NO_RETRIES


@pytest.fixture
def server() -> Iterator[LocalMemoryServer]:
    with LocalMemoryServer() as running:
        yield running


@pytest.fixture
def client(server: LocalMemoryServer) -> Any:
    """The data-plane client, with retries off so each call is exactly one request."""
    return server.client(config=NO_RETRIES)


@pytest.fixture
def control(server: LocalMemoryServer) -> Any:
    return server.client("bedrock-agentcore-control", config=NO_RETRIES)


@pytest.fixture
def memory(control: Any) -> dict[str, Any]:
    """A fresh memory resource; tests use its ``id`` and ``arn``."""
    created: dict[str, Any] = control.create_memory(name="test_memory", eventExpiryDuration=30)
    return dict(created["memory"])


@pytest.fixture
def memory_id(memory: dict[str, Any]) -> str:
    return str(memory["id"])
