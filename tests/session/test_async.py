"""Async agents: no memory call runs on the event loop's thread, in either write mode."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ToolCall

from .conftest import ManagerFactory, make_agent, no_trim, stored_events


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_invoke_async_makes_no_memory_call_on_the_loop_thread(
    make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str, mode: str
) -> None:
    manager = make_manager(write_mode=mode)
    agent = make_agent(
        manager, [ToolCall("add", {"a": 1, "b": 2}), "3", "ok"], conversation_manager=no_trim()
    )
    threads: list[int] = []
    manager.api.client.meta.events.register(
        "before-call.bedrock-agentcore", lambda **_: threads.append(threading.get_ident())
    )
    stored: list[int] = []

    async def main() -> int:
        await agent.invoke_async("add 1 and 2")
        if mode == "sync":  # stored before the turn went on: nothing left once it returns
            stored.append(len(stored_events(server, memory_id)))
        async for _ in agent.stream_async("thanks"):
            pass
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    manager.flush()
    assert threads and loop_thread not in threads
    if mode == "sync":
        assert stored == [4]
    items = [i for e in stored_events(server, memory_id) for i in e["payload"]]
    assert sum("conversational" in i for i in items) == len(agent.messages) == 6
    restored: Any = make_agent(make_manager(), conversation_manager=no_trim())
    assert restored.messages == agent.messages
