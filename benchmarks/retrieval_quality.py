"""Retrieval quality of RetrieveMemoryRecords on a small labelled set: old TF-IDF vs FTS5 BM25.

Twenty records of one user's memory and twenty queries, each labelled with the record a person
would expect first. Reports how often the expected record ranks first (precision at 1) and how
often it is in the top 3, under the local server's FTS5/BM25 scoring (through the real boto3
client) and under the hand-written TF-IDF cosine it replaced (kept below, for this comparison
only). Ties count as misses unless the expected record is the only one with the top score.

Usage: ``python3 -m benchmarks.retrieval_quality``
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Sequence

from agentcore_memory_otel.local import LocalMemoryServer

RECORDS: dict[str, str] = {
    "sushi": "The user likes sushi with tuna",
    "seats": "The user prefers window seats on flights",
    "paris": "The user lives in Paris, France",
    "nurse": "The user works as a nurse at a children's hospital",
    "tea": "The user drinks green tea every morning",
    "coffee": "The user avoids coffee after noon",
    "dog": "The user has a dog called Rex",
    "allergy": "The user is allergic to peanuts",
    "running": "The user goes running three times a week",
    "jazz": "The user enjoys listening to jazz while cooking",
    "vegetarian": "The user has been vegetarian since 2019",
    "language": "The user is learning Japanese for a trip to Tokyo",
    "car": "The user drives an electric car",
    "birthday": "The user's birthday is on the 4th of July",
    "sister": "The user's sister lives in Berlin",
    "books": "The user reads science fiction novels before bed",
    "hotel": "The user prefers hotels with a gym and a pool",
    "meetings": "The user does not want meetings before 10 am",
    "email": "The user prefers short emails with bullet points",
    "budget": "The user keeps travel budgets under 2000 euros",
}

QUERIES: list[tuple[str, str]] = [
    ("what sushi does the user like", "sushi"),
    ("which seat should I book on the plane", "seats"),
    ("where does the user live", "paris"),
    ("what is the user's job", "nurse"),
    ("what does the user drink in the morning", "tea"),
    ("can I offer the user a coffee in the afternoon", "coffee"),
    ("what is the name of the user's pet", "dog"),
    ("does the user have any food allergies", "allergy"),
    ("how often does the user exercise by running", "running"),
    ("what music does the user like", "jazz"),
    ("does the user eat meat", "vegetarian"),
    ("which language is the user studying", "language"),
    ("what kind of car does the user drive", "car"),
    ("when is the user's birthday", "birthday"),
    ("where does the user's sister live", "sister"),
    ("what books does the user read", "books"),
    ("which hotel should I book for the user", "hotel"),
    ("when can I schedule a meeting with the user", "meetings"),
    ("how should I write emails to the user", "email"),
    ("how much can the user spend on travel", "budget"),
]


# --- the replaced scorer, kept only for this comparison -------------------------------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "do",
        "does",
        "did",
        "for",
        "from",
        "has",
        "have",
        "i",
        "im",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "which",
        "who",
        "will",
        "with",
        "you",
        "your",
        "s",
        "t",
    ]
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _tokens(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]


def old_tfidf_scores(query: str, documents: Sequence[str]) -> list[float]:
    """Cosine of sublinear TF-IDF vectors, as the local server scored before FTS5."""
    bags = [Counter(_tokens(d)) for d in documents]
    query_bag = Counter(_tokens(query))
    frequency: Counter[str] = Counter()
    for bag in bags:
        frequency.update(bag.keys())
    idf = {
        t: math.log((1 + len(bags)) / (1 + frequency[t])) + 1.0
        for t in frequency.keys() | query_bag.keys()
    }

    def vector(bag: Counter[str]) -> dict[str, float]:
        return {t: (1.0 + math.log(n)) * idf[t] for t, n in bag.items()}

    q = vector(query_bag)
    q_norm = math.sqrt(sum(w * w for w in q.values()))
    out = []
    for bag in bags:
        v = vector(bag)
        norm = math.sqrt(sum(w * w for w in v.values()))
        dot = sum(w * v.get(t, 0.0) for t, w in q.items())
        out.append(dot / (norm * q_norm) if norm and q_norm else 0.0)
    return out


# --- the comparison ---------------------------------------------------------------------------


def rank_of(expected: str, scored: list[tuple[str, float]]) -> int:
    """1-based rank of ``expected``; a tie with a better-or-equal other record ranks it lower."""
    mine = dict(scored)[expected]
    return 1 + sum(1 for key, score in scored if key != expected and score >= mine)


def main() -> None:
    keys = list(RECORDS)
    old_ranks = []
    for query, expected in QUERIES:
        scores = old_tfidf_scores(query, [RECORDS[k] for k in keys])
        old_ranks.append(rank_of(expected, list(zip(keys, scores, strict=True))))

    new_ranks = []
    with LocalMemoryServer() as server:
        control = server.client("bedrock-agentcore-control")
        client = server.client()
        memory_id = control.create_memory(name="bench", eventExpiryDuration=30)["memory"]["id"]
        created = client.batch_create_memory_records(
            memoryId=memory_id,
            records=[
                {
                    "requestIdentifier": key,
                    "namespaces": ["/bench/user"],
                    "content": {"text": text},
                    "timestamp": time.time(),
                }
                for key, text in RECORDS.items()
            ],
        )["successfulRecords"]
        key_of = {r["memoryRecordId"]: r["requestIdentifier"] for r in created}
        for query, expected in QUERIES:
            found = client.retrieve_memory_records(
                memoryId=memory_id,
                namespace="/bench/user",
                searchCriteria={"searchQuery": query, "topK": len(RECORDS)},
                maxResults=len(RECORDS),
            )["memoryRecordSummaries"]
            scored = {key_of[r["memoryRecordId"]]: r["score"] for r in found}
            new_ranks.append(rank_of(expected, [(k, scored.get(k, 0.0)) for k in keys]))

    total = len(QUERIES)
    print(f"{total} labelled queries over {len(RECORDS)} records")
    print(f"{'query':<52} {'expected':<11} old  new")
    for (query, expected), old, new in zip(QUERIES, old_ranks, new_ranks, strict=True):
        print(f"{query:<52} {expected:<11} {old:>3}  {new:>3}")
    for name, ranks in (("TF-IDF (old)", old_ranks), ("FTS5 BM25 (new)", new_ranks)):
        first = sum(1 for r in ranks if r == 1)
        top3 = sum(1 for r in ranks if r <= 3)
        print(f"{name:<16} first: {first}/{total} ({first / total:.0%})  top 3: {top3}/{total}")


if __name__ == "__main__":
    main()
