"""Working alongside Langfuse's SDK and opentelemetry-instrumentation-botocore."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from strands.hooks import MessageAddedEvent

from agentcore_memory_otel.local import LocalMemoryServer

from ..support import make_agent, stored_events
from .conftest import PROVIDER, memory_spans


def test_langfuse_trace_id_equals_the_stamped_trace_id(
    traced_manager: Any, spans: InMemorySpanExporter, server: LocalMemoryServer, memory_id: str
) -> None:
    from langfuse import Langfuse

    # No Langfuse server: its exporter goes to memory, and nothing leaves the machine.
    langfuse = Langfuse(
        public_key="pk-lf-test",
        secret_key="sk-lf-test",
        base_url="http://127.0.0.1:9",
        tracer_provider=PROVIDER,
        span_exporter=InMemorySpanExporter(),
    )
    seen: list[str | None] = []
    agent = make_agent(traced_manager(), ["hello"])
    agent.hooks.add_callback(
        MessageAddedEvent, lambda _: seen.append(langfuse.get_current_trace_id())
    )
    agent("hi")
    stamped = [
        e["metadata"]["traceId"]["stringValue"]
        for e in stored_events(server, memory_id, session="traced", actor="user-1")
    ]
    assert seen == stamped
    assert len(set(seen)) == 1 and seen[0] is not None
    # Langfuse's default export filter keeps our memory spans.
    from langfuse import is_default_export_span

    assert all(is_default_export_span(span) for span in memory_spans(spans))


def test_langfuse_groups_the_traces_under_the_agentcore_session_and_actor(
    traced_manager: Any, server: LocalMemoryServer, memory_id: str
) -> None:
    from langfuse import Langfuse
    from langfuse._client.attributes import LangfuseOtelSpanAttributes

    exported = InMemorySpanExporter()
    langfuse = Langfuse(
        public_key="pk-lf-sessions",  # Langfuse keeps one client per key: a key of its own
        secret_key="sk-lf-test",
        base_url="http://127.0.0.1:9",
        tracer_provider=PROVIDER,
        span_exporter=exported,
    )
    agent = make_agent(traced_manager(session_id="chat-7", actor_id="ada"), ["one", "two"])
    agent("first")
    agent("second")
    langfuse.flush()
    # What Langfuse receives: its own session and user attributes on each agent trace.
    invocations = [s for s in exported.get_finished_spans() if s.name.startswith("invoke_agent")]
    assert len(invocations) == 2
    for span in invocations:
        assert span.attributes[LangfuseOtelSpanAttributes.TRACE_SESSION_ID] == "chat-7"
        assert span.attributes[LangfuseOtelSpanAttributes.TRACE_USER_ID] == "ada"
    # The Langfuse trace ids are the ids stamped in the session's events.
    stamped = {
        e["metadata"]["traceId"]["stringValue"]
        for e in stored_events(server, memory_id, session="chat-7", actor="ada")
    }
    assert {format(s.context.trace_id, "032x") for s in invocations} == stamped


def test_botocore_instrumentation_adds_no_duplicate_spans(
    traced_manager: Any, spans: InMemorySpanExporter, server: LocalMemoryServer, memory_id: str
) -> None:
    from opentelemetry.instrumentation.botocore import BotocoreInstrumentor

    instrumentor = BotocoreInstrumentor()
    instrumentor.instrument(tracer_provider=PROVIDER)
    try:
        agent = make_agent(traced_manager(), ["hello"])
        agent("hi")
        # Outside the session manager the instrumentation still works.
        server.client("bedrock-agentcore-control").list_memories()
        server.client().list_actors(memoryId=memory_id)
    finally:
        instrumentor.uninstrument()
    botocore_spans = [
        s
        for s in spans.get_finished_spans()
        if s.instrumentation_scope.name.startswith("opentelemetry.instrumentation")
    ]
    assert {s.attributes["rpc.method"] for s in botocore_spans} == {"ListMemories", "ListActors"}
    # Every call the session manager made has exactly one span: ours.
    assert len(memory_spans(spans)) == server.stats.count() - 3  # minus CreateMemory and above
