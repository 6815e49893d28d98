"""The write path: added turn latency per write mode, the 5 TPS quota, and event-loop blocking.

Usage: ``python3 -m benchmarks.write_path [--turns 5] [--skip-quota] [--skip-loop]``

Everything runs against the in-process local server with its fault injection, real boto3 and
real Strands agents with a scripted (instant) model, so the time a turn takes is the time
memory adds to it.

* Added turn latency at 50 ms simulated round trip (every operation answers 50 ms late), for
  a simple turn and a one-tool turn, against the same agent without a session manager; turns
  are 1.1 s apart (not counted) so that pacing under the 5 TPS quota does not carry over.
* The 5 TPS quota: the server throttles CreateEvent above 5 per second per actor+session; a
  turn makes 10 tool calls; default settings (no ``boto_client_config``), and the previous
  behaviour (no pacing, botocore's default retries) for comparison.
* Event loop: ticks of a 10 ms asyncio ticker during ``invoke_async`` (and the flush that
  follows it, awaited in a thread, so background writes are inside the window) with 200 ms
  memory latency, against an idle loop over the same time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from botocore.config import Config
from strands import Agent, tool
from strands.agent.conversation_manager import NullConversationManager

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel, ToolCall

RTT = 0.05


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def _reply(tools: int) -> Any:
    def respond(messages: list[dict[str, Any]]) -> Any:
        used = 0
        for message in reversed(messages):
            if message["role"] == "user" and any("text" in b for b in message["content"]):
                break
            used += sum(1 for b in message["content"] if "toolUse" in b)
        return ToolCall("add", {"a": 1, "b": 2}) if used < tools else "done"

    return respond


def _manager(
    server: LocalMemoryServer, memory_id: str, session: str, **fields: Any
) -> AgentCoreMemorySessionManager:
    config_extra = fields.pop("boto_client_config", None)
    return AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(memory_id=memory_id, session_id=session, actor_id="bench", **fields),
        endpoint_url=server.endpoint_url,
        boto_client_config=config_extra,
    )


def added_latency(server: LocalMemoryServer, memory_id: str, turns: int) -> list[list[str]]:
    """Median time memory adds to a turn, in RTTs, per mode and turn kind."""
    modes: list[tuple[str, dict[str, Any]]] = [
        ("sync, batch_size=1", {}),
        ("sync, batch_size=10", {"batch_size": 10}),
        ("background", {"write_mode": "background"}),
        ("background + journal", {"write_mode": "background", "journal_path": "journal"}),
    ]
    rows: list[list[str]] = []
    server.faults.set_latency(RTT)
    with tempfile.TemporaryDirectory() as tmp:
        for kind, tools in (("simple", 0), ("one tool", 1)):
            baseline = _turn_times(
                lambda t=tools: Agent(
                    model=ScriptedModel(_reply(t)), tools=[add], callback_handler=None
                ),
                turns,
                None,
            )
            for label, fields in modes:
                if "journal_path" in fields:
                    fields = {**fields, "journal_path": Path(tmp) / f"{kind}.db"}
                session = f"lat-{kind.replace(' ', '')}-{len(rows)}"
                manager = _manager(server, memory_id, session, **fields)
                times = _turn_times(
                    lambda m=manager, t=tools: Agent(
                        model=ScriptedModel(_reply(t)),
                        tools=[add],
                        session_manager=m,
                        conversation_manager=NullConversationManager(),
                        callback_handler=None,
                    ),
                    turns,
                    manager,
                )
                manager.close()
                added = (statistics.median(times) - statistics.median(baseline)) / RTT
                rows.append([kind, label, f"{statistics.median(times) * 1000:.1f}", f"{added:.2f}"])
    server.faults.reset()
    return rows


def _turn_times(
    build: Any, turns: int, manager: AgentCoreMemorySessionManager | None
) -> list[float]:
    agent = build()
    times: list[float] = []
    for turn in range(turns):
        started = time.perf_counter()
        agent(f"p{turn}")
        times.append(time.perf_counter() - started)
        if manager is not None:
            manager.flush()
            time.sleep(1.1)  # keep the quota's pacing from one turn out of the next
    return times


def quota(server: LocalMemoryServer, memory_id: str, turns: int) -> list[list[str]]:
    """Turns of 10 tool calls under a 5 TPS CreateEvent quota."""
    variants: list[tuple[str, dict[str, Any]]] = [
        ("sync, defaults", {}),
        ("background, defaults", {"write_mode": "background"}),
        (
            "sync, no pacing, botocore default retries (before)",
            {"create_event_rate": None, "boto_client_config": Config()},
        ),
        (
            "sync, pacing, user config standard 3 attempts",
            {"boto_client_config": Config(retries={"mode": "standard", "total_max_attempts": 3})},
        ),
    ]
    rows: list[list[str]] = []
    for index, (label, fields) in enumerate(variants):
        server.faults.reset()
        server.faults.set_create_event_rate_limit(5)
        server.stats.reset()
        manager = _manager(server, memory_id, f"quota-{index}", **fields)
        agent = Agent(
            model=ScriptedModel(_reply(10)),
            tools=[add],
            session_manager=manager,
            conversation_manager=NullConversationManager(),
            callback_handler=None,
        )
        aborted = 0
        times: list[float] = []
        for turn in range(turns):
            started = time.perf_counter()
            try:
                agent(f"p{turn}")
            except Exception:
                aborted += 1
            times.append(time.perf_counter() - started)
        # Without pacing the quota may still refuse the last writes; the table counts them.
        with contextlib.suppress(Exception):
            manager.close()
        throttles = server.stats.count("CreateEvent", outcome="ThrottledException")
        made = server.stats.count("CreateEvent", outcome="success")
        rows.append(
            [
                label,
                f"{aborted}/{turns}",
                str(throttles),
                str(made),
                f"{statistics.median(times):.2f}",
            ]
        )
    server.faults.reset()
    return rows


def event_loop(server: LocalMemoryServer, memory_id: str) -> list[list[str]]:
    """Ticks of a 10 ms ticker during ``invoke_async`` with 200 ms memory latency."""
    rows: list[list[str]] = []
    for index, mode in enumerate(("sync", "background")):
        server.faults.reset()
        manager = _manager(server, memory_id, f"loop-{index}", write_mode=mode)
        agent = Agent(
            model=ScriptedModel(_reply(1)),
            tools=[add],
            session_manager=manager,
            conversation_manager=NullConversationManager(),
            callback_handler=None,
        )
        server.faults.set_latency(0.2)
        during, elapsed = asyncio.run(_ticks_during(agent, manager))
        idle = elapsed / 0.01
        rows.append([mode, f"{elapsed:.2f}", str(during), f"{idle:.0f}", f"{during / idle:.0%}"])
        manager.close()
    server.faults.reset()
    return rows


async def _ticks_during(agent: Agent, manager: AgentCoreMemorySessionManager) -> tuple[int, float]:
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    await agent.invoke_async("p0")
    await asyncio.to_thread(manager.flush)  # until every write is stored, in both modes
    elapsed = time.perf_counter() - started
    done.set()
    await task
    return ticks, elapsed


def journal_cost(messages: int = 300) -> list[list[str]]:
    """Time to journal one message (one committed SQLite transaction, fsync included)."""
    from strands.types.session import SessionMessage

    from agentcore_memory_otel.session.write.entries import EntryFactory
    from agentcore_memory_otel.session.write.journal import Journal
    from agentcore_memory_otel.wire.clock import MonotonicClock

    factory = EntryFactory(
        clock=MonotonicClock(), default_metadata={}, metadata_provider=None, stamp_traces=False
    )
    text = "x" * 500
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal(Path(tmp) / "j.db", "memory-0123456789", "actor", "session")
        entries = [
            factory.message(
                SessionMessage({"role": "user", "content": [{"text": text}]}, i), "a", base=0
            )
            for i in range(messages)
        ]
        started = time.perf_counter()
        for entry in entries:
            journal.add_messages(entry)
        elapsed = time.perf_counter() - started
        journal.close()
    return [[str(messages), f"{elapsed / messages * 1000:.2f}"]]


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-quota", action="store_true")
    parser.add_argument("--skip-loop", action="store_true")
    args = parser.parse_args()
    with LocalMemoryServer() as server:
        control = server.client("bedrock-agentcore-control")
        memory_id = control.create_memory(name="bench", eventExpiryDuration=30)["memory"]["id"]
        if not args.skip_latency:
            print("Added turn latency at 50 ms RTT (median of", args.turns, "turns)\n")
            header = ["turn", "mode", "turn ms", "added RTT"]
            print(_table(header, added_latency(server, memory_id, args.turns)), "\n")
        if not args.skip_quota:
            print("10-tool-call turns at the 5 TPS CreateEvent quota\n")
            header = ["settings", "turns aborted", "throttles", "CreateEvent ok", "turn s"]
            print(_table(header, quota(server, memory_id, 3)), "\n")
        print("Journal cost per message (500-character message, synchronous=FULL)\n")
        print(_table(["messages", "ms per message"], journal_cost()), "\n")
        if not args.skip_loop:
            print("10 ms ticker during invoke_async, 200 ms memory latency\n")
            header = ["mode", "turn s", "ticks", "idle-loop ticks", "share"]
            print(_table(header, event_loop(server, memory_id)))


if __name__ == "__main__":
    main()
