"""The flushes no caller asks for (session/write/auto_flush.py): timer and exit flush.

An unclosed manager with a flush timer is still collected: the timer holds its scheduler
weakly, the exit flush stores what was pending, and the timer's thread ends.
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from typing import Any

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import ACTOR, RETRIES, calls, make_agent, stored_events


def _timer_threads(session: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"agentcore-memory-flush-{session}"]


def test_an_unclosed_manager_with_a_timer_is_collected_and_its_writes_flushed(
    server: LocalMemoryServer, memory_id: str
) -> None:
    session = "auto-flush-gc"
    manager: Any = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id,
            session_id=session,
            actor_id=ACTOR,
            batch_size=100,
            flush_interval_seconds=30,  # never fires during the test
            create_event_rate=None,
        ),
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
    )
    agent = make_agent(manager, [])
    manager.append_message({"role": "user", "content": [{"text": "left behind"}]}, agent)
    assert len(_timer_threads(session)) == 1
    scheduler = weakref.ref(manager._scheduler)
    before = calls(server)["CreateEvent"]
    del manager, agent
    deadline = time.monotonic() + 10
    while (scheduler() is not None or _timer_threads(session)) and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.05)
    assert scheduler() is None
    assert _timer_threads(session) == []
    assert calls(server)["CreateEvent"] == before + 1
    events = stored_events(server, memory_id, session=session)
    assert "left behind" in events[0]["payload"][0]["conversational"]["content"]["text"]
