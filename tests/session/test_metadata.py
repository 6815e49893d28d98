"""Metadata precedence, normalisation, reserved keys and limits on the final merged metadata."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from pydantic import ValidationError

from agentcore_memory_otel import AgentCoreMemoryConfig
from agentcore_memory_otel.local import LocalMemoryServer

from .conftest import ManagerFactory, make_agent, stored_events


def _meta(event: dict[str, Any]) -> dict[str, str]:
    return {k: v["stringValue"] for k, v in event.get("metadata", {}).items()}


def test_precedence_and_normalisation(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(
        default_metadata={"layer": "default", "team": "search", "keep": {"stringValue": "d"}},
        metadata_provider=lambda: {"layer": "provider", "request": "r-1"},
        trace_metadata=False,
    )
    agent = make_agent(manager, [])
    manager.append_message(
        {"role": "user", "content": [{"text": "x"}]},
        agent,
        metadata={"layer": "call", "request": {"stringValue": "r-2"}},
    )
    manager.append_message({"role": "user", "content": [{"text": "y"}]}, agent)
    first, second = stored_events(server, memory_id)
    assert _meta(first) == {
        "layer": "call",
        "team": "search",
        "keep": "d",
        "request": "r-2",
        "agentId": "default",
        "stateType": "AGENT",
    }
    assert _meta(second) == {
        "layer": "provider",
        "team": "search",
        "keep": "d",
        "request": "r-1",
        "agentId": "default",
    }


@pytest.mark.parametrize("key", ["stateType", "agentId"])
def test_reserved_keys_are_refused(make_manager: ManagerFactory, key: str) -> None:
    with pytest.raises(ValidationError, match=key):
        AgentCoreMemoryConfig(
            memory_id="m-abcdefghij", session_id="s", actor_id="a", default_metadata={key: "x"}
        )
    manager = make_manager()
    agent = make_agent(manager, [])
    with pytest.raises(ValueError, match=key):
        manager.append_message(
            {"role": "user", "content": [{"text": "x"}]}, agent, metadata={key: "x"}
        )


@pytest.mark.parametrize(
    ("metadata", "needle"),
    [
        ({"bad;key": "v"}, "bad;key"),
        ({"k": "semi;colon"}, "'k'"),
        ({"k": "v" * 257}, "256"),
        ({"k" * 129: "v"}, "128"),
        ({"k": 42}, "'k'"),
    ],
)
def test_bad_metadata_fails_before_any_call(
    make_manager: ManagerFactory, server: LocalMemoryServer, metadata: dict[str, Any], needle: str
) -> None:
    manager = make_manager()
    agent = make_agent(manager, [])
    server.stats.reset()
    with pytest.raises(ValueError, match=needle):
        manager.append_message(
            {"role": "user", "content": [{"text": "x"}]}, agent, metadata=metadata
        )
    assert server.stats.count() == 0
    assert manager.pending_message_count() == 0


def test_key_count_includes_internal_and_trace_keys(
    make_manager: ManagerFactory, server: LocalMemoryServer
) -> None:
    manager = make_manager(default_metadata={f"k{i}": "v" for i in range(11)})
    agent = make_agent(manager, [])  # 11 user keys + agentId + stateType + traceId + spanId = 15
    manager.append_message({"role": "user", "content": [{"text": "ok"}]}, agent)
    server.stats.reset()
    with pytest.raises(ValueError, match="limit of 15"):
        manager.append_message(
            {"role": "user", "content": [{"text": "x"}]}, agent, metadata={"one-more": "v"}
        )
    assert server.stats.count() == 0


@pytest.mark.parametrize(("traced", "own_keys"), [(True, 11), (False, 13)])
def test_key_budget_at_the_exact_edge(
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    traced: bool,
    own_keys: int,
) -> None:
    """15 keys on the wire are accepted and 16 refused, the manager's own keys counted."""
    tracer = TracerProvider().get_tracer("test")
    manager = make_manager(
        default_metadata={f"k{i}": "v" for i in range(own_keys)}, trace_metadata=traced
    )
    with tracer.start_as_current_span("turn"):
        agent = make_agent(manager, [])
        manager.append_message({"role": "user", "content": [{"text": "ok"}]}, agent)
        (event,) = stored_events(server, memory_id)
        # agentId and stateType (the first event carries the new records), traceId and spanId
        assert len(event["metadata"]) == 15
        server.stats.reset()
        with pytest.raises(ValueError, match=f"limit of 15 keys \\(at most {own_keys} of your own"):
            manager.append_message(
                {"role": "user", "content": [{"text": "x"}]}, agent, metadata={"one-more": "v"}
            )
    assert server.stats.count() == 0
    assert manager.pending_message_count() == 0


def test_batches_split_instead_of_passing_15_keys(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = make_manager(batch_size=10, trace_metadata=False)
    agent = make_agent(manager, [])
    for i in range(4):  # each message is fine alone; all together they carry 20 keys
        manager.append_message(
            {"role": "user", "content": [{"text": f"m{i}"}]},
            agent,
            metadata={f"m{i}-k{j}": "v" for j in range(5)},
        )
    manager.flush()
    events = stored_events(server, memory_id)
    assert len(events) >= 2
    assert all(len(e["metadata"]) <= 15 for e in events)
    assert sum(len(e["payload"]) for e in events) == 6  # 4 messages + session + agent records
