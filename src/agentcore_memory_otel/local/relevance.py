"""Text relevance for RetrieveMemoryRecords: SQLite FTS5 with BM25 ranking, scored into [0, 1].

The service scores records by the cosine similarity of embeddings; the local server ranks
lexically instead, with SQLite's own full-text engine (the ``records_fts`` index, Porter
stemming, so "prefers" matches "prefer"). A record's score is its BM25 weight relative to the
best record in scope, times the share of the query's content words it contains:

    score = bm25(record) / bm25(best record) * matched query words / query words

so scores lie in [0, 1], the text identical to the query scores 1, a record sharing no word
scores 0, and a record matching one word of three scores at most 1/3 however rare the word.
Common English function words are left out of queries.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import Any

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORD_TEXT = (
    "a an and are as at be but by do does did for from has have i im in is it its me my of on "
    "or our so that the their them they this to was we were what which who will with you your "
    "s t"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_PREFIX_MIN_WORD = 6
_PREFIX_MIN = 5


def query_words(text: str) -> list[str]:
    """The distinct content words of a query, lower-cased, in order."""
    words: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word not in _STOPWORDS and word not in words:
            words.append(word)
    return words


def scores(
    conn: sqlite3.Connection, query: str, where: Sequence[str], params: Sequence[Any]
) -> dict[int, float]:
    """Scores in (0, 1] of the records (by ``seq``) in scope that share a word with ``query``.

    Args:
        conn: Connection inside a read transaction.
        query: The search query.
        where: SQL conditions on ``records`` selecting the scope (not on its ``text``).
        params: Their values.
    """
    words = query_words(query)
    if not words:
        return {}
    # The scope's columns exist only in ``records`` (the index has just ``text``), so they need
    # no table prefix. Every query below is held to the scope, so none reads other memories.
    scope = " AND ".join(where)
    scoped = (
        " FROM records_fts JOIN records r ON r.seq = records_fts.rowid WHERE records_fts MATCH ?"
        + (f" AND {scope}" if scope else "")
    )
    weights = {
        row["seq"]: row["weight"]
        for row in conn.execute(
            f"SELECT r.seq AS seq, -bm25(records_fts) AS weight{scoped}", [_any_of(words), *params]
        ).fetchall()
    }
    if not weights:
        return {}
    matched: dict[int, int] = dict.fromkeys(weights, 0)
    for word in words:
        for row in conn.execute(f"SELECT r.seq{scoped}", [_any_of([word]), *params]).fetchall():
            matched[row[0]] += 1
    best = max(weights.values()) or 1.0
    return {
        seq: min(1.0, max(0.0, weight / best)) * matched[seq] / len(words)
        for seq, weight in weights.items()
    }


def _any_of(words: list[str]) -> str:
    """An FTS5 query matching any of ``words``, each quoted so no word acts as an operator.

    A word of six letters or more also matches by its stem-like prefix (all but its last three
    letters, at least five), so "allergies" finds "allergic" where Porter stemming does not.
    """
    terms = []
    for word in words:
        quoted = '"' + word.replace('"', '""') + '"'
        if len(word) >= _PREFIX_MIN_WORD:
            prefix = word[: max(_PREFIX_MIN, len(word) - 3)].replace('"', '""')
            quoted = f'({quoted} OR "{prefix}"*)'
        terms.append(quoted)
    return " OR ".join(terms)
