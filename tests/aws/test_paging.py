"""client/paging.py: the one loop that follows ``nextToken``, over a real boto3 client.

Every page is a real ListEvents call to the local server; ``Counted`` only records the requests
the helper makes, so call counts are exact.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from agentcore_memory_otel.client.boto import client_or_new
from agentcore_memory_otel.client.paging import (
    PagingError,
    page_request,
    pages,
    session_events,
    session_request,
)
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import ACTOR, SESSION

T0 = time.time() - 3600


class Counted:
    """ListEvents on a real client, keeping each request made."""

    def __init__(self, client: Any, rewrite: Any = None) -> None:
        self.client = client
        self.requests: list[dict[str, Any]] = []
        self.rewrite = rewrite

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(request)
        page = dict(self.client.list_events(**request))
        return self.rewrite(page) if self.rewrite else page


def _seed(client: Any, memory_id: str, events: int, tagged_oldest: int = 0) -> None:
    for index in range(events):
        client.create_event(
            memoryId=memory_id,
            actorId=ACTOR,
            sessionId=SESSION,
            eventTimestamp=T0 + index,
            payload=[{"conversational": {"role": "USER", "content": {"text": f"m{index}"}}}],
            **({"metadata": {"tag": {"stringValue": "old"}}} if index < tagged_oldest else {}),
        )


def _texts(events: list[dict[str, Any]]) -> list[str]:
    return [e["payload"][0]["conversational"]["content"]["text"] for e in events]


def test_a_session_is_read_in_full_pages_oldest_first_one_call_a_page(
    client: Any, memory_id: str
) -> None:
    _seed(client, memory_id, 250)
    counted = Counted(client)
    events = session_events(counted, memory_id=memory_id, actor_id=ACTOR, session_id=SESSION)
    assert _texts(events) == [f"m{i}" for i in range(250)]
    assert len(counted.requests) == 3
    assert [r["maxResults"] for r in counted.requests] == [100, 100, 100]
    assert all(r["includePayloads"] is True for r in counted.requests)
    assert "nextToken" not in counted.requests[0]
    assert all(r["nextToken"] for r in counted.requests[1:])


def test_an_empty_filtered_page_with_a_token_does_not_end_the_walk(
    client: Any, memory_id: str
) -> None:
    _seed(client, memory_id, 150, tagged_oldest=2)
    counted = Counted(client)
    request = {
        **session_request(memory_id, ACTOR, SESSION),
        "filter": {
            "eventMetadata": [
                {
                    "left": {"metadataKey": "tag"},
                    "operator": "EQUALS_TO",
                    "right": {"metadataValue": {"stringValue": "old"}},
                }
            ]
        },
    }
    found = [e for page in pages(counted, request) for e in page["events"]]
    assert _texts(found) == ["m1", "m0"]  # newest first, as the service gives them
    assert len(counted.requests) == 2  # the newest 100 hold no match: an empty page, then one


def test_a_caller_that_stops_makes_no_further_call(client: Any, memory_id: str) -> None:
    _seed(client, memory_id, 5)
    counted = Counted(client)
    walk = pages(counted, session_request(memory_id, ACTOR, SESSION), page_size=2)
    assert counted.requests == []  # nothing is fetched before the first page is asked for
    first = next(walk)
    assert _texts(first["events"]) == ["m4", "m3"]
    assert len(counted.requests) == 1


def test_the_page_size_function_is_asked_before_each_page(client: Any, memory_id: str) -> None:
    _seed(client, memory_id, 10)
    counted = Counted(client)
    sizes = iter([3, 5, 100])
    got = [
        len(page["events"])
        for page in pages(
            counted, session_request(memory_id, ACTOR, SESSION), page_size=lambda: next(sizes)
        )
    ]
    assert got == [3, 5, 2]
    assert [r["maxResults"] for r in counted.requests] == [3, 5, 100]


@pytest.mark.parametrize("token", [None, ""])
def test_no_token_or_an_empty_one_asks_for_the_first_page(token: str | None) -> None:
    assert page_request({"memoryId": "m"}, token) == {"memoryId": "m", "maxResults": 100}
    assert page_request({"memoryId": "m", "maxResults": 7}, "t", 20) == {
        "memoryId": "m",
        "maxResults": 20,
        "nextToken": "t",
    }


def test_an_empty_token_on_a_page_ends_the_walk(client: Any, memory_id: str) -> None:
    _seed(client, memory_id, 3)
    counted = Counted(client, rewrite=lambda page: {**page, "nextToken": ""})
    walk = pages(counted, session_request(memory_id, ACTOR, SESSION), page_size=1)
    assert len(list(walk)) == 1


class Repeating:
    """Gives the service's real tokens, but from page ``at`` on the first one again."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.tokens: list[str] = []

    def __call__(self, page: dict[str, Any]) -> dict[str, Any]:
        self.tokens.append(page["nextToken"])
        if len(self.tokens) >= self.at:
            return {**page, "nextToken": self.tokens[0]}
        return page


def test_a_token_that_comes_back_stops_the_walk_instead_of_looping(
    client: Any, memory_id: str
) -> None:
    """A service (or proxy) answering every page with the same token would loop for ever."""
    _seed(client, memory_id, 5)
    counted = Counted(client, rewrite=Repeating(at=2))
    with pytest.raises(PagingError, match=r"page 2 gave nextToken '.+' again"):
        list(pages(counted, session_request(memory_id, ACTOR, SESSION), page_size=1))
    assert len(counted.requests) == 2


def test_tokens_going_round_a_circle_stop_the_walk(client: Any, memory_id: str) -> None:
    _seed(client, memory_id, 5)
    repeating = Repeating(at=3)
    counted = Counted(client, rewrite=repeating)
    with pytest.raises(PagingError, match="page 3 gave nextToken"):
        session_events(
            lambda request: counted({**request, "maxResults": 1}),
            memory_id=memory_id,
            actor_id=ACTOR,
            session_id=SESSION,
        )
    assert [r.get("nextToken") for r in counted.requests] == [None, *repeating.tokens[:2]]


def test_a_page_without_events_or_with_null_events_reads_as_none(
    client: Any, memory_id: str
) -> None:
    _seed(client, memory_id, 1)
    stripped = Counted(client, rewrite=lambda page: {"events": None})
    assert session_events(stripped, memory_id=memory_id, actor_id=ACTOR, session_id=SESSION) == []


def test_a_given_client_is_used_as_it_is_else_one_is_built(
    server: LocalMemoryServer, memory_id: str
) -> None:
    given = server.client()
    assert client_or_new(given, "http://127.0.0.1:1", "eu-west-1") is given
    built = client_or_new(None, server.endpoint_url, "eu-west-1")
    assert built is not given
    assert built.meta.region_name == "eu-west-1"
    assert built.meta.endpoint_url == server.endpoint_url
    # It answers without AWS credentials: the local server gets the dummy ones.
    assert built.list_actors(memoryId=memory_id)["actorSummaries"] == []


def test_the_command_line_explains_pages_that_go_round_in_one_line() -> None:
    from agentcore_memory_otel.cli.errors import explain

    message = explain(PagingError("page 2 gave nextToken 'x' again"))
    assert message == (
        "AgentCore Memory's pages cannot be read to the end: page 2 gave nextToken 'x' again;"
        " check --endpoint-url"
    )
