"""Random programs for the differential test, and the driver that runs one on both backends.

A program is generated from a seed alone (``generate``), so a failing seed is replayed exactly.
It is a list of segments, each one process's life on the session: ``same`` (a fresh manager
and agents in this process), ``fresh`` (ours in a new process) or ``kill`` (both backends in
new processes, SIGKILLed at a model call inside the segment's last step). ``run_program`` runs
every segment on Strands' ``FileSessionManager`` and on ours and compares the snapshots.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import runner

ROOT = Path(__file__).parents[2]
MANAGERS = ["null", "null", "window:4", "window:7", "summary:2"]
WRITES = [("sync", 1), ("sync", 1), ("sync", 3), ("background", 1), ("background", 4)]
PLANS = [[], [], ["add"], ["remember"], ["pair"], ["delete"], ["guarded"], ["add", "delete"]]


@dataclass
class Figures:
    """What a run covered."""

    programs: int = 0
    steps: int = 0
    restarts: int = 0
    fresh_processes: int = 0
    programs_with_fresh_processes: int = 0
    kills: int = 0
    seconds: float = 0.0
    divergences: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        """Add ``other``'s counts to these."""
        self.programs += other.programs
        self.steps += other.steps
        self.restarts += other.restarts
        self.fresh_processes += other.fresh_processes
        self.programs_with_fresh_processes += other.programs_with_fresh_processes
        self.kills += other.kills
        self.divergences += other.divergences

    def summary(self) -> str:
        """One line of figures."""
        return (
            f"programs={self.programs} steps={self.steps} restarts={self.restarts} "
            f"fresh_process_restarts={self.fresh_processes} "
            f"programs_with_fresh_processes={self.programs_with_fresh_processes} "
            f"kills={self.kills} "
            f"divergences={len(self.divergences)} time={self.seconds:.1f}s"
        )


def generate(seed: int, *, fresh: float = 0.0, kill: float = 0.0) -> dict[str, Any]:
    """A random program: agents, write settings, and segments of steps.

    Args:
        seed: Everything follows from it.
        fresh: Chance that a restart runs ours in a fresh process.
        kill: Chance that a restart kills both backends mid-step.
    """
    rng = random.Random(seed)
    agents = [
        {"id": f"a{i}", "manager": rng.choice(MANAGERS)} for i in range(rng.choice([1, 1, 1, 2]))
    ]
    write_mode, batch_size = rng.choice(WRITES)
    segments: list[dict[str, Any]] = [{"mode": "same", "steps": [], "kill": None}]
    for number in range(rng.randint(3, 8)):
        if segments[-1]["mode"] == "kill" and segments[-1]["steps"]:
            # A kill segment ends with the step that dies; the next process starts here.
            segments.append({"mode": "same", "steps": [], "kill": None})
        flags = []
        roll = rng.random()
        if roll < 0.12:
            flags.append("redact")
        elif roll < 0.25:
            flags.append("overflow")
        step = {
            "agent": rng.choice(agents)["id"],
            "tag": f"s{number}",
            "plan": [] if flags == ["redact"] else rng.choice(PLANS),
            "flags": flags,
            "async": rng.random() < 0.2,
            "structured": rng.random() < 0.12,
            "response": rng.choice(["yes", "yes", "no"]),
        }
        segments[-1]["steps"].append(step)
        if rng.random() < 0.3:
            roll = rng.random()
            if roll < kill:
                # The step after the restart dies at one of its first model calls.
                # (after its prompt is stored, or after its first tool round).
                segments.append({"mode": "kill", "steps": [], "kill": [0, rng.choice([1, 1, 2])]})
            else:
                segments.append({"mode": "fresh" if roll < kill + fresh else "same", "steps": []})
                segments[-1]["kill"] = None
    return {
        "seed": seed,
        "agents": agents,
        "write_mode": write_mode,
        "batch_size": batch_size,
        "segments": [s for s in segments if s["steps"]],
    }


def run_seeds(
    seeds: list[tuple[int, float, float]],
    workdir: Path,
    endpoint: str,
    memory_id: str,
    *,
    workers: int = 1,
) -> Figures:
    """Generate and run a program per ``(seed, fresh, kill)``, on ``workers`` processes."""
    jobs = [
        (seed, fresh, kill, workdir / f"p{seed}", endpoint, memory_id)
        for seed, fresh, kill in seeds
    ]
    started = time.monotonic()
    if workers > 1:
        # Spawned, not forked: this process runs the server's threads.
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            results = pool.starmap(_run_seed, jobs, chunksize=8)
    else:
        results = [_run_seed(*job) for job in jobs]
    figures = Figures()
    for result in results:
        figures.add(result)
    figures.seconds = time.monotonic() - started
    return figures


def _run_seed(
    seed: int, fresh: float, kill: float, workdir: Path, endpoint: str, memory_id: str
) -> Figures:
    workdir.mkdir(parents=True)
    return run_program(generate(seed, fresh=fresh, kill=kill), workdir, endpoint, memory_id)


def run_program(program: dict[str, Any], workdir: Path, endpoint: str, memory_id: str) -> Figures:
    """Run ``program`` on both backends, segment by segment; record every divergence."""
    figures = Figures(programs=1)
    seed = program["seed"]
    session = f"diff-{seed}-{os.getpid()}-{random.getrandbits(32):08x}"
    common = {"session": session, "agents": program["agents"]}
    reference = {**common, "backend": "file", "storage_dir": str(workdir / "file")}
    ours = {
        **common,
        "backend": "ours",
        "endpoint": endpoint,
        "memory_id": memory_id,
        "write_mode": program["write_mode"],
        "batch_size": program["batch_size"],
    }
    if any(segment["mode"] == "kill" for segment in program["segments"]):
        # Killed writers need their journal; the others save its synced commits.
        ours["journal"] = str(workdir / "journal.db")
    for number, segment in enumerate(program["segments"]):
        mode = segment["mode"]
        figures.steps += len(segment["steps"])
        if number:
            figures.restarts += 1
        extra = {"steps": segment["steps"], "kill": segment["kill"]}
        if mode == "kill":
            figures.fresh_processes += 1
            expected, killed = _in_child({**reference, **extra})
            got, _ = _in_child({**ours, **extra})
            figures.kills += killed
        elif mode == "fresh":
            figures.fresh_processes += 1
            expected = runner.run_segment({**reference, **extra})
            got, _ = _in_child({**ours, **extra})
        else:
            expected = runner.run_segment({**reference, **extra})
            got = runner.run_segment({**ours, **extra})
        difference = _first_difference(expected, got)
        if difference is not None:
            figures.divergences.append(f"seed={seed} segment={number} ({mode}): {difference}")
            return figures  # later segments would only repeat it
    figures.programs_with_fresh_processes = int(figures.fresh_processes > 0)
    if program["segments"][-1]["mode"] != "kill":  # else nobody finished the killed writes
        leaked = _redacted_originals(ours)
        if leaked:
            figures.divergences.append(f"seed={seed}: stored originals of redacted {leaked}")
    return figures


def _redacted_originals(spec: dict[str, Any]) -> list[str]:
    """Prompts whose redaction is stored while their original is still stored too."""
    client = runner.BOTO_SESSION.client("bedrock-agentcore", endpoint_url=spec["endpoint"])
    texts: list[str] = []
    token: dict[str, str] = {}
    while True:
        page = client.list_events(
            memoryId=spec["memory_id"],
            actorId=runner.ACTOR,
            sessionId=spec["session"],
            maxResults=100,
            **token,
        )
        texts += [json.dumps(event["payload"]) for event in page["events"]]
        if not page.get("nextToken"):
            break
        token = {"nextToken": page["nextToken"]}
    stored = "\n".join(texts)
    redacted = re.findall(r"\[redacted (s\d+)\]", stored)
    return sorted({tag for tag in redacted if f"{tag}|" in stored})


def _in_child(spec: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """Run a segment in a fresh process: the snapshots it printed, and whether it was killed."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.differential.runner", json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=False,
    )
    if done.returncode not in (0, -9):
        raise RuntimeError(f"segment process failed ({done.returncode}): {done.stderr[-2000:]}")
    reports = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return reports, done.returncode == -9


def _first_difference(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> str | None:
    """Where two snapshot lists first differ, briefly; ``None`` when they are equal."""
    for index, (want, have) in enumerate(zip(expected, got, strict=False)):
        for key in want:
            if want[key] != have.get(key):
                return (
                    f"snapshot {index} ({want.get('outcome')}) differs in {key}: "
                    f"FileSessionManager {_short(want[key])} vs ours {_short(have.get(key))}"
                )
    if len(expected) != len(got):
        return f"{len(expected)} snapshots from FileSessionManager, {len(got)} from ours"
    return None


def _short(value: Any, limit: int = 600) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "..."
