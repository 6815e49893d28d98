"""Prometheus: memory metrics on a scrape endpoint (opentelemetry-exporter-prometheus)."""

import urllib.request

from opentelemetry import trace
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from prometheus_client import start_http_server
from strands import Agent

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

server_socket, _ = start_http_server(0, addr="127.0.0.1")  # port 0: any free port
port = server_socket.server_port
meter_provider = MeterProvider(metric_readers=[PrometheusMetricReader()])
# Traces beside the metrics: spans batched into a JSON-lines file (in production, OTLP).
SPANS = "prometheus-spans.jsonl"
spans_file = open(SPANS, "w", encoding="utf-8")  # noqa: SIM115 - open until the provider ends
tracer_provider = TracerProvider()
tracer_provider.add_span_processor(
    BatchSpanProcessor(
        ConsoleSpanExporter(out=spans_file, formatter=lambda span: span.to_json(indent=None) + "\n")
    )
)
trace.set_tracer_provider(tracer_provider)  # Strands uses the global provider

with LocalMemoryServer() as server:
    control = server.client("bedrock-agentcore-control")
    memory_id = control.create_memory(name="metrics", eventExpiryDuration=30)["memory"]["id"]
    config = AgentCoreMemoryConfig(memory_id=memory_id, session_id="m", actor_id="ada")
    with AgentCoreMemorySessionManager(
        config,
        endpoint_url=server.endpoint_url,
        meter_provider=meter_provider,
        tracer_provider=tracer_provider,
    ) as memory:
        agent = Agent(
            model=ScriptedModel(["one", "two"]), session_manager=memory, callback_handler=None
        )
        agent("first")
        agent("second")
    events = server.client().list_events(memoryId=memory_id, actorId="ada", sessionId="m")
    print(
        "trace id of the newest event:", events["events"][0]["metadata"]["traceId"]["stringValue"]
    )

scrape = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
for line in scrape.splitlines():
    if line.startswith(("agentcore_memory_api_calls_total", "agentcore_memory_calls_avoided")):
        print(line)
tracer_provider.shutdown()  # flushes the batch into the file
spans_file.close()
print("spans written to", SPANS)
