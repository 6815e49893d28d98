"""Round-trip latency and throughput of the local server, driven by the real boto3 client.

Runs ``agentcore-memory-otel serve`` as its own process on a loopback port (so client and server
do not share a GIL), then measures:

* CreateEvent with one conversational message, sequential and with parallel client threads;
* ListEvents returning 100 events (one page, ``maxResults=100``) of a 100-event session.

Usage: ``python3 -m benchmarks.local_server [--calls 500] [--threads 4] [--in-process]``
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config

from agentcore_memory_otel.local import LocalMemoryServer

CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 1}, max_pool_connections=32)
CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}


@contextmanager
def server_process(
    *extra_args: str, db_path: str | None = None, no_uvloop: bool = False
) -> Iterator[str]:
    """Run ``serve`` (with ``extra_args``) in a child process; yield its endpoint URL.

    The server keeps its state in ``db_path``, or in a file of a temporary directory.
    ``no_uvloop`` makes uvloop unimportable in the child, so uvicorn runs asyncio's own loop.
    """
    block = "sys.modules['uvloop'] = None; " if no_uvloop else ""
    start = f"import sys; {block}from agentcore_memory_otel.cli.main import main; sys.exit(main())"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                start,
                "serve",
                "--port",
                str(port),
                "--db",
                db_path or os.path.join(tmp, "bench.db"),
                *extra_args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("serve did not start") from None
                    time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:  # stuck in a long request: do not leave it behind
                proc.kill()
                proc.wait()


@contextmanager
def server_in_process() -> Iterator[str]:
    """Run the server in a thread of this process (as tests and examples do)."""
    with tempfile.TemporaryDirectory() as tmp, LocalMemoryServer(os.path.join(tmp, "b.db")) as s:
        yield s.endpoint_url


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100) of samples, by linear interpolation."""
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low, high = int(rank), min(int(rank) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def timed(call: Callable[[], Any], count: int) -> list[float]:
    """Wall-clock seconds of each of ``count`` sequential calls (after 20 warm-up calls)."""
    for _ in range(20):
        call()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def row(name: str, samples: list[float], throughput: float) -> str:
    """A markdown table row: name, p50, p95, p99 (ms), throughput (calls/s)."""
    ms = [s * 1000 for s in samples]
    return (
        f"| {name} | {percentile(ms, 50):.2f} | {percentile(ms, 95):.2f} | "
        f"{percentile(ms, 99):.2f} | {throughput:,.0f} |"
    )


def main() -> None:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="measured calls per case")
    parser.add_argument(
        "--threads", type=int, default=4, help="client threads for the parallel CreateEvent case"
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the server in this process instead of a child process",
    )
    args = parser.parse_args()

    runner = server_in_process if args.in_process else server_process
    with runner() as endpoint:
        options: dict[str, Any] = {
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "config": CONFIG,
            **CREDENTIALS,
        }
        control = boto3.client("bedrock-agentcore-control", **options)
        memory_id = control.create_memory(name="bench", eventExpiryDuration=30)["memory"]["id"]
        client = boto3.client("bedrock-agentcore", **options)
        message = [{"conversational": {"content": {"text": "hello " * 20}, "role": "USER"}}]

        def create(session: str = "write") -> None:
            client.create_event(
                memoryId=memory_id,
                actorId="bench",
                sessionId=session,
                eventTimestamp=time.time(),
                payload=message,
            )

        create_samples = timed(create, args.calls)
        create_rate = len(create_samples) / sum(create_samples)

        per_thread = args.calls // args.threads
        clients = [boto3.client("bedrock-agentcore", **options) for _ in range(args.threads)]

        def burst(index: int) -> None:
            for _ in range(per_thread):
                clients[index].create_event(
                    memoryId=memory_id,
                    actorId="bench",
                    sessionId=f"par{index}",
                    eventTimestamp=time.time(),
                    payload=message,
                )

        started = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(burst, range(args.threads)))
        parallel_rate = per_thread * args.threads / (time.perf_counter() - started)

        for i in range(100):
            client.create_event(
                memoryId=memory_id,
                actorId="bench",
                sessionId="read",
                eventTimestamp=time.time() + i / 1000,
                payload=message,
            )

        def list_100() -> None:
            page = client.list_events(
                memoryId=memory_id, actorId="bench", sessionId="read", maxResults=100
            )
            assert len(page["events"]) == 100

        list_samples = timed(list_100, args.calls)
        list_rate = len(list_samples) / sum(list_samples)

    where = "in-process thread" if args.in_process else "separate process"
    print(
        f"Local server ({where}), boto3 {boto3.__version__}, {os.cpu_count()} CPUs, "
        f"{args.calls} calls per case"
    )
    print()
    print("| operation | p50 ms | p95 ms | p99 ms | throughput (calls/s) |")
    print("|---|---|---|---|---|")
    print(row("CreateEvent, 1 message, sequential", create_samples, create_rate))
    print(f"| CreateEvent, 1 message, {args.threads} client threads | | | | {parallel_rate:,.0f} |")
    print(row("ListEvents, 100 events with payloads", list_samples, list_rate))


if __name__ == "__main__":
    main()
