"""The store's three calls against the local server: search, add_messages, add."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from strands.memory import AddMessagesContext, AggregateMemoryError, SearchOptions

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.wire.json_text import text_length

from ..support import ACTOR, NO_RETRIES, STORE_SESSION, conversation, seed_records, store_events
from .conftest import StoreFactory


def _user(text: str) -> Any:
    return {"role": "user", "content": [{"text": text}]}


def _assistant(text: str) -> Any:
    return {"role": "assistant", "content": [{"text": text}]}


def test_search_reads_the_resolved_namespace_most_relevant_first(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    own = f"/facts/{ACTOR}"
    seed_records(server, memory_id, own, "The user likes sushi with tuna", "The user owns a cat")
    seed_records(server, memory_id, "/facts/someone-else", "Someone else likes sushi")
    store = make_store()
    assert store.name == "facts"
    server.stats.reset()
    entries = asyncio.run(store.search("sushi"))
    assert server.stats.count("RetrieveMemoryRecords") == 1
    assert entries[0].content == "The user likes sushi with tuna"
    assert all("Someone else" not in e.content for e in entries)
    meta = entries[0].metadata or {}
    assert meta["_id"].startswith("mem-") and meta["_namespaces"] == [f"/facts/{ACTOR}"]
    assert meta["_score"] > 0 and meta["_createdAt"].endswith("Z")


def test_subtree_store_reads_every_namespace_below_the_path(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    seed_records(server, memory_id, f"/users/{ACTOR}/preferences", "The user prefers window seats")
    seed_records(server, memory_id, f"/users/{ACTOR}/facts", "The user flies to Oslo in May")
    seed_records(server, memory_id, "/users/bob/facts", "Bob flies to Rome")
    store = make_store(namespace_path="/users/{actorId}")
    found = {e.content for e in asyncio.run(store.search("flies seats"))}
    assert found == {"The user prefers window seats", "The user flies to Oslo in May"}


def test_result_count_min_score_and_over_fetch(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    seed_records(server, memory_id, f"/facts/{ACTOR}", *(f"tea fact number {i}" for i in range(12)))
    assert len(asyncio.run(make_store().search("tea"))) == 5  # the SDK's default
    store = make_store(max_search_results=3)
    assert len(asyncio.run(store.search("tea"))) == 3
    assert len(asyncio.run(store.search("tea", SearchOptions(max_search_results=8)))) == 8
    # min_score asks for max_search_results x over_fetch_factor, then filters and cuts.
    strict = make_store(max_search_results=2, min_score=0.0, over_fetch_factor=3)
    server.stats.reset()
    assert len(asyncio.run(strict.search("tea"))) == 2
    assert asyncio.run(make_store(min_score=1.0).search("coffee")) == []


def test_add_messages_writes_roles_and_text_in_one_event(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    store = make_store(writable=True)
    messages = [
        _user("I like sushi with tuna"),
        _assistant("Noted!"),
        {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t", "name": "x"}}]},
        {"role": "user", "content": [{"text": "  first  "}, {"text": ""}, {"text": "second"}]},
    ]
    server.stats.reset()
    asyncio.run(store.add_messages(messages, AddMessagesContext(sequence_numbers=[0, 1, 2, 3])))
    assert server.stats.count("CreateEvent") == 1
    events = store_events(server, memory_id)
    assert conversation(events) == [
        ("USER", "I like sushi with tuna"),
        ("ASSISTANT", "Noted!"),
        ("USER", "first\nsecond"),
    ]


def test_events_split_on_turn_cap_and_metadata(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    store = make_store(
        writable=True,
        max_turns_per_event=2,
        metadata_provider=lambda m: {"speaker": m["role"] == "user"},
        trace_metadata=False,
    )
    messages = [_user("a"), _user("b"), _user("c"), _assistant("d")]
    asyncio.run(store.add_messages(messages, AddMessagesContext(sequence_numbers=[0, 1, 2, 3])))
    events = store_events(server, memory_id)
    texts = [[item["conversational"]["content"]["text"] for item in e["payload"]] for e in events]
    assert texts == [
        ["a", "b"],
        ["c"],
        ["d"],
    ]
    assert [e["metadata"] for e in events] == [
        {"speaker": {"stringValue": "true"}},
        {"speaker": {"stringValue": "true"}},
        {"speaker": {"stringValue": "false"}},
    ]


def test_text_over_the_item_limit_is_split_not_lost(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    text = "x" * 100_000 + "y" * 5
    asyncio.run(make_store(writable=True).add_messages([_user(text)]))
    items = conversation(store_events(server, memory_id))
    assert [len(t) for _, t in items] == [100_000, 5]
    assert "".join(t for _, t in items) == text


def test_text_is_split_by_the_api_s_count_of_characters(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    # The API counts UTF-16 code units: an emoji is two of them, and is never cut in half.
    text = "a" + "\N{SMILING FACE WITH SMILING EYES}" * 60_000
    asyncio.run(make_store(writable=True).add_messages([_user(text)]))
    items = conversation(store_events(server, memory_id))
    assert [text_length(t) for _, t in items] == [99_999, 20_002]
    assert "".join(t for _, t in items) == text


def test_a_retried_batch_is_stored_once_after_a_500_after_commit(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    store = make_store(writable=True, max_turns_per_event=2, boto_client_config=NO_RETRIES)
    first = [_user("a"), _assistant("b"), _user("c")]
    server.faults.commit_then_fail(1)  # event 1 is stored, but its answer is a 500
    with pytest.raises(AggregateMemoryError, match="event 1 of 2"):
        asyncio.run(store.add_messages(first, AddMessagesContext(sequence_numbers=[0, 1, 2])))
    # Strands retries with the same messages and any newer ones.
    retry = [*first, _assistant("d")]
    server.stats.reset()
    asyncio.run(store.add_messages(retry, AddMessagesContext(sequence_numbers=[0, 1, 2, 3])))
    assert conversation(store_events(server, memory_id)) == [
        ("USER", "a"),
        ("ASSISTANT", "b"),
        ("USER", "c"),
        ("ASSISTANT", "d"),
    ]
    # Both planned events were resent unchanged (the first deduplicated by the service),
    # then one new event for the newer message.
    assert server.stats.count("CreateEvent", outcome="success") == 3


def test_acknowledged_events_of_a_failed_batch_are_not_resent(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    store = make_store(writable=True, max_turns_per_event=1, boto_client_config=NO_RETRIES)
    batch = [_user("a"), _assistant("b"), _user("c")]
    server.faults.fail_next("CreateEvent", 1, status=500, after=1)
    with pytest.raises(AggregateMemoryError, match="event 2 of 3"):
        asyncio.run(store.add_messages(batch, AddMessagesContext(sequence_numbers=[5, 6, 7])))
    server.stats.reset()
    asyncio.run(store.add_messages(batch, AddMessagesContext(sequence_numbers=[5, 6, 7])))
    assert server.stats.count("CreateEvent") == 2  # "a" was acknowledged: no call for it
    assert [t for _, t in conversation(store_events(server, memory_id))] == ["a", "b", "c"]


def test_a_new_run_starts_sequence_numbers_again(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    store = make_store(writable=True)
    asyncio.run(store.add_messages([_user("a")], AddMessagesContext(sequence_numbers=[0])))
    asyncio.run(store.initialize())  # what MemoryManager does for each new agent
    asyncio.run(store.add_messages([_user("b")], AddMessagesContext(sequence_numbers=[0])))
    assert [t for _, t in conversation(store_events(server, memory_id))] == ["a", "b"]


def test_add_stores_one_record_in_the_namespace(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    store = make_store(writable=True)
    record_id = asyncio.run(
        store.add("The user likes green tea", {"source": "chat", "confidence": 0.9})
    )
    record = server.client().get_memory_record(memoryId=memory_id, memoryRecordId=record_id)
    stored = record["memoryRecord"]
    assert stored["content"]["text"] == "The user likes green tea"
    assert stored["namespaces"] == [f"/facts/{ACTOR}"]
    assert stored["metadata"] == {
        "source": {"stringValue": "chat"},
        "confidence": {"numberValue": 0.9},
    }
    assert [e.content for e in asyncio.run(store.search("green tea"))] == [
        "The user likes green tea"
    ]


def test_a_retried_add_is_stored_once(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    store = make_store(writable=True, boto_client_config=NO_RETRIES)
    server.faults.commit_then_fail(1, operation="BatchCreateMemoryRecords")
    with pytest.raises(Exception, match="ServiceException"):
        asyncio.run(store.add("The user likes green tea"))
    asyncio.run(store.add("The user likes green tea"))
    listed = server.client().list_memory_records(memoryId=memory_id, namespace=f"/facts/{ACTOR}")
    assert len(listed["memoryRecordSummaries"]) == 1


def test_a_recall_only_store_refuses_writes_before_any_call(
    server: LocalMemoryServer, make_store: StoreFactory
) -> None:
    store = make_store()
    server.stats.reset()
    with pytest.raises(ValueError, match="not writable; add_messages"):
        asyncio.run(store.add_messages([_user("a")]))
    with pytest.raises(ValueError, match="not writable; add"):
        asyncio.run(store.add("a fact"))
    assert server.stats.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"namespace": None}, "exactly one of namespace or namespace_path"),
        ({"namespace_path": "/a", "namespace": "/b"}, "exactly one of namespace"),
        ({"namespace": "/facts/{memoryStrategyId}"}, r"still holds '\{memoryStrategyId\}'"),
        ({"namespace": "/facts with space"}, "namespace '/facts with space' must match"),
        ({"namespace": "/" + "a" * 1024}, "namespace must have at most 1024 characters"),
        ({"actor_id": "ada@example.com"}, "actor_id 'ada@example.com' must match"),
        ({"session_id": "s" * 101}, "session_id must have at most 100 characters"),
        ({"memory_id": "short"}, "memory_id must have at least 12 characters"),
        ({"memory_id": "no-suffix-at-all"}, "memory_id 'no-suffix-at-all' must match"),
        ({"max_search_results": 0}, "max_search_results must be a positive integer"),
        ({"min_score": 1.5}, "min_score must be a finite number between 0 and 1"),
        ({"over_fetch_factor": 0.5}, "over_fetch_factor must be a number >= 1"),
        ({"max_turns_per_event": 101}, "max_turns_per_event must be at most 100"),
        ({"extraction_mode": "ALL"}, "extraction_mode must be 'SKIP'"),
    ],
)
def test_bad_arguments_name_the_field(
    make_store: StoreFactory, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_store(**overrides)


def test_bad_call_input_names_the_field_and_sends_nothing(
    server: LocalMemoryServer, make_store: StoreFactory
) -> None:
    store = make_store(writable=True, metadata_provider=lambda m: {"note": "a,b"})
    server.stats.reset()
    with pytest.raises(ValueError, match="metadata value for 'note' 'a,b' must match the pattern"):
        asyncio.run(store.add_messages([_user("a")]))
    many = make_store(writable=True, metadata_provider=lambda m: {f"k{i}": "v" for i in range(14)})
    with pytest.raises(ValueError, match="plus the 2 of the trace stamp exceed the limit of 15"):
        asyncio.run(many.add_messages([_user("a")]))
    with pytest.raises(ValueError, match="content has 16001 characters; a record holds at most"):
        asyncio.run(store.add("x" * 16_001))
    with pytest.raises(ValueError, match="metadata value for 'tags' must be"):
        asyncio.run(store.add("fact", {"tags": ["a"] * 6}))
    with pytest.raises(ValueError, match="metadata value for 'source' 'chat, web' must match"):
        asyncio.run(store.add("fact", {"source": "chat, web"}))
    with pytest.raises(ValueError, match="metadata value for 'tags', item 1 'not!ok' must match"):
        asyncio.run(store.add("fact", {"tags": ["ok", "not!ok"]}))
    with pytest.raises(ValueError, match="metadata key 'a,b' must match the pattern"):
        asyncio.run(store.add("fact", {"a,b": "x"}))
    with pytest.raises(ValueError, match="query must be 1-10000 characters"):
        asyncio.run(store.search("q" * 10_001))
    with pytest.raises(ValueError, match="max_search_results must be a positive integer"):
        asyncio.run(store.search("q", SearchOptions(max_search_results=0)))
    assert server.stats.count() == 0


def test_extraction_mode_and_session(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    store = make_store(writable=True, extraction_mode="SKIP")
    asyncio.run(store.add_messages([_user("hello")]))
    events = store_events(server, memory_id)
    assert len(events) == 1 and events[0]["sessionId"] == STORE_SESSION


def test_botocore_retries_resend_the_same_request(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    store = make_store(writable=True)  # botocore's standard retries, 3 attempts
    server.faults.fail_next("CreateEvent", 1, status=429)  # attempt 1: throttled
    server.faults.commit_then_fail(1)  # attempt 2: stored, answered 500; attempt 3: deduped
    server.stats.reset()
    asyncio.run(store.add_messages([_user("a"), _assistant("b")]))
    assert server.stats.count("CreateEvent") == 3
    assert conversation(store_events(server, memory_id)) == [("USER", "a"), ("ASSISTANT", "b")]


def test_add_messages_stores_lone_surrogates_as_given(
    server: LocalMemoryServer, memory_id: str, make_store: StoreFactory
) -> None:
    """A file name from ``os.listdir`` (lone surrogates) is stored with U+FFFD for each."""
    store = make_store(writable=True)
    name = "report-\udcff-\ud800.txt"
    asyncio.run(
        store.add_messages([_user(f"read {name}")], AddMessagesContext(sequence_numbers=[0]))
    )
    stored = "read report-\ufffd-\ufffd.txt"
    assert conversation(store_events(server, memory_id)) == [("USER", stored)]
