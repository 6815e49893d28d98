"""The AgentCore session and actor on the agent's spans, as ``session.id`` and ``user.id``."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from strands import Agent
from strands.multiagent import GraphBuilder, Swarm

from agentcore_memory_otel.telemetry import apply_session_attributes
from agentcore_memory_otel.testing import ScriptedModel, ToolCall

from ..support import make_agent


def _agent_spans(spans: InMemorySpanExporter) -> list[Any]:
    return [
        s
        for s in spans.get_finished_spans()
        if s.instrumentation_scope.name == "strands.telemetry.tracer"
    ]


def test_the_agents_spans_carry_the_session_and_actor(
    traced_manager: Any, spans: InMemorySpanExporter
) -> None:
    agent = make_agent(traced_manager(), [ToolCall("add", {"a": 1, "b": 2}), "3"])
    agent("add 1 and 2")
    (invoke,) = [s for s in spans.get_finished_spans() if s.name.startswith("invoke_agent")]
    assert invoke.attributes["session.id"] == "traced"
    assert invoke.attributes["user.id"] == "user-1"
    # Strands copies trace attributes onto its cycle, model and tool spans too.
    inner = _agent_spans(spans)
    assert len(inner) > 3
    assert all(s.attributes.get("session.id") == "traced" for s in inner)


def test_values_the_user_set_are_kept(traced_manager: Any, spans: InMemorySpanExporter) -> None:
    agent = make_agent(traced_manager(), ["hi"], trace_attributes={"session.id": "mine"})
    agent("hello")
    (invoke,) = [s for s in spans.get_finished_spans() if s.name.startswith("invoke_agent")]
    assert invoke.attributes["session.id"] == "mine"
    assert invoke.attributes["user.id"] == "user-1"


def test_the_config_turns_it_off(traced_manager: Any, spans: InMemorySpanExporter) -> None:
    agent = make_agent(traced_manager(session_trace_attributes=False), ["hi"])
    agent("hello")
    assert agent.trace_attributes == {}
    (invoke,) = [s for s in spans.get_finished_spans() if s.name.startswith("invoke_agent")]
    assert "session.id" not in invoke.attributes and "user.id" not in invoke.attributes


def _node(name: str, reply: str) -> Agent:
    return Agent(name=name, model=ScriptedModel([reply]), callback_handler=None)


def test_graphs_and_swarms_get_the_same_attributes(spans: InMemorySpanExporter) -> None:
    builder = GraphBuilder()
    builder.add_node(_node("first", "one"), "first")
    builder.add_node(_node("second", "two"), "second")
    builder.add_edge("first", "second")
    builder.set_max_node_executions(5)
    graph = builder.build()
    swarm = Swarm([_node("solo", "done")])
    for multi in (graph, swarm):
        apply_session_attributes(multi, session_id="s-1", actor_id="a-1")
        multi("go")
    roots = [s for s in spans.get_finished_spans() if s.name.startswith("invoke_")]
    multi_spans = [s for s in roots if s.name in {"invoke_graph", "invoke_swarm"}]
    assert {s.name for s in multi_spans} == {"invoke_graph", "invoke_swarm"}
    for span in multi_spans:
        assert span.attributes["session.id"] == "s-1"
        assert span.attributes["user.id"] == "a-1"


def test_a_graph_and_a_swarm_on_the_session_manager_get_them(
    traced_manager: Any, spans: InMemorySpanExporter
) -> None:
    builder = GraphBuilder()
    builder.add_node(_node("first", "one"), "first")
    builder.set_session_manager(traced_manager())
    builder.build()("go")
    Swarm([_node("solo", "done")], session_manager=traced_manager())("go")
    multi_spans = [
        s for s in spans.get_finished_spans() if s.name in {"invoke_graph", "invoke_swarm"}
    ]
    assert sorted(s.name for s in multi_spans) == ["invoke_graph", "invoke_swarm"]
    for span in multi_spans:
        assert span.attributes["session.id"] == "traced"
        assert span.attributes["user.id"] == "user-1"


class _Holder:
    def __init__(self, attributes: Any) -> None:
        self.trace_attributes = attributes


class _Broken:
    @property
    def trace_attributes(self) -> dict[str, Any]:
        raise RuntimeError("no attributes here")


def test_objects_without_trace_attributes_are_left_alone() -> None:
    bare = object()
    apply_session_attributes(bare, session_id="s", actor_id="a")
    assert not hasattr(bare, "trace_attributes")
    for value in (None, ["not", "a", "dict"], "text"):
        holder = _Holder(value)
        apply_session_attributes(holder, session_id="s", actor_id="a")
        assert holder.trace_attributes == value  # not replaced, not touched
    apply_session_attributes(_Broken(), session_id="s", actor_id="a")  # guarded: no error


def test_attributes_are_added_and_the_users_own_kept() -> None:
    fresh, own = _Holder({}), _Holder({"session.id": "mine", "other": 1})
    apply_session_attributes(fresh, session_id="s", actor_id="a")
    apply_session_attributes(own, session_id="s", actor_id="a")
    assert fresh.trace_attributes == {"session.id": "s", "user.id": "a"}
    assert own.trace_attributes == {"session.id": "mine", "other": 1, "user.id": "a"}
