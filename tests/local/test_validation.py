"""Every documented request constraint gets a ValidationException (400) naming the field.

botocore checks only minimums and types on the client, so these requests reach the server.
"""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import meta, text

T0 = 1_735_689_600.0


def _create(client: Any, memory_id: str, **overrides: Any) -> Any:
    request: dict[str, Any] = {
        "memoryId": memory_id,
        "actorId": "actor-1",
        "sessionId": "session-1",
        "eventTimestamp": T0,
        "payload": [text("hello")],
    }
    request.update(overrides)
    return client.create_event(**request)


INVALID_CREATE_EVENT = [
    pytest.param({"actorId": "bad actor!"}, "actorId", id="actor-pattern-space"),
    pytest.param({"actorId": "kamal.singh"}, "actorId", id="actor-pattern-dot"),
    pytest.param({"actorId": "me@example"}, "actorId", id="actor-pattern-at"),
    pytest.param({"actorId": "/leading"}, "actorId", id="actor-pattern-first-char"),
    pytest.param({"actorId": "a" * 256}, "actorId", id="actor-too-long"),
    pytest.param({"sessionId": "s/1"}, "sessionId", id="session-pattern-slash"),
    pytest.param({"sessionId": "s:1"}, "sessionId", id="session-pattern-colon"),
    pytest.param({"sessionId": "s" * 101}, "sessionId", id="session-too-long"),
    pytest.param({"payload": [text("x")] * 101}, "payload", id="payload-over-100-items"),
    pytest.param(
        {"payload": [text("x" * 100_001)]},
        "payload.0.conversational.content.text",
        id="text-over-100000-chars",
    ),
    pytest.param(
        {"payload": [text("x", "user")]}, "payload.0.conversational.role", id="role-lower-case"
    ),
    pytest.param(
        {"payload": [text("x", "SYSTEM")]}, "payload.0.conversational.role", id="role-unknown"
    ),
    pytest.param(
        {"metadata": meta(**{f"k{i}": "v" for i in range(16)})}, "metadata", id="metadata-16-keys"
    ),
    pytest.param({"metadata": meta(**{"k" * 129: "v"})}, "metadata.key", id="metadata-key-long"),
    pytest.param(
        {"metadata": meta(k="v" * 257)}, "metadata.k.stringValue", id="metadata-value-long"
    ),
    pytest.param(
        {"metadata": meta(k="semi;colon")}, "metadata.k.stringValue", id="metadata-value-charset"
    ),
    pytest.param(
        {"metadata": meta(k="a\u00e9")}, "metadata.k.stringValue", id="metadata-value-non-ascii"
    ),
    pytest.param(
        {"metadata": {"bad#key": {"stringValue": "v"}}}, "metadata.key", id="metadata-key-charset"
    ),
    pytest.param(
        {"branch": {"name": "bad name", "rootEventId": "1#a"}},
        "branch.name",
        id="branch-name-pattern",
    ),
    pytest.param(
        {"branch": {"name": "b", "rootEventId": "not-an-id"}},
        "branch.rootEventId",
        id="branch-root-pattern",
    ),
]


@pytest.mark.parametrize(("overrides", "field"), INVALID_CREATE_EVENT)
def test_create_event_rejects(
    client: Any, memory_id: str, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(client.exceptions.ValidationException) as caught:
        _create(client, memory_id, **overrides)
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["reason"] == "FieldValidationFailed"
    assert field in response["Error"]["Message"]
    assert any(field in item["name"] for item in response["fieldList"])
    assert (
        client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")["events"]
        == []
    )


VALID_EDGES = [
    pytest.param({"payload": [text("x")] * 100}, id="payload-100-items"),
    pytest.param({"payload": [text("x" * 100_000)]}, id="text-100000-chars"),
    pytest.param({"metadata": meta(**{f"k{i}": "v" for i in range(15)})}, id="metadata-15-keys"),
    pytest.param({"metadata": meta(**{"k" * 128: "v" * 256})}, id="metadata-max-lengths"),
    pytest.param({"metadata": meta(k="")}, id="metadata-empty-value"),
    pytest.param({"metadata": meta(k="a-Z 0._:/=+@\t-")}, id="metadata-full-charset"),
    pytest.param({"actorId": "a" * 255}, id="actor-255"),
    pytest.param({"sessionId": "s" * 100}, id="session-100"),
    pytest.param({"actorId": "org/team-1:user_2/x"}, id="actor-segments"),
]


@pytest.mark.parametrize("overrides", VALID_EDGES)
def test_create_event_accepts_limits(
    client: Any, memory_id: str, overrides: dict[str, Any]
) -> None:
    event = _create(client, memory_id, **overrides)["event"]
    assert event["eventId"]


def test_all_problems_are_listed_together(client: Any, memory_id: str) -> None:
    with pytest.raises(client.exceptions.ValidationException) as caught:
        _create(client, memory_id, actorId="bad actor", sessionId="bad/session")
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("2 validation errors detected")
    assert {f["name"] for f in caught.value.response["fieldList"]} == {"actorId", "sessionId"}


def test_malformed_memory_id_is_rejected(client: Any) -> None:
    with pytest.raises(client.exceptions.ValidationException, match="memoryId"):
        client.list_events(memoryId="no_suffix_here", actorId="a", sessionId="s")


INVALID_LIST_EVENTS = [
    pytest.param({"maxResults": 101}, "maxResults", id="max-results-101"),
    pytest.param({"nextToken": "garbage"}, "nextToken", id="bad-token"),
    pytest.param(
        {"filter": {"eventMetadata": [{"left": {"metadataKey": "k"}, "operator": "EXISTS"}] * 6}},
        "filter.eventMetadata",
        id="six-filters",
    ),
    pytest.param(
        {"filter": {"eventMetadata": [{"left": {"metadataKey": "k"}, "operator": "CONTAINS"}]}},
        "filter.eventMetadata.0.operator",
        id="operator-not-for-events",
    ),
    pytest.param(
        {"filter": {"eventMetadata": [{"left": {"metadataKey": "k"}, "operator": "EQUALS_TO"}]}},
        "filter.eventMetadata.0.right",
        id="equals-without-value",
    ),
    pytest.param(
        {"filter": {"branch": {"name": "bad name"}}}, "filter.branch.name", id="branch-filter-name"
    ),
]


@pytest.mark.parametrize(("overrides", "field"), INVALID_LIST_EVENTS)
def test_list_events_rejects(
    client: Any, memory_id: str, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.list_events(memoryId=memory_id, actorId="a", sessionId="s", **overrides)
    assert field in caught.value.response["Error"]["Message"]


def test_list_sessions_and_actors_validate_max_results(client: Any, memory_id: str) -> None:
    with pytest.raises(client.exceptions.ValidationException, match="maxResults"):
        client.list_sessions(memoryId=memory_id, actorId="a", maxResults=101)
    with pytest.raises(client.exceptions.ValidationException, match="maxResults"):
        client.list_actors(memoryId=memory_id, maxResults=101)
    with pytest.raises(client.exceptions.ValidationException, match="actorId"):
        client.list_sessions(memoryId=memory_id, actorId="bad actor")


# Rules the model does not state, enforced by the handlers on top of the model check.


def test_an_event_over_the_byte_limit_is_rejected(client: Any, memory_id: str) -> None:
    # A blob is a free-form document: only the event's serialised size bounds it.
    big = {"blob": "x" * (10 * 1024 * 1024)}
    with pytest.raises(client.exceptions.ValidationException) as caught:
        _create(client, memory_id, payload=[big])
    assert caught.value.response["fieldList"] == [
        {"name": "payload", "message": "Event must be at most 10485760 bytes"}
    ]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c, m: _create(c, m, clientToken=""), id="create-event-client-token"),
        pytest.param(
            lambda c, m: c.list_events(memoryId=m, actorId="a", sessionId="s", nextToken=""),
            id="list-events-next-token",
        ),
        pytest.param(lambda c, m: c.list_actors(memoryId=m, nextToken=""), id="list-actors"),
        pytest.param(
            lambda c, m: c.batch_create_memory_records(memoryId=m, records=[], clientToken=""),
            id="batch-create-client-token",
        ),
    ],
)
def test_an_empty_token_is_rejected(client: Any, memory_id: str, call: Any) -> None:
    with pytest.raises(client.exceptions.ValidationException) as caught:
        call(client, memory_id)
    [field] = caught.value.response["fieldList"]
    assert field["name"] in ("clientToken", "nextToken")
    assert field["message"] == "Member must have length greater than or equal to 1"


def test_a_comparing_record_filter_needs_a_right_hand_value(client: Any, memory_id: str) -> None:
    filters = [
        {"left": {"metadataKey": "k"}, "operator": "EXISTS"},
        {"left": {"metadataKey": "k"}, "operator": "GREATER_THAN"},
    ]
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.list_memory_records(memoryId=memory_id, namespace="/a", metadataFilters=filters)
    assert caught.value.response["fieldList"] == [
        {"name": "metadataFilters.1.right", "message": "Member is required for this operator"}
    ]


def test_a_batch_record_without_a_namespace_fails_alone(client: Any, memory_id: str) -> None:
    record = {"namespaces": ["/a"], "content": {"text": "fact"}, "timestamp": T0}
    response = client.batch_create_memory_records(
        memoryId=memory_id,
        records=[
            {**record, "requestIdentifier": "good"},
            {**record, "requestIdentifier": "none", "namespaces": []},
        ],
    )
    assert [r["requestIdentifier"] for r in response["successfulRecords"]] == ["good"]
    [failed] = response["failedRecords"]
    assert failed["requestIdentifier"] == "none"
    assert failed["errorCode"] == 400
    assert "'records.1.namespaces'" in failed["errorMessage"]
    assert "exactly one namespace" in failed["errorMessage"]
