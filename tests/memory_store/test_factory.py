"""``create_agentcore_memory_stores``: one store per namespace, one shared client, one writer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from strands.memory import MemoryManager

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.memory_store import AgentCoreMemoryStore, create_agentcore_memory_stores

from ..support import ACTOR, RETRIES, STORE_SESSION, conversation, make_store_agent, store_events


def _stores(server: LocalMemoryServer, memory_id: str, **kwargs: Any) -> list[Any]:
    kwargs.setdefault(
        "namespaces",
        [
            {"namespace": "/preferences/{actorId}", "name": "preferences"},
            {"namespace": "/facts/{actorId}"},
            {"namespace": "/summaries/{actorId}/{sessionId}"},
        ],
    )
    return create_agentcore_memory_stores(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=STORE_SESSION,
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
        **kwargs,
    )


def test_one_store_per_namespace_sharing_one_client(
    server: LocalMemoryServer, memory_id: str
) -> None:
    stores = _stores(server, memory_id, extraction=True)
    assert [s.name for s in stores] == ["preferences", "facts", "summaries"]
    assert [s.writable for s in stores] == [True, False, False]
    assert all(isinstance(s, AgentCoreMemoryStore) for s in stores)
    assert len({id(s.api) for s in stores}) == 1
    assert stores[2].namespace == f"/summaries/{ACTOR}/{STORE_SESSION}"


def test_the_writer_is_the_one_marked_or_the_first_not_opted_out(
    server: LocalMemoryServer, memory_id: str
) -> None:
    namespaces: Any = [
        {"namespace": "/a", "writable": False},
        {"namespace": "/b"},
        {"namespace": "/c"},
    ]
    stores = _stores(server, memory_id, namespaces=namespaces, extraction=True)
    assert [s.writable for s in stores] == [False, True, False]
    namespaces[2]["writable"] = True
    stores = _stores(server, memory_id, namespaces=namespaces, extraction=True)
    assert [s.writable for s in stores] == [False, False, True]
    assert [s.writable for s in _stores(server, memory_id)] == [False, False, False]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"namespaces": []}, "at least one namespace"),
        ({"namespaces": [{"namespace": " "}]}, r"namespaces\[0\].namespace must be"),
        (
            {
                "namespaces": [
                    {"namespace": "/a", "writable": True},
                    {"namespace": "/b", "writable": True},
                ]
            },
            "at most one namespace may be writable, got 2",
        ),
        (
            {"namespaces": [{"namespace": "/a", "writable": False}], "extraction": True},
            "every namespace is marked writable: False",
        ),
    ],
)
def test_bad_topologies_are_refused(
    server: LocalMemoryServer, memory_id: str, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _stores(server, memory_id, **kwargs)


def test_the_stores_serve_one_agent(server: LocalMemoryServer, memory_id: str) -> None:
    stores = _stores(server, memory_id, extraction=True)
    asyncio.run(stores[0].add("The user prefers window seats"))
    agent = make_store_agent(MemoryManager(stores=stores, injection=False), ["Noted."])
    server.stats.reset()
    agent("Book me a flight")
    assert server.stats.count("CreateEvent") == 1
    assert conversation(store_events(server, memory_id)) == [
        ("USER", "Book me a flight"),
        ("ASSISTANT", "Noted."),
    ]
    found = asyncio.run(MemoryManager(stores=stores).search("window seats"))
    assert [(e.store_name, e.content) for e in found] == [
        ("preferences", "The user prefers window seats")
    ]
