"""A Graph's or Swarm's checkpoints carry the trace of the invocation that wrote them."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentcore_memory_otel import find_events
from agentcore_memory_otel.local import LocalMemoryServer

from ..session.multi_agent_scenarios import graph, handoff, swarm


def _run_traces(spans: InMemorySpanExporter, operation: str) -> list[str]:
    return [
        trace.format_trace_id(s.context.trace_id)
        for s in spans.get_finished_spans()
        if s.name == operation
    ]


@pytest.mark.parametrize("kind", ["graph", "swarm"])
def test_find_events_returns_one_multi_agent_run(
    kind: str,
    traced_manager: Any,
    spans: InMemorySpanExporter,
    server: LocalMemoryServer,
    memory_id: str,
) -> None:
    if kind == "graph":
        run = graph(traced_manager(), {"research": ["a", "b"], "write": ["c", "d"]})
    else:
        run = swarm(
            traced_manager(),
            {"triage": [handoff("billing"), "x", handoff("billing"), "y"], "billing": ["z", "w"]},
        )
    run.orchestrator("first task")
    run.orchestrator("second task")
    first, second = _run_traces(spans, f"invoke_{kind}")
    assert first != second
    found = find_events(
        second, memory_id=memory_id, actor_id="user-1", endpoint_url=server.endpoint_url
    )
    # One checkpoint after each node turn and one at the end, all from the second run only.
    assert len(found) == 3
    assert {event.trace_id for event in found} == {second}
    assert {event.metadata["stateType"] for event in found} == {"MULTI_AGENT"}
