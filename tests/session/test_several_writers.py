"""Several session managers writing one session: every acknowledged message is restored.

A seeded generator builds interleavings of two or three managers on one session of the local
server: each starts at a random point (restoring what is stored by then), has its own batch
size, and appends messages, runs turns and flushes in a random order. Every restore, those
made mid-way by a starting writer and the final one, must hold every acknowledged message
(everything stored), in event order, whatever the interleaving.
"""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from strands import Agent
from strands.agent.conversation_manager import SlidingWindowConversationManager

from agentcore_memory_otel import AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.agents import removed_message_count
from agentcore_memory_otel.session.read.history import fix_broken_tool_use
from agentcore_memory_otel.session.read.restore import SessionScan, agent_record, session_pages
from agentcore_memory_otel.testing import ToolCall
from agentcore_memory_otel.wire.codec import StoredMessage, decode_event

from .conftest import ACTOR, SESSION, ManagerFactory, make_agent, no_trim, stored_events


def _texts(messages: list[Any]) -> list[str]:
    return [m["content"][0]["text"] for m in messages]


def _stored_in_event_order(server: LocalMemoryServer, memory_id: str) -> list[str]:
    """Every stored message's text, oldest event first, items in their order in the event."""
    return [
        stored.session_message.message["content"][0]["text"]
        for event in stored_events(server, memory_id)
        for stored in decode_event(event)
        if isinstance(stored, StoredMessage)
    ]


class _Writer:
    def __init__(self, name: str, manager: AgentCoreMemorySessionManager, agent: Agent) -> None:
        self.name, self.manager, self.agent = name, manager, agent
        self.count = 0

    def text(self) -> str:
        self.count += 1
        return f"{self.name}-{self.count}"


def _replies(name: str) -> Any:
    replies = (f"{name}-reply-{n}" for n in range(1000))
    return lambda _: next(replies)


def run_program(
    seed: int,
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    *,
    background: bool = False,
) -> int:
    """Run one random interleaving; returns the number of events stored.

    With ``background``, the first writer writes in background mode: its messages count as
    acknowledged once its ``flush()`` returns, so it flushes before another writer starts.
    """
    rng = random.Random(seed)
    names = ["a", "b", "c"][: rng.choice([2, 3])]
    starts = {name: (0 if index == 0 else rng.randrange(0, 60)) for index, name in enumerate(names)}
    writers: dict[str, _Writer] = {}
    written: list[str] = []
    for step in range(rng.randrange(150, 220)):
        for name in names:
            if starts[name] == step and name not in writers:
                if background and "a" in writers:
                    writers["a"].manager.flush(timeout=30)
                mode = "background" if background and name == "a" else "sync"
                manager = make_manager(batch_size=rng.choice([1, 1, 2, 3, 10]), write_mode=mode)
                agent = make_agent(manager, _replies(name), conversation_manager=no_trim())
                # A writer starting now restores everything acknowledged so far, in event order.
                assert _texts(agent.messages) == _stored_in_event_order(server, memory_id)
                writers[name] = _Writer(name, manager, agent)
        writer = writers[rng.choice(sorted(writers))]
        roll = rng.random()
        if roll < 0.7:
            text = writer.text()
            message: Any = {"role": rng.choice(["user", "assistant"]), "content": [{"text": text}]}
            writer.manager.append_message(message, writer.agent)
            written.append(text)
        elif roll < 0.85:
            before = len(writer.agent.messages)
            writer.agent(writer.text())
            written += _texts(writer.agent.messages[before:])
        else:
            writer.manager.flush()
    for writer in writers.values():
        writer.manager.close()
    stored = _stored_in_event_order(server, memory_id)
    assert sorted(stored) == sorted(written)  # every message stored once
    restored = make_agent(make_manager(), conversation_manager=no_trim())
    assert _texts(restored.messages) == stored
    for name in writers:  # each writer's own messages keep its order
        own = [t for t in stored if t.startswith(f"{name}-") and "reply" not in t]
        assert own == sorted(own, key=lambda t: int(t.rsplit("-", 1)[1]))
    return len(stored_events(server, memory_id))


@pytest.mark.parametrize("seed", range(3))
def test_interleaved_writers_restore_every_message_in_event_order(
    seed: int, make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    assert run_program(seed, make_manager, server, memory_id) > 100  # restores read pages


@pytest.mark.parametrize("seed", range(2))
def test_interleaved_writers_one_in_background_mode(
    seed: int, make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    run_program(seed + 200, make_manager, server, memory_id, background=True)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 140))
def test_interleaved_writers_many_seeds(
    seed: int, make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    run_program(seed, make_manager, server, memory_id)


@pytest.mark.parametrize("batch_size", [1, 10])
def test_two_writers_at_once_running_tool_turns(
    batch_size: int, make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    """The reported case: two managers start together, each runs 5 one-tool turns."""
    server.faults.set_latency(0.01)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            script: list[Any] = []
            for turn in range(5):
                script += [ToolCall("add", {"a": turn, "b": 1}), f"{name}{turn}"]
            manager = make_manager(batch_size=batch_size)
            agent = make_agent(manager, script, conversation_manager=no_trim())
            barrier.wait()
            for turn in range(5):
                agent(f"{name}-p{turn}")
            manager.close()
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    server.faults.reset()
    stored = [
        stored.session_message.message
        for event in stored_events(server, memory_id)
        for stored in decode_event(event)
        if isinstance(stored, StoredMessage)
    ]
    assert len(stored) == 40
    manager = make_manager()
    # The repository reads every stored message, in event order...
    listed = manager.list_messages(SESSION, "default")
    assert [m.to_message()["content"] for m in listed] == [m["content"] for m in stored]
    # ...and the agent holds them as Strands' repair leaves them (the writers' tool calls
    # interleave, so some results no longer follow their toolUse).
    restored = make_agent(manager, conversation_manager=no_trim())
    assert [m["content"] for m in restored.messages] == [
        m["content"] for m in fix_broken_tool_use(stored)
    ]


def _windowed_program(
    seed: int, make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    """Several writers with sliding windows: the restore does not depend on where it stops.

    Interleaved writers number their messages over the same ids, so a window's
    ``removed_message_count`` is applied to the messages numbered by their place in the whole
    session. Whatever page the newest-first scan could stop at, the restore must hold what a
    read of the whole session gives.
    """
    rng = random.Random(seed)
    names = ["a", "b", "c"][: rng.choice([2, 3])]
    starts = {name: (0 if index == 0 else rng.randrange(0, 40)) for index, name in enumerate(names)}
    agents: dict[str, Agent] = {}
    for step in range(rng.randrange(60, 120)):
        for name in names:
            if starts[name] == step and name not in agents:
                window = SlidingWindowConversationManager(
                    window_size=rng.choice([4, 6, 10]), should_truncate_results=False
                )
                manager = make_manager(batch_size=rng.choice([1, 2, 10]))
                agents[name] = make_agent(manager, _replies(name), conversation_manager=window)
        agents[rng.choice(sorted(agents))](f"p{step}")
    for agent in agents.values():
        assert agent._session_manager is not None
        agent._session_manager.close()  # type: ignore[attr-defined]
    manager = make_manager()
    restored = make_agent(manager, conversation_manager=SlidingWindowConversationManager(4))
    whole = SessionScan(
        session_pages(
            manager.api.list_events, memory_id=memory_id, actor_id=ACTOR, session_id=SESSION
        )
    )
    while whole.fetch():
        pass
    record = next(
        found.session_agent
        for event in whole.decoded
        for s in event
        if (found := agent_record(s, "default")) is not None
    )
    everything = whole.collect_messages("default", lambda _: False)
    offset = removed_message_count(record)
    expected = [m.message["content"] for m in everything if m.message_id >= offset]
    assert [m["content"] for m in restored.messages] == expected


@pytest.mark.parametrize("seed", [103, 106])  # seeds whose scan could stop too early
def test_interleaved_writers_with_windows_restore_as_a_whole_read(
    seed: int, make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    _windowed_program(seed, make_manager, server, memory_id)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(107, 140))
def test_interleaved_writers_with_windows_many_seeds(
    seed: int, make_manager: ManagerFactory, server: LocalMemoryServer, memory_id: str
) -> None:
    _windowed_program(seed, make_manager, server, memory_id)


def test_strands_file_manager_loses_a_second_writers_messages(tmp_path: Any) -> None:
    """Why ours keeps both writers: Strands' own manager overwrites one with the other."""
    from strands.session import FileSessionManager

    def build(name: str) -> Agent:
        manager = FileSessionManager(session_id="s", storage_dir=str(tmp_path))
        return make_agent(manager, _replies(name), conversation_manager=no_trim())  # type: ignore[arg-type]

    first, second = build("a"), build("b")
    for turn in range(3):
        first(f"a-p{turn}")
        second(f"b-p{turn}")
    restored = build("z")
    assert len(restored.messages) == 6  # of the 12 written: each message file was overwritten
