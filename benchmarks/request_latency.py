"""Per-request latency of the local server: in-process against ``serve``, uvloop against asyncio.

One boto3 client reusing its connection makes sequential GetMemory calls (the smallest answer:
what is measured is the request's round trip, not the work). Four cases, each in a fresh child
process so that the event loop can be chosen:

* in-process: ``LocalMemoryServer`` in a thread of the client's process (tests, examples);
* serve: ``agentcore-memory-otel serve`` in its own process;

each with uvloop (when installed) and with asyncio's own loop (uvloop made unimportable, as on
an install without ``uvicorn[standard]`` or on Windows).

Usage: ``python3 -m benchmarks.request_latency [--calls 300]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from .local_server import percentile

LOOPS = ("uvloop", "asyncio")
WHERE = ("in-process", "serve")
# Run before anything imports uvicorn: with uvloop unimportable, uvicorn's "auto" loop is asyncio.
_NO_UVLOOP = "import sys; sys.modules['uvloop'] = None; "


def _measure(endpoint: str, calls: int) -> list[float]:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "bedrock-agentcore-control",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    memory_id = client.create_memory(name="latency", eventExpiryDuration=30)["memory"]["id"]
    for _ in range(20):  # warm-up: connection, caches
        client.get_memory(memoryId=memory_id)
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        client.get_memory(memoryId=memory_id)
        samples.append(time.perf_counter() - started)
    return samples


def child(where: str, calls: int, no_uvloop: bool) -> None:
    """Measure one case in this process and print the samples as JSON."""
    if where == "in-process":
        from agentcore_memory_otel.local import LocalMemoryServer

        with LocalMemoryServer() as server:
            samples = _measure(server.endpoint_url, calls)
    else:
        from .local_server import server_process

        with server_process(no_uvloop=no_uvloop) as endpoint:
            samples = _measure(endpoint, calls)
    print(json.dumps(samples))


def _run(where: str, loop: str, calls: int) -> list[float]:
    no_uvloop = loop == "asyncio"
    code = (
        f"{_NO_UVLOOP if no_uvloop else ''}from benchmarks.request_latency import child; "
        f"child({where!r}, {calls}, {no_uvloop})"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    result: list[float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    """Run the four cases and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="measured calls per case")
    args = parser.parse_args()
    rows: list[tuple[str, str, dict[str, Any]]] = []
    for loop in LOOPS:
        for where in WHERE:
            ms = [s * 1000 for s in _run(where, loop, args.calls)]
            rows.append(
                (
                    where,
                    loop,
                    {
                        "p50": statistics.median(ms),
                        "p95": percentile(ms, 95),
                        "p99": percentile(ms, 99),
                    },
                )
            )
    print(f"GetMemory round trip, one reused connection, {args.calls} calls, {os.cpu_count()} CPUs")
    print()
    print("| server | event loop | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for where, loop, figures in rows:
        print(
            f"| {where} | {loop} | {figures['p50']:.2f} | {figures['p95']:.2f} |"
            f" {figures['p99']:.2f} |"
        )


if __name__ == "__main__":
    main()
