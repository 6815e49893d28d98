"""ListEvents: order, scan-bounded pagination, metadata and branch filters."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import meta, put

T0 = 1_735_689_600.0


def _all_pages(client: Any, memory_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    pages = []
    token = None
    while True:
        extra: dict[str, Any] = {"nextToken": token} if token else {}
        page = client.list_events(
            memoryId=memory_id, actorId="actor-1", sessionId="session-1", **kwargs, **extra
        )
        pages.append(page)
        token = page.get("nextToken")
        if not token:
            return pages


def test_newest_first_by_event_timestamp(client: Any, memory_id: str) -> None:
    stamps = [T0 + 5, T0 + 1, T0 + 3, T0 + 2, T0 + 4]
    ids = {ts: put(client, memory_id, ts)["eventId"] for ts in stamps}
    events = client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
        "events"
    ]
    assert [e["eventId"] for e in events] == [ids[ts] for ts in sorted(stamps, reverse=True)]


def test_millisecond_resolution_and_tie_break(client: Any, memory_id: str) -> None:
    # 0.0004 s apart: the same millisecond, so the later-created event comes first.
    first = put(client, memory_id, T0 + 0.0001)
    second = put(client, memory_id, T0 + 0.0005)
    third = put(client, memory_id, T0 + 0.001)
    events = client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
        "events"
    ]
    assert [e["eventId"] for e in events] == [third["eventId"], second["eventId"], first["eventId"]]
    assert first["eventId"].split("#")[0] == second["eventId"].split("#")[0]


def test_default_page_size_is_20_and_tokens_differ(client: Any, memory_id: str) -> None:
    for i in range(45):
        put(client, memory_id, T0 + i)
    pages = _all_pages(client, memory_id)
    assert [len(p["events"]) for p in pages] == [20, 20, 5]
    tokens = [p["nextToken"] for p in pages[:-1]]
    assert len(set(tokens)) == len(tokens)
    seen = [e["eventTimestamp"].timestamp() for p in pages for e in p["events"]]
    assert seen == [T0 + i for i in reversed(range(45))]


def test_boto3_paginator_walks_every_page(client: Any, memory_id: str) -> None:
    for i in range(7):
        put(client, memory_id, T0 + i)
    paginator = client.get_paginator("list_events")
    pages = list(
        paginator.paginate(
            memoryId=memory_id,
            actorId="actor-1",
            sessionId="session-1",
            PaginationConfig={"PageSize": 3},
        )
    )
    assert [len(p["events"]) for p in pages] == [3, 3, 1]


def test_metadata_filter_applies_after_the_scan(client: Any, memory_id: str) -> None:
    # Newest five events have no tag; only the oldest one matches.
    put(client, memory_id, T0, metadata=meta(tag="wanted"))
    for i in range(1, 6):
        put(client, memory_id, T0 + i, metadata=meta(tag="other"))
    tag_filter = {
        "eventMetadata": [
            {
                "left": {"metadataKey": "tag"},
                "operator": "EQUALS_TO",
                "right": {"metadataValue": {"stringValue": "wanted"}},
            }
        ]
    }
    pages = _all_pages(client, memory_id, maxResults=2, filter=tag_filter)
    assert [len(p["events"]) for p in pages] == [0, 0, 1]
    assert all("nextToken" in p for p in pages[:-1])
    assert pages[-1]["events"][0]["metadata"] == {"tag": {"stringValue": "wanted"}}


def test_metadata_operators_and_conjunction(client: Any, memory_id: str) -> None:
    a = put(client, memory_id, T0 + 1, metadata=meta(kind="msg", trace="t1"))
    b = put(client, memory_id, T0 + 2, metadata=meta(kind="msg"))
    c = put(client, memory_id, T0 + 3, metadata=meta(kind="state", trace="t1"))
    d = put(client, memory_id, T0 + 4)

    def ids(*exprs: dict[str, Any]) -> list[str]:
        page = client.list_events(
            memoryId=memory_id,
            actorId="actor-1",
            sessionId="session-1",
            filter={"eventMetadata": list(exprs)},
        )
        return [e["eventId"] for e in page["events"]]

    exists = {"left": {"metadataKey": "trace"}, "operator": "EXISTS"}
    missing = {"left": {"metadataKey": "trace"}, "operator": "NOT_EXISTS"}
    is_msg = {
        "left": {"metadataKey": "kind"},
        "operator": "EQUALS_TO",
        "right": {"metadataValue": {"stringValue": "msg"}},
    }
    assert ids(exists) == [c["eventId"], a["eventId"]]
    assert ids(missing) == [d["eventId"], b["eventId"]]
    assert ids(is_msg) == [b["eventId"], a["eventId"]]
    assert ids(is_msg, exists) == [a["eventId"]]
    assert ids(is_msg, missing) == [b["eventId"]]


def test_include_payloads_defaults_to_true(client: Any, memory_id: str) -> None:
    put(client, memory_id, T0)
    with_payload = client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
        "events"
    ][0]
    assert with_payload["payload"]
    without = client.list_events(
        memoryId=memory_id, actorId="actor-1", sessionId="session-1", includePayloads=False
    )["events"][0]
    assert "payload" not in without
    assert without["eventId"] == with_payload["eventId"]


def test_branch_filter(client: Any, memory_id: str) -> None:
    m1 = put(client, memory_id, T0 + 1)
    m2 = put(client, memory_id, T0 + 2)
    m3 = put(client, memory_id, T0 + 5)
    b1 = put(client, memory_id, T0 + 3, branch={"name": "alt", "rootEventId": m2["eventId"]})
    b2 = put(client, memory_id, T0 + 4, branch={"name": "alt", "rootEventId": m2["eventId"]})
    c1 = put(client, memory_id, T0 + 6, branch={"name": "deeper", "rootEventId": b1["eventId"]})

    def ids(name: str, parents: bool) -> list[str]:
        page = client.list_events(
            memoryId=memory_id,
            actorId="actor-1",
            sessionId="session-1",
            filter={"branch": {"name": name, "includeParentBranches": parents}},
        )
        return [e["eventId"] for e in page["events"]]

    assert ids("main", False) == [m3["eventId"], m2["eventId"], m1["eventId"]]
    assert ids("alt", False) == [b2["eventId"], b1["eventId"]]
    # The parent's events up to and including the root; m3 came after the fork.
    assert ids("alt", True) == [b2["eventId"], b1["eventId"], m2["eventId"], m1["eventId"]]
    assert ids("deeper", True) == [c1["eventId"], b1["eventId"], m2["eventId"], m1["eventId"]]
    unfiltered = client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
        "events"
    ]
    assert len(unfiltered) == 6


@pytest.mark.parametrize("page_size", [1, 3, 100])
def test_pages_stay_stable_while_new_events_arrive(
    client: Any, memory_id: str, page_size: int
) -> None:
    for i in range(6):
        put(client, memory_id, T0 + i)
    first = client.list_events(
        memoryId=memory_id, actorId="actor-1", sessionId="session-1", maxResults=page_size
    )
    put(client, memory_id, T0 + 100)  # newer than everything: must not shift later pages
    seen = [e["eventTimestamp"].timestamp() for e in first["events"]]
    token = first.get("nextToken")
    while token:
        page = client.list_events(
            memoryId=memory_id,
            actorId="actor-1",
            sessionId="session-1",
            maxResults=page_size,
            nextToken=token,
        )
        seen += [e["eventTimestamp"].timestamp() for e in page["events"]]
        token = page.get("nextToken")
    assert seen == [T0 + i for i in reversed(range(6))]
