"""What the package's telemetry adds to an agent turn.

Runs the same workload (a Strands agent with a scripted model, alternating plain turns and
turns with one tool call, ``batch_size=1``) against the local server in its own process, with
the session manager's telemetry on the real OpenTelemetry SDK (tracer provider with a batch
span processor into an in-memory exporter, meter provider with an in-memory reader) and with
no providers (the no-op API). Rounds alternate between the two to spread machine noise, and
the median turn time of each is compared.

Usage: ``python benchmarks/telemetry_overhead.py [--turns 100] [--rounds 7]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import boto3
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from strands import Agent, tool
from strands.agent.conversation_manager import SlidingWindowConversationManager

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.scripted_model import ScriptedModel, ToolCall

from .local_server import CREDENTIALS, server_process


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def run_round(
    endpoint: str, memory_id: str, session_id: str, turns: int, providers: dict[str, Any]
) -> list[float]:
    """Seconds per turn for one agent session of ``turns`` turns."""
    script: list[Any] = []
    for i in range(turns):
        script += ["Hello!"] if i % 2 == 0 else [ToolCall("add", {"a": i, "b": 1}), "Done."]
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(memory_id=memory_id, session_id=session_id, actor_id="bench"),
        endpoint_url=endpoint,
        **providers,
    )
    agent = Agent(
        model=ScriptedModel(script),
        tools=[add],
        session_manager=manager,
        conversation_manager=SlidingWindowConversationManager(window_size=40),
        callback_handler=None,
    )
    samples = []
    for i in range(turns):
        started = time.perf_counter()
        agent(f"turn {i}")
        samples.append(time.perf_counter() - started)
    manager.close()
    return samples


def main() -> None:
    """Run the comparison and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(spans))
    reader = InMemoryMetricReader()
    enabled = {
        "tracer_provider": tracer_provider,
        "meter_provider": MeterProvider(metric_readers=[reader]),
    }
    results: dict[str, list[float]] = {"disabled": [], "enabled": []}
    with server_process() as endpoint:
        control = boto3.client(
            "bedrock-agentcore-control",
            endpoint_url=endpoint,
            region_name="us-east-1",
            **CREDENTIALS,
        )
        memory_id = control.create_memory(name="bench", eventExpiryDuration=30)["memory"]["id"]
        run_round(endpoint, memory_id, "warmup", 20, {})
        for round_ in range(args.rounds):
            order = ["disabled", "enabled"] if round_ % 2 == 0 else ["enabled", "disabled"]
            for mode in order:
                providers = enabled if mode == "enabled" else {}
                samples = run_round(endpoint, memory_id, f"{mode}-{round_}", args.turns, providers)
                results[mode].append(statistics.median(samples))
    tracer_provider.force_flush()
    disabled = statistics.median(results["disabled"])
    enabled_ms = statistics.median(results["enabled"])
    print(
        f"{args.rounds} rounds x {args.turns} turns (half with a tool call), batch_size=1, "
        f"local server in its own process; {len(spans.get_finished_spans())} spans exported"
    )
    print()
    print("| telemetry | median turn time (ms) |")
    print("|---|---|")
    print(f"| off (no-op API) | {disabled * 1000:.2f} |")
    print(
        f"| on (SDK, batch span processor, in-memory exporter and reader) | "
        f"{enabled_ms * 1000:.2f} |"
    )
    print(f"| ratio on/off | {enabled_ms / disabled:.3f} |")


if __name__ == "__main__":
    main()
