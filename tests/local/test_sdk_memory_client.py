"""The reference SDK's MemoryClient control-plane flows run unchanged against the local server.

The SDK (``bedrock-agentcore``, a test dependency) finds the server through the standard
endpoint variables, as it would find the service.
"""

from __future__ import annotations

from typing import Any

import pytest
from bedrock_agentcore.memory import MemoryClient
from bedrock_agentcore.memory.controlplane import MemoryControlPlaneClient

from agentcore_memory_otel.local import LocalMemoryServer


@pytest.fixture
def sdk_env(server: LocalMemoryServer, monkeypatch: pytest.MonkeyPatch) -> LocalMemoryServer:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", server.endpoint_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL", server.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return server


def _statuses(memory: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["status"] for s in memory["strategies"]}


def test_create_with_strategies_add_strategies_and_update_description(
    sdk_env: LocalMemoryServer,
) -> None:
    client = MemoryClient(region_name="us-east-1")
    memory = client.create_memory_and_wait(
        name="SdkFlow",
        strategies=[
            {"semanticMemoryStrategy": {"name": "facts"}},
            {"userPreferenceMemoryStrategy": {"name": "prefs"}},
        ],
        description="created by the SDK",
        poll_interval=1,
    )
    memory_id = memory["id"]
    assert memory["status"] == "ACTIVE"
    assert _statuses(memory) == {"facts": "ACTIVE", "prefs": "ACTIVE"}

    # Add a strategy and wait; then a second one right after the first.
    client.add_summary_strategy_and_wait(memory_id=memory_id, name="sums", poll_interval=1)
    updated = client.add_semantic_strategy_and_wait(
        memory_id=memory_id, name="more_facts", poll_interval=1
    )
    assert updated["status"] == "ACTIVE"
    assert _statuses(updated) == {
        "facts": "ACTIVE",
        "prefs": "ACTIVE",
        "sums": "ACTIVE",
        "more_facts": "ACTIVE",
    }

    # Update the description, through the control-plane client's flow.
    control = MemoryControlPlaneClient(region_name="us-east-1")
    control.update_memory(memory_id, description="changed", wait_for_active=True, poll_interval=1)
    assert client.gmcp_client.get_memory(memoryId=memory_id)["memory"]["description"] == "changed"
    assert sdk_env.stats.count("UpdateMemory") == 3


def test_control_plane_client_adds_a_strategy_and_waits_for_it(sdk_env: LocalMemoryServer) -> None:
    control = MemoryControlPlaneClient(region_name="us-east-1")
    memory = control.create_memory(name="CpFlow", event_expiry_days=30, wait_for_active=True)
    memory = control.add_strategy(
        memory["id"],
        {"userPreferenceMemoryStrategy": {"name": "prefs"}},
        wait_for_active=True,
        poll_interval=1,
    )
    assert memory["status"] == "ACTIVE"
    assert _statuses(memory) == {"prefs": "ACTIVE"}


def test_create_or_get_memory_returns_the_existing_memory_of_that_name(
    sdk_env: LocalMemoryServer,
) -> None:
    client = MemoryClient(region_name="us-east-1")
    first = client.create_or_get_memory(name="OneName", description="first")
    again = client.create_or_get_memory(name="OneName", description="second")
    assert again["id"] == first["id"]
    listed = [m for m in client.list_memories() if m["id"].startswith("OneName")]
    assert len(listed) == 1


def test_create_memory_refuses_a_name_in_use_until_that_memory_is_deleted(
    sdk_env: LocalMemoryServer,
) -> None:
    control = sdk_env.client("bedrock-agentcore-control")
    memory_id = control.create_memory(name="Taken", eventExpiryDuration=30)["memory"]["id"]
    with pytest.raises(control.exceptions.ValidationException, match="already exists"):
        control.create_memory(name="Taken", eventExpiryDuration=30)
    control.delete_memory(memoryId=memory_id)
    assert control.create_memory(name="Taken", eventExpiryDuration=30)["memory"]["id"] != memory_id
