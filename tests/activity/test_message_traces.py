"""``trace_id_of`` and ``last_trace_id``: by identity, bounded, and ``None`` when unknown."""

from __future__ import annotations

import copy

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from strands.types.content import Message

from agentcore_memory_otel.session import message_traces
from agentcore_memory_otel.session.message_traces import MessageTraces

from ..telemetry.conftest import PROVIDER


def _message(role: str, text: str) -> Message:
    return {"role": role, "content": [{"text": text}]}  # type: ignore[typeddict-item]


def test_messages_are_known_by_identity_and_the_last_reply_wins(
    spans: InMemorySpanExporter,
) -> None:
    traces = MessageTraces()
    question, reply, later = (
        _message("user", "q"),
        _message("assistant", "a"),
        _message("user", "b"),
    )
    tracer = PROVIDER.get_tracer("test")
    with tracer.start_as_current_span("first") as first:
        traces.note(question, "a", [question])
        traces.note(reply, "a", [question, reply])
    with tracer.start_as_current_span("second"):
        traces.note(
            later, "a", [question, reply, later]
        )  # a user message does not change the latest reply's trace
    first_id = trace.format_trace_id(first.get_span_context().trace_id)
    assert traces.trace_id_of(reply) == traces.trace_id_of(question) == first_id
    assert traces.last_trace_id == first_id
    assert traces.trace_id_of(copy.deepcopy(reply)) is None  # an equal dict is another message
    traces.note(_message("assistant", "outside any span"), "a", [])
    assert traces.last_trace_id == first_id


def test_messages_the_agent_dropped_are_forgotten_and_held_ones_kept(
    spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(message_traces, "FORGET_SLACK", 0)
    traces = MessageTraces()
    messages = [_message("user", str(i)) for i in range(5)]
    held: list[Message] = []
    with PROVIDER.get_tracer("test").start_as_current_span("turn"):
        for message in messages:
            held = [*held, message][-2:]  # a window of two
            traces.note(message, "a", held)
        other = _message("assistant", "another agent's")
        traces.note(other, "b", [other])  # another agent's forgetting is its own
    known = [traces.trace_id_of(m) is not None for m in messages]
    assert known[-2:] == [True, True] and known[:2] == [False, False]
    assert traces.trace_id_of(other) is not None
