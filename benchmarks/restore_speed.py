"""Time to restore a Strands agent from a stored session, ours beside the reference SDK's.

Runs ``agentcore-memory-otel serve`` as its own process. For each size, one session of that many
messages is written by this package's session manager and one by the bedrock-agentcore SDK's
(both with real Strands agents and a scripted model, one user and one assistant message per
turn). Then, repeatedly, a new session manager and a new ``Agent`` are built on each session
(what a process serving the conversation does on its first request), timed together: both
managers read the session, ours when it is built, the SDK's when the agent is. Each side builds
its clients from one boto3 session made beforehand, as a long-running process would. As
building the clients is a large, noisy share on a loaded machine, the same is timed on a
session of two messages written the same way, and the table shows both the total and the total
less that baseline, which is what the stored session's size costs (both baselines only read;
a new, empty session would not do: there the SDK writes its session and agent records):

* ``full``: ``NullConversationManager``, so the agent loads the whole history;
* ``window``: Strands' default ``SlidingWindowConversationManager`` (40 messages), after the
  session was written by an agent with that same window, so the record says what it keeps.

Medians of ``--trials`` restores, alternating ours and the SDK's (which goes first alternates
too), with the fastest and the slowest trial, and the load average (``os.getloadavg``, 1 minute)
before and after each row: the machine is shared, and the ratio of the medians is the figure
that holds. ``--profile`` prints, per row, where one more restore of ours spends its time
(``cProfile``, cumulative, top 25).

With ``--db FILE`` the server keeps its state in FILE and sessions already there are not written
again, so two versions of the package can be compared on the very same stored sessions.

Usage: ``python3 -m benchmarks.restore_speed [--sizes 1000 5000] [--histories full window]
[--trials 9] [--db FILE] [--profile] [--sides ours sdk]``
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
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


def _spread(seconds: list[float]) -> str:
    """Median, fastest and slowest, in ms."""
    ms = sorted(s * 1000 for s in seconds)
    return f"{statistics.median(ms):,.0f} ({ms[0]:,.0f} to {ms[-1]:,.0f})"


def _row(
    size: int,
    mode: str,
    times: dict[str, list[float]],
    small: dict[str, list[float]],
    held: dict[str, int],
) -> str:
    """A table row, less its load column; ``-`` for a side not run."""
    cells = [f"{size:,}", mode]
    less = {side: statistics.median(times[side]) - statistics.median(small[side]) for side in times}
    cells += [_spread(times[side]) if side in times else "-" for side in ("ours", "sdk")]
    both = "ours" in times and "sdk" in times
    ratio = statistics.median(times["ours"]) / statistics.median(times["sdk"]) if both else None
    cells.append(f"{ratio:.2f}" if ratio is not None else "-")
    cells += [f"{less[side] * 1000:,.0f}" if side in less else "-" for side in ("ours", "sdk")]
    cells.append(f"{less['ours'] / less['sdk']:.2f}" if both else "-")
    cells.append(" / ".join(str(held.get(side, "-")) for side in ("ours", "sdk")))
    return "| " + " | ".join(cells) + " |"


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def _profile(side: Side, session_id: str, window: Window) -> None:
    """Print where one restore of ``side`` spends its time."""
    profile = cProfile.Profile()
    profile.enable()
    restore(side, session_id, window)
    profile.disable()
    print(f"\nProfile: {side.name} restoring {session_id}", file=sys.stderr)
    pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)


def main() -> None:
    """Seed, restore repeatedly, print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 5_000])
    parser.add_argument("--trials", type=int, default=9)
    parser.add_argument("--histories", nargs="+", choices=list(_WINDOWS), default=list(_WINDOWS))
    parser.add_argument("--db", help="SQLite file of the server, kept (and reused) across runs")
    parser.add_argument("--profile", action="store_true", help="profile a restore of ours per row")
    parser.add_argument("--sides", nargs="+", choices=["ours", "sdk"], default=["ours", "sdk"])
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

        sides = [Side(name, endpoint, memory_id) for name in args.sides]
        for size in args.sizes:
            for mode in args.histories:
                window = _WINDOWS[mode]
                session_id = f"{mode}-{size}"
                for side in sides:
                    for name, messages in [(session_id, size), (f"{mode}-small", 2)]:
                        if not stored(f"{side.name}-{name}"):
                            seed(side, f"{side.name}-{name}", messages, window)
                times: dict[str, list[float]] = {side.name: [] for side in sides}
                small: dict[str, list[float]] = {side.name: [] for side in sides}
                held: dict[str, int] = {}
                load_before = _load()
                for trial in range(args.trials):
                    for side in sides if trial % 2 == 0 else reversed(sides):
                        name = f"{side.name}-{session_id}"
                        seconds, held[side.name] = restore(side, name, window)
                        times[side.name].append(seconds)
                        baseline = f"{side.name}-{mode}-small"
                        small[side.name].append(restore(side, baseline, window)[0])
                rows.append(_row(size, mode, times, small, held) + f" {load_before} / {_load()} |")
                print(rows[-1], flush=True)
                if args.profile and "ours" in args.sides:
                    _profile(Side("ours", endpoint, memory_id), f"ours-{session_id}", window)
    print()
    print(
        f"Restore (manager + Agent), medians of {args.trials} (fastest to slowest), "
        f"{os.cpu_count()} CPUs"
    )
    print()
    print(
        "| messages | history | ours ms | SDK ms | ours/SDK | ours less 2-message ms "
        "| SDK less 2-message ms | ours/SDK | messages loaded (ours / SDK) | load before / after |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
