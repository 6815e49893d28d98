"""The console's trace lookup across a whole memory: one indexed query, whatever the memory's size.

Fills a memory of ``actors`` x ``sessions`` sessions with ``events`` events each (every session
is one trace per turn of two events), straight through the backend, then times
``GET /console/api/trace`` over HTTP for traces picked at random, with and without the
``events_trace`` index. For scale, also prints the ListActors/ListSessions/ListEvents calls a
client walking the same memory over the AgentCore API would need to find the trace's session.

Usage: ``python3 -m benchmarks.console_trace_lookup [--actors 100] [--sessions 10] [--events 10]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.local.events import NewEvent


def fill(
    server: LocalMemoryServer, actors: int, sessions: int, events: int
) -> tuple[str, list[str]]:
    """Create the memory and its events; return its id and every trace id stored."""
    memory_id = server.backend.memories.create({"name": "bench", "eventExpiryDuration": 30})["id"]
    traces = []
    ts = 1_700_000_000_000
    for actor in range(actors):
        for session in range(sessions):
            for index in range(events):
                if index % 2 == 0:
                    traces.append(f"{random.getrandbits(128):032x}")
                ts += 1
                server.backend.events.create(
                    memory_id,
                    NewEvent(
                        actor_id=f"actor-{actor:03d}",
                        session_id=f"session-{session:02d}",
                        timestamp_ms=ts,
                        payload=[{"conversational": {"role": "USER", "content": {"text": "hi"}}}],
                        metadata={"traceId": {"stringValue": traces[-1]}},
                    ),
                )
    return memory_id, traces


def time_lookups(
    server: LocalMemoryServer, memory_id: str, traces: list[str], n: int
) -> list[float]:
    """Milliseconds per lookup of ``n`` random traces; each must find its two events."""
    timings = []
    for trace_id in random.sample(traces, n):
        url = f"{server.console_url}/api/trace?memoryId={memory_id}&traceId={trace_id}"
        start = time.perf_counter()
        with urllib.request.urlopen(url) as response:
            found = json.load(response)["events"]
        timings.append((time.perf_counter() - start) * 1000)
        assert len(found) == 2, found
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actors", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--lookups", type=int, default=50)
    args = parser.parse_args()
    random.seed(7)
    with tempfile.TemporaryDirectory() as tmp, LocalMemoryServer(Path(tmp) / "bench.db") as server:
        start = time.perf_counter()
        memory_id, traces = fill(server, args.actors, args.sessions, args.events)
        stored = args.actors * args.sessions * args.events
        print(f"stored {stored} events in {time.perf_counter() - start:.1f} s")
        indexed = time_lookups(server, memory_id, traces, args.lookups)
        with server.backend.db.write() as conn:
            conn.execute("DROP INDEX events_trace")
        scanned = time_lookups(server, memory_id, traces, args.lookups)
    rows = [("with the events_trace index", indexed), ("without it (full scan)", scanned)]
    print(f"\nGET /console/api/trace, {args.lookups} random traces, memory of {stored} events:")
    print("| lookup | p50 ms | p95 ms |\n|---|---|---|")
    for label, timings in rows:
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(f"| {label} | {statistics.median(timings):.1f} | {p95:.1f} |")
    walk = 1 + args.actors + args.actors * args.sessions
    print(
        f"\nOne HTTP request per lookup. Walking the memory over the AgentCore API instead takes "
        f"up to {walk} calls (ListActors, one ListSessions per actor, one ListEvents per "
        "session), fewer when it stops at the trace's session."
    )


if __name__ == "__main__":
    main()
