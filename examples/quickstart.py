"""Quick start: a Strands agent with durable memory, each event stamped with its trace.

Offline (embedded server in quickstart.db, scripted model); run it twice to see a restore.
"""

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from strands import Agent

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel  # a stand-in for an LLM: no credentials


def one_line(span: ReadableSpan) -> str:
    """A finished span as one line: its name and trace id."""
    return f"  span {span.name:<28} trace {span.context.trace_id:032x}\n"


# Your application's tracing: here spans go to the terminal, one line each (swap in your
# exporter, e.g. OTLP). Strands uses the global provider; each event stores its trace id.
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(formatter=one_line)))
trace.set_tracer_provider(provider)

with LocalMemoryServer("quickstart.db") as server:  # real AWS: boto3 clients, no endpoint_url
    control = server.client("bedrock-agentcore-control")
    # Reuse the memory named "quickstart": its id is "quickstart-" and 10 more characters.
    memories = control.list_memories()["memories"]
    ids = [m["id"] for m in memories if m["id"].startswith("quickstart-")]
    if not ids:  # the first run creates it
        ids = [control.create_memory(name="quickstart", eventExpiryDuration=30)["memory"]["id"]]
    memory_id = ids[0]

    config = AgentCoreMemoryConfig(memory_id=memory_id, session_id="chat-1", actor_id="ada")
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as memory:
        agent = Agent(
            model=ScriptedModel(["Nice to meet you, Ada!"]),
            session_manager=memory,
            callback_handler=None,
        )
        print(f"restored {len(agent.messages)} messages")  # 0 the first time, 2 more each run
        print("agent:", str(agent("Hi, I'm Ada.")).strip())

    events = server.client().list_events(memoryId=memory_id, actorId="ada", sessionId="chat-1")
    newest = events["events"][0]["metadata"]
    print("\ntrace id of the newest event:", newest["traceId"]["stringValue"])
