"""Feedback by trace: a thumbs-down on a reply becomes a Langfuse score on the reply's trace.

The session manager tells which trace produced a message (``trace_id_of``) or the latest
reply (``last_trace_id``); that is the id Langfuse shows for the agent call. With
LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY set, the score is posted (LANGFUSE_BASE_URL,
default cloud); without them the example runs offline and only says what it would post.
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
    memory_id = control.create_memory(name="feedback", eventExpiryDuration=30)["memory"]["id"]
    config = AgentCoreMemoryConfig(memory_id=memory_id, session_id="fb", actor_id="ada")
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as memory:
        agent = Agent(
            model=ScriptedModel(["Paris is the capital of Italy."]),
            session_manager=memory,
            callback_handler=None,
        )
        # What Langfuse's own SDK calls the current trace, while the agent runs.
        inside = []
        agent.hooks.add_callback(
            MessageAddedEvent, lambda _: inside.append(langfuse.get_current_trace_id())
        )
        result = agent("What is the capital of France?")

        # Later, the user gives the reply a thumbs-down: score the trace that produced it.
        trace_id = memory.trace_id_of(result.message)
        assert trace_id == memory.last_trace_id
    reply_event = server.client().list_events(memoryId=memory_id, actorId="ada", sessionId="fb")[
        "events"
    ][0]
    print("Langfuse trace id in the call:", inside[-1])
    print("trace_id_of(reply):           ", trace_id)
    print("stamped in the event:", reply_event["metadata"]["traceId"]["stringValue"])
    if online:
        langfuse.create_score(
            name="user-feedback",
            value=0,
            data_type="BOOLEAN",
            trace_id=trace_id,
            comment="thumbs down: wrong capital",
        )
        print("score posted on trace", trace_id)
    else:
        print("offline: would post score user-feedback=0 on trace", trace_id)
langfuse.flush()
