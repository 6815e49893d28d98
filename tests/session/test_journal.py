"""The durable journal: entries journaled before hooks return, idempotent replay, SIGKILL."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer

from .conftest import RETRIES, ManagerFactory, make_agent, no_trim, stored_events
from .test_history import _valid

CHILD = Path(__file__).with_name("kill_child.py")


def _rows(journal: Path) -> int:
    """Journaled messages and planned events (a record may wait for the next message)."""
    with sqlite3.connect(journal) as db:
        entries = db.execute("SELECT COUNT(*) FROM entries WHERE record_key IS NULL").fetchone()[0]
        planned = db.execute("SELECT COUNT(*) FROM planned").fetchone()[0]
    return int(entries) + int(planned)


def test_unacknowledged_entries_are_replayed_with_their_client_tokens(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.db"
    manager = make_manager(journal_path=journal)
    agent = make_agent(manager, ["one", "two"], conversation_manager=no_trim())
    agent("first")
    assert _rows(journal) == 0  # acknowledged entries leave the journal
    # The second turn's writes are stored but answered with errors: a crash would lose them.
    server.faults.commit_then_fail(1000)
    with contextlib.suppress(Exception):  # the sync write fails inside the turn
        agent("second")
    assert _rows(journal) > 0
    server.faults.reset()
    before = len(stored_events(server, memory_id))
    # A new manager on the same journal re-sends them first: the service deduplicates.
    manager = make_manager(journal_path=journal)
    resumed = make_agent(manager, conversation_manager=no_trim())
    texts = [b["text"] for m in resumed.messages for b in m["content"] if "text" in b]
    assert texts == ["first", "one", "second"]
    # The restore stores nothing of its own: the journal is empty once replayed.
    assert _rows(journal) == manager.pending_message_count() == 0
    manager.close()
    assert len(stored_events(server, memory_id)) >= before
    assert texts.count("second") == 1


def _check_resume(
    server: LocalMemoryServer, memory_id: str, session: str, journal: Path, accepted: int
) -> list[Any]:
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id,
            session_id=session,
            actor_id="killed",
            journal_path=journal,
            create_event_rate=None,
        ),
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
    )
    agent = make_agent(manager, conversation_manager=no_trim())
    manager.close()
    messages: list[Any] = agent.messages
    assert _valid(messages)
    assert len(messages) >= accepted  # nothing a hook accepted is lost
    prompts = [m["content"][0]["text"] for m in messages if "text" in m["content"][0]]
    user_prompts = [p for p in prompts if p.startswith("p")]
    assert user_prompts == [f"p{i}" for i in range(len(user_prompts))]  # none twice
    return messages


def run_kills(
    server: LocalMemoryServer, memory_id: str, journal: Path, kills: int, session: str
) -> list[int]:
    """Kill the child ``kills`` times at random points; return the accepted counts seen."""
    server.faults.set_latency(0.05, "CreateEvent")
    accepted_counts: list[int] = []
    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    for _ in range(kills):
        child = subprocess.Popen(
            [sys.executable, str(CHILD), server.endpoint_url, memory_id, session, str(journal)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        first = child.stdout.readline()  # one turn done: the child is running
        assert first.strip().isdigit()
        time.sleep(rng.uniform(0.0, 0.6))
        child.send_signal(signal.SIGKILL)
        rest = child.communicate(timeout=30)[0]
        lines = [first, *rest.splitlines()]
        accepted = max(int(line) for line in lines if line.strip().isdigit())
        _check_resume(server, memory_id, session, journal, accepted)
        accepted_counts.append(accepted)
    server.faults.reset()
    return accepted_counts


def test_sigkill_loses_nothing_a_hook_accepted(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    counts = run_kills(server, memory_id, tmp_path / "journal.db", 3, "killed-session")
    assert counts == sorted(counts)
