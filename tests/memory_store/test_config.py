"""The store's arguments, checked by a pydantic model: one plain ValueError naming each field."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import ValidationError

from agentcore_memory_otel.memory_store.config import StoreArguments

from ..support import ACTOR
from .conftest import StoreFactory

GOOD: dict[str, Any] = {
    "memory_id": "memory_store-abcdefghij",
    "actor_id": "ada",
    "session_id": "s1",
    "namespace": "/facts/{actorId}/{sessionId}",
    "trace_id_key": "traceId",
    "span_id_key": "spanId",
}


def _refused(**overrides: Any) -> ValueError:
    with pytest.raises(ValueError) as caught:
        StoreArguments.of(**{**GOOD, **overrides})
    return caught.value


def test_good_arguments_resolve_the_namespace_and_defaults() -> None:
    checked = StoreArguments.of(**GOOD)
    assert checked.resolved_namespace == "/facts/ada/s1"
    assert checked.namespace_field == "namespace"
    assert checked.name == "facts"
    assert checked.max_turns_per_event == 50
    assert checked.over_fetch_factor == 4.0
    subtree = StoreArguments.of(**{**GOOD, "namespace": None, "namespace_path": "/f/{actorId}"})
    assert (subtree.namespace_field, subtree.resolved_namespace) == ("namespacePath", "/f/ada")


def test_the_error_is_a_plain_value_error_with_the_check_s_own_words() -> None:
    error = _refused(max_search_results=0)
    assert type(error) is ValueError
    expected = "AgentCoreMemoryStore: max_search_results must be a positive integer, got 0"
    assert str(error) == expected
    assert isinstance(error.__cause__, ValidationError)


def test_every_bad_field_is_named_at_once() -> None:
    message = str(_refused(min_score=2, over_fetch_factor=0.5, actor_id="a b"))
    assert "actor_id 'a b' must match" in message
    assert "min_score must be a finite number between 0 and 1, got 2" in message
    assert "over_fetch_factor must be a number >= 1, got 0.5" in message
    assert message.count("AgentCoreMemoryStore:") == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max_search_results": True}, "max_search_results must be a positive integer, got True"),
        ({"max_search_results": "5"}, "max_search_results must be a positive integer, got '5'"),
        ({"max_turns_per_event": 0}, "max_turns_per_event must be a positive integer, got 0"),
        ({"min_score": math.nan}, "min_score must be a finite number between 0 and 1, got nan"),
        ({"min_score": True}, "min_score must be a finite number between 0 and 1, got True"),
        ({"over_fetch_factor": math.inf}, "over_fetch_factor must be a number >= 1, got inf"),
        ({"over_fetch_factor": None}, "over_fetch_factor must be a number >= 1, got None"),
        ({"namespace": "  "}, "namespace must be a non-empty string"),
        ({"namespace": 7}, "namespace must be a non-empty string"),
        ({"memory_id": None}, "AgentCoreMemoryStore: memory_id"),
        ({"name": 5}, "AgentCoreMemoryStore: name: Input should be a valid string, got 5"),
        ({"trace_id_key": "a,b"}, "AgentCoreMemoryStore trace: metadata key 'a,b' must match"),
        ({"content_filter": "redact"}, "content_filter must be a callable taking and returning"),
        ({"namespace": "/\ud800"}, "namespace '/\\ud800' must match"),
    ],
)
def test_each_check_names_its_field_and_limit(overrides: dict[str, Any], message: str) -> None:
    assert message in str(_refused(**overrides))


def test_the_store_raises_the_same_error_and_makes_no_call(make_store: StoreFactory) -> None:
    with pytest.raises(ValueError, match="min_score must be a finite number") as caught:
        make_store(min_score=-0.1)
    assert type(caught.value) is ValueError
    store = make_store(name=None, max_turns_per_event=None)
    assert (store.name, store.namespace) == ("facts", f"/facts/{ACTOR}")
