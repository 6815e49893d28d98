"""AgentCoreMemoryConfig: the SDK's field names and defaults, and id checks at build time."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from agentcore_memory_otel import AgentCoreMemoryConfig, PersistenceMode, RetrievalConfig

GOOD: dict[str, Any] = {
    "memory_id": "mem_1-abcdefghij",
    "session_id": "s-1",
    "actor_id": "user/1:x",
}


def test_defaults_match_the_sdk() -> None:
    config = AgentCoreMemoryConfig(**GOOD)
    assert config.batch_size == 1
    assert config.flush_interval_seconds is None
    assert config.context_tag == "user_context"
    assert config.filter_restored_tool_context is False
    assert config.persistence_mode is PersistenceMode.FULL
    assert config.retrieval_config is None
    retrieval = RetrievalConfig()
    assert (retrieval.top_k, retrieval.relevance_score, retrieval.strategy_id) == (10, 0.2, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("memory_id", "short"),
        ("memory_id", "no-suffix"),
        ("session_id", "has/slash"),
        ("session_id", "s" * 101),
        ("actor_id", "has space"),
        ("actor_id", "me@example.com"),
        ("actor_id", "a" * 256),
        ("context_tag", "has space"),
        ("trace_id_key", "trace,id"),
        ("span_id_key", "k" * 129),
    ],
)
def test_ids_are_checked_when_built(field: str, value: str) -> None:
    # The message itself names the field and the limit, not only pydantic's location line.
    message = rf"Value error, {field}\b.*(pattern|at most|at least)"
    with pytest.raises(ValidationError, match=message):
        AgentCoreMemoryConfig(**{**GOOD, field: value})


def test_arn_memory_id_is_accepted() -> None:
    arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:memory/mem_1-abcdefghij"
    assert AgentCoreMemoryConfig(**{**GOOD, "memory_id": arn}).memory_id == arn


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 101}, "batch_size"),
        ({"flush_interval_seconds": 0}, "flush_interval_seconds"),
        ({"persistence_mode": "SOME"}, "persistence_mode"),
    ],
)
def test_ranges(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        AgentCoreMemoryConfig(**GOOD, **kwargs)


@pytest.mark.parametrize("kwargs", [{"top_k": 0}, {"top_k": 1001}, {"relevance_score": 1.5}])
def test_retrieval_ranges(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RetrievalConfig(**kwargs)


def test_persistence_mode_accepts_strings() -> None:
    config = AgentCoreMemoryConfig.model_validate({**GOOD, "persistence_mode": "NONE"})
    assert config.persistence_mode is PersistenceMode.NONE


@pytest.mark.parametrize(
    ("model", "typo", "suggestion"),
    [
        (AgentCoreMemoryConfig, "batch_sise", "batch_size"),
        (AgentCoreMemoryConfig, "flush_interval", "flush_interval_seconds"),
        (AgentCoreMemoryConfig, "persistance_mode", "persistence_mode"),
        (RetrievalConfig, "topk", "top_k"),
        (RetrievalConfig, "initialisation_query", "initialization_query"),
    ],
)
def test_an_unknown_field_is_an_error_that_suggests_the_closest(
    model: type[Any], typo: str, suggestion: str
) -> None:
    fields = dict(GOOD) if model is AgentCoreMemoryConfig else {}
    with pytest.raises(ValidationError, match=rf"no field '{typo}'; did you mean {suggestion}\?"):
        model(**fields, **{typo: 1})


def test_an_unknown_field_with_no_close_name_lists_the_valid_ones() -> None:
    with pytest.raises(ValidationError, match=r"no field 'colour'; valid fields: top_k, "):
        RetrievalConfig(colour="blue")  # type: ignore[call-arg]
