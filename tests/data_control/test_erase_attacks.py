"""Erase against what other features leave behind: a manager's journal rows on a branch."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.session.data_control import erase
from agentcore_memory_otel.session.data_control.erase import EraseReport

from ..support import RETRIES, make_agent, no_trim
from .conftest import ALICE, BOB, NO_PACING, World


def _scopes(world: World) -> list[str]:
    db = sqlite3.connect(world.journal)
    try:
        return sorted(
            {
                scope
                for table in ("entries", "planned", "redactions")
                for (scope,) in db.execute(f"SELECT scope FROM {table}")
            }
        )
    finally:
        db.close()


def _erase(world: World, **kwargs: Any) -> EraseReport:
    return erase(
        world.memory_id,
        ALICE,
        client=world.client,
        control_client=world.control,
        journal_path=world.journal,
        rate_limits=NO_PACING,
        **kwargs,
    )


def test_journal_rows_of_a_manager_on_a_branch_are_erased_and_verified(world: World) -> None:
    crashed = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=world.memory_id,
            actor_id=ALICE,
            session_id="s2",
            branch="what-if",
            journal_path=world.journal,
            create_event_rate=None,
        ),
        endpoint_url=world.server.endpoint_url,
        boto_client_config=RETRIES,
    )
    world.crashed.append(crashed)
    agent = make_agent(crashed, ["late reply"], conversation_manager=no_trim())
    world.server.faults.commit_then_fail(1000)
    with contextlib.suppress(Exception):
        agent("one more thing on the branch")
    world.server.faults.reset()
    assert any("what-if" in scope for scope in _scopes(world))

    plan = _erase(world, dry_run=True).plan
    report = _erase(world)
    assert report.plan.journal_rows == plan.journal_rows
    assert report.complete and report.remaining is not None
    assert report.remaining.journal_rows == 0
    assert all(ALICE not in scope for scope in _scopes(world))
    assert any(BOB in scope for scope in _scopes(world))  # the other actor's rows stay
