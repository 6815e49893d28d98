"""Langfuse: the trace Langfuse shows is the trace stamped into the memory events.

With LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY set, spans go to Langfuse (LANGFUSE_BASE_URL,
default cloud). Without them the example runs offline and keeps the spans in memory.
Needs the langfuse extra: python3 -m pip install -e ".[langfuse]".
"""

import os

from langfuse import Langfuse
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from strands import Agent
from strands.hooks import MessageAddedEvent

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

provider = TracerProvider()
trace.set_tracer_provider(provider)  # Strands and Langfuse both use it
online = bool(os.environ.get("LANGFUSE_PUBLIC_KEY") and os.environ.get("LANGFUSE_SECRET_KEY"))
langfuse = (
    Langfuse(tracer_provider=provider)
    if online
    else Langfuse(
        public_key="pk-lf-offline",
        secret_key="sk-lf-offline",
        base_url="http://127.0.0.1:9",
        tracer_provider=provider,
        span_exporter=InMemorySpanExporter(),
    )
)

with LocalMemoryServer() as server:
    control = server.client("bedrock-agentcore-control")
    memory_id = control.create_memory(name="langfuse", eventExpiryDuration=30)["memory"]["id"]
    config = AgentCoreMemoryConfig(memory_id=memory_id, session_id="lf", actor_id="ada")
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as memory:
        agent = Agent(
            model=ScriptedModel(["Hello!"]), session_manager=memory, callback_handler=None
        )
        seen = []
        agent.hooks.add_callback(
            MessageAddedEvent, lambda _: seen.append(langfuse.get_current_trace_id())
        )
        agent("Hi")
    event = server.client().list_events(memoryId=memory_id, actorId="ada", sessionId="lf")[
        "events"
    ][0]
    print("Langfuse trace id:   ", seen[-1])
    print("stamped in the event:", event["metadata"]["traceId"]["stringValue"])
langfuse.flush()
