"""Metric values match the server's call counts, and calls avoided = naive baseline - calls made."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from strands.hooks import AfterInvocationEvent, MessageAddedEvent

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ToolCall

from ..support import make_agent, metric_points, metric_total

OP = "agentcore.memory.operation"
REASON = "agentcore.memory.avoided.reason"


class Baseline:
    """Counts what a naive session manager would write, from the agent's own hooks."""

    def __init__(self, agents: int) -> None:
        self.calls = 1 + agents  # the session, and each agent, at start

    def watch(self, agent: Any) -> None:
        agent.hooks.add_callback(MessageAddedEvent, self._message)
        agent.hooks.add_callback(AfterInvocationEvent, self._invocation)

    def _message(self, _: MessageAddedEvent) -> None:
        self.calls += 2  # the message, and an agent-state sync

    def _invocation(self, _: AfterInvocationEvent) -> None:
        self.calls += 1  # an agent-state sync


SCRIPT: list[Any] = [
    "hello",
    ToolCall("remember", {"fact": "tea"}),
    "noted",
    ToolCall("add", {"a": 1, "b": 2}),
    "3",
    "bye",
]


@pytest.mark.parametrize("batch_size", [1, 3, 10])
def test_metrics_equal_server_counts_and_savings_add_up(
    traced_manager: Any, reader: InMemoryMetricReader, server: LocalMemoryServer, batch_size: int
) -> None:
    server.stats.reset()
    manager = traced_manager(batch_size=batch_size)
    agent = make_agent(manager, SCRIPT)
    baseline = Baseline(agents=1)
    baseline.watch(agent)
    for prompt in ("hi", "remember tea", "add", "bye"):
        agent(prompt)
    manager.close()
    for operation in ("CreateEvent", "ListEvents"):
        assert metric_total(reader, "agentcore_memory.api.calls", **{OP: operation}) == (
            server.stats.count(operation)
        )
    actual = server.stats.count("CreateEvent")
    avoided = metric_total(reader, "agentcore_memory.calls.avoided")
    assert avoided == baseline.calls - actual
    assert avoided > 0
    reasons = {
        attrs[REASON] for attrs, _ in metric_points(reader, "agentcore_memory.calls.avoided")
    }
    assert {"state_unchanged", "deferred_session_creation"} <= reasons
    if batch_size > 1:
        assert "batching" in reasons
    (messages,) = metric_points(reader, "agentcore_memory.event.messages")
    assert messages[1].sum == len(agent.messages) == 12
    assert messages[1].count == actual
    (size,) = metric_points(reader, "agentcore_memory.event.payload.size")
    assert size[1].count == actual and size[1].sum > 0
    assert metric_total(reader, "agentcore_memory.buffered.messages") == 0
    assert metric_total(reader, "agentcore_memory.agent.invocations") == 4
    (duration,) = [
        p
        for a, p in metric_points(reader, "agentcore_memory.operation.duration")
        if a[OP] == "CreateEvent"
    ]
    assert duration.count == actual
    assert list(duration.explicit_bounds)[:3] == [0.001, 0.0025, 0.005]


def test_exact_reasons_for_a_simple_turn(traced_manager: Any, reader: InMemoryMetricReader) -> None:
    agent = make_agent(traced_manager(), ["hello"])
    agent("hi")
    by_reason = {
        attrs[REASON]: value
        for attrs, value in metric_points(reader, "agentcore_memory.calls.avoided")
    }
    # Naive: session + agent + 2 x (message + sync) + end-of-invocation sync = 7; made: 2.
    assert by_reason == {"deferred_session_creation": 2, "state_unchanged": 3}


def test_state_piggybacked_is_counted(traced_manager: Any, reader: InMemoryMetricReader) -> None:
    agent = make_agent(traced_manager(), [ToolCall("remember", {"fact": "tea"}), "ok"])
    agent("remember")
    assert (
        metric_total(reader, "agentcore_memory.calls.avoided", **{REASON: "state_piggybacked"}) == 1
    )


def test_errors_retries_and_throttles(
    traced_manager: Any, reader: InMemoryMetricReader, server: LocalMemoryServer
) -> None:
    manager = traced_manager()
    agent = make_agent(manager, [])
    server.faults.fail_next("CreateEvent", 2, status=429)
    manager.append_message({"role": "user", "content": [{"text": "x"}]}, agent)
    assert metric_total(reader, "agentcore_memory.api.retries", **{OP: "CreateEvent"}) == 2
    assert metric_total(reader, "agentcore_memory.api.throttles", **{OP: "CreateEvent"}) == 2
    assert server.stats.count("CreateEvent") == 3
    assert metric_total(reader, "agentcore_memory.api.calls", **{OP: "CreateEvent"}) == 1
    server.faults.fail_next("ListEvents", 10, status=500)
    with pytest.raises(ClientError):
        traced_manager(session_id="broken")
    errors = [
        attrs
        for attrs, _ in metric_points(reader, "agentcore_memory.api.calls")
        if attrs.get("agentcore.memory.outcome") == "error"
    ]
    assert errors and errors[0]["error.type"] == "ServiceException"


def test_metric_attributes_stay_low_cardinality(
    traced_manager: Any, reader: InMemoryMetricReader
) -> None:
    make_agent(traced_manager(), ["x"])("y")
    allowed = {
        OP,
        "agentcore.memory.outcome",
        "error.type",
        "gen_ai.memory.store.id",
        REASON,
        "agentcore.memory.write_mode",  # sync or background
        "agentcore.memory.failure.source",  # write or metadata_provider
    }
    data = reader.get_metrics_data()
    assert data is not None
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    assert set(point.attributes or {}) <= allowed, metric.name


def test_savings_still_add_up_when_a_write_fails(
    traced_manager: Any, reader: InMemoryMetricReader, server: LocalMemoryServer
) -> None:
    server.stats.reset()
    manager = traced_manager(batch_size=1)
    agent = make_agent(manager, [])
    baseline = Baseline(agents=1)
    server.faults.fail_next("CreateEvent", 10, status=500)
    with pytest.raises(Exception, match="write failed"):
        manager.append_message({"role": "user", "content": [{"text": "a"}]}, agent)
    server.faults.reset()
    manager.flush()  # the same request again
    baseline.calls += 1  # the message (append_message is not a hook: no state sync)
    stored = metric_total(
        reader,
        "agentcore_memory.api.calls",
        **{OP: "CreateEvent", "agentcore.memory.outcome": "success"},
    )
    assert stored == server.stats.count("CreateEvent", outcome="success") == 1
    assert (
        metric_total(
            reader,
            "agentcore_memory.api.calls",
            **{OP: "CreateEvent", "agentcore.memory.outcome": "error"},
        )
        == 1
    )
    assert stored + metric_total(reader, "agentcore_memory.calls.avoided") == baseline.calls
