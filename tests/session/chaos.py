"""The write path's chaos schedules: seeded, randomized runs over every fault the write path meets.

A schedule is a seed. From it come the write mode, the journal, the batch size, the buffer
bound and a sequence of steps: real Strands turns against the local server, interleaved with
server 500s and 429s (before commit), 500s after commit, latency spikes, journal lock and
disk-full errors at the journal's SQLite seam, flushes with a timeout, double closes, a close
from another thread, a fork whose child writes too, and restarts (a crash: the manager is
abandoned without its exit flush, and a new one replays the journal). One schedule in ten
instead runs the writer in a subprocess and kills it (SIGKILL or SIGTERM) mid-turn.

After every schedule the invariants are checked and counted in ``Figures``:

* every message a hook accepted is stored exactly once, in order (per agent): ``lost`` and
  ``duplicated`` stay 0;
* no call waits past its timeout (plus ``GRACE`` for a loaded machine): ``late_waits`` stays 0;
* a restart replays the journal exactly once: a second restart finds nothing to replay.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from botocore.config import Config
from strands import Agent

import agentcore_memory_otel
from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.write.batcher import FlushError
from agentcore_memory_otel.session.write.scheduler import WriteScheduler
from agentcore_memory_otel.testing import ScriptedModel

from ..support import no_trim
from .faulty_journal import DISK_FULL, LOCKED, WRITER_STATEMENTS, FaultyDb, faulty_journal
from .test_write_faults import stored_texts

# Botocore does not retry: every injected failure reaches the write path itself.
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
ACTOR = "chaos"
GRACE = 2.0
"""How far past its timeout a call may return on a loaded machine before it counts as late."""
KILL_CHILD = Path(__file__).with_name("kill_child.py")
SRC = Path(agentcore_memory_otel.__file__).resolve().parents[1]
"""The source tree under test, for subprocesses (whichever the tests import)."""


@dataclass
class Figures:
    """What a chaos run did and found."""

    schedules: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    accepted: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    late_waits: int = 0
    replayed_twice: int = 0
    problems: list[str] = field(default_factory=list)

    def report(self) -> str:
        faults = ", ".join(f"{kind} {n}" for kind, n in sorted(self.faults.items()))
        return (
            f"chaos: {self.schedules} schedules; faults injected: {faults}; "
            f"messages accepted {self.accepted}, stored {self.stored}, lost {self.lost}, "
            f"duplicated {self.duplicated}, out of order {self.out_of_order}; "
            f"waits past a timeout {self.late_waits}; journal replayed twice {self.replayed_twice}"
        )

    @property
    def clean(self) -> bool:
        return not (
            self.lost
            or self.duplicated
            or self.out_of_order
            or self.late_waits
            or self.replayed_twice
            or self.problems
        )


def _replies(prefix: str) -> ScriptedModel:
    count = iter(range(10**6))
    return ScriptedModel(lambda _: f"{prefix}-r{next(count)}")


def _texts(messages: list[Any]) -> list[str]:
    """Every text block, in order (a restore merges adjacent messages of one role)."""
    return [b["text"] for m in messages for b in m["content"] if "text" in b]


class Schedule:
    """One seeded schedule against ``server``; ``run()`` adds what it did to ``figures``."""

    def __init__(
        self, seed: int, server: LocalMemoryServer, memory_id: str, tmp: Path, figures: Figures
    ) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.server = server
        self.memory_id = memory_id
        self.session = f"chaos-{seed}"
        self.figures = figures
        self.mode: Literal["sync", "background"] = self.rng.choice(["sync", "background"])
        self.journal: Path | None = tmp / f"journal-{seed}.db" if self.rng.random() < 0.7 else None
        self.batch_size = self.rng.choice([1, 1, 3])
        self.max_pending = self.rng.choice([1000, 2])
        self.expected: dict[str, list[str]] = {}
        self.faulty: FaultyDb | None = None
        self.turns = 0
        self.spike_steps = 0

    # --- building ------------------------------------------------------------------------------

    def manager(self) -> AgentCoreMemorySessionManager:
        manager = AgentCoreMemorySessionManager(
            AgentCoreMemoryConfig(
                memory_id=self.memory_id,
                session_id=self.session,
                actor_id=ACTOR,
                write_mode=self.mode,
                journal_path=self.journal,
                batch_size=self.batch_size,
                max_pending_messages=self.max_pending,
                create_event_rate=None,
                trace_metadata=False,
            ),
            endpoint_url=self.server.endpoint_url,
            boto_client_config=NO_RETRIES,
        )
        self.faulty = faulty_journal(manager) if self.journal is not None else None
        return manager

    def agent(self, manager: AgentCoreMemorySessionManager, agent_id: str = "main") -> Agent:
        agent = Agent(
            model=_replies(f"{self.seed}-{agent_id}-{self.turns}"),
            agent_id=agent_id,
            session_manager=manager,
            conversation_manager=no_trim(),
            callback_handler=None,
        )
        known = self.expected.setdefault(agent_id, [])
        restored = _texts(agent.messages)
        # A restore holds what was stored, then the closing of a turn a crash cut short.
        if restored[: len(known)] != known:
            self.figures.problems.append(
                f"seed {self.seed}: restore differs from the accepted: {restored} vs {known}"
            )
        known += restored[len(known) :]
        return agent

    # --- the run ---------------------------------------------------------------------------------

    def run(self) -> None:
        if self.journal is not None and self.rng.random() < 0.12:
            self.run_killed()
            return
        manager = self.manager()
        agent = self.agent(manager)
        for _ in range(self.rng.randint(6, 14)):
            manager, agent = self.step(manager, agent)
        self.finish(manager)

    def step(
        self, manager: AgentCoreMemorySessionManager, agent: Agent
    ) -> tuple[AgentCoreMemorySessionManager, Agent]:
        action = self.rng.choices(
            [
                "turn",
                "server",
                "latency",
                "journal",
                "flush",
                "double close",
                "close from thread",
                "fork",
                "restart",
            ],
            weights=[40, 14, 6, 8 if self.journal else 0, 8, 5, 5, 4, 6 if self.journal else 0],
        )[0]
        if self.spike_steps:
            self.spike_steps -= 1
            if not self.spike_steps:
                self.server.faults.set_latency(0.0, "CreateEvent")
        match action:
            case "turn":
                self.turn(agent)
            case "server":
                self.server_fault()
            case "latency":  # a spike: the next two steps see it
                self.figures.faults["latency spike"] += 1
                self.server.faults.set_latency(self.rng.uniform(0.05, 0.25), "CreateEvent")
                self.spike_steps = 3
            case "journal":
                assert self.faulty is not None
                message = self.rng.choice([LOCKED, DISK_FULL])
                kind = "journal locked" if message == LOCKED else "journal disk full"
                count = self.rng.randint(1, 3)
                self.figures.faults[kind] += count
                self.faulty.arm((self.rng.choice(WRITER_STATEMENTS),), message, count)
            case "flush":
                self.figures.faults["flush timeout"] += 1
                self.timed(manager.flush, self.rng.uniform(0.05, 1.0))
            case "double close":
                self.figures.faults["double close"] += 1
                self.timed(manager.close, 5.0)
                self.timed(manager.close, 5.0)
            case "close from thread":
                self.figures.faults["close from another thread"] += 1
                other = threading.Thread(target=self.timed, args=(manager.close, 5.0))
                other.start()
                self.timed(manager.close, 5.0)
                other.join(5.0 + GRACE)
                if other.is_alive():
                    self.figures.late_waits += 1
            case "fork":
                self.fork(manager)
            case "restart":
                return self.restart(manager)
        return manager, agent

    def turn(self, agent: Agent) -> None:
        self.turns += 1
        before = len(agent.messages)
        # A sync write that failed raises in the turn; its message stays buffered.
        with contextlib.suppress(Exception):
            agent(f"{self.seed}-p{self.turns}")
        known = self.expected.setdefault(agent.agent_id, [])
        known += _texts(agent.messages[before:])

    def server_fault(self) -> None:
        kind = self.rng.choice(["500", "429", "500 after commit"])
        count = self.rng.randint(1, 3)
        self.figures.faults[f"server {kind}"] += count
        if kind == "500 after commit":
            self.server.faults.commit_then_fail(count)
        else:
            self.server.faults.fail_next("CreateEvent", count, status=int(kind))

    def timed(self, call: Any, timeout: float) -> None:
        """Call ``call(timeout=...)``; a FlushError is fine, returning late is not."""
        started = time.monotonic()
        with contextlib.suppress(FlushError):
            call(timeout=timeout)
        if self.mode == "background" and time.monotonic() - started > timeout + GRACE:
            self.figures.late_waits += 1

    def fork(self, manager: AgentCoreMemorySessionManager) -> None:
        self.figures.faults["fork"] += 1
        agent_id = f"child{self.turns}"
        self.turns += 1
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                os.close(read)
                child = Agent(
                    model=ScriptedModel(["child reply"]),
                    agent_id=agent_id,
                    session_manager=manager,
                    conversation_manager=no_trim(),
                    callback_handler=None,
                )
                with contextlib.suppress(Exception):  # a failed sync write stays buffered
                    child("child prompt")
                os.write(write, str(len(child.messages)).encode())
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    try:
                        manager.flush(timeout=5)
                        status = 0
                        break
                    except FlushError:
                        time.sleep(0.1)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(status)
        os.close(write)
        ready, _, _ = select.select([read], [], [], 60)
        accepted = os.read(read, 16) if ready else b""
        os.close(read)
        status = self.reap(pid)
        if accepted:
            self.expected[agent_id] = ["child prompt", "child reply"][: int(accepted)]
        if os.waitstatus_to_exitcode(status) != 0:
            self.figures.problems.append(f"seed {self.seed}: the forked child could not flush")

    def reap(self, pid: int, within: float = 60.0) -> int:
        """The child's wait status; a child that hangs is a wait past its timeout, killed."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            time.sleep(0.02)
        self.figures.late_waits += 1
        os.kill(pid, signal.SIGKILL)
        return os.waitpid(pid, 0)[1]

    def restart(
        self, manager: AgentCoreMemorySessionManager
    ) -> tuple[AgentCoreMemorySessionManager, Agent]:
        """A crash: the manager is abandoned (no exit flush, its thread stopped); a new one
        on the same journal replays what it left."""
        self.figures.faults["restart after crash"] += 1
        self.server.faults.reset()  # else the replay in the constructor may fail, by design
        path = manager._scheduler
        assert isinstance(path, WriteScheduler)
        if manager._finalizer is not None:
            manager._finalizer.detach()
        path._timer_stop.set()
        if path._sender is not None:
            # A dead process sends nothing more: wait for the stopped thread's last attempt.
            path._sender.stop()
            thread = path._sender._thread
            if thread is not None:
                thread.join(30)
        replacement = self.manager()
        return replacement, self.agent(replacement)

    def finish(self, manager: AgentCoreMemorySessionManager) -> None:
        self.server.faults.reset()
        if self.faulty is not None:
            self.faulty.disarm()
        deadline = time.monotonic() + 60
        while True:
            try:
                manager.close(timeout=10)
                break
            except FlushError as exc:
                if time.monotonic() > deadline:
                    self.figures.problems.append(f"seed {self.seed}: close failed: {exc}")
                    break
                time.sleep(0.1)
        self.check()
        if self.journal is not None:  # a restart now finds nothing left to replay
            again = self.manager()
            replayed = _replayable(again)
            if replayed:
                self.figures.replayed_twice += 1
            again.close()
            self.check(count=False)

    def check(self, *, count: bool = True) -> None:
        stored = stored_texts(self.server, self.memory_id, session=self.session, actor=ACTOR)
        by_agent: dict[str, list[str]] = {}
        for agent_id, _, text in stored:
            by_agent.setdefault(agent_id or "", []).append(text)
        for agent_id in set(self.expected) | set(by_agent):
            want = self.expected.get(agent_id, [])
            got = by_agent.get(agent_id, [])
            lost = Counter(want) - Counter(got)
            extra = Counter(got) - Counter(want)
            if count:
                self.figures.accepted += len(want)
                self.figures.stored += len(got)
            if lost or extra or got != want:
                self.figures.problems.append(
                    f"seed {self.seed} agent {agent_id}: lost {dict(lost)}, extra {dict(extra)}"
                )
                self.figures.lost += sum(lost.values())
                self.figures.duplicated += sum(extra.values())
                if not lost and not extra:
                    self.figures.out_of_order += 1

    # --- a writer in a subprocess, killed -------------------------------------------------------

    def run_killed(self) -> None:
        """``kill_child.py`` writes in background mode with a journal; it is killed mid-turn
        (SIGKILL, or SIGTERM which flushes on the way out), then a manager here resumes."""
        assert self.journal is not None
        sig = self.rng.choice([signal.SIGKILL, signal.SIGTERM])
        self.figures.faults["SIGKILL" if sig == signal.SIGKILL else "SIGTERM"] += 1
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        child = subprocess.Popen(
            [
                sys.executable,
                str(KILL_CHILD),
                self.server.endpoint_url,
                self.memory_id,
                self.session,
                str(self.journal),
                ACTOR,
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        accepted = 0
        first = child.stdout.readline()  # the first turn is done
        if first:
            accepted = int(first)
        time.sleep(self.rng.uniform(0.0, 0.4))
        child.send_signal(sig)
        rest, _ = child.communicate(timeout=60)
        counts = [int(line) for line in rest.split() if line.strip()]
        accepted = max([accepted, *counts])
        manager = self.manager()
        agent = Agent(
            model=ScriptedModel([]),
            session_manager=manager,
            conversation_manager=no_trim(),
            callback_handler=None,
        )
        manager.close(timeout=30)
        stored = stored_texts(self.server, self.memory_id, session=self.session, actor=ACTOR)
        ids = [message_id or 0 for _, message_id, _ in stored]
        # Accepted: what the child printed after its last whole turn, plus what hooks of the
        # cut turn accepted and the closing the resume added: all of it is in the resumed agent.
        resumed = len(agent.messages)
        self.figures.accepted += resumed
        self.figures.stored += len(stored)
        if resumed < accepted or len(set(ids)) < resumed:
            self.figures.lost += max(accepted, resumed) - len(set(ids))
            self.figures.problems.append(
                f"seed {self.seed}: {accepted} printed, {resumed} resumed, {len(set(ids))} stored"
            )
        if len(ids) != len(set(ids)):
            self.figures.duplicated += len(ids) - len(set(ids))
            self.figures.problems.append(f"seed {self.seed}: a message stored twice")
        if ids != sorted(ids):
            self.figures.out_of_order += 1
        again = self.manager()
        if _replayable(again):
            self.figures.replayed_twice += 1
        again.close()


def _replayable(manager: AgentCoreMemorySessionManager) -> int:
    """Entries a manager's journal holds unacknowledged (loaded into its buffer)."""
    assert isinstance(manager._scheduler, WriteScheduler)
    return manager._scheduler.batcher.load_journal()
