"""A memory with an actor worth erasing: sessions, branches, extracted records, journal rows."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer

from ..session.conftest import make_manager
from ..support import NO_RETRIES, RETRIES, make_agent, no_trim

ALICE = "user/42:alice"
BOB = "bob"
NO_PACING = {
    "ListSessions": 0,
    "ListEvents": 0,
    "ListEvents per session": 0,
    "DeleteEvent": 0,
    "DeleteEvent per session": 0,
    "CreateEvent": 0,
    "CreateEvent per session": 0,
    "ListMemoryRecords": 0,
    "BatchDeleteMemoryRecords": 0,
}
"""Tests count calls exactly and need no pacing against the local server."""

__all__ = ["make_manager"]  # the session tests' manager factory, for the content-filter tests


@pytest.fixture
def server() -> Iterator[LocalMemoryServer]:
    """The local server removing a session with its last event (the service: within a day)."""
    with LocalMemoryServer(empty_session_seconds=0) as running:
        yield running


@dataclass
class World:
    """What the fixture stored, to check an erase against."""

    server: LocalMemoryServer
    memory_id: str
    journal: Path
    client: Any
    control: Any
    strategies: dict[str, str]  # name -> strategyId
    crashed: list[AgentCoreMemorySessionManager] = field(default_factory=list)


@pytest.fixture
def world(server: LocalMemoryServer, tmp_path: Path) -> Iterator[World]:
    control = server.client("bedrock-agentcore-control", config=NO_RETRIES)
    memory = control.create_memory(
        name="erase_memory",
        eventExpiryDuration=30,
        memoryStrategies=[
            {"semanticMemoryStrategy": {"name": "facts"}},
            {"summaryMemoryStrategy": {"name": "summaries"}},
        ],
    )["memory"]
    strategies = {s["name"]: s["strategyId"] for s in memory["strategies"]}
    world = World(
        server,
        memory["id"],
        tmp_path / "journal.db",
        server.client(config=RETRIES),
        control,
        strategies,
    )
    for actor in (ALICE, BOB):
        for session in ("s1", "s2", "s3"):
            write_conversation(world, actor, session)
        add_branch(world, actor, "s2")
    leave_journal_rows(world, ALICE, "s3")
    leave_journal_rows(world, BOB, "s3")
    seed_records(world, ALICE)
    seed_records(world, BOB)
    assert server.backend.extraction.wait_idle(20)
    yield world
    for crashed in world.crashed:  # flushed while the server runs, not at exit
        with contextlib.suppress(Exception):
            crashed.close()


def manager(world: World, actor: str, session: str) -> AgentCoreMemorySessionManager:
    return AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=world.memory_id,
            actor_id=actor,
            session_id=session,
            journal_path=world.journal,
            create_event_rate=None,
        ),
        endpoint_url=world.server.endpoint_url,
        boto_client_config=RETRIES,
    )


def write_conversation(world: World, actor: str, session: str) -> None:
    """Two turns of a real agent (messages, state, trace-stamped events)."""
    writer = manager(world, actor, session)
    agent = make_agent(
        writer, [f"I remember that {actor} likes tea", "noted"], conversation_manager=no_trim()
    )
    agent(f"I am {actor} and I like green tea")
    agent("my phone is 555-0100")
    agent.state.set("city", "Lisbon")
    writer.close()


def add_branch(world: World, actor: str, session: str) -> str:
    """Two events on a branch forked from the session's oldest event (boto3 CreateEvent)."""
    oldest = events(world, actor, session)[-1]
    root = oldest["eventId"]
    last = ""
    for i in range(2):
        last = world.client.create_event(
            memoryId=world.memory_id,
            actorId=actor,
            sessionId=session,
            eventTimestamp=time.time() + i / 1000,
            payload=[{"conversational": {"role": "USER", "content": {"text": f"branch {i}"}}}],
            branch={"name": "what-if", "rootEventId": root},
        )["event"]["eventId"]
    return last


def leave_journal_rows(world: World, actor: str, session: str) -> None:
    """A turn stored but answered with errors: its entries stay in the journal."""
    crashed = manager(world, actor, session)
    agent = make_agent(crashed, ["late reply"], conversation_manager=no_trim())
    world.server.faults.commit_then_fail(1000)
    with contextlib.suppress(Exception):
        agent("one more thing")
    world.server.faults.reset()
    world.crashed.append(crashed)  # as if the process died: its rows stay in the journal


def seed_records(world: World, actor: str) -> None:
    """Records in the actor's namespaces of both strategies (and in a shared namespace)."""
    facts, summaries = world.strategies["facts"], world.strategies["summaries"]
    namespaces = [
        f"/strategies/{facts}/actors/{actor}/",
        f"/strategies/{summaries}/actors/{actor}/sessions/s1/",
        "/shared/",
    ]
    world.client.batch_create_memory_records(
        memoryId=world.memory_id,
        records=[
            {
                "requestIdentifier": f"r{i}",
                "namespaces": [namespace],
                "content": {"text": f"{actor} fact {i}"},
                "timestamp": time.time(),
                "memoryStrategyId": summaries if "sessions/" in namespace else facts,
            }
            for i, namespace in enumerate(namespaces)
        ],
    )


def events(world: World, actor: str, session: str) -> list[dict[str, Any]]:
    """Every event of the session, newest first, every branch."""
    found: list[dict[str, Any]] = []
    token = None
    while True:
        extra: dict[str, Any] = {"nextToken": token} if token else {}
        page = world.client.list_events(
            memoryId=world.memory_id, actorId=actor, sessionId=session, maxResults=100, **extra
        )
        found += page["events"]
        token = page.get("nextToken")
        if not token:
            return found


def records(world: World) -> list[dict[str, Any]]:
    """Every record of the memory (ListMemoryRecords under "/")."""
    found: list[dict[str, Any]] = []
    token = None
    while True:
        extra: dict[str, Any] = {"nextToken": token} if token else {}
        page = world.client.list_memory_records(
            memoryId=world.memory_id, namespacePath="/", maxResults=100, **extra
        )
        found += page["memoryRecordSummaries"]
        token = page.get("nextToken")
        if not token:
            return found
