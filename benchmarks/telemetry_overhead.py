"""What the package's telemetry adds to an agent turn.

Runs the same workload (a Strands agent with a scripted model, alternating plain turns and
turns with one tool call, ``batch_size=1``) against the local server in its own process, with
the session manager's telemetry on the real OpenTelemetry SDK (tracer provider with a batch
span processor into an in-memory exporter, meter provider with an in-memory reader) and with
no providers (the no-op API). Two agents, one per mode, take turns alternately, so machine
noise hits both alike; turn i of one mode is compared with turn i of the other.

Usage: ``python3 -m benchmarks.telemetry_overhead [--turns 400] [--latency-ms 20]``
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
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from strands import Agent, tool
from strands.agent.conversation_manager import SlidingWindowConversationManager

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.testing import ScriptedModel, ToolCall

from .local_server import CREDENTIALS, server_process


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def build_agent(
    endpoint: str, memory_id: str, session_id: str, turns: int, providers: dict[str, Any]
) -> tuple[Agent, AgentCoreMemorySessionManager]:
    """An agent whose script alternates plain turns and turns with one tool call."""
    script: list[Any] = []
    for i in range(turns):
        script += ["Hello!"] if i % 2 == 0 else [ToolCall("add", {"a": i, "b": 1}), "Done."]
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id,
            session_id=session_id,
            actor_id="bench",
            # Pacing under the 5 TPS quota would make every turn wait ~0.5 s in both modes and
            # hide what telemetry costs; this measures the calls themselves.
            create_event_rate=None,
        ),
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
    return agent, manager


def main() -> None:
    """Run the comparison and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=400, help="turns per mode")
    parser.add_argument(
        "--processor",
        choices=["batch", "simple"],
        default="batch",
        help="span processor in front of the in-memory exporter",
    )
    parser.add_argument(
        "--only", choices=["traces", "metrics"], help="enable one signal, to see what it costs"
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="simulated network round trip added by the local server to every call",
    )
    args = parser.parse_args()
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    processor = BatchSpanProcessor if args.processor == "batch" else SimpleSpanProcessor
    tracer_provider.add_span_processor(processor(spans))
    reader = InMemoryMetricReader()
    enabled: dict[str, Any] = {
        "tracer_provider": tracer_provider,
        "meter_provider": MeterProvider(metric_readers=[reader]),
    }
    if args.only == "traces":
        del enabled["meter_provider"]
    elif args.only == "metrics":
        del enabled["tracer_provider"]
    modes: dict[str, dict[str, Any]] = {"off": {}, "on": enabled}
    samples: dict[str, list[float]] = {mode: [] for mode in modes}
    exported = 0
    with server_process("--latency-ms", str(args.latency_ms)) as endpoint:
        control = boto3.client(
            "bedrock-agentcore-control",
            endpoint_url=endpoint,
            region_name="us-east-1",
            **CREDENTIALS,
        )
        memory_id = control.create_memory(name="bench", eventExpiryDuration=30)["memory"]["id"]
        agents = {
            mode: build_agent(endpoint, memory_id, f"bench-{mode}", args.turns + 20, providers)
            for mode, providers in modes.items()
        }
        for i in range(args.turns + 20):
            # Alternate turn by turn (and which goes first) so drift hits both modes alike.
            order = list(modes) if i % 2 == 0 else list(reversed(modes))
            for mode in order:
                started = time.perf_counter()
                agents[mode][0](f"turn {i}")
                if i >= 20:  # the first 20 turns warm up
                    samples[mode].append(time.perf_counter() - started)
            if i % 50 == 49:
                # Drain the in-memory exporter as a real exporter would after sending;
                # keeping every span alive would slow garbage collection in both modes.
                tracer_provider.force_flush()
                exported += len(spans.get_finished_spans())
                spans.clear()
        for _, manager in agents.values():
            manager.close()
    tracer_provider.force_flush()
    exported += len(spans.get_finished_spans())
    # Turn i is the same kind of turn (plain or with a tool call) in both modes, so the
    # per-turn ratios are paired; their median is robust to the bimodal turn times.
    paired = statistics.median(
        on / off for on, off in zip(samples["on"], samples["off"], strict=True)
    )
    print(
        f"{args.turns} turns per mode (half with a tool call), alternating turn by turn, "
        f"batch_size=1, local server in its own process adding {args.latency_ms:g} ms per "
        f"call, {args.processor} span processor; {exported} spans exported"
    )
    print()
    print("| telemetry | mean turn time (ms) | median (ms) |")
    print("|---|---|---|")
    for mode, label in (
        ("off", "off (no-op API)"),
        ("on", "on (SDK: batch span processor, in-memory exporter and reader)"),
    ):
        print(
            f"| {label} | {statistics.mean(samples[mode]) * 1000:.2f} | "
            f"{statistics.median(samples[mode]) * 1000:.2f} |"
        )
    mean_ratio = statistics.mean(samples["on"]) / statistics.mean(samples["off"])
    print(f"| ratio on/off | {mean_ratio:.3f} (means) | {paired:.3f} (median of paired turns) |")


if __name__ == "__main__":
    main()
