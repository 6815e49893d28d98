"""Time to restore a Strands agent from a stored session, ours beside the reference SDK's.

Runs ``agentcore-memory-otel serve`` as its own process. For each size, one session of that many
messages is written by this package's session manager and one by the bedrock-agentcore SDK's
(both with real Strands agents and a scripted model, one user and one assistant message per
turn). Then, repeatedly, a new session manager and a new ``Agent`` are built on each session
(what a process serving the conversation does on its first request), timed together: both
managers read the session, ours when it is built, the SDK's when the agent is. Each side builds
its clients from one boto3 session made beforehand, as a long-running process would. As
building the clients is a large, noisy share on a loaded machine, the same is timed on a new
(empty) session, and the table shows both the total and the total less that baseline, which is
what the stored session's size costs:

* ``full``: ``NullConversationManager``, so the agent loads the whole history;
* ``window``: Strands' default ``SlidingWindowConversationManager`` (40 messages), after the
  session was written by an agent with that same window, so the record says what it keeps.

Medians of ``--trials`` restores, alternating ours and the SDK's. Also prints the ListEvents
calls each restore made (counted by the server).

With ``--db FILE`` the server keeps its state in FILE and sessions already there are not written
again, so two versions of the package can be compared on the very same stored sessions.

Usage: ``python3 -m benchmarks.restore_speed [--sizes 1000 5000] [--histories full window]
[--trials 5] [--db FILE]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3
from bedrock_agentcore.memory.integrations.strands import config as sdk_config
from bedrock_agentcore.memory.integrations.strands import session_manager as sdk_manager
from strands import Agent
from strands.agent.conversation_manager import (
    ConversationManager,
    NullConversationManager,
    SlidingWindowConversationManager,
)

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.testing import ScriptedModel

from .local_server import CONFIG, CREDENTIALS, server_process

ACTOR = "bench-user"
Window = Callable[[], ConversationManager]
_WINDOWS: dict[str, Window] = {
    "full": NullConversationManager,
    "window": SlidingWindowConversationManager,
}


class Side:
    """Builds one kind of session manager on the benchmark's server."""

    def __init__(self, name: str, endpoint: str, memory_id: str) -> None:
        self.name = name
        self.endpoint = endpoint
        self.memory_id = memory_id
        self.boto_session = boto3.Session(region_name="us-east-1", **CREDENTIALS)

    def manager(self, session_id: str) -> Any:
        """A new session manager of this kind for ``session_id``."""
        boto_session = self.boto_session
        if self.name == "ours":
            return AgentCoreMemorySessionManager(
                AgentCoreMemoryConfig(
                    memory_id=self.memory_id,
                    session_id=session_id,
                    actor_id=ACTOR,
                    create_event_rate=None,
                    trace_metadata=False,
                ),
                endpoint_url=self.endpoint,
                boto_client_config=CONFIG,
                boto_session=boto_session,
            )
        return sdk_manager.AgentCoreMemorySessionManager(
            sdk_config.AgentCoreMemoryConfig(
                memory_id=self.memory_id, session_id=session_id, actor_id=ACTOR
            ),
            boto_session=boto_session,
        )


def agent(manager: Any, window: Window, replies: int = 0) -> Agent:
    """A Strands agent on ``manager`` (restored from it if the session exists)."""
    return Agent(
        model=ScriptedModel([f"reply {i}: " + "words " * 20 for i in range(replies)]),
        session_manager=manager,
        conversation_manager=window(),
        callback_handler=None,
    )


def seed(side: Side, session_id: str, messages: int, window: Window) -> None:
    """Write a session of ``messages`` messages (half user, half assistant)."""
    manager = side.manager(session_id)
    writer = agent(manager, window, messages // 2)
    for turn in range(messages // 2):
        writer(f"question {turn}: " + "words " * 20)
    if hasattr(manager, "close"):
        manager.close()


def restore(side: Side, session_id: str, window: Window) -> tuple[float, int]:
    """Seconds to build a manager and restore an agent; messages the agent holds."""
    started = time.perf_counter()
    manager = side.manager(session_id)
    restored = agent(manager, window)
    seconds = time.perf_counter() - started
    held = len(restored.messages)
    if hasattr(manager, "close"):
        manager.close()
    return seconds, held


def main() -> None:
    """Seed, restore repeatedly, print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 5_000])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--histories", nargs="+", choices=list(_WINDOWS), default=list(_WINDOWS))
    parser.add_argument("--db", help="SQLite file of the server, kept (and reused) across runs")
    args = parser.parse_args()
    # The SDK builds its clients from a boto3 session; the endpoint comes from the environment.
    rows = []
    with server_process(db_path=args.db) as endpoint:
        os.environ["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE"] = endpoint
        os.environ["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL"] = endpoint
        control = boto3.client(
            "bedrock-agentcore-control", endpoint_url=endpoint, region_name="us-east-1",
            **CREDENTIALS,
        )  # fmt: skip
        existing = control.list_memories().get("memories", [])
        memory_id = (
            existing[0]["id"]
            if existing
            else control.create_memory(name="bench", eventExpiryDuration=30)["memory"]["id"]
        )
        client = boto3.client(
            "bedrock-agentcore", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS
        )

        def stored(session_id: str) -> bool:
            page = client.list_events(
                memoryId=memory_id, actorId=ACTOR, sessionId=session_id, maxResults=1
            )
            return bool(page["events"])

        sides = [Side("ours", endpoint, memory_id), Side("sdk", endpoint, memory_id)]
        for size in args.sizes:
            for mode in args.histories:
                window = _WINDOWS[mode]
                session_id = f"{mode}-{size}"
                for side in sides:
                    if not stored(f"{side.name}-{session_id}"):
                        seed(side, f"{side.name}-{session_id}", size, window)
                times: dict[str, list[float]] = {side.name: [] for side in sides}
                empty: dict[str, list[float]] = {side.name: [] for side in sides}
                held: dict[str, int] = {}
                for trial in range(args.trials):
                    for side in sides if trial % 2 == 0 else reversed(sides):
                        name = f"{side.name}-{session_id}"
                        seconds, held[side.name] = restore(side, name, window)
                        times[side.name].append(seconds)
                        fresh = f"empty-{name}-{time.time_ns()}"
                        empty[side.name].append(restore(side, fresh, window)[0])
                ours, sdk = (statistics.median(times[s.name]) * 1000 for s in sides)
                ours_0, sdk_0 = (statistics.median(empty[s.name]) * 1000 for s in sides)
                rows.append(
                    f"| {size:,} | {mode} | {ours:,.0f} | {sdk:,.0f} | {ours / sdk:.2f} | "
                    f"{ours - ours_0:,.0f} | {sdk - sdk_0:,.0f} | "
                    f"{(ours - ours_0) / (sdk - sdk_0):.2f} | {held['ours']} / {held['sdk']} |"
                )
                print(rows[-1], flush=True)
    print()
    print(f"Restore (manager + Agent), medians of {args.trials}, {os.cpu_count()} CPUs")
    print()
    print(
        "| messages | history | ours ms | SDK ms | ours/SDK | ours less empty ms "
        "| SDK less empty ms | ours/SDK | messages loaded (ours / SDK) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
