"""Calls and time of ``find_events`` with a trace id alone, on a memory of 100 actors x 10 sessions.

Runs ``agentcore-memory-otel serve`` as its own process on a loopback port, writes one event per
session (each stamped with its own trace id), then looks up trace ids held by the first session
walked, one in the middle, the last one, and one held nowhere: with the default rate limits
(AgentCore's default TPS quotas) and without any. Calls are the lookup's own ``report``; they
are checked against the server's counts.

Usage: ``python3 -m benchmarks.find_events_scan [--actors 100] [--sessions 10] [--workers 8]``
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3

from agentcore_memory_otel import find_events
from agentcore_memory_otel.telemetry.find import DEFAULT_RATE_LIMITS

from .local_server import CONFIG, CREDENTIALS, server_process

UNLIMITED = dict.fromkeys(DEFAULT_RATE_LIMITS, 0.0)


def trace_of(actor: int, session: int) -> str:
    """The trace id stamped in the event of ``actor``'s ``session``."""
    return f"{actor:016x}{session:016x}"


def populate(client: Any, memory_id: str, actors: int, sessions: int) -> None:
    """One event per session; sessions of an actor are created in index order."""

    def write(actor: int) -> None:
        for session in range(sessions):
            client.create_event(
                memoryId=memory_id,
                actorId=f"actor-{actor:03d}",
                sessionId=f"session-{session:02d}",
                eventTimestamp=time.time(),
                payload=[{"conversational": {"role": "USER", "content": {"text": "hi"}}}],
                metadata={"traceId": {"stringValue": trace_of(actor, session)}},
            )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(actors)))


def main() -> None:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--workers", type=int, default=8, help="find_events max_workers")
    args = parser.parse_args()
    last, newest = args.actors - 1, args.sessions - 1
    # Actors are walked in id order, each one's sessions newest first.
    cases = [
        ("first session walked", trace_of(0, newest)),
        ("middle actor, middle session", trace_of(args.actors // 2, args.sessions // 2)),
        ("last session walked", trace_of(last, 0)),
        ("held nowhere (full walk)", "f" * 32),
    ]
    rows = []
    with server_process() as endpoint:
        options: dict[str, Any] = {
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "config": CONFIG,
            **CREDENTIALS,
        }
        control = boto3.client("bedrock-agentcore-control", **options)
        memory_id = control.create_memory(name="scan", eventExpiryDuration=30)["memory"]["id"]
        client = boto3.client("bedrock-agentcore", **options)
        populate(client, memory_id, args.actors, args.sessions)
        for limits_name, limits in (("default quotas", None), ("no rate limit", UNLIMITED)):
            for case, trace_id in cases:
                found = find_events(
                    trace_id,
                    memory_id=memory_id,
                    client=client,
                    max_workers=args.workers,
                    rate_limits=limits,
                )
                report = found.report
                assert len(found) == (0 if case.startswith("held nowhere") else 1)
                calls = report.calls
                rows.append(
                    f"| {case} | {limits_name} | {calls.get('ListActors', 0)} | "
                    f"{calls.get('ListSessions', 0)} | {calls.get('ListEvents', 0)} | "
                    f"{report.total_calls} | {report.sessions_searched} | {report.seconds:.2f} |"
                )
    print(
        f"find_events by trace id alone: {args.actors} actors x {args.sessions} sessions, "
        f"max_workers={args.workers}, local server in its own process, {os.cpu_count()} CPUs"
    )
    print()
    print(
        "| trace held by | rate limits | ListActors | ListSessions | ListEvents | calls | "
        "sessions searched | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
