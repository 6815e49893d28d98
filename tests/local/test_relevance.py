"""FTS5/BM25 relevance used by RetrieveMemoryRecords, scored into [0, 1]."""

from __future__ import annotations

import pytest

from agentcore_memory_otel.local import Backend
from agentcore_memory_otel.local.records import NewRecord, Scope
from agentcore_memory_otel.local.relevance import query_words


def _scores(query: str, texts: list[str]) -> list[float]:
    """Score ``texts`` (stored as records of a fresh memory) against ``query``, in text order."""
    backend = Backend()
    try:
        memory_id = backend.memories.create({"name": "rel", "eventExpiryDuration": 30})["id"]
        records = [
            NewRecord(f"r{i}", "/ns", text, 1_700_000_000_000) for i, text in enumerate(texts)
        ]
        outputs = backend.records.batch_create(memory_id, records, None)
        found, _ = backend.records.retrieve(
            memory_id, Scope(namespace="/ns"), query, top_k=100, max_results=100, next_token=None
        )
        by_id = {r["memoryRecordId"]: r["score"] for r in found}
        return [by_id[o["memoryRecordId"]] for o in outputs]
    finally:
        backend.close()


def test_query_words_drop_function_words() -> None:
    assert query_words("What sushi does the user like, the USER?") == ["sushi", "user", "like"]


def test_scores_are_bounded_and_ordered() -> None:
    scores = _scores("green tea", ["green tea now", "black tea now", "black coffee now", "zzz"])
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] > scores[1] > scores[2] == 0.0
    assert scores[3] == 0.0


def test_identical_text_scores_one_and_word_forms_match() -> None:
    assert _scores("a cat on a mat", ["a cat on a mat", "a dog"])[0] == pytest.approx(1.0)
    (same_root,) = _scores("I prefer mild weather", ["Prefers mild weather"])
    assert same_root == pytest.approx(1.0)


def test_the_sushi_query_prefers_the_sushi_record() -> None:
    """The case the hand-written TF-IDF tied on."""
    sushi, seats = _scores(
        "what sushi does the user like",
        ["The user likes sushi with tuna", "The user prefers window seats"],
    )
    assert sushi > seats


def test_rare_words_weigh_more() -> None:
    docs = ["the cat sat", "the dog sat", "the bird sat", "the zebra sat"]
    scores = _scores("sat zebra", docs)
    assert scores[3] > scores[0]


def test_empty_query_scores_zero() -> None:
    assert _scores("!!!", ["anything"]) == [0.0]
