"""ListSessions and ListActors."""

from __future__ import annotations

from typing import Any

from .helpers import put

T0 = 1_735_689_600.0


def test_sessions_newest_first_with_pagination(client: Any, memory_id: str) -> None:
    for i in range(5):
        put(client, memory_id, T0, actor="a", session=f"s{i}")
    put(client, memory_id, T0, actor="b", session="other")
    paginator = client.get_paginator("list_sessions")
    pages = list(
        paginator.paginate(memoryId=memory_id, actorId="a", PaginationConfig={"PageSize": 2})
    )
    assert [len(p["sessionSummaries"]) for p in pages] == [2, 2, 1]
    sessions = [s for p in pages for s in p["sessionSummaries"]]
    assert [s["sessionId"] for s in sessions] == ["s4", "s3", "s2", "s1", "s0"]
    assert all(s["actorId"] == "a" for s in sessions)
    assert all(s["createdAt"].year >= 2025 for s in sessions)


def test_has_events_filter_skips_emptied_sessions(client: Any, memory_id: str) -> None:
    gone = put(client, memory_id, T0, actor="a", session="emptied")
    put(client, memory_id, T0, actor="a", session="kept")
    client.delete_event(
        memoryId=memory_id, actorId="a", sessionId="emptied", eventId=gone["eventId"]
    )
    every = client.list_sessions(memoryId=memory_id, actorId="a")["sessionSummaries"]
    assert {s["sessionId"] for s in every} == {"emptied", "kept"}
    with_events = client.list_sessions(
        memoryId=memory_id, actorId="a", filter={"eventFilter": "HAS_EVENTS"}
    )
    assert [s["sessionId"] for s in with_events["sessionSummaries"]] == ["kept"]


def test_actors_are_listed_once_each_in_order(client: Any, memory_id: str) -> None:
    for actor in ["zed", "amy", "user/1:x", "amy", "bob"]:
        put(client, memory_id, T0, actor=actor)
    paginator = client.get_paginator("list_actors")
    pages = list(paginator.paginate(memoryId=memory_id, PaginationConfig={"PageSize": 2}))
    actors = [a["actorId"] for p in pages for a in p["actorSummaries"]]
    assert actors == ["amy", "bob", "user/1:x", "zed"]
    assert len(pages) == 2


def test_memories_do_not_share_sessions(client: Any, control: Any, memory_id: str) -> None:
    other = control.create_memory(name="other", eventExpiryDuration=30)["memory"]["id"]
    put(client, memory_id, T0, actor="a", session="s")
    assert client.list_actors(memoryId=other)["actorSummaries"] == []
    assert client.list_sessions(memoryId=other, actorId="a")["sessionSummaries"] == []
