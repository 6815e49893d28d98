"""Long-term memory records: batch create/delete, get, list and relevance-ranked retrieval."""

from __future__ import annotations

from typing import Any

import pytest

T0 = 1_735_689_600.0


def _record(ident: str, body: str, namespace: str = "/facts/u1", **extra: Any) -> dict[str, Any]:
    return {
        "requestIdentifier": ident,
        "namespaces": [namespace],
        "content": {"text": body},
        "timestamp": T0,
        **extra,
    }


def _seed(client: Any, memory_id: str, records: list[dict[str, Any]]) -> dict[str, str]:
    response = client.batch_create_memory_records(memoryId=memory_id, records=records)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert response["failedRecords"] == []
    return {r["requestIdentifier"]: r["memoryRecordId"] for r in response["successfulRecords"]}


FACTS = [
    _record("tea", "The user drinks green tea every morning"),
    _record("paris", "The user lives in Paris, France"),
    _record("cats", "The user has two cats named Tom and Kit"),
    _record("work", "The user works as a nurse on night shifts"),
    _record("elsewhere", "Green tea is popular", namespace="/facts/u2"),
    _record("deep", "The user prefers tea over coffee", namespace="/facts/u1/prefs"),
]


def test_batch_create_then_get(client: Any, memory_id: str) -> None:
    ids = _seed(client, memory_id, FACTS)
    assert all(i.startswith("mem-") and 40 <= len(i) <= 50 for i in ids.values())
    record = client.get_memory_record(memoryId=memory_id, memoryRecordId=ids["tea"])["memoryRecord"]
    assert record["content"] == {"text": "The user drinks green tea every morning"}
    assert record["namespaces"] == ["/facts/u1"]
    assert record["memoryStrategyId"]
    assert record["timestamp"].timestamp() == T0


def test_batch_create_reports_bad_records_alone(client: Any, memory_id: str) -> None:
    response = client.batch_create_memory_records(
        memoryId=memory_id,
        records=[
            _record("good", "fine"),
            _record("bad ns", "fine", namespace="has spaces"),
            {
                "requestIdentifier": "toolong",
                "namespaces": ["/x"],
                "content": {"text": "x" * 16_001},
                "timestamp": T0,
            },
        ],
    )
    assert [r["requestIdentifier"] for r in response["successfulRecords"]] == ["good"]
    failed = {r["requestIdentifier"]: r for r in response["failedRecords"]}
    assert set(failed) == {"bad ns", "toolong"}
    assert all(r["status"] == "FAILED" and r["errorCode"] == 400 for r in failed.values())
    assert "content.text" in failed["toolong"]["errorMessage"]


def test_batch_create_is_idempotent_by_client_token(client: Any, memory_id: str) -> None:
    first = client.batch_create_memory_records(
        memoryId=memory_id, records=FACTS[:2], clientToken="once"
    )
    again = client.batch_create_memory_records(
        memoryId=memory_id, records=FACTS[:2], clientToken="once"
    )
    assert again["successfulRecords"] == first["successfulRecords"]
    listed = client.list_memory_records(memoryId=memory_id, namespace="/facts/u1")
    assert len(listed["memoryRecordSummaries"]) == 2


def test_retrieve_ranks_by_text_relevance(client: Any, memory_id: str) -> None:
    ids = _seed(client, memory_id, FACTS)
    results = client.retrieve_memory_records(
        memoryId=memory_id,
        namespace="/facts/u1",
        searchCriteria={"searchQuery": "what tea does the user drink", "topK": 10},
    )["memoryRecordSummaries"]
    assert results[0]["memoryRecordId"] == ids["tea"]
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] > scores[-1]
    # Exact namespace: neither /facts/u2 nor the nested /facts/u1/prefs.
    assert {r["memoryRecordId"] for r in results} == {
        ids[k] for k in ("tea", "paris", "cats", "work")
    }


def test_identical_text_scores_one(client: Any, memory_id: str) -> None:
    _seed(client, memory_id, FACTS)
    best = client.retrieve_memory_records(
        memoryId=memory_id,
        namespace="/facts/u1",
        searchCriteria={"searchQuery": "The user lives in Paris, France"},
    )["memoryRecordSummaries"][0]
    assert best["score"] == pytest.approx(1.0)


def test_retrieve_by_namespace_path_and_top_k(client: Any, memory_id: str) -> None:
    ids = _seed(client, memory_id, FACTS)
    results = client.retrieve_memory_records(
        memoryId=memory_id,
        namespacePath="/facts/u1",
        searchCriteria={"searchQuery": "tea", "topK": 2},
    )["memoryRecordSummaries"]
    assert len(results) == 2
    assert {r["memoryRecordId"] for r in results} == {ids["tea"], ids["deep"]}
    everything = client.retrieve_memory_records(
        memoryId=memory_id,
        namespacePath="/facts",
        searchCriteria={"searchQuery": "tea", "topK": 100},
    )["memoryRecordSummaries"]
    assert len(everything) == len(FACTS)


def test_retrieve_pages_through_top_k(client: Any, memory_id: str) -> None:
    _seed(client, memory_id, FACTS)
    paginator = client.get_paginator("retrieve_memory_records")
    pages = list(
        paginator.paginate(
            memoryId=memory_id,
            namespacePath="/",
            searchCriteria={"searchQuery": "user", "topK": 5},
            PaginationConfig={"PageSize": 2},
        )
    )
    assert [len(p["memoryRecordSummaries"]) for p in pages] == [2, 2, 1]


def test_retrieve_needs_exactly_one_namespace_selector(client: Any, memory_id: str) -> None:
    with pytest.raises(client.exceptions.ValidationException, match="namespace"):
        client.retrieve_memory_records(memoryId=memory_id, searchCriteria={"searchQuery": "q"})
    with pytest.raises(client.exceptions.ValidationException, match="namespace"):
        client.retrieve_memory_records(
            memoryId=memory_id,
            namespace="/a",
            namespacePath="/a",
            searchCriteria={"searchQuery": "q"},
        )
    with pytest.raises(client.exceptions.ValidationException, match="topK"):
        client.retrieve_memory_records(
            memoryId=memory_id, namespace="/a", searchCriteria={"searchQuery": "q", "topK": 101}
        )


def test_retrieve_scopes_by_strategy_and_metadata(client: Any, memory_id: str) -> None:
    ids = _seed(
        client,
        memory_id,
        [
            _record(
                "a",
                "tea notes",
                memoryStrategyId="prefs-1",
                metadata={"topic": {"stringValue": "drinks"}, "rank": {"numberValue": 3}},
            ),
            _record(
                "b",
                "tea notes too",
                memoryStrategyId="facts-1",
                metadata={"topic": {"stringValue": "food"}, "rank": {"numberValue": 9}},
            ),
        ],
    )

    def found(**criteria: Any) -> set[str]:
        results = client.retrieve_memory_records(
            memoryId=memory_id,
            namespace="/facts/u1",
            searchCriteria={"searchQuery": "tea", **criteria},
        )["memoryRecordSummaries"]
        return {r["memoryRecordId"] for r in results}

    assert found(memoryStrategyId="prefs-1") == {ids["a"]}
    assert found(
        metadataFilters=[
            {
                "left": {"metadataKey": "topic"},
                "operator": "EQUALS_TO",
                "right": {"metadataValue": {"stringValue": "food"}},
            }
        ]
    ) == {ids["b"]}
    assert found(
        metadataFilters=[
            {
                "left": {"metadataKey": "rank"},
                "operator": "GREATER_THAN",
                "right": {"metadataValue": {"numberValue": 5}},
            }
        ]
    ) == {ids["b"]}


def test_list_memory_records_newest_first(client: Any, memory_id: str) -> None:
    first = _seed(client, memory_id, [_record("one", "first")])
    second = _seed(client, memory_id, [_record("two", "second")])
    listed = client.list_memory_records(memoryId=memory_id, namespace="/facts/u1")
    assert [r["memoryRecordId"] for r in listed["memoryRecordSummaries"]] == [
        second["two"],
        first["one"],
    ]


def test_delete_and_batch_delete(client: Any, memory_id: str) -> None:
    ids = _seed(client, memory_id, FACTS[:3])
    deleted = client.delete_memory_record(memoryId=memory_id, memoryRecordId=ids["tea"])
    assert deleted["memoryRecordId"] == ids["tea"]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_memory_record(memoryId=memory_id, memoryRecordId=ids["tea"])
    missing = "mem-" + "0" * 36
    response = client.batch_delete_memory_records(
        memoryId=memory_id, records=[{"memoryRecordId": ids["paris"]}, {"memoryRecordId": missing}]
    )
    assert [r["memoryRecordId"] for r in response["successfulRecords"]] == [ids["paris"]]
    assert [(r["memoryRecordId"], r["errorCode"]) for r in response["failedRecords"]] == [
        (missing, 404)
    ]
    remaining = client.list_memory_records(memoryId=memory_id, namespace="/facts/u1")
    assert [r["memoryRecordId"] for r in remaining["memoryRecordSummaries"]] == [ids["cats"]]


def test_record_id_is_validated(client: Any, memory_id: str) -> None:
    with pytest.raises(client.exceptions.ValidationException, match="memoryRecordId"):
        client.get_memory_record(memoryId=memory_id, memoryRecordId="rec-" + "a" * 36)
