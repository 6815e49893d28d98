"""Prometheus: memory metrics on a scrape endpoint (opentelemetry-exporter-prometheus)."""

import urllib.request

from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from prometheus_client import start_http_server
from strands import Agent

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

server_socket, _ = start_http_server(0, addr="127.0.0.1")  # port 0: any free port
port = server_socket.server_port
meter_provider = MeterProvider(metric_readers=[PrometheusMetricReader()])

with LocalMemoryServer() as server:
    control = server.client("bedrock-agentcore-control")
    memory_id = control.create_memory(name="metrics", eventExpiryDuration=30)["memory"]["id"]
    config = AgentCoreMemoryConfig(memory_id=memory_id, session_id="m", actor_id="ada")
    with AgentCoreMemorySessionManager(
        config, endpoint_url=server.endpoint_url, meter_provider=meter_provider
    ) as memory:
        agent = Agent(
            model=ScriptedModel(["one", "two"]), session_manager=memory, callback_handler=None
        )
        agent("first")
        agent("second")

scrape = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
for line in scrape.splitlines():
    if line.startswith(("agentcore_memory_api_calls_total", "agentcore_memory_calls_avoided")):
        print(line)
