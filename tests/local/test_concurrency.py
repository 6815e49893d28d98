"""Concurrent requests over HTTP from many threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from agentcore_memory_otel.local import LocalMemoryServer

from .helpers import put

T0 = 1_735_689_600.0


def test_parallel_writers_and_readers(server: LocalMemoryServer, memory_id: str) -> None:
    clients = [server.client() for _ in range(8)]

    def work(index: int) -> list[str]:
        client: Any = clients[index]
        ids = []
        for i in range(15):
            ids.append(
                put(
                    client,
                    memory_id,
                    T0 + i,
                    session=f"s{index % 4}",
                    clientToken=f"{index % 4}-{i}",
                )["eventId"]
            )
            client.list_events(memoryId=memory_id, actorId="actor-1", sessionId=f"s{index % 4}")
        return ids

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(8)))
    # Threads i and i+4 share a session and tokens: each token creates exactly one event.
    for index in range(4):
        assert results[index] == results[index + 4]
        events = clients[0].list_events(
            memoryId=memory_id, actorId="actor-1", sessionId=f"s{index}", maxResults=100
        )["events"]
        assert len(events) == 15
    assert server.stats.count("CreateEvent", outcome="success") == 120
