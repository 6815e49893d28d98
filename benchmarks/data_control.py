"""Erase and import on the local server: wall time and calls, paced as for AWS and unpaced.

Usage: ``python3 -m benchmarks.data_control``

Stores 3 sessions of 100 events (one event in 10 on a branch) for one actor, then measures:
export of the actor; import into another memory (CreateEvent paced at the service's 5 per
second per session, and unpaced); a dry run; the erase (DeleteEvent paced at 5 per second per
session, and unpaced); and a rerun of the finished erase. Calls are counted by the server.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.data_control import erase, export_events, import_events

SESSIONS = 3
EVENTS = 100
UNPACED = {
    name: 0.0
    for name in (
        "ListSessions",
        "ListEvents",
        "ListEvents per session",
        "CreateEvent",
        "CreateEvent per session",
        "DeleteEvent",
        "DeleteEvent per session",
        "ListMemoryRecords",
        "BatchDeleteMemoryRecords",
    )
}


def _memory(server: LocalMemoryServer, name: str) -> str:
    control = server.client("bedrock-agentcore-control")
    return str(control.create_memory(name=name, eventExpiryDuration=30)["memory"]["id"])


def _fill(server: LocalMemoryServer, memory_id: str) -> None:
    client = server.client()
    for s in range(SESSIONS):
        root = ""
        for i in range(EVENTS):
            extra: dict[str, Any] = {}
            if i % 10 == 9:
                extra["branch"] = {"name": "alt", "rootEventId": root}
            answer = client.create_event(
                memoryId=memory_id,
                actorId="bench",
                sessionId=f"s{s}",
                eventTimestamp=time.time(),
                payload=[{"conversational": {"role": "USER", "content": {"text": f"m{i}"}}}],
                **extra,
            )
            root = root or answer["event"]["eventId"]


def _row(name: str, server: LocalMemoryServer, run: Any) -> None:
    server.stats.reset()
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    calls = {
        op: n for op, outcomes in server.stats.snapshot().items() for n in [sum(outcomes.values())]
    }
    shown = ", ".join(f"{n} {op}" for op, n in sorted(calls.items()))
    print(f"| {name} | {seconds:.2f} s | {shown} |")


def main() -> None:
    with LocalMemoryServer() as server, tempfile.TemporaryDirectory() as folder:
        source, target, other = (_memory(server, n) for n in ("src", "dst", "dst2"))
        _fill(server, source)
        path = Path(folder) / "bench.jsonl"
        client = server.client()
        print(f"{SESSIONS} sessions x {EVENTS} events, one actor\n")
        print("| step | wall time | calls (server side) |\n|---|---|---|")
        _row(
            "export (default pacing)",
            server,
            lambda: export_events(source, "bench", output=path, client=client),
        )
        _row(
            "import, unpaced",
            server,
            lambda: import_events(path, memory_id=target, client=client, rate_limits=UNPACED),
        )
        _row(
            "import, default pacing (5/s per session)",
            server,
            lambda: import_events(path, memory_id=other, client=client),
        )
        _row(
            "import rerun (nothing new)",
            server,
            lambda: import_events(path, memory_id=other, client=client, rate_limits=UNPACED),
        )
        _row(
            "erase dry run",
            server,
            lambda: erase(source, "bench", client=client, records=False, dry_run=True),
        )
        _row(
            "erase, unpaced",
            server,
            lambda: erase(target, "bench", client=client, records=False, rate_limits=UNPACED),
        )
        _row(
            "erase, default pacing (5/s per session)",
            server,
            lambda: erase(source, "bench", client=client, records=False),
        )
        _row(
            "erase rerun (nothing left)",
            server,
            lambda: erase(source, "bench", client=client, records=False),
        )


if __name__ == "__main__":
    main()
