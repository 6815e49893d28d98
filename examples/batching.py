"""Batching: one CreateEvent per agent invocation instead of one per message.

The context manager flushes anything still buffered when the block ends. A batched event
carries the trace of the agent call whose messages it holds; a message appended outside any
span is stored without one.
"""

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from strands import Agent, tool

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel, ToolCall


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


# The application's tracing: spans batched into a JSON-lines file (in production, an OTLP
# exporter to your collector). Strands uses the global provider.
SPANS = "batching-spans.jsonl"
spans_file = open(SPANS, "w", encoding="utf-8")  # noqa: SIM115 - open until the provider ends
provider = TracerProvider()
provider.add_span_processor(
    BatchSpanProcessor(
        ConsoleSpanExporter(out=spans_file, formatter=lambda span: span.to_json(indent=None) + "\n")
    )
)
trace.set_tracer_provider(provider)

with LocalMemoryServer() as server:
    control = server.client("bedrock-agentcore-control")
    memory_id = control.create_memory(name="batching", eventExpiryDuration=30)["memory"]["id"]
    config = AgentCoreMemoryConfig(
        memory_id=memory_id, session_id="batched", actor_id="ada", batch_size=10
    )
    replies: list[str | ToolCall] = [ToolCall("add", {"a": 2, "b": 3}), "It is 5.", "Welcome."]
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as memory:
        agent = Agent(
            model=ScriptedModel(replies), tools=[add], session_manager=memory, callback_handler=None
        )
        agent("What is 2 + 3?")  # 4 messages
        agent("Thanks!")  # 2 messages
        memory.append_message({"role": "user", "content": [{"text": "(a note)"}]}, agent)
        print("buffered before the block ends:", memory.pending_message_count())
    print("messages stored: 7, CreateEvent calls:", server.stats.count("CreateEvent"))
    events = server.client().list_events(memoryId=memory_id, actorId="ada", sessionId="batched")
    stamps = []  # oldest first: each agent call's batch carries that call's trace
    for event in reversed(events["events"]):
        stamp = event.get("metadata", {}).get("traceId", {}).get("stringValue")
        print(f"event of {len(event['payload'])} item(s), trace id:", stamp or "none (no span)")
        stamps += [stamp] if stamp else []

provider.shutdown()  # flushes the batch into the file
spans_file.close()
with open(SPANS, encoding="utf-8") as written:
    matching = sum(f'"0x{stamps[0]}"' in line for line in written)
print(f"spans of trace {stamps[0]} in {SPANS}: {matching}")
