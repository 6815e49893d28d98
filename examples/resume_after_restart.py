"""Resume after a restart: the local server keeps everything in a SQLite file.

The first block plays one process, the second a later one: server, session manager and agent
are all new, and the agent continues where it left off.
"""

import tempfile
from pathlib import Path

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from strands import Agent

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

database = Path(tempfile.mkdtemp()) / "memory.db"

# The application's tracing: each agent call's span, one line on the terminal.
provider = TracerProvider()
provider.add_span_processor(
    SimpleSpanProcessor(
        ConsoleSpanExporter(
            formatter=lambda span: (
                f"  span {span.name}, trace {span.context.trace_id:032x}\n"
                if span.name.startswith("invoke_agent")
                else ""
            )
        )
    )
)
trace.set_tracer_provider(provider)

with LocalMemoryServer(database) as server:  # first run
    control = server.client("bedrock-agentcore-control")
    memory_id = control.create_memory(name="resume", eventExpiryDuration=30)["memory"]["id"]
    config = AgentCoreMemoryConfig(memory_id=memory_id, session_id="trip", actor_id="ada")
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as memory:
        agent = Agent(
            model=ScriptedModel(["Oslo it is."]), session_manager=memory, callback_handler=None
        )
        agent.state.set("destination", "Oslo")
        agent("Let's go to Oslo.")

# After the restart: a new server on the same file, a new session manager, a new agent.
with (
    LocalMemoryServer(database) as server,
    AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as memory,
):
    agent = Agent(
        model=ScriptedModel(["Still Oslo."]), session_manager=memory, callback_handler=None
    )
    print("restored messages:", len(agent.messages))
    print("restored state:", agent.state.get("destination"))
    print("reads to restore:", server.stats.count("ListEvents"))
    agent("Where are we going again?")
    # Each event names the trace, so the run, that wrote it: two runs, two traces.
    events = server.client().list_events(memoryId=memory_id, actorId="ada", sessionId="trip")
    for event in reversed(events["events"]):
        stamp = event.get("metadata", {}).get("traceId", {}).get("stringValue", "none")
        role = event["payload"][0].get("conversational", {}).get("role", "record")
        print(f"event {role.lower():<9} trace id: {stamp}")
