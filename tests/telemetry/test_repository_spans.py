"""The repository methods and ``memory_client`` are traced like every other memory call."""

from __future__ import annotations

from collections import Counter
from typing import Any

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from strands.types.session import Session, SessionAgent, SessionMessage, SessionType

from agentcore_memory_otel.local import LocalMemoryServer

from .conftest import memory_spans

SESSION = "traced"
ACTOR = "user-1"


def test_every_server_call_has_one_client_span(
    traced_manager: Any, spans: InMemorySpanExporter, server: LocalMemoryServer, memory_id: str
) -> None:
    manager = traced_manager()
    spans.clear()
    server.stats.reset()
    message: Any = {"role": "user", "content": [{"text": "hello"}]}
    manager.create_session(Session(SESSION, SessionType.AGENT))
    manager.create_agent(SESSION, SessionAgent("helper", {"n": 1}, {}))
    manager.update_agent(SESSION, SessionAgent("helper", {"n": 2}, {}))
    manager.create_message(SESSION, "helper", SessionMessage(message, 0))
    manager.update_message(SESSION, "helper", SessionMessage(message, 0))
    manager.read_session(SESSION)
    manager.read_agent(SESSION, "helper")
    manager.read_message(SESSION, "helper", 0)
    manager.list_messages(SESSION, "helper", limit=1)
    client = manager.memory_client
    ids = {"memory_id": memory_id, "actor_id": ACTOR, "session_id": SESSION}
    events = client.list_events(**ids)
    client.get_event(
        memoryId=memory_id, actorId=ACTOR, sessionId=SESSION, eventId=events[0]["eventId"]
    )
    client.get_last_k_turns(**ids)
    client.retrieve_memories(memory_id=memory_id, namespace="/facts", query="tea")
    manager.delete_session(SESSION)

    traced = memory_spans(spans)
    assert all(span.kind is SpanKind.CLIENT for span in traced)
    by_operation = Counter(str(span.attributes["rpc.method"]) for span in traced)
    served = {op: server.stats.count(op) for op in by_operation}
    assert by_operation == served
    assert set(by_operation) == {
        "CreateEvent",
        "ListEvents",
        "GetEvent",
        "RetrieveMemoryRecords",
        "DeleteEvent",
    }
    assert sum(by_operation.values()) == server.stats.count()
