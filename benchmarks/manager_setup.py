"""Building a session manager without a boto3 session, ours beside the reference SDK's.

Runs ``agentcore-memory-otel serve`` as its own process. Each trial is a fresh child process,
which builds ``--managers`` session managers one after the other, each for a new session and
without ``boto_session`` (as a process that builds one per conversation does), and reports how
long each build took, closing each manager before the next. The first build of a process also
reads botocore's data files for the first time; the median of the later builds is what every
further manager costs. Children of each kind alternate, so the load of the shared machine falls
on all of them alike.

Kinds: ``ours`` (this checkout), ``sdk`` (bedrock-agentcore's manager), and with ``--before DIR``
also ``before``: this package from ``DIR/src``, an older checkout (``git archive <commit> src |
tar -x -C DIR``), for a before/after figure from one run. Credentials come from the environment
(dummy ones, as the local server ignores them) and the instance metadata service is not asked.

Usage: ``python3 -m benchmarks.manager_setup [--trials 7] [--managers 10] [--before DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3

from .local_server import CREDENTIALS, server_process

ACTOR = "bench-user"
ROOT = Path(__file__).resolve().parent.parent


def _child(kind: str, endpoint: str, memory_id: str, managers: int) -> None:
    """Build ``managers`` managers of ``kind``; print their build times (s) as JSON."""
    times: list[float] = []
    for _ in range(managers):
        session_id = f"setup-{uuid.uuid4().hex}"
        started = time.perf_counter()
        if kind == "sdk":
            from bedrock_agentcore.memory.integrations.strands import config as sdk_config
            from bedrock_agentcore.memory.integrations.strands import session_manager as sdk

            manager: object = sdk.AgentCoreMemorySessionManager(
                sdk_config.AgentCoreMemoryConfig(
                    memory_id=memory_id, session_id=session_id, actor_id=ACTOR
                ),
                region_name="us-east-1",
            )
        else:
            from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager

            manager = AgentCoreMemorySessionManager(
                AgentCoreMemoryConfig(
                    memory_id=memory_id, session_id=session_id, actor_id=ACTOR, trace_metadata=False
                ),
                region_name="us-east-1",
                endpoint_url=endpoint,
            )
        times.append(time.perf_counter() - started)
        close = getattr(manager, "close", None)
        if close is not None:
            close()
    print(json.dumps(times))


def _run_child(kind: str, src: Path, endpoint: str, memory_id: str, managers: int) -> list[float]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(src), str(ROOT)]),
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE": endpoint,
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL": endpoint,
    }
    command = [sys.executable, "-m", "benchmarks.manager_setup", "--child", kind]
    command += ["--endpoint", endpoint, "--memory-id", memory_id, "--managers", str(managers)]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    times: list[float] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def main() -> None:
    """Run the children, alternating kinds; print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=7)
    parser.add_argument("--managers", type=int, default=10)
    parser.add_argument("--before", type=Path, help="an older checkout to compare with")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--memory-id", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.endpoint, args.memory_id, args.managers)
        return
    kinds: dict[str, Path] = {"ours": ROOT / "src", "sdk": ROOT / "src"}
    if args.before is not None:
        kinds["before"] = args.before / "src"
    first: dict[str, list[float]] = {kind: [] for kind in kinds}
    later: dict[str, list[float]] = {kind: [] for kind in kinds}
    load_before = os.getloadavg()[0]
    with server_process() as endpoint:
        control = boto3.client(
            "bedrock-agentcore-control", endpoint_url=endpoint, region_name="us-east-1",
            **CREDENTIALS,
        )  # fmt: skip
        memory_id = control.create_memory(name="setup", eventExpiryDuration=30)["memory"]["id"]
        order = list(kinds)
        for trial in range(args.trials):
            for kind in order if trial % 2 == 0 else reversed(order):
                times = _run_child(kind, kinds[kind], endpoint, memory_id, args.managers)
                first[kind].append(times[0] * 1000)
                later[kind].append(statistics.median(times[1:]) * 1000)
    print()
    print(
        f"Building a session manager without boto_session, new session each: {args.trials} "
        f"processes per kind, {args.managers} managers each, {os.cpu_count()} CPUs, "
        f"load {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print()
    print("| kind | first in a process ms | each later one ms (median; fastest to slowest) |")
    print("|---|---|---|")
    for kind in kinds:
        spread = sorted(later[kind])
        print(
            f"| {kind} | {statistics.median(first[kind]):,.0f} | "
            f"{statistics.median(spread):,.1f} ({spread[0]:,.1f} to {spread[-1]:,.1f}) |"
        )


if __name__ == "__main__":
    main()
