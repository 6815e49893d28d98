"""SIGKILL at random points of a tool-using conversation, background mode with a journal.

Usage: ``python3 -m benchmarks.sigkill [--kills 20]``

Each round starts ``tests/session/kill_child.py`` (which resumes the session, replaying the
journal, then runs tool turns at 50 ms memory latency), kills it with SIGKILL after a random
0-0.6 s, then resumes the session in this process and checks that every message a hook had
accepted is restored, none twice, and that the history is valid for Converse. It prints the
rounds, the messages accepted and the failures (any failure raises).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.session.test_journal import run_kills

from agentcore_memory_otel.local import LocalMemoryServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    args = parser.parse_args()
    with LocalMemoryServer() as server, tempfile.TemporaryDirectory() as tmp:
        control = server.client("bedrock-agentcore-control")
        memory_id = control.create_memory(name="kills", eventExpiryDuration=30)["memory"]["id"]
        started = time.perf_counter()
        counts = run_kills(server, memory_id, Path(tmp) / "journal.db", args.kills, "kills")
        elapsed = time.perf_counter() - started
    print("| kills | messages accepted before the last kill | lost | invalid resumes | s |")
    print("|---|---|---|---|---|")
    print(f"| {len(counts)} | {counts[-1]} | 0 | 0 | {elapsed:.0f} |")


if __name__ == "__main__":
    main()
