"""The memory part of the control plane: CreateMemory, GetMemory, ListMemories, DeleteMemory."""

from __future__ import annotations

import re
from typing import Any

import pytest

from agentcore_memory_otel.wire import limits


def test_create_memory(control: Any) -> None:
    response = control.create_memory(
        name="my_memory",
        eventExpiryDuration=30,
        description="demo",
        memoryStrategies=[
            {
                "semanticMemoryStrategy": {
                    "name": "facts",
                    "namespaceTemplates": ["/facts/{actorId}/"],
                }
            }
        ],
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    memory = response["memory"]
    assert re.fullmatch(r"my_memory-[a-zA-Z0-9]{10}", memory["id"])
    assert limits.MEMORY_ID_PATTERN.fullmatch(memory["arn"])
    assert memory["arn"].endswith(f":memory/{memory['id']}")
    assert memory["status"] == "ACTIVE"
    assert memory["eventExpiryDuration"] == 30
    strategy = memory["strategies"][0]
    assert strategy["type"] == "SEMANTIC"
    assert strategy["namespaces"] == ["/facts/{actorId}/"]
    assert re.fullmatch(r"facts-[a-zA-Z0-9]{10}", strategy["strategyId"])


def test_get_memory_and_waiter(control: Any, memory: dict[str, Any]) -> None:
    control.get_waiter("memory_created").wait(memoryId=memory["id"])
    got = control.get_memory(memoryId=memory["id"])["memory"]
    assert got["id"] == memory["id"]
    assert got["status"] == "ACTIVE"


def test_create_memory_is_idempotent_by_client_token(control: Any) -> None:
    first = control.create_memory(name="m1", eventExpiryDuration=7, clientToken="abc")
    again = control.create_memory(name="m1", eventExpiryDuration=7, clientToken="abc")
    assert again["memory"]["id"] == first["memory"]["id"]
    assert len(control.list_memories()["memories"]) == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "has-hyphen", "eventExpiryDuration": 30}, "name"),
        ({"name": "1starts_with_digit", "eventExpiryDuration": 30}, "name"),
        ({"name": "n" * 49, "eventExpiryDuration": 30}, "name"),
        ({"name": "ok", "eventExpiryDuration": 3651}, "eventExpiryDuration"),
    ],
)
def test_create_memory_validates(control: Any, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(control.exceptions.ValidationException, match=field):
        control.create_memory(**kwargs)


def test_list_memories_pages(control: Any) -> None:
    for i in range(3):
        control.create_memory(name=f"m{i}", eventExpiryDuration=30)
    pages = list(control.get_paginator("list_memories").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["memories"]) for p in pages] == [2, 1]
    summary = pages[0]["memories"][0]
    assert set(summary) >= {"arn", "id", "status", "createdAt", "updatedAt"}


def test_delete_memory_removes_it_and_its_data(
    control: Any, client: Any, memory: dict[str, Any]
) -> None:
    client.create_event(
        memoryId=memory["id"], actorId="a", sessionId="s", eventTimestamp=1_735_689_600, payload=[]
    )
    response = control.delete_memory(memoryId=memory["id"])
    assert response["memoryId"] == memory["id"]
    assert response["status"] == "DELETING"
    with pytest.raises(control.exceptions.ResourceNotFoundException):
        control.get_memory(memoryId=memory["id"])
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_events(memoryId=memory["id"], actorId="a", sessionId="s")
    with pytest.raises(control.exceptions.ResourceNotFoundException):
        control.delete_memory(memoryId=memory["id"])
