"""Fault and latency injection, and the server-side call statistics."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config

from agentcore_memory_otel.local import LocalMemoryServer

from ..support import FakeClock
from .helpers import meta, put

T0 = 1_735_689_600.0
RETRYING = Config(retries={"mode": "standard", "total_max_attempts": 4})


def test_latency_per_operation(server: LocalMemoryServer, client: Any, memory_id: str) -> None:
    server.faults.set_latency(0.2, "ListEvents")
    started = time.perf_counter()
    put(client, memory_id, T0)
    fast = time.perf_counter() - started
    started = time.perf_counter()
    client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")
    slow = time.perf_counter() - started
    assert slow >= 0.2
    assert fast < 0.2


def test_latency_for_every_operation(
    server: LocalMemoryServer, client: Any, memory_id: str
) -> None:
    server.faults.set_latency(0.15)
    started = time.perf_counter()
    client.list_actors(memoryId=memory_id)
    assert time.perf_counter() - started >= 0.15


def test_create_event_rate_quota_answers_429(
    server: LocalMemoryServer, client: Any, memory_id: str
) -> None:
    clock = FakeClock()
    server.faults.clock = clock.monotonic
    server.faults.set_create_event_rate_limit(5)
    for i in range(5):
        put(client, memory_id, T0 + i)
    with pytest.raises(client.exceptions.ThrottledException) as caught:
        put(client, memory_id, T0 + 5)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert caught.value.response["Error"]["Message"] == "Rate exceeded"
    # The quota is per actor+session: another session is not throttled.
    put(client, memory_id, T0, session="session-2")
    clock.advance(0.999)
    with pytest.raises(client.exceptions.ThrottledException):
        put(client, memory_id, T0 + 6)
    clock.advance(0.001)  # a second after the first five
    put(client, memory_id, T0 + 6)
    assert server.stats.count("CreateEvent", outcome="ThrottledException") == 2
    events = client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")
    assert len(events["events"]) == 6


@pytest.mark.parametrize(
    ("status", "error"), [(500, "ServiceException"), (429, "ThrottledException")]
)
def test_fail_next_calls(
    server: LocalMemoryServer, client: Any, memory_id: str, status: int, error: str
) -> None:
    server.faults.fail_next("CreateEvent", 2, status=status)
    for _ in range(2):
        with pytest.raises(getattr(client.exceptions, error)) as caught:
            put(client, memory_id, T0)
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    put(client, memory_id, T0)
    assert server.stats.snapshot()["CreateEvent"] == {error: 2, "success": 1}
    assert (
        len(
            client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
                "events"
            ]
        )
        == 1
    )


def test_boto3_retries_through_injected_failures(server: LocalMemoryServer, memory_id: str) -> None:
    retrying = server.client(config=RETRYING)
    server.faults.fail_next("ListEvents", 2, status=500)
    response = retrying.list_events(memoryId=memory_id, actorId="a", sessionId="s")
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert server.stats.count("ListEvents") == 3


def test_commit_then_fail_is_deduplicated_by_client_token(
    server: LocalMemoryServer, memory_id: str
) -> None:
    retrying = server.client(config=RETRYING)
    server.faults.commit_then_fail(1)
    event = put(retrying, memory_id, T0)
    assert server.stats.snapshot()["CreateEvent"] == {"ServiceException": 1, "success": 1}
    events = retrying.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
        "events"
    ]
    assert [e["eventId"] for e in events] == [event["eventId"]]


def test_commit_then_fail_without_retry_still_stores(
    server: LocalMemoryServer, client: Any, memory_id: str
) -> None:
    server.faults.commit_then_fail(1)
    with pytest.raises(client.exceptions.ServiceException):
        put(client, memory_id, T0, clientToken="tok")
    stored = client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
        "events"
    ]
    assert len(stored) == 1
    assert put(client, memory_id, T0, clientToken="tok")["eventId"] == stored[0]["eventId"]
    assert (
        len(
            client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
                "events"
            ]
        )
        == 1
    )


def test_filtered_read_lag_hides_new_events_from_filtered_reads_only(
    server: LocalMemoryServer, client: Any, memory_id: str
) -> None:
    server.faults.set_filtered_read_lag(0.5)
    put(client, memory_id, T0, metadata=meta(kind="state"))
    state_filter = {"eventMetadata": [{"left": {"metadataKey": "kind"}, "operator": "EXISTS"}]}

    def filtered() -> int:
        return len(
            client.list_events(
                memoryId=memory_id, actorId="actor-1", sessionId="session-1", filter=state_filter
            )["events"]
        )

    assert filtered() == 0
    assert (
        len(
            client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
                "events"
            ]
        )
        == 1
    )
    time.sleep(0.6)
    assert filtered() == 1


def test_filtered_read_lag_keeps_the_page_token_and_hides_only_fresh_events(
    server: LocalMemoryServer, client: Any, memory_id: str
) -> None:
    """The lag is applied to the answered page: a hidden event leaves a short page, token kept."""
    put(client, memory_id, T0, metadata=meta(kind="state"))
    put(client, memory_id, T0 - 1, metadata=meta(kind="state"))
    time.sleep(0.3)
    server.faults.set_filtered_read_lag(0.25)
    fresh = put(client, memory_id, T0 + 1, metadata=meta(kind="state"))
    state_filter = {"eventMetadata": [{"left": {"metadataKey": "kind"}, "operator": "EXISTS"}]}
    first = client.list_events(
        memoryId=memory_id,
        actorId="actor-1",
        sessionId="session-1",
        filter=state_filter,
        maxResults=2,
    )
    # Two events scanned (the fresh one and the one at T0); only the older one is seen.
    assert [e["eventTimestamp"].timestamp() for e in first["events"]] == [T0]
    assert "nextToken" in first
    rest = client.list_events(
        memoryId=memory_id,
        actorId="actor-1",
        sessionId="session-1",
        filter=state_filter,
        nextToken=first["nextToken"],
    )
    assert [e["eventTimestamp"].timestamp() for e in rest["events"]] == [T0 - 1]
    unfiltered = client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")
    assert fresh["eventId"] in [e["eventId"] for e in unfiltered["events"]]


def test_filtered_read_lag_applies_when_the_memory_is_named_by_its_arn(
    server: LocalMemoryServer, client: Any, memory: dict[str, Any]
) -> None:
    put(client, memory["id"], T0, metadata=meta(kind="state"))
    time.sleep(0.3)
    server.faults.set_filtered_read_lag(0.25)
    put(client, memory["id"], T0 + 1, metadata=meta(kind="state"))
    state_filter = {"eventMetadata": [{"left": {"metadataKey": "kind"}, "operator": "EXISTS"}]}
    seen = client.list_events(
        memoryId=memory["arn"], actorId="actor-1", sessionId="session-1", filter=state_filter
    )["events"]
    assert [e["eventTimestamp"].timestamp() for e in seen] == [T0]


def test_faults_stay_at_the_http_edge() -> None:
    """Only the HTTP layer and the ways to run the server know about fault injection."""
    package = Path(__file__).resolve().parents[2] / "src" / "agentcore_memory_otel" / "local"
    knowing = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(r"\bfault|read_lag|hide_created", path.read_text(), re.IGNORECASE)
    }
    assert knowing == {"__init__.py", "app.py", "faults.py", "server.py"}


def test_stats_count_every_answer(server: LocalMemoryServer, client: Any, memory_id: str) -> None:
    server.stats.reset()
    put(client, memory_id, T0)
    client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")
    with pytest.raises(client.exceptions.ValidationException):
        client.list_events(memoryId=memory_id, actorId="bad actor", sessionId="s")
    assert server.stats.count("CreateEvent") == 1
    assert server.stats.count("ListEvents") == 2
    assert server.stats.count("ListEvents", outcome="success") == 1
    assert server.stats.count() == 3


def test_fault_injector_rejects_nonsense() -> None:
    from agentcore_memory_otel.local import FaultInjector

    faults = FaultInjector()
    with pytest.raises(ValueError):
        faults.fail_next("CreateEvent", status=404)
    with pytest.raises(ValueError):
        faults.set_latency(-1)
    with pytest.raises(ValueError):
        faults.set_create_event_rate_limit(0)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (409, "RetryableConflictException"),
        (403, "AccessDeniedException"),
        (402, "ServiceQuotaExceededException"),
    ],
)
def test_every_modelled_error_reaches_boto3_by_name(
    server: LocalMemoryServer, client: Any, memory_id: str, status: int, error: str
) -> None:
    server.faults.fail_next("CreateEvent", 1, status=status)
    with pytest.raises(getattr(client.exceptions, error)) as caught:
        put(client, memory_id, T0)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


def test_botocore_retries_a_retryable_conflict_on_create_event(
    server: LocalMemoryServer, memory_id: str
) -> None:
    retrying = server.client(config=RETRYING)
    server.faults.fail_next("CreateEvent", 2, status=409)
    put(retrying, memory_id, T0)
    assert server.stats.snapshot()["CreateEvent"] == {"RetryableConflictException": 2, "success": 1}
