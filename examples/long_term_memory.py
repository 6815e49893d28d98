"""Long-term memory: records retrieved by relevance are put in front of the user's words.

Records are seeded with BatchCreateMemoryRecords; each turn, the session manager searches the
configured namespaces and injects what scores above relevance_score in <user_context> tags.
"""

import time

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from strands import Agent

from agentcore_memory_otel import (
    AgentCoreMemoryConfig,
    AgentCoreMemorySessionManager,
    RetrievalConfig,
)
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

# The application's tracing: one line per span on the terminal. The retrieval is a span of
# the agent call's trace, and the stored events carry that trace's id.
provider = TracerProvider()
provider.add_span_processor(
    SimpleSpanProcessor(
        ConsoleSpanExporter(
            formatter=lambda span: f"  span {span.name}, trace {span.context.trace_id:032x}\n"
        )
    )
)
trace.set_tracer_provider(provider)

with LocalMemoryServer() as server:
    control = server.client("bedrock-agentcore-control")
    memory_id = control.create_memory(name="ltm", eventExpiryDuration=30)["memory"]["id"]
    server.client().batch_create_memory_records(
        memoryId=memory_id,
        records=[
            {
                "requestIdentifier": "diet",
                "namespaces": ["/users/ada/facts"],
                "content": {"text": "Ada is vegetarian and loves spicy food."},
                "timestamp": time.time(),
            },
            {
                "requestIdentifier": "pet",
                "namespaces": ["/users/ada/facts"],
                "content": {"text": "Ada has a cat called Pixel."},
                "timestamp": time.time(),
            },
        ],
    )
    config = AgentCoreMemoryConfig(
        memory_id=memory_id,
        session_id="dinner",
        actor_id="ada",
        retrieval_config={"/users/{actorId}/facts": RetrievalConfig(top_k=5, relevance_score=0.2)},
    )
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as memory:
        agent = Agent(
            model=ScriptedModel(["How about a spicy vegetarian curry?"]),
            session_manager=memory,
            callback_handler=None,
        )
        agent("Suggest some spicy food for dinner.")
        print("what the model saw:", agent.messages[0]["content"][0]["text"])
    events = server.client().list_events(memoryId=memory_id, actorId="ada", sessionId="dinner")
    print(
        "trace id of the newest event:", events["events"][0]["metadata"]["traceId"]["stringValue"]
    )
