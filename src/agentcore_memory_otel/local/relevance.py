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

    The work grows with the records that match a query word, not with the records in scope: the
    full-text index is searched once for the whole query and once per query word, and only its
    matches are looked up in ``records`` to check the scope (see ``matches_sql``).

    Args:
        conn: Connection inside a read transaction.
        query: The search query.
        where: SQL conditions on ``records`` selecting the scope (not on its ``text``).
        params: Their values.
    """
    words = query_words(query)
    if not words:
        return {}
    weights = {
        row[0]: row[1]
        for row in conn.execute(matches_sql(where), [_any_of(words), *params]).fetchall()
    }
    if not weights:
        return {}
    matched: dict[int, int] = dict.fromkeys(weights, 0)
    for word in words:
        # Each word's matches, wherever they are; those out of scope are not in ``matched``.
        for (seq,) in conn.execute(_WORD_MATCHES_SQL, [_any_of([word])]):
            if seq in matched:
                matched[seq] += 1
    best = max(weights.values()) or 1.0
    found = {
        seq: min(1.0, max(0.0, weight / best)) * matched[seq] / len(words)
        for seq, weight in weights.items()
    }
    return {seq: score for seq, score in found.items() if score > 0}


def matches_sql(where: Sequence[str]) -> str:
    """The query of a full-text match's records in scope, as ``(seq, BM25 weight)`` rows.

    Its one parameter before the scope's is the FTS5 query. ``CROSS JOIN`` fixes the join order
    (SQLite never reorders it): the full-text index is read first and each match is looked up in
    ``records`` by its primary key. Left to itself SQLite starts from the ``records`` index of
    the scope and runs the full-text search again for every record in scope.
    """
    # The scope's columns exist only in ``records`` (the index has just ``text``), so they need
    # no table prefix.
    scope = "".join(f" AND {condition}" for condition in where)
    return (
        "SELECT r.seq, -bm25(records_fts) FROM records_fts CROSS JOIN records r"
        f" ON r.seq = records_fts.rowid WHERE records_fts MATCH ?{scope}"
    )


_WORD_MATCHES_SQL = "SELECT rowid FROM records_fts WHERE records_fts MATCH ?"


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
