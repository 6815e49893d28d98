"""The local server keeps the service's branch semantics, over real boto3.

Names follow BranchName; a branch needs its root, which must be an event of the same session;
an unfiltered ListEvents returns every branch; a branch filter with ``includeParentBranches``
adds each ancestor's events up to and including the root (not later ones, not siblings'); and
``maxResults`` bounds the events scanned, so filtered pages may be empty and still go on.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from agentcore_memory_otel.local import LocalMemoryServer

ACTOR, SESSION = "ada", "s1"


def _event(client: Any, memory_id: str, text: str, branch: dict[str, str] | None = None) -> str:
    request: dict[str, Any] = {
        "memoryId": memory_id,
        "actorId": ACTOR,
        "sessionId": SESSION,
        "eventTimestamp": 0,
        "payload": [{"conversational": {"role": "USER", "content": {"text": text}}}],
    }
    if branch is not None:
        request["branch"] = branch
    return str(client.create_event(**request)["event"]["eventId"])


def _texts(client: Any, memory_id: str, **extra: Any) -> list[str]:
    """Every event's text, oldest first, over all pages."""
    out: list[str] = []
    token = None
    while True:
        page = client.list_events(
            memoryId=memory_id,
            actorId=ACTOR,
            sessionId=SESSION,
            **extra,
            **({"nextToken": token} if token else {}),
        )
        out += [e["payload"][0]["conversational"]["content"]["text"] for e in page["events"]]
        token = page.get("nextToken")
        if not token:
            return out[::-1]


@pytest.fixture
def tree(server: LocalMemoryServer, memory_id: str) -> dict[str, str]:
    """main m1 m2 m3; a forks at m2 (a1 a2); b forks at a1 (b1); c forks at m2 too (c1)."""
    client = server.client()
    ids: dict[str, str] = {}
    # One timestamp for all: same-millisecond events keep their creation order.
    for text, branch in [
        ("m1", None),
        ("m2", None),
        ("a1", "a:m2"),
        ("m3", None),
        ("b1", "b:a1"),
        ("a2", "a:m2"),
        ("c1", "c:m2"),
    ]:
        spec = None
        if branch is not None:
            name, root = branch.split(":")
            spec = {"name": name, "rootEventId": ids[root]}
        ids[text] = _event(client, memory_id, text, spec)
    return ids


def _branch(name: str, parents: bool) -> dict[str, Any]:
    return {"filter": {"branch": {"name": name, "includeParentBranches": parents}}}


def test_an_unfiltered_list_returns_every_branch_naming_each(
    server: LocalMemoryServer, memory_id: str, tree: dict[str, str]
) -> None:
    client = server.client()
    assert _texts(client, memory_id) == ["m1", "m2", "a1", "m3", "b1", "a2", "c1"]
    events = client.list_events(memoryId=memory_id, actorId=ACTOR, sessionId=SESSION)["events"]
    branches = {e["payload"][0]["conversational"]["content"]["text"]: e["branch"] for e in events}
    assert branches["m1"] == {"name": "main"}
    assert branches["b1"] == {"name": "b", "rootEventId": tree["a1"]}


@pytest.mark.parametrize(
    ("name", "parents", "expected"),
    [
        ("main", False, ["m1", "m2", "m3"]),
        ("main", True, ["m1", "m2", "m3"]),
        ("a", False, ["a1", "a2"]),
        ("a", True, ["m1", "m2", "a1", "a2"]),  # m3 came after the root; c is a sibling
        ("b", True, ["m1", "m2", "a1", "b1"]),  # a2 came after b's root
        ("c", True, ["m1", "m2", "c1"]),
        ("nowhere", True, []),
    ],
)
def test_a_branch_filter_sees_its_ancestors_up_to_each_root(
    server: LocalMemoryServer,
    memory_id: str,
    tree: dict[str, str],
    name: str,
    parents: bool,
    expected: list[str],
) -> None:
    assert _texts(server.client(), memory_id, **_branch(name, parents)) == expected


def test_a_filtered_page_scans_max_results_events_and_may_be_empty(
    server: LocalMemoryServer, memory_id: str, tree: dict[str, str]
) -> None:
    client = server.client()
    sizes: list[int] = []
    token = None
    while True:
        page = client.list_events(
            memoryId=memory_id,
            actorId=ACTOR,
            sessionId=SESSION,
            maxResults=2,
            **_branch("b", False),
            **({"nextToken": token} if token else {}),
        )
        sizes.append(len(page["events"]))
        token = page.get("nextToken")
        if not token:
            break
    # 7 events scanned two at a time, newest first: [c1 a2] [b1 m3] [a1 m2] [m1].
    assert sizes == [0, 1, 0, 0]


@pytest.mark.parametrize(
    ("branch", "error", "words"),
    [
        ({"name": "x"}, "ValidationException", "rootEventId"),
        ({"name": "bad name", "rootEventId": "ROOT"}, "ValidationException", "name"),
        ({"name": "x" * 101, "rootEventId": "ROOT"}, "ValidationException", "name"),
        ({"name": "x", "rootEventId": "0000001700000000000#abcdef01"}, "ResourceNotFound", ""),
    ],
)
def test_a_branch_needs_a_valid_name_and_a_root_that_exists(
    server: LocalMemoryServer,
    memory_id: str,
    tree: dict[str, str],
    branch: dict[str, str],
    error: str,
    words: str,
) -> None:
    spec = {k: (tree["m1"] if v == "ROOT" else v) for k, v in branch.items()}
    with pytest.raises(ClientError) as raised:
        _event(server.client(), memory_id, "x1", spec)
    assert raised.value.response["Error"]["Code"].startswith(error)
    assert words in raised.value.response["Error"]["Message"]


def test_a_root_in_another_session_is_refused(
    server: LocalMemoryServer, memory_id: str, tree: dict[str, str]
) -> None:
    client = server.client()
    with pytest.raises(ClientError) as raised:
        client.create_event(
            memoryId=memory_id,
            actorId=ACTOR,
            sessionId="other",
            eventTimestamp=0,
            payload=[{"conversational": {"role": "USER", "content": {"text": "x"}}}],
            branch={"name": "x", "rootEventId": tree["m1"]},
        )
    assert raised.value.response["reason"] == "EventInOtherSession"
