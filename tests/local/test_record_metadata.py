"""Record metadata (string, string list, number, date-time), its filters, indexed keys, updates,
and clientToken semantics of BatchCreateMemoryRecords and CreateEvent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from .helpers import put, text

T0 = 1_735_689_600
RECORDS = [
    {
        "requestIdentifier": "tea",
        "namespaces": ["/m/u1"],
        "content": {"text": "The user drinks green tea"},
        "timestamp": T0,
        "metadata": {
            "topic": {"stringValue": "drinks"},
            "tags": {"stringListValue": ["tea", "morning"]},
            "rating": {"numberValue": 4.5},
            "seen": {"dateTimeValue": dt.datetime(2025, 1, 2, tzinfo=dt.timezone.utc)},
        },
    },
    {
        "requestIdentifier": "coffee",
        "namespaces": ["/m/u1"],
        "content": {"text": "The user drinks black coffee"},
        "timestamp": T0,
        "metadata": {
            "topic": {"stringValue": "drinks"},
            "tags": {"stringListValue": ["coffee"]},
            "rating": {"numberValue": 2},
            "seen": {"dateTimeValue": dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)},
        },
    },
]


def _ids(client: Any, memory_id: str) -> dict[str, str]:
    out = client.batch_create_memory_records(memoryId=memory_id, records=RECORDS)
    return {r["requestIdentifier"]: r["memoryRecordId"] for r in out["successfulRecords"]}


def _listed(client: Any, memory_id: str, *filters: dict[str, Any]) -> set[str]:
    extra: dict[str, Any] = {"metadataFilters": list(filters)} if filters else {}
    found = client.list_memory_records(memoryId=memory_id, namespace="/m/u1", **extra)
    return {r["memoryRecordId"] for r in found["memoryRecordSummaries"]}


def _f(key: str, operator: str, value: dict[str, Any] | None = None) -> dict[str, Any]:
    expr: dict[str, Any] = {"left": {"metadataKey": key}, "operator": operator}
    if value is not None:
        expr["right"] = {"metadataValue": value}
    return expr


def test_metadata_values_round_trip(client: Any, memory_id: str) -> None:
    ids = _ids(client, memory_id)
    record = client.get_memory_record(memoryId=memory_id, memoryRecordId=ids["tea"])["memoryRecord"]
    meta = record["metadata"]
    assert meta["topic"] == {"stringValue": "drinks"}
    assert meta["tags"] == {"stringListValue": ["tea", "morning"]}
    assert meta["rating"] == {"numberValue": 4.5}
    assert (
        meta["seen"]["dateTimeValue"].timestamp()
        == dt.datetime(2025, 1, 2, tzinfo=dt.timezone.utc).timestamp()
    )


def test_filters_on_every_value_type(client: Any, memory_id: str) -> None:
    ids = _ids(client, memory_id)
    tea, coffee = ids["tea"], ids["coffee"]
    assert _listed(client, memory_id, _f("tags", "CONTAINS", {"stringValue": "tea"})) == {tea}
    assert _listed(client, memory_id, _f("rating", "GREATER_THAN", {"numberValue": 3})) == {tea}
    assert _listed(client, memory_id, _f("rating", "LESS_THAN_OR_EQUALS", {"numberValue": 2})) == {
        coffee
    }
    after = {"dateTimeValue": dt.datetime(2024, 12, 31, tzinfo=dt.timezone.utc)}
    assert _listed(client, memory_id, _f("seen", "AFTER", after)) == {tea}
    assert _listed(client, memory_id, _f("seen", "BEFORE", after)) == {coffee}
    both = _listed(
        client,
        memory_id,
        _f("topic", "EQUALS_TO", {"stringValue": "drinks"}),
        _f("rating", "EXISTS"),
    )
    assert both == {tea, coffee}
    retrieved = client.retrieve_memory_records(
        memoryId=memory_id,
        namespace="/m/u1",
        searchCriteria={
            "searchQuery": "what does the user drink",
            "metadataFilters": [_f("tags", "CONTAINS", {"stringValue": "coffee"})],
        },
    )["memoryRecordSummaries"]
    assert [r["memoryRecordId"] for r in retrieved] == [coffee]


def test_a_memory_with_indexed_keys_filters_only_on_them(client: Any, control: Any) -> None:
    memory_id = control.create_memory(
        name="indexed", eventExpiryDuration=30, indexedKeys=[{"key": "topic", "type": "STRING"}]
    )["memory"]["id"]
    _ids(client, memory_id)
    assert len(_listed(client, memory_id, _f("topic", "EQUALS_TO", {"stringValue": "drinks"}))) == 2
    with pytest.raises(
        client.exceptions.ValidationException, match=r"metadataFilters\.0\.left\.metadataKey"
    ):
        _listed(client, memory_id, _f("rating", "EXISTS"))
    control.update_memory(memoryId=memory_id, addIndexedKeys=[{"key": "rating", "type": "NUMBER"}])
    assert len(_listed(client, memory_id, _f("rating", "EXISTS"))) == 2


def test_batch_update_changes_text_metadata_and_retrieval(client: Any, memory_id: str) -> None:
    ids = _ids(client, memory_id)
    result = client.batch_update_memory_records(
        memoryId=memory_id,
        records=[
            {
                "memoryRecordId": ids["tea"],
                "timestamp": T0 + 60,
                "content": {"text": "The user drinks jasmine tea"},
                "metadata": {"topic": {"stringValue": "tea"}},
            },
            {"memoryRecordId": "mem-" + "0" * 36, "timestamp": T0},
            {"memoryRecordId": ids["coffee"], "timestamp": T0, "sourceNamespaces": ["/elsewhere"]},
        ],
    )
    assert [r["memoryRecordId"] for r in result["successfulRecords"]] == [ids["tea"]]
    assert sorted(r["errorCode"] for r in result["failedRecords"]) == [400, 404]
    record = client.get_memory_record(memoryId=memory_id, memoryRecordId=ids["tea"])["memoryRecord"]
    assert record["content"]["text"] == "The user drinks jasmine tea"
    assert record["metadata"] == {"topic": {"stringValue": "tea"}}
    best = client.retrieve_memory_records(
        memoryId=memory_id, namespace="/m/u1", searchCriteria={"searchQuery": "jasmine"}
    )["memoryRecordSummaries"][0]
    assert best["memoryRecordId"] == ids["tea"] and best["score"] > 0


def test_batch_create_retry_with_new_timestamps_returns_the_first_answer(
    client: Any, memory_id: str
) -> None:
    first = client.batch_create_memory_records(
        memoryId=memory_id, records=RECORDS, clientToken="b-1"
    )
    moved = [{**r, "timestamp": T0 + 99} for r in RECORDS]
    again = client.batch_create_memory_records(memoryId=memory_id, records=moved, clientToken="b-1")
    assert again["successfulRecords"] == first["successfulRecords"]
    assert len(_listed(client, memory_id)) == 2
    other = [{**RECORDS[0], "content": {"text": "something else"}}]
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.batch_create_memory_records(memoryId=memory_id, records=other, clientToken="b-1")
    assert caught.value.response["reason"] == "IdempotentParameterMismatchException"


def test_create_event_retry_with_a_new_timestamp_returns_the_original_event(
    client: Any, memory_id: str
) -> None:
    first = put(client, memory_id, T0, clientToken="e-1", payload=[text("hello")])
    again = put(client, memory_id, T0 + 5, clientToken="e-1", payload=[text("hello")])
    assert again == first
    events = client.list_events(memoryId=memory_id, actorId="actor-1", sessionId="session-1")[
        "events"
    ]
    assert len(events) == 1


def test_filtered_list_pages_are_full(client: Any, memory_id: str) -> None:
    """ListMemoryRecords scans on until a filtered page is full (one keyset helper for all)."""
    records = [
        {
            "requestIdentifier": f"r{i}",
            "namespaces": ["/m/u1"],
            "content": {"text": f"record {i}"},
            "timestamp": T0,
            "metadata": {"even": {"stringValue": "yes" if i % 2 == 0 else "no"}},
        }
        for i in range(7)
    ]
    client.batch_create_memory_records(memoryId=memory_id, records=records)
    pages = client.get_paginator("list_memory_records").paginate(
        memoryId=memory_id,
        namespace="/m/u1",
        metadataFilters=[_f("even", "EQUALS_TO", {"stringValue": "yes"})],
        PaginationConfig={"PageSize": 2},
    )
    sizes = [len(page["memoryRecordSummaries"]) for page in pages]
    assert sizes == [2, 2]
