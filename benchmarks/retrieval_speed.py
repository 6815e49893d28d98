"""RetrieveMemoryRecords latency on the local server as the records in scope grow.

Runs ``agentcore-memory-otel serve`` as its own process and measures, with the real boto3
client, ``retrieve_memory_records`` (``topK=10``, a three-word query, a new query each call) over
1,000, 10,000 and 100,000 records, laid out two ways:

* ``one namespace``: every record in the namespace searched;
* ``1,000 namespaces``: the records spread evenly over 1,000 namespaces, one namespace searched
  (and, as a third row, all of them through ``namespacePath``).

Record texts are ten words drawn from a fixed 3,000-word vocabulary, so a query word occurs in
about 0.3% of the records and the matches grow in step with the records. The records are written
straight into the server's SQLite file (through the local server's own ``RecordStore``) so the
set-up takes seconds; retrieval goes over HTTP as a user's would.

Usage: ``python3 -m benchmarks.retrieval_speed [--calls 200] [--sizes 1000 10000 100000]``
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from typing import Any

import boto3

from agentcore_memory_otel.local.db import Database
from agentcore_memory_otel.local.records import NewRecord, RecordStore

from .local_server import CONFIG, CREDENTIALS, percentile, server_process

_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fu", "go", "pi", "ze"]
_NAMESPACES = 1_000


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """``size`` distinct made-up words of two to four syllables."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def seed(
    db_path: str, memory_id: str, count: int, spread: bool, words: list[str], rng: random.Random
) -> str:
    """Write ``count`` records; return the namespace a one-namespace query searches."""
    store = RecordStore(Database(db_path))
    records = [
        NewRecord(
            request_identifier=f"r{i}",
            namespace=f"/facts/u{i % _NAMESPACES}" if spread else "/facts/u0",
            text=" ".join(rng.choices(words, k=10)),
            timestamp_ms=1_700_000_000_000 + i,
        )
        for i in range(count)
    ]
    store.batch_create(memory_id, records, None)
    return "/facts/u0"


def measure(
    calls: int, retrieve: Any, words: list[str], rng: random.Random, warmup: int = 10
) -> list[float]:
    """Seconds per call of ``calls`` retrievals, each with a new three-word query."""
    for _ in range(warmup):
        retrieve(" ".join(rng.sample(words, 3)))
    samples = []
    for _ in range(calls):
        query = " ".join(rng.sample(words, 3))
        started = time.perf_counter()
        retrieve(query)
        samples.append(time.perf_counter() - started)
    return samples


def run_case(
    size: int, spread: bool, calls: int, warmup: int, words: list[str], rng: random.Random
) -> list[str]:
    """Seed a fresh server with ``size`` records; return one table row per scope searched."""
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        db_path = os.path.join(tmp, "bench.db")
        with server_process(db_path=db_path) as endpoint:
            options: dict[str, Any] = {
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "config": CONFIG,
                **CREDENTIALS,
            }
            control = boto3.client("bedrock-agentcore-control", **options)
            memory_id = control.create_memory(name="bench", eventExpiryDuration=30)["memory"]["id"]
            namespace = seed(db_path, memory_id, size, spread, words, rng)
            client = boto3.client("bedrock-agentcore", **options)
            scopes = [("namespace", namespace)]
            if spread:
                scopes.append(("namespacePath", "/facts"))
            for key, value in scopes:

                def retrieve(query: str, key: str = key, value: str = value) -> None:
                    found = client.retrieve_memory_records(
                        memoryId=memory_id,
                        **{key: value},
                        searchCriteria={"searchQuery": query, "topK": 10},
                    )
                    assert found["memoryRecordSummaries"]

                ms = [s * 1000 for s in measure(calls, retrieve, words, rng, warmup)]
                in_scope = size if key == "namespacePath" or not spread else size // _NAMESPACES
                layout = "1,000 namespaces" if spread else "one namespace"
                lines.append(
                    f"| {size:,} | {layout} | {key} ({in_scope:,} in scope) | "
                    f"{percentile(ms, 50):.2f} | {percentile(ms, 95):.2f} | "
                    f"{len(ms) * 1000 / sum(ms):,.0f} |"
                )
                print(lines[-1], flush=True)
    return lines


def main() -> None:
    """Run every case and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="measured calls per case")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured calls per case")
    args = parser.parse_args()
    rng = random.Random(24)
    words = vocabulary(3_000, rng)
    lines = [
        line
        for size in args.sizes
        for spread in (False, True)
        for line in run_case(size, spread, args.calls, args.warmup, words, rng)
    ]
    print()
    print(f"RetrieveMemoryRecords, topK=10, {os.cpu_count()} CPUs, {args.calls} calls per case")
    print()
    print("| records | layout | searched | p50 ms | p95 ms | calls/s |")
    print("|---|---|---|---|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
