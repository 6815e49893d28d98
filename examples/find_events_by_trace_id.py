"""From a trace id (as Langfuse, Jaeger or Phoenix show it) to the memory events it wrote."""

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from strands import Agent, tool

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager, find_events
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel, ToolCall


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return "light rain, 11°C"


# The application's tracing, as Jaeger or Phoenix would receive it; here each agent call's
# span is one line on the terminal. Strands' spans give each turn a trace id.
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

with LocalMemoryServer() as server:
    control = server.client("bedrock-agentcore-control")
    memory_id = control.create_memory(name="find", eventExpiryDuration=30)["memory"]["id"]
    config = AgentCoreMemoryConfig(memory_id=memory_id, session_id="s1", actor_id="ada")
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as memory:
        agent = Agent(
            model=ScriptedModel(
                [ToolCall("get_weather", {"city": "Oslo"}), "Rainy, 11°C.", "Bye!"]
            ),
            tools=[get_weather],
            session_manager=memory,
            callback_handler=None,
        )
        # Your request handler's span: the agent's spans, and the memory events, join its trace.
        with trace.get_tracer("example").start_as_current_span("handle request") as request:
            agent("Weather in Oslo?")
        agent("Thanks")
    trace_id = trace.format_trace_id(request.get_span_context().trace_id)
    print("trace id:", trace_id)

    for event in find_events(trace_id, memory_id=memory_id, actor_id="ada", client=server.client()):
        for message in event.messages:
            print(event.event_id, message["role"], message["content"][0])
