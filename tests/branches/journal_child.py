"""A manager on branch ``b`` with a journal and ``batch_size=10``, killed mid-turn (SIGKILL).

``python -m tests.branches.journal_child ENDPOINT MEMORY_ID JOURNAL``: the turn's prompt is in
the journal, never planned nor sent, when the model call kills the process.
"""

from __future__ import annotations

import sys
from pathlib import Path

from strands import Agent

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.testing import ScriptedModel

from ..session.multi_agent_scenarios import die
from ..support import ACTOR, SESSION

if __name__ == "__main__":
    endpoint, memory_id, journal = sys.argv[1:4]
    config = AgentCoreMemoryConfig(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="b",
        batch_size=10,
        journal_path=Path(journal),
        create_event_rate=None,
    )
    manager = AgentCoreMemorySessionManager(config, endpoint_url=endpoint)
    Agent(model=ScriptedModel(die), session_manager=manager, callback_handler=None)("q2 on b")
