"""TF-IDF cosine relevance used by RetrieveMemoryRecords."""

from __future__ import annotations

import pytest

from agentcore_memory_otel.local.relevance import score, tokenize


def test_tokenize() -> None:
    assert tokenize("Hello, World! it's 2025_x") == ["hello", "world", "2025", "x"]
    assert tokenize("The user prefers walking") == ["user", "prefer", "walk"]


def test_scores_are_bounded_and_ordered() -> None:
    docs = ["green tea now", "black tea now", "black coffee now", ""]
    scores = score("green tea", docs)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] > scores[1] > scores[2] == 0.0
    assert scores[3] == 0.0


def test_identical_text_is_one_and_rare_words_weigh_more() -> None:
    assert score("a b c", ["a b c"])[0] == pytest.approx(1.0)
    docs = ["the cat", "the dog", "the bird", "the zebra"]
    common, rare = score("the zebra", docs)[0], score("the zebra", docs)[3]
    assert rare > common


def test_word_forms_match() -> None:
    (same_root,) = score("I prefer mild weather", ["Prefers mild weather"])
    assert same_root == pytest.approx(1.0)


def test_empty_query_scores_zero() -> None:
    assert score("!!!", ["anything"]) == [0.0]
