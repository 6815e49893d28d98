"""Text relevance for RetrieveMemoryRecords: TF-IDF vectors compared by cosine similarity.

The real service scores by the cosine similarity of embeddings; without a model we use the
cosine of TF-IDF vectors (sublinear term frequency, smoothed IDF over the records searched).
Words are lower-cased, common English function words are dropped, and plural and -ing/-ed
endings are stripped, so "prefer" matches "prefers". Scores lie in [0, 1], are 1 for
identical word bags and 0 when no word is shared.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORD_TEXT = (
    "a an and are as at be but by do does did for from has have i im in is it its me my of on "
    "or our so that the their them they this to was we were what which who will with you your "
    "s t"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_SUFFIXES = ("ing", "ed", "es", "s")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def tokenize(text: str) -> list[str]:
    """Content words of a text: lower-cased, without function words, lightly stemmed."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]


def _vector(terms: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    return {t: (1.0 + math.log(n)) * idf[t] for t, n in terms.items() if t in idf}


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in vector.values()))


def score(query: str, documents: Sequence[str]) -> list[float]:
    """Cosine similarity in [0, 1] between ``query`` and each document, in document order."""
    bags = [Counter(tokenize(d)) for d in documents]
    query_bag = Counter(tokenize(query))
    total = len(bags)
    frequency: Counter[str] = Counter()
    for bag in bags:
        frequency.update(bag.keys())
    vocabulary = frequency.keys() | query_bag.keys()
    idf = {t: math.log((1 + total) / (1 + frequency[t])) + 1.0 for t in vocabulary}
    query_vector = _vector(query_bag, idf)
    query_norm = _norm(query_vector)
    scores = []
    for bag in bags:
        vector = _vector(bag, idf)
        norm = _norm(vector)
        if not norm or not query_norm:
            scores.append(0.0)
            continue
        dot = sum(w * vector.get(t, 0.0) for t, w in query_vector.items())
        scores.append(min(1.0, max(0.0, dot / (norm * query_norm))))
    return scores
