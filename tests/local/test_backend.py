"""The storage layer on its own: no sockets, no HTTP, just the backend and the handlers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from agentcore_memory_otel.local import Backend
from agentcore_memory_otel.local.errors import ResourceNotFoundError, ValidationError
from agentcore_memory_otel.local.events import NewEvent
from agentcore_memory_otel.local.handlers import REGISTRY, Request

T0_MS = 1_735_689_600_000


@pytest.fixture
def backend() -> Backend:
    return Backend()


def _memory(backend: Backend) -> str:
    return str(backend.memories.create({"name": "unit", "eventExpiryDuration": 30})["id"])


def test_events_without_http(backend: Backend) -> None:
    memory_id = _memory(backend)
    stored, created = backend.events.create(memory_id, NewEvent("a", "s", T0_MS, []))
    assert created
    events, token = backend.events.list_events(memory_id, "a", "s", max_results=20, next_token=None)
    assert [e["eventId"] for e in events] == [stored["eventId"]]
    assert token is None


def test_handlers_validate_without_http(backend: Backend) -> None:
    memory_id = _memory(backend)
    request = Request(
        labels={"memoryId": memory_id},
        body={"actorId": "bad actor", "eventTimestamp": 1, "payload": []},
    )
    with pytest.raises(ValidationError) as caught:
        REGISTRY["CreateEvent"](backend, request)
    assert caught.value.fields[0][0] == "actorId"


def test_unknown_memory(backend: Backend) -> None:
    with pytest.raises(ResourceNotFoundError):
        backend.memories.require("nope-abcdefghij")


def test_timestamps_round_to_the_millisecond(backend: Backend) -> None:
    memory_id = _memory(backend)
    body = REGISTRY["CreateEvent"](
        backend,
        Request(
            labels={"memoryId": memory_id},
            body={
                "actorId": "a",
                "sessionId": "s",
                "eventTimestamp": 1735689600.123,
                "payload": [],
            },
        ),
    )
    assert body["event"]["eventId"].startswith("0000001735689600123#")
    assert body["event"]["eventTimestamp"] == 1735689600.123


def test_same_token_from_many_threads_creates_one_event(backend: Backend) -> None:
    memory_id = _memory(backend)
    results: list[str] = []

    def create() -> None:
        event, _ = backend.events.create(memory_id, NewEvent("a", "s", T0_MS, [], client_token="t"))
        results.append(event["eventId"])

    threads = [threading.Thread(target=create) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    events, _ = backend.events.list_events(memory_id, "a", "s", max_results=100, next_token=None)
    assert len(events) == 1


def test_two_backends_share_one_file_safely(tmp_path: Path) -> None:
    first, second = Backend(tmp_path / "db"), Backend(tmp_path / "db")
    memory_id = _memory(first)

    def write(backend: Backend, prefix: str) -> None:
        for i in range(50):
            backend.events.create(
                memory_id, NewEvent("a", "s", T0_MS + i % 25, [], client_token=f"{i % 25}")
            )
            backend.events.create(
                memory_id, NewEvent("a", "s", T0_MS + i, [], client_token=f"{prefix}{i}")
            )

    threads = [
        threading.Thread(target=write, args=(b, p)) for b, p in [(first, "x"), (second, "y")]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events, token = second.events.list_events(memory_id, "a", "s", max_results=100, next_token=None)
    # 25 shared tokens (deduplicated across the two connections) + 50 + 50 unique ones.
    count = len(events)
    while token:
        more, token = second.events.list_events(
            memory_id, "a", "s", max_results=100, next_token=token
        )
        count += len(more)
    assert count == 125
    first.close()
    second.close()


def test_a_timestamp_must_be_epoch_seconds(backend: Backend) -> None:
    # boto3 always sends a number; the model alone would also let text through.
    request = Request(
        labels={"memoryId": _memory(backend)},
        body={"actorId": "a", "eventTimestamp": "2025-01-01T00:00:00Z", "payload": []},
    )
    with pytest.raises(ValidationError) as caught:
        REGISTRY["CreateEvent"](backend, request)
    problem = "Member must be a timestamp in epoch seconds"
    assert caught.value.fields == [("eventTimestamp", problem)]


def test_an_update_with_a_text_timestamp_fails_alone(backend: Backend) -> None:
    memory_id = _memory(backend)
    created = REGISTRY["BatchCreateMemoryRecords"](
        backend,
        Request(
            labels={"memoryId": memory_id},
            body={
                "records": [
                    {
                        "requestIdentifier": "r1",
                        "namespaces": ["/facts"],
                        "content": {"text": "The user likes tea"},
                        "timestamp": 1735689600,
                    }
                ]
            },
        ),
    )
    record_id = created["successfulRecords"][0]["memoryRecordId"]
    answer = REGISTRY["BatchUpdateMemoryRecords"](
        backend,
        Request(
            labels={"memoryId": memory_id},
            body={"records": [{"memoryRecordId": record_id, "timestamp": "2025-01-01"}]},
        ),
    )
    assert answer["successfulRecords"] == []
    [failed] = answer["failedRecords"]
    assert failed["memoryRecordId"] == record_id and failed["errorCode"] == 400
    assert "timestamp in epoch seconds" in failed["errorMessage"]
