"""``manager.memory_client`` reads only the ListEvents pages an answer needs."""

from __future__ import annotations

import time
from collections.abc import Callable, Sized
from typing import Any

from agentcore_memory_otel.local import LocalMemoryServer

from ..support import ACTOR, SESSION, ManagerFactory

T0 = time.time() - 3600


def _seed(server: LocalMemoryServer, memory_id: str, events: int) -> None:
    """``events`` one-item events, USER and ASSISTANT in turn: ``events // 2`` turns."""
    client = server.client()
    for index in range(events):
        role = "USER" if index % 2 == 0 else "ASSISTANT"
        client.create_event(
            memoryId=memory_id,
            actorId=ACTOR,
            sessionId=SESSION,
            eventTimestamp=T0 + index,
            payload=[{"conversational": {"role": role, "content": {"text": f"m{index}"}}}],
        )


def test_pages_are_read_only_as_far_as_the_answer_needs(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    _seed(server, memory_id, 150)
    client = make_manager().memory_client
    ids: dict[str, Any] = {"memory_id": memory_id, "actor_id": ACTOR, "session_id": SESSION}
    cases: list[tuple[Callable[[], Sized], int, int]] = [
        (lambda: client.get_last_k_turns(**ids, k=0), 0, 0),
        (lambda: client.get_last_k_turns(**ids, k=2), 2, 1),  # the first page holds them
        (lambda: client.get_last_k_turns(**ids, k=60), 60, 2),
        (lambda: client.list_events(**ids, max_results=100), 100, 1),
        (lambda: client.list_events(**ids, max_results=150), 150, 2),
        (lambda: client.list_events(**ids, max_results=120), 120, 2),
    ]
    for ask, answer_size, calls in cases:
        server.stats.reset()
        assert len(ask()) == answer_size
        assert server.stats.count("ListEvents") == calls
