"""Input the service refuses with a 400 must never become a 500, or a value boto3 cannot read.

Each case here was a 500 or a stored value that broke every later read, before the server
checked it (issue 22); the fuzzer (test_fuzz.py) looks for more of them.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import pytest

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.local.validation import TIMESTAMP_MAX_SECONDS

from .helpers import put, text
from .rawhttp import send

ACTOR, SESSION = "actor-1", "session-1"


def _events_path(memory_id: str) -> str:
    return f"/memories/{memory_id}/events"


def _create_event_body(timestamp: str) -> str:
    payload = json.dumps([text("hello")])
    return (
        f'{{"actorId": "{ACTOR}", "sessionId": "{SESSION}", '
        f'"eventTimestamp": {timestamp}, "payload": {payload}}}'
    )


@pytest.mark.parametrize(
    "timestamp", ["1e13", "-1e12", "-1", "1e300", "-1e300", "Infinity", "-Infinity", "NaN"]
)
def test_an_event_timestamp_boto3_cannot_read_back_is_refused(
    server: LocalMemoryServer, client: Any, memory_id: str, timestamp: str
) -> None:
    answer = send(
        server.endpoint_url, "POST", _events_path(memory_id), _create_event_body(timestamp)
    )
    assert answer.status == 400, answer.body
    assert answer.headers["x-amzn-errortype"] == "ValidationException"
    # Nothing was stored, and the session still reads back through boto3.
    assert client.list_events(memoryId=memory_id, actorId=ACTOR, sessionId=SESSION)["events"] == []


@pytest.mark.parametrize("timestamp", [0, 0.001, TIMESTAMP_MAX_SECONDS])
def test_the_timestamp_range_ends_read_back_through_boto3(
    client: Any, memory_id: str, timestamp: float
) -> None:
    put(client, memory_id, timestamp, actor=ACTOR, session=SESSION)
    (event,) = client.list_events(memoryId=memory_id, actorId=ACTOR, sessionId=SESSION)["events"]
    assert event["eventTimestamp"].timestamp() == timestamp


def test_a_record_timestamp_or_metadata_value_out_of_range_is_refused(
    server: LocalMemoryServer, memory_id: str
) -> None:
    def record(**overrides: Any) -> dict[str, Any]:
        return {
            "requestIdentifier": "r1",
            "namespaces": ["/n"],
            "content": {"text": "a fact"},
            "timestamp": 1700000000,
            **overrides,
        }

    path = f"/memories/{memory_id}/memoryRecords/batchCreate"
    cases = [
        record(timestamp=1e13),
        record(metadata={"seen": {"dateTimeValue": -5}}),
        record(metadata={"seen": {"dateTimeValue": "yesterday"}}),
        record(metadata={"size": {"numberValue": 10**400}}),
    ]
    for case in cases:
        answer = send(server.endpoint_url, "POST", path, json.dumps({"records": [case]}))
        assert answer.status == 201, answer.body
        (failed,) = answer.json()["failedRecords"]
        assert failed["errorCode"] == 400, failed
        assert answer.json()["successfulRecords"] == []


def _token(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        _token({"op": "ListEvents", "pos": [{"a": 1}, 2]}),
        _token({"op": "ListEvents", "pos": [1]}),
        _token({"op": "ListEvents", "pos": [1, 2, 3]}),
        _token({"op": "ListEvents", "pos": ["x", 2]}),
        _token({"op": "ListEvents", "pos": [2**70, 2]}),
        _token({"op": "ListEvents", "pos": [True, 2]}),
        _token({"op": "ListEvents", "pos": "ab"}),
        _token(["op", "pos"]),
        _token({"op": "ListEvents", "pos": [1, "\ud800"]}),
        base64.urlsafe_b64encode(b"[" * 100_000).decode(),
        "not base64 at all é",
    ],
    ids=lambda token: token[:40],
)
def test_a_forged_next_token_is_a_validation_error(client: Any, memory_id: str, token: str) -> None:
    put(client, memory_id, 1700000000, actor=ACTOR, session=SESSION)
    with pytest.raises(client.exceptions.ValidationException, match="nextToken"):
        client.list_events(memoryId=memory_id, actorId=ACTOR, sessionId=SESSION, nextToken=token)


def test_a_forged_retrieve_token_is_a_validation_error(client: Any, memory_id: str) -> None:
    with pytest.raises(client.exceptions.ValidationException, match="nextToken"):
        client.retrieve_memory_records(
            memoryId=memory_id,
            namespace="/n",
            searchCriteria={"searchQuery": "q"},
            nextToken=_token({"op": "RetrieveMemoryRecords", "pos": ["abc"]}),
        )


@pytest.mark.parametrize("raw", ["\\ud800", "a\\udfffb", "\\udc00\\ud800"])
def test_a_lone_surrogate_in_a_body_is_a_validation_error(
    server: LocalMemoryServer, client: Any, memory_id: str, raw: str
) -> None:
    body = _create_event_body("1700000000").replace('"hello"', f'"{raw}"')
    answer = send(server.endpoint_url, "POST", _events_path(memory_id), body)
    assert answer.status == 400, answer.body
    assert "surrogate" in answer.json()["message"]
    assert client.list_events(memoryId=memory_id, actorId=ACTOR, sessionId=SESSION)["events"] == []


def test_json_nested_too_deep_is_a_validation_error(
    server: LocalMemoryServer, memory_id: str
) -> None:
    body = '{"payload": ' + "[" * 100_000 + "]" * 100_000 + "}"
    answer = send(server.endpoint_url, "POST", _events_path(memory_id), body)
    assert answer.status == 400, answer.body


@pytest.mark.parametrize("size", ["²", "٣", "1.0", "-1", "0", "99999999999999999999", " 5"])
def test_console_max_results_that_is_not_a_plain_number_is_a_400(
    server: LocalMemoryServer, memory_id: str, size: str
) -> None:
    answer = send(
        server.endpoint_url,
        "GET",
        f"/console/api/actors?memoryId={memory_id}&maxResults={quote(size)}",
    )
    assert answer.status == 400, answer.body
    assert "maxResults" in answer.json()["error"]
