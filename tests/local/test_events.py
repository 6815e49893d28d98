"""CreateEvent, GetEvent and DeleteEvent through the real boto3 client over HTTP."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import pytest

from .helpers import meta, put, text

T0 = 1_735_689_600.0  # 2025-01-01T00:00:00Z


def test_create_event_returns_the_stored_event(client: Any, memory_id: str) -> None:
    event = put(client, memory_id, T0 + 0.123456, metadata=meta(k="v"))
    assert re.fullmatch(r"0*1735689600123#[0-9a-f]{8}", event["eventId"])
    assert len(event["eventId"].split("#")[0]) == 19
    assert event["eventTimestamp"] == datetime(2025, 1, 1, 0, 0, 0, 123000, tzinfo=timezone.utc)
    assert event["branch"] == {"name": "main"}
    assert event["metadata"] == {"k": {"stringValue": "v"}}
    assert event["memoryId"] == memory_id
    fetched = client.get_event(
        memoryId=memory_id, actorId="actor-1", sessionId="session-1", eventId=event["eventId"]
    )["event"]
    assert fetched == event


def test_create_event_answers_201(client: Any, memory_id: str) -> None:
    response = client.create_event(
        memoryId=memory_id, actorId="a", sessionId="s", eventTimestamp=T0, payload=[text("x")]
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert response["ResponseMetadata"]["RequestId"]


@pytest.mark.parametrize("actor", ["user/1:a", "tenant:42/user:7", "a", "x" * 255])
def test_actor_ids_with_slash_and_colon_route(client: Any, memory_id: str, actor: str) -> None:
    event = put(client, memory_id, T0, actor=actor)
    assert event["actorId"] == actor
    got = client.get_event(
        memoryId=memory_id, actorId=actor, sessionId="session-1", eventId=event["eventId"]
    )["event"]
    assert got["actorId"] == actor
    listed = client.list_events(memoryId=memory_id, actorId=actor, sessionId="session-1")
    assert [e["eventId"] for e in listed["events"]] == [event["eventId"]]
    assert client.list_actors(memoryId=memory_id)["actorSummaries"] == [{"actorId": actor}]


def test_memory_arn_and_bare_id_address_the_same_memory(
    client: Any, memory: dict[str, Any]
) -> None:
    by_arn = put(client, memory["arn"], T0)
    assert by_arn["memoryId"] == memory["id"]
    for memory_ref in (memory["arn"], memory["id"]):
        events = client.list_events(memoryId=memory_ref, actorId="actor-1", sessionId="session-1")[
            "events"
        ]
        assert [e["eventId"] for e in events] == [by_arn["eventId"]]
    client.delete_event(
        memoryId=memory["arn"], actorId="actor-1", sessionId="session-1", eventId=by_arn["eventId"]
    )
    assert (
        client.list_events(memoryId=memory["id"], actorId="actor-1", sessionId="session-1")[
            "events"
        ]
        == []
    )


def test_payload_kinds_round_trip(client: Any, memory_id: str) -> None:
    payload = [
        text("hello", "USER"),
        text("hi", "ASSISTANT"),
        text("tool out", "TOOL"),
        text("other", "OTHER"),
        {"blob": {"any": ["json", 1, None, {"nested": True}]}},
        {"blob": "a plain string blob"},
        {"blob": 42},
        {"blob": [1, 2, 3]},
        {"json": {"content": {"structured": [1, "two"]}}},
    ]
    event = put(client, memory_id, T0, payload=payload)
    assert event["payload"] == payload
    got = client.get_event(
        memoryId=memory_id, actorId="actor-1", sessionId="session-1", eventId=event["eventId"]
    )["event"]
    assert got["payload"] == payload


def test_empty_payload_is_valid(client: Any, memory_id: str) -> None:
    assert put(client, memory_id, T0, payload=[])["payload"] == []


def test_session_id_is_generated_when_omitted(client: Any, memory_id: str) -> None:
    event = client.create_event(
        memoryId=memory_id, actorId="a", eventTimestamp=T0, payload=[text("x")]
    )["event"]
    assert re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9-_]*", event["sessionId"])
    sessions = client.list_sessions(memoryId=memory_id, actorId="a")["sessionSummaries"]
    assert [s["sessionId"] for s in sessions] == [event["sessionId"]]


def test_client_token_makes_create_event_idempotent(client: Any, memory_id: str) -> None:
    first = put(client, memory_id, T0, clientToken="token-1")
    again = put(client, memory_id, T0, clientToken="token-1")
    assert again == first
    events = client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
        "events"
    ]
    assert len(events) == 1


def test_client_token_reused_for_another_request_is_rejected(client: Any, memory_id: str) -> None:
    put(client, memory_id, T0, clientToken="token-1")
    with pytest.raises(client.exceptions.ValidationException) as caught:
        put(client, memory_id, T0, clientToken="token-1", payload=[text("different")])
    assert caught.value.response["reason"] == "IdempotentParameterMismatchException"
    assert "clientToken" in str(caught.value)


def test_boto3_fills_a_fresh_client_token_per_call(client: Any, memory_id: str) -> None:
    put(client, memory_id, T0)
    put(client, memory_id, T0)
    assert (
        len(
            client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
                "events"
            ]
        )
        == 2
    )


def test_get_and_delete_unknown_event_is_not_found(client: Any, memory_id: str) -> None:
    ref = {"memoryId": memory_id, "actorId": "a", "sessionId": "s", "eventId": "1#ab"}
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_event(**ref)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_event(**ref)


def test_delete_event_removes_it(client: Any, memory_id: str) -> None:
    keep = put(client, memory_id, T0)
    gone = put(client, memory_id, T0 + 1)
    response = client.delete_event(
        memoryId=memory_id, actorId="actor-1", sessionId="session-1", eventId=gone["eventId"]
    )
    assert response["eventId"] == gone["eventId"]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_event(
            memoryId=memory_id, actorId="actor-1", sessionId="session-1", eventId=gone["eventId"]
        )
    events = client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
        "events"
    ]
    assert [e["eventId"] for e in events] == [keep["eventId"]]


def test_events_are_scoped_to_actor_and_session(client: Any, memory_id: str) -> None:
    put(client, memory_id, T0, actor="a1", session="s1")
    put(client, memory_id, T0, actor="a1", session="s2")
    put(client, memory_id, T0, actor="a2", session="s1")
    for actor, session in [("a1", "s1"), ("a1", "s2"), ("a2", "s1")]:
        events = client.list_events(memoryId=memory_id, actorId=actor, sessionId=session)
        assert len(events["events"]) == 1
        assert events["events"][0]["actorId"] == actor
        assert events["events"][0]["sessionId"] == session


def test_branch_needs_an_existing_root_in_the_same_session(client: Any, memory_id: str) -> None:
    root = put(client, memory_id, T0, session="s1")
    other = put(client, memory_id, T0, session="s2")
    fork = put(
        client,
        memory_id,
        T0 + 1,
        session="s1",
        branch={"name": "alt", "rootEventId": root["eventId"]},
    )
    assert fork["branch"] == {"name": "alt", "rootEventId": root["eventId"]}
    with pytest.raises(client.exceptions.ValidationException) as caught:
        put(
            client,
            memory_id,
            T0 + 1,
            session="s1",
            branch={"name": "alt2", "rootEventId": other["eventId"]},
        )
    assert caught.value.response["reason"] == "EventInOtherSession"
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        put(
            client,
            memory_id,
            T0 + 1,
            session="s1",
            branch={"name": "alt3", "rootEventId": "123#abc"},
        )
    with pytest.raises(client.exceptions.ValidationException, match=r"branch\.rootEventId"):
        put(client, memory_id, T0 + 1, session="s1", branch={"name": "alt4"})


def test_unknown_memory_is_not_found_for_every_data_plane_call(client: Any) -> None:
    missing = "missing_memory-abcdefghij"
    calls = [
        lambda: client.create_event(
            memoryId=missing, actorId="a", sessionId="s", eventTimestamp=T0, payload=[]
        ),
        lambda: client.get_event(memoryId=missing, actorId="a", sessionId="s", eventId="1#a"),
        lambda: client.delete_event(memoryId=missing, actorId="a", sessionId="s", eventId="1#a"),
        lambda: client.list_events(memoryId=missing, actorId="a", sessionId="s"),
        lambda: client.list_sessions(memoryId=missing, actorId="a"),
        lambda: client.list_actors(memoryId=missing),
        lambda: client.retrieve_memory_records(
            memoryId=missing, namespace="/x", searchCriteria={"searchQuery": "q"}
        ),
        lambda: client.list_memory_records(memoryId=missing, namespace="/x"),
        lambda: client.get_memory_record(memoryId=missing, memoryRecordId="mem-" + "a" * 36),
        lambda: client.delete_memory_record(memoryId=missing, memoryRecordId="mem-" + "a" * 36),
        lambda: client.batch_create_memory_records(memoryId=missing, records=[]),
        lambda: client.batch_delete_memory_records(memoryId=missing, records=[]),
    ]
    for call in calls:
        with pytest.raises(client.exceptions.ResourceNotFoundException, match=missing):
            call()
