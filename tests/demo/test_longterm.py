"""The demo's wait for extracted records is bounded, and says which namespaces stayed empty."""

from __future__ import annotations

import time
from typing import Any

from agentcore_memory_otel.cli.demo import longterm
from agentcore_memory_otel.local import LocalMemoryServer


def _memory(server: LocalMemoryServer) -> tuple[list[longterm.Strategy], str]:
    control = server.client("bedrock-agentcore-control")
    memory = control.create_memory(
        name="waits", eventExpiryDuration=30, memoryStrategies=longterm.strategy_requests()
    )["memory"]
    return longterm.Strategy.of(memory), str(memory["id"])


def _wait(server: LocalMemoryServer, memory_id: str, strategies: Any, timeout: float) -> Any:
    return longterm.wait_for_records(
        server.client(),
        memory_id,
        strategies,
        actor_id="ada",
        session_id="s1",
        timeout=timeout,
        settled=lambda: server.backend.extraction.wait_idle(0.0),
    )


def test_without_a_conversation_the_wait_ends_at_its_bound() -> None:
    with LocalMemoryServer() as server:
        strategies, memory_id = _memory(server)
        started = time.monotonic()
        records, empty = _wait(server, memory_id, strategies, timeout=0.5)
        assert 0.5 <= time.monotonic() - started < 0.5 + 2 * longterm.POLL_SECONDS + 1
    assert records == []
    assert empty == ["/users/ada/preferences", "/users/ada/facts", "/users/ada/sessions/s1"]


def test_records_are_listed_per_strategy_and_recall_leaves_summaries_out() -> None:
    with LocalMemoryServer() as server:
        strategies, memory_id = _memory(server)
        server.client().create_event(
            memoryId=memory_id,
            actorId="ada",
            sessionId="s1",
            eventTimestamp=time.time(),
            payload=[
                {
                    "conversational": {
                        "content": {"text": "I like sushi with tuna. I live in Oslo."},
                        "role": "USER",
                    }
                }
            ],
        )
        records, empty = _wait(server, memory_id, strategies, timeout=10)
    assert empty == []
    assert [(r.namespace, r.strategy) for r in records] == [
        ("/users/ada/preferences", "USER_PREFERENCE"),
        ("/users/ada/facts", "SEMANTIC"),
        ("/users/ada/sessions/s1", "SUMMARIZATION"),
    ]
    assert records[0].text == "The user likes sushi with tuna."
    assert set(longterm.retrieval_config(strategies)) == {
        "/users/{actorId}/preferences",
        "/users/{actorId}/facts",
    }
