"""Extraction latency on the local server: from CreateEvent's answer to the record being listed.

A memory with the three built-in strategies (user preference, semantic, summary) receives one
conversational event at a time, "I like <thing> number <i>"; the client then polls
ListMemoryRecords on the preference namespace every 2 ms until the record appears. Reports the
median, 95th percentile and maximum, through the real boto3 client against the in-process
server and its default (rule-based) extractor.

Usage: ``python3 -m benchmarks.extraction_latency [--events 50]``
"""

from __future__ import annotations

import argparse
import statistics
import time

from agentcore_memory_otel.local import LocalMemoryServer

STRATEGIES = [
    {"userPreferenceMemoryStrategy": {"name": "prefs", "namespaceTemplates": ["/p/{actorId}"]}},
    {"semanticMemoryStrategy": {"name": "facts", "namespaceTemplates": ["/f/{actorId}"]}},
    {"summaryMemoryStrategy": {"name": "sums", "namespaceTemplates": ["/s/{actorId}/{sessionId}"]}},
]
POLL_SECONDS = 0.002
TIMEOUT_SECONDS = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50)
    args = parser.parse_args()
    latencies: list[float] = []
    with LocalMemoryServer() as server:
        control = server.client("bedrock-agentcore-control")
        client = server.client()
        memory_id = control.create_memory(
            name="bench", eventExpiryDuration=30, memoryStrategies=STRATEGIES
        )["memory"]["id"]
        for i in range(args.events):
            client.create_event(
                memoryId=memory_id,
                actorId="user",
                sessionId="session",
                eventTimestamp=time.time(),
                payload=[
                    {
                        "conversational": {
                            "role": "USER",
                            "content": {"text": f"I like thing number {i}."},
                        }
                    }
                ],
            )
            stored = time.perf_counter()
            wanted = f"The user likes thing number {i}."
            while True:
                records = client.list_memory_records(
                    memoryId=memory_id, namespace="/p/user", maxResults=1
                )["memoryRecordSummaries"]
                if records and records[0]["content"]["text"] == wanted:
                    latencies.append(time.perf_counter() - stored)
                    break
                if time.perf_counter() - stored > TIMEOUT_SECONDS:
                    raise SystemExit(f"record {i} not visible after {TIMEOUT_SECONDS} s")
                time.sleep(POLL_SECONDS)
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    print(f"{len(ms)} events, 3 strategies, rule-based extractor, in-process server")
    print(
        f"event stored -> preference record listed: median {statistics.median(ms):.1f} ms,"
        f" p95 {p95:.1f} ms, max {ms[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
