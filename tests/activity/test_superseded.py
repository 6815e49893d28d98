"""A trace's redaction shows in its activity: the rewrite, and the original gone."""

from __future__ import annotations

import json
from typing import Any

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from strands import Agent

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.activity import trace_activity
from agentcore_memory_otel.testing import GuardrailModel

from ..support import no_trim


def test_a_redaction_is_listed_as_superseded_in_its_trace(
    server: LocalMemoryServer, memory_id: str, traced_manager: Any, spans: InMemorySpanExporter
) -> None:
    manager = traced_manager()
    agent = Agent(
        model=GuardrailModel(["I cannot help with that."], redact_with="[redacted]"),
        session_manager=manager,
        conversation_manager=no_trim(),
        callback_handler=None,
    )
    result = agent("my card is 4111 1111 1111 1111")
    manager.flush()
    trace_id = manager.trace_id_of(result.message)
    assert trace_id is not None
    activity = trace_activity(
        trace_id,
        memory_id=memory_id,
        actor_id="user-1",
        session_id="traced",
        client=server.client(),
    )
    assert [(s.agent_id, s.message_id) for s in activity.superseded] == [("default", 0)]
    (rewrite,) = [e for e in activity.events if e.event_id == activity.superseded[0].event_id]
    assert [m["content"] for m in rewrite.messages] == [[{"text": "[redacted]"}]]
    # The original is gone (the full number: its digits alone may be in an id or a timestamp).
    assert "4111 1111 1111 1111" not in json.dumps(activity.to_dict(), default=str)
