"""FTS5/BM25 relevance used by RetrieveMemoryRecords, scored into [0, 1]."""

from __future__ import annotations

import random
from typing import Any

import pytest

from agentcore_memory_otel.local import Backend
from agentcore_memory_otel.local.records import (
    NewRecord,
    RecordUpdate,
    Scope,
    _keep,
    _scope_sql,
    newest_first_sql,
)
from agentcore_memory_otel.local.relevance import _any_of, matches_sql, query_words, scores


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


_SCOPES = [
    Scope(namespace="/facts/u1"),
    Scope(namespace_path="/facts"),
    Scope(strategy_id="default"),
    Scope(),
]


def _filled_backend(count: int = 300) -> tuple[Backend, str]:
    backend = Backend()
    memory_id = backend.memories.create({"name": "plan", "eventExpiryDuration": 30})["id"]
    rng = random.Random(7)
    words = ["tea", "green", "coffee", "mild", "weather", "sushi", "tuna", "rain", "hiking"]
    records = [
        NewRecord(
            f"r{i}",
            f"/facts/u{i % 5}",
            " ".join(rng.choices(words, k=4)),
            1_700_000_000_000,
            metadata={"n": {"stringValue": str(i % 3)}},
        )
        for i in range(count)
    ]
    backend.records.batch_create(memory_id, records, None)
    return backend, memory_id


@pytest.mark.parametrize("analyzed", [False, True], ids=["as served", "after ANALYZE"])
@pytest.mark.parametrize("scope", _SCOPES)
def test_query_plan_reads_matches_not_the_scope(scope: Scope, analyzed: bool) -> None:
    # Cost must grow with the matches: the full-text index is scanned first and each match is
    # looked up by primary key; the records that fill topK are read along an index, unsorted.
    # (Without its statistics, which the server never gathers, SQLite would otherwise start from
    # the scope's index and run the full-text search once per record in scope.)
    backend, memory_id = _filled_backend()
    try:
        where, params = _scope_sql(memory_id, scope)
        with backend.db.read() as conn:
            if analyzed:
                conn.execute("ANALYZE")
            plan = [
                row[3]
                for row in conn.execute(
                    "EXPLAIN QUERY PLAN " + matches_sql(where), ["tea", *params]
                )
            ]
            newest = [
                row[3]
                for row in conn.execute("EXPLAIN QUERY PLAN " + newest_first_sql(where), params)
            ]
    finally:
        backend.close()
    assert len(plan) == 2, plan
    assert plan[0].startswith("SCAN records_fts VIRTUAL TABLE"), plan
    assert plan[1] == "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)", plan
    assert len(newest) == 1, newest
    assert newest[0].startswith("SEARCH records USING INDEX records_"), newest
    assert "TEMP B-TREE" not in " ".join(newest)


@pytest.mark.parametrize(
    "scope", [*_SCOPES, Scope(metadata_filters=(("n", "EQUALS_TO", {"stringValue": "1"}),))]
)
@pytest.mark.parametrize("query", ["green tea", "hiking in the rain", "volcano", "tun"])
def test_ranking_equals_scoring_every_record_in_scope(scope: Scope, query: str) -> None:
    # The reading order changed for speed; the answer must be what ranking every record in
    # scope (score 0 for a record sharing no word) gives: score, then newest first.
    backend, memory_id = _filled_backend()
    try:
        where, params = _scope_sql(memory_id, scope)
        keep = _keep(scope)
        with backend.db.read() as conn:
            scored = scores(conn, query, where, params)
            every = [
                r
                for r in conn.execute("SELECT * FROM records WHERE " + " AND ".join(where), params)
                if keep is None or keep(r)
            ]
        expected = [
            (row["record_id"], round(score, 6))
            for score, row in sorted(
                ((scored.get(row["seq"], 0.0), row) for row in every),
                key=lambda pair: (pair[0], pair[1]["created_ms"], pair[1]["seq"]),
                reverse=True,
            )[:40]
        ]
        found, _ = backend.records.retrieve(
            memory_id, scope, query, top_k=40, max_results=100, next_token=None
        )
    finally:
        backend.close()
    assert [(r["memoryRecordId"], r["score"]) for r in found] == expected
    assert len(found) == min(40, len(every))


def _reference_scores(
    conn: Any, query: str, where: list[str], params: list[Any]
) -> dict[int, float]:
    """Scores as the server computed them before retrieval read matches first: every full-text
    query (the whole query's and each word's) joined to the records and held to the scope."""
    words = query_words(query)
    if not words:
        return {}
    scoped = (
        " FROM records_fts JOIN records r ON r.seq = records_fts.rowid WHERE records_fts MATCH ?"
        + "".join(f" AND {condition}" for condition in where)
    )
    weights = {
        seq: weight
        for seq, weight in conn.execute(
            f"SELECT r.seq, -bm25(records_fts){scoped}", [_any_of(words), *params]
        )
    }
    if not weights:
        return {}
    matched = dict.fromkeys(weights, 0)
    for word in words:
        for (seq,) in conn.execute(f"SELECT r.seq{scoped}", [_any_of([word]), *params]):
            matched[seq] += 1
    best = max(weights.values()) or 1.0
    return {
        seq: min(1.0, max(0.0, weight / best)) * matched[seq] / len(words)
        for seq, weight in weights.items()
    }


_HOSTILE = [
    "tea", "NEAR", "AND", "OR", "NOT", "*", '"', "(", ")", "^", ":", "-", "text:tea",
    "col:umn", "café", "cafe\u0301", "naïve", "日本語", "straße", "İstanbul", "ﬁle", "ǅ",
    "hiking", "hikers", "tun", "x" * 40,
]  # fmt: skip


def test_ranking_matches_the_scoped_reference_for_hostile_queries_after_updates() -> None:
    # FTS operators, quotes, prefixes, unicode, empty and very long queries, over records that
    # were updated (text and namespace) and deleted since written: the full-text index must
    # stay in step with the records and the matches-first ranking equal the scoped reference.
    rng = random.Random(11)

    def text() -> str:
        return " ".join(rng.choices(_HOSTILE, k=rng.randint(0, 6))) or "z"

    backend = Backend()
    try:
        memory_id = backend.memories.create({"name": "hostile", "eventExpiryDuration": 30})["id"]
        backend.records.batch_create(
            memory_id,
            [
                NewRecord(
                    f"r{i}",
                    rng.choice(["/a", "/a/b", "/a/b/", "/ab", "/"]),
                    text(),
                    1_700_000_000_000 + rng.randint(0, 3),
                    metadata={"n": {"stringValue": str(i % 3)}},
                )
                for i in range(60)
            ],
            None,
        )
        with backend.db.read() as conn:
            ids = [row[0] for row in conn.execute("SELECT record_id FROM records ORDER BY seq")]
        rng.shuffle(ids)
        backend.records.batch_update(
            memory_id,
            [
                RecordUpdate(
                    record_id,
                    1_700_000_000_500,
                    text=rng.choice([None, text()]),
                    namespace=rng.choice([None, "/a", "/a/b"]),
                )
                for record_id in ids[:20]
            ],
        )
        backend.records.batch_delete(memory_id, ids[20:30])
        with backend.db.write() as conn:
            conn.execute("INSERT INTO records_fts(records_fts, rank) VALUES ('integrity-check', 1)")
        queries = [text() for _ in range(12)]
        queries += ["", "tea " * 500, "NEAR(tea hiking)", '"tea', "tea*", "^tea", "\ud800 tea"]
        scopes = [
            Scope(),
            Scope(namespace="/a"),
            Scope(namespace_path="/a"),
            Scope(metadata_filters=(("n", "EQUALS_TO", {"stringValue": "1"}),)),
        ]
        for query in queries:
            for scope in scopes:
                where, params = _scope_sql(memory_id, scope)
                keep = _keep(scope)
                with backend.db.read() as conn:
                    scored = _reference_scores(conn, query, where, params)
                    every = [
                        row
                        for row in conn.execute(
                            "SELECT * FROM records WHERE " + " AND ".join(where), params
                        )
                        if keep is None or keep(row)
                    ]
                ranked = sorted(
                    ((scored.get(row["seq"], 0.0), row) for row in every),
                    key=lambda pair: (pair[0], pair[1]["created_ms"], pair[1]["seq"]),
                    reverse=True,
                )[:25]
                found, _ = backend.records.retrieve(
                    memory_id, scope, query, top_k=25, max_results=100, next_token=None
                )
                assert [(r["memoryRecordId"], r["score"]) for r in found] == [
                    (row["record_id"], round(score, 6)) for score, row in ranked
                ], (query, scope)
    finally:
        backend.close()
