"""Hostile Graph/Swarm checkpoints never block a session: each is skipped with one warning.

A checkpoint another client stored that does not decode, or that Strands' ``deserialize_state``
cannot take, is skipped (the older one restores instead), and neither the manager's
construction nor the orchestrator's raises. A seeded set of mutated checkpoints of a real
Graph and Swarm runs in the default test run.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.wire.encoding import encode_multi_agent

from .conftest import ACTOR, ManagerFactory
from .multi_agent_scenarios import Run, comparable_state, crash, graph, handoff, swarm

GRAPH = {"research": ["facts"], "write": ["draft"], "review": ["approved"]}
SWARM = {"triage": [handoff("billing"), "handed over"], "billing": ["refund issued"]}
# The builder, the failing run's scripts, the orchestrator's id, and a node to resume at.
BUILDERS: dict[str, tuple[Callable[..., Run], dict[str, Any], str, str]] = {
    "graph": (graph, {**GRAPH, "write": crash}, "pipeline", "write"),
    "swarm": (swarm, {**SWARM, "billing": crash}, "team", "billing"),
}
JUNK: list[Any] = [None, 5, -1, 1.5, "x", "\udcff", True, [], {}, ["nope"], {"a": [1]}, [[[[]]]]]


def _checkpoint(kind: str, make_manager: ManagerFactory, session: str) -> dict[str, Any]:
    """Run the orchestrator into a mid-run failure; return the checkpoint it stored."""
    build, scripts, _, resume_at = BUILDERS[kind]
    run = build(make_manager(session_id=session), scripts)
    with contextlib.suppress(RuntimeError):  # a Graph raises the node's failure, a Swarm reports it
        run.orchestrator("the task")
    # Resumable, so that a restore hydrates every field (a finished run only resets).
    return {**run.orchestrator.serialize_state(), "next_nodes_to_execute": [resume_at]}


def _store(server: LocalMemoryServer, memory_id: str, session: str, item: Any) -> str:
    """Store one event as another client would, newer than everything else."""
    event = server.client().create_event(
        memoryId=memory_id,
        actorId=ACTOR,
        sessionId=session,
        eventTimestamp=time.time() + 1,
        payload=[item],
    )
    return str(event["event"]["eventId"])


def _restored(kind: str, make_manager: ManagerFactory, session: str) -> dict[str, Any]:
    build = BUILDERS[kind][0]
    return comparable_state(
        build(make_manager(session_id=session), GRAPH if kind == "graph" else SWARM).orchestrator
    )


def _mutations(state: dict[str, Any], rng: random.Random, count: int) -> list[Any]:
    """Mutated copies of ``state``: nested values replaced by junk or dropped."""
    out: list[Any] = []
    for _ in range(count):
        mutated = copy.deepcopy(state)
        for _ in range(rng.randint(1, 3)):
            # Walk down a random path, then replace or drop what is there.
            parent: Any = mutated
            while True:
                keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
                if not keys:
                    break
                key = rng.choice(keys)
                child = parent[key]
                if isinstance(child, dict | list) and child and rng.random() < 0.6:
                    parent = child
                    continue
                if isinstance(parent, dict) and rng.random() < 0.2:
                    del parent[key]
                else:
                    parent[key] = rng.choice(JUNK)
                break
        out.append(mutated)
    return out


HOSTILE_CASES: dict[str, Any] = {
    "bad status": {"status": "bogus"},
    "interrupt state not a dict": {"_internal_state": {"interrupt_state": 5}},
    "internal state missing": {"_internal_state": {}},
}


@pytest.mark.parametrize("kind", ["graph", "swarm"])
@pytest.mark.parametrize("case", sorted(HOSTILE_CASES))
def test_a_checkpoint_strands_cannot_take_is_skipped_with_one_warning(
    kind: str,
    case: str,
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    session = f"hostile-{kind}"
    state = _checkpoint(kind, make_manager, session)
    good = _restored(kind, make_manager, session)
    hostile = {**state, **HOSTILE_CASES[case]}
    event_id = _store(server, memory_id, session, encode_multi_agent(BUILDERS[kind][2], hostile))
    with caplog.at_level(logging.WARNING, logger="agentcore_memory_otel"):
        assert _restored(kind, make_manager, session) == good
    warnings = [r.getMessage() for r in caplog.records if event_id in r.getMessage()]
    assert len(warnings) == 1


@pytest.mark.parametrize("kind", ["graph", "swarm"])
def test_a_checkpoint_that_does_not_decode_is_skipped(
    kind: str,
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    session = f"undecodable-{kind}"
    _checkpoint(kind, make_manager, session)
    good = _restored(kind, make_manager, session)
    nested = "[" * 5000 + "]" * 5000
    deep = f'{{"multi_agent_id": "{BUILDERS[kind][2]}", "state": {nested}}}'
    event_id = _store(server, memory_id, session, {"blob": deep})
    with caplog.at_level(logging.WARNING, logger="agentcore_memory_otel"):
        assert _restored(kind, make_manager, session) == good
    assert len([r for r in caplog.records if event_id in r.getMessage()]) == 1


@pytest.mark.parametrize("kind", ["graph", "swarm"])
def test_mutated_checkpoints_never_make_a_restore_raise(
    kind: str,
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    session = f"fuzz-{kind}"
    state = _checkpoint(kind, make_manager, session)
    rng = random.Random(20)
    build, _, orchestrator_id, _ = BUILDERS[kind]
    scripts = GRAPH if kind == "graph" else SWARM
    skipped = 0
    for mutated in _mutations(state, rng, 25):
        event_id = _store(server, memory_id, session, encode_multi_agent(orchestrator_id, mutated))
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="agentcore_memory_otel"):
            build(make_manager(session_id=session), scripts)  # must not raise
        naming = [r for r in caplog.records if event_id in r.getMessage()]
        assert len(naming) <= 1
        skipped += len(naming)
    assert skipped > 0  # the mutations reach what Strands rejects
