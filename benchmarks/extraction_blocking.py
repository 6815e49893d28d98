"""Does a long extraction stop the local server from answering? p99 of a concurrent client.

A memory with the built-in preference, fact and summary strategies receives events whose one
message is the longest text an event may carry (100,000 characters) written to be the rule-based
extractor's worst case. From the first CreateEvent until the extraction worker is idle, a
second client makes sequential GetMemory calls; its latency is compared with the same client's
on an idle server.
Both run in this process against the in-process server (worst case: one GIL for all).

Usage: ``python3 -m benchmarks.extraction_blocking [--chars 100000] [--events 3]``
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from typing import Any

from agentcore_memory_otel.local import LocalMemoryServer

from .local_server import percentile

STRATEGIES = [
    {"userPreferenceMemoryStrategy": {"name": "prefs", "namespaceTemplates": ["/p/{actorId}"]}},
    {"semanticMemoryStrategy": {"name": "facts", "namespaceTemplates": ["/f/{actorId}"]}},
    {"summaryMemoryStrategy": {"name": "sums", "namespaceTemplates": ["/s/{actorId}/{sessionId}"]}},
]
# Texts that made the rule-based extractor's patterns backtrack before issue 22.
HOSTILE_UNITS = ("my favourite ", "my favorite a ", "I really ", " ")


def _calls(control: Any, memory_id: str, until: threading.Event) -> list[float]:
    samples = []
    while not until.is_set():
        started = time.perf_counter()
        control.get_memory(memoryId=memory_id)
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    """Measure idle and during-extraction latency; print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=100_000, help="characters per message")
    parser.add_argument("--events", type=int, default=len(HOSTILE_UNITS))
    parser.add_argument("--idle-seconds", type=float, default=2.0)
    args = parser.parse_args()
    with LocalMemoryServer() as server:
        control = server.client("bedrock-agentcore-control")
        data = server.client()
        memory_id = control.create_memory(
            name="blocking", eventExpiryDuration=30, memoryStrategies=STRATEGIES
        )["memory"]["id"]
        for _ in range(20):
            control.get_memory(memoryId=memory_id)
        stop = threading.Event()
        threading.Timer(args.idle_seconds, stop.set).start()
        idle = _calls(control, memory_id, stop)

        busy_stop = threading.Event()
        busy: list[float] = []
        client_thread = threading.Thread(
            target=lambda: busy.extend(_calls(control, memory_id, busy_stop))
        )
        started = time.perf_counter()
        client_thread.start()
        for index in range(args.events):
            unit = HOSTILE_UNITS[index % len(HOSTILE_UNITS)]
            text = (unit * (args.chars // len(unit) + 1))[: args.chars]
            data.create_event(
                memoryId=memory_id,
                actorId="user",
                sessionId="session",
                eventTimestamp=time.time(),
                payload=[{"conversational": {"role": "USER", "content": {"text": text}}}],
            )
        server.backend.extraction.wait_idle(timeout=600)
        busy_stop.set()
        client_thread.join()
        extraction_seconds = time.perf_counter() - started
        jobs = data.list_memory_extraction_jobs(memoryId=memory_id)["jobs"]
        failed = [job for job in jobs if job.get("status") == "FAILED"]
        if len(jobs) != args.events * len(STRATEGIES) or failed:
            raise SystemExit(f"extraction did not run as expected: {jobs}")
    print(
        f"{args.events} events of {args.chars:,} hostile characters, 3 strategies, in-process, "
        f"{os.cpu_count()} CPUs; extraction took {extraction_seconds:.2f} s"
    )
    print()
    print("| GetMemory while | calls | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|")
    for name, samples in (("idle", idle), ("extracting", busy)):
        ms = [s * 1000 for s in samples]
        print(
            f"| {name} | {len(ms)} | {percentile(ms, 50):.2f} | {percentile(ms, 99):.2f} |"
            f" {max(ms):.2f} |"
        )


if __name__ == "__main__":
    main()
