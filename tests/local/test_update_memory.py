"""CreateMemory keeps every member; UpdateMemory changes them; strategy statuses settle; tags."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer
from tests.support import NO_RETRIES

ROLE = "arn:aws:iam::123456789012:role/memory"
KEY = "arn:aws:kms:us-east-1:123456789012:key/abc"
STREAM = {
    "resources": [
        {
            "kinesis": {
                "dataStreamArn": "arn:aws:kinesis:us-east-1:123456789012:stream/records",
                "contentConfigurations": [{"type": "MEMORY_RECORDS", "level": "FULL_CONTENT"}],
            }
        }
    ]
}
SETTLE = 0.3


@pytest.fixture
def slow_server() -> Iterator[LocalMemoryServer]:
    with LocalMemoryServer(settle_seconds=SETTLE) as running:
        yield running


@pytest.fixture
def cp(slow_server: LocalMemoryServer) -> Any:
    return slow_server.client("bedrock-agentcore-control", config=NO_RETRIES)


def _full_memory(cp: Any) -> dict[str, Any]:
    return dict(
        cp.create_memory(
            name="full",
            description="everything",
            eventExpiryDuration=90,
            memoryExecutionRoleArn=ROLE,
            encryptionKeyArn=KEY,
            memoryStrategies=[
                {
                    "semanticMemoryStrategy": {
                        "name": "facts",
                        "namespaceTemplates": ["/f/{actorId}"],
                    }
                },
                {
                    "summaryMemoryStrategy": {
                        "name": "sums",
                        "description": "per session",
                        "recordExpirySpecification": {"recordExpiryDurationDays": 40},
                    }
                },
            ],
            indexedKeys=[{"key": "topic", "type": "STRING"}],
            namespaceKeys=[{"key": "tenant", "validation": {"allowedValues": ["acme"]}}],
            streamDeliveryResources=STREAM,
            tags={"team": "memory"},
        )["memory"]
    )


def test_create_memory_keeps_and_returns_every_member(cp: Any) -> None:
    memory = _full_memory(cp)
    got = cp.get_memory(memoryId=memory["id"])["memory"]
    for found in (memory, got):
        assert found["description"] == "everything"
        assert found["memoryExecutionRoleArn"] == ROLE
        assert found["encryptionKeyArn"] == KEY
        assert found["indexedKeys"] == [{"key": "topic", "type": "STRING"}]
        assert found["namespaceKeys"] == [
            {"key": "tenant", "validation": {"allowedValues": ["acme"]}}
        ]
        assert found["streamDeliveryResources"] == STREAM
        facts, sums = found["strategies"]
        assert facts["status"] == sums["status"] == "ACTIVE"
        assert facts["type"] == "SEMANTIC" and sums["type"] == "SUMMARIZATION"
        assert sums["namespaceTemplates"] == [
            "/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/"
        ]
        assert sums["description"] == "per session"
        assert sums["recordExpiryDurationDays"] == 40
    tags = cp.list_tags_for_resource(resourceArn=memory["arn"])["tags"]
    assert tags == {"team": "memory"}
    cp.tag_resource(resourceArn=memory["arn"], tags={"env": "dev"})
    cp.untag_resource(resourceArn=memory["arn"], tagKeys=["team"])
    assert cp.list_tags_for_resource(resourceArn=memory["arn"])["tags"] == {"env": "dev"}


def test_update_memory_description_and_expiry_apply_at_once(cp: Any) -> None:
    memory = _full_memory(cp)
    updated = cp.update_memory(memoryId=memory["id"], description="new", eventExpiryDuration=7)
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert updated["memory"]["status"] == "ACTIVE"
    got = cp.get_memory(memoryId=memory["id"])["memory"]
    assert (got["description"], got["eventExpiryDuration"]) == ("new", 7)


def test_strategy_changes_settle_from_creating_to_active(cp: Any) -> None:
    """The documented local timing: changes settle ``settle_seconds`` after UpdateMemory."""
    memory = _full_memory(cp)
    facts, sums = (s["strategyId"] for s in memory["strategies"])
    updated = cp.update_memory(
        memoryId=memory["id"],
        memoryStrategies={
            "addMemoryStrategies": [{"userPreferenceMemoryStrategy": {"name": "prefs"}}],
            "modifyMemoryStrategies": [
                {
                    "memoryStrategyId": facts,
                    "description": "facts v2",
                    "namespaceTemplates": ["/g/{actorId}"],
                }
            ],
            "deleteMemoryStrategies": [{"memoryStrategyId": sums}],
        },
    )["memory"]
    assert updated["status"] == "UPDATING"
    statuses = {s["name"]: s["status"] for s in updated["strategies"]}
    assert statuses == {"facts": "ACTIVE", "sums": "DELETING", "prefs": "CREATING"}
    time.sleep(SETTLE + 0.1)
    settled = cp.get_memory(memoryId=memory["id"])["memory"]
    assert settled["status"] == "ACTIVE"
    assert {s["name"]: s["status"] for s in settled["strategies"]} == {
        "facts": "ACTIVE",
        "prefs": "ACTIVE",
    }
    modified = next(s for s in settled["strategies"] if s["name"] == "facts")
    assert modified["description"] == "facts v2"
    assert modified["namespaceTemplates"] == ["/g/{actorId}"]


def test_update_memory_keys_and_stream_delivery(cp: Any) -> None:
    memory = _full_memory(cp)
    cp.update_memory(
        memoryId=memory["id"],
        addIndexedKeys=[{"key": "topic", "type": "STRING"}, {"key": "score", "type": "NUMBER"}],
        namespaceKeys=[{"key": "region"}],
        streamDeliveryResources={"resources": []},
    )
    got = cp.get_memory(memoryId=memory["id"])["memory"]
    assert got["indexedKeys"] == [
        {"key": "topic", "type": "STRING"},
        {"key": "score", "type": "NUMBER"},
    ]
    assert got["namespaceKeys"] == [{"key": "region"}]
    assert got["streamDeliveryResources"] == {"resources": []}
    with pytest.raises(cp.exceptions.ValidationException, match=r"addIndexedKeys\.0\.type"):
        cp.update_memory(memoryId=memory["id"], addIndexedKeys=[{"key": "topic", "type": "NUMBER"}])


def test_update_memory_rejects_unknown_strategies_and_a_seventh(cp: Any) -> None:
    memory = _full_memory(cp)
    with pytest.raises(cp.exceptions.ValidationException, match="modifyMemoryStrategies"):
        cp.update_memory(
            memoryId=memory["id"],
            memoryStrategies={"modifyMemoryStrategies": [{"memoryStrategyId": "nope-abcdefghij"}]},
        )
    many = [{"semanticMemoryStrategy": {"name": f"s{i}"}} for i in range(5)]
    with pytest.raises(cp.exceptions.ValidationException, match="at most 6"):
        cp.update_memory(memoryId=memory["id"], memoryStrategies={"addMemoryStrategies": many})
    with pytest.raises(cp.exceptions.ResourceNotFoundException):
        cp.update_memory(memoryId="missing-abcdefghij", description="x")


def test_update_memory_client_token(cp: Any) -> None:
    memory = _full_memory(cp)
    first = cp.update_memory(memoryId=memory["id"], description="one", clientToken="u-1")
    again = cp.update_memory(memoryId=memory["id"], description="one", clientToken="u-1")
    assert again["memory"] == first["memory"]
    with pytest.raises(cp.exceptions.ValidationException) as caught:
        cp.update_memory(memoryId=memory["id"], description="two", clientToken="u-1")
    assert caught.value.response["reason"] == "IdempotentParameterMismatchException"


def test_create_memory_client_token_mismatch(cp: Any) -> None:
    cp.create_memory(name="tok", eventExpiryDuration=30, clientToken="c-1")
    with pytest.raises(cp.exceptions.ValidationException) as caught:
        cp.create_memory(name="tok", eventExpiryDuration=31, clientToken="c-1")
    assert caught.value.response["reason"] == "IdempotentParameterMismatchException"
