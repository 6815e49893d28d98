"""With ``min_score``, a search asks for ``over_fetch_factor`` times the records it returns."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from strands.memory import SearchOptions

from agentcore_memory_otel.local import LocalMemoryServer

from ..support import ACTOR, seed_records
from .conftest import StoreFactory


def _asked_top_k(server: LocalMemoryServer, make_store: StoreFactory, **fields: Any) -> list[int]:
    client = server.client()
    asked: list[int] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        asked.append(params["searchCriteria"]["topK"])

    client.meta.events.register(
        "provide-client-params.bedrock-agentcore.RetrieveMemoryRecords", record
    )
    store = make_store(client=client, **fields)
    asyncio.run(store.search("tea"))
    asyncio.run(store.search("tea", SearchOptions(max_search_results=7)))
    return asked


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"max_search_results": 2}, [2, 7]),  # no min_score: exactly what is returned
        ({"max_search_results": 2, "min_score": 0.5}, [8, 28]),  # the default factor, 4
        ({"max_search_results": 2, "min_score": 0.5, "over_fetch_factor": 2.5}, [5, 18]),
        ({"max_search_results": 30, "min_score": 0.5}, [100, 28]),  # the API's topK cap
    ],
)
def test_top_k_is_over_fetched_only_with_a_min_score(
    server: LocalMemoryServer,
    memory_id: str,
    make_store: StoreFactory,
    fields: dict[str, Any],
    expected: list[int],
) -> None:
    seed_records(server, memory_id, f"/facts/{ACTOR}", "tea")
    assert _asked_top_k(server, make_store, **fields) == expected
