"""Stored bytes and calls for a conversation with a 5 MB image tool result, per binary_policy.

Usage: ``python3 -m benchmarks.binary_policy [--megabytes N]``

A real Strands agent (scripted model) calls a tool that returns an N MB PNG (random bytes, so
nothing compresses) and answers; a second manager restores the session. For each policy the
local server counts the calls, and the stored bytes are the compact JSON of every stored
event's payload, as ListEvents returns them. Prints a markdown table; the times are wall
clock on this machine and only indicative.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass
from typing import Any

from strands import Agent, tool

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel, ToolCall

POLICIES = ("keep", "placeholder", "drop")


@dataclass(frozen=True)
class Figures:
    """What one policy cost."""

    policy: str
    events: int
    stored_bytes: int
    largest_event_bytes: int
    write_calls: dict[str, int]
    restore_calls: dict[str, int]
    write_seconds: float
    restore_seconds: float
    restored_image_bytes: int


def _image_tool(image: bytes) -> Any:
    @tool
    def screenshot() -> dict[str, Any]:
        """Take a screenshot."""
        return {
            "status": "success",
            "content": [{"image": {"format": "png", "source": {"bytes": image}}}],
        }

    return screenshot


def _counts(server: LocalMemoryServer) -> dict[str, int]:
    ops = ("CreateEvent", "ListEvents", "GetEvent")
    return {op: server.stats.count(op) for op in ops if server.stats.count(op)}


def measure(
    server: LocalMemoryServer, memory_id: str, policy: str, image: bytes, session_id: str
) -> Figures:
    """Store and restore the conversation under ``policy``; count and weigh it."""
    config = AgentCoreMemoryConfig(
        memory_id=memory_id,
        session_id=session_id,
        actor_id="bench-user",
        binary_policy=policy,  # type: ignore[arg-type]
        create_event_rate=None,
    )
    screenshot = _image_tool(image)
    server.stats.reset()
    started = time.perf_counter()
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as manager:
        agent = Agent(
            model=ScriptedModel([ToolCall("screenshot"), "It shows a login page."]),
            tools=[screenshot],
            session_manager=manager,
            callback_handler=None,
        )
        agent("What is on my screen?")
    write_seconds = time.perf_counter() - started
    write_calls = _counts(server)

    server.stats.reset()
    started = time.perf_counter()
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as manager:
        restored = Agent(
            model=ScriptedModel([]),
            tools=[screenshot],
            session_manager=manager,
            callback_handler=None,
        )
    restore_seconds = time.perf_counter() - started
    restore_calls = _counts(server)

    client = server.client()
    sizes: list[int] = []
    token: str | None = None
    while True:
        extra = {"nextToken": token} if token else {}
        page = client.list_events(
            memoryId=memory_id,
            actorId="bench-user",
            sessionId=session_id,
            maxResults=100,
            **extra,
        )
        sizes += [len(json.dumps(e["payload"], separators=(",", ":"))) for e in page["events"]]
        token = page.get("nextToken")
        if not token:
            break
    restored_image = sum(
        len(inner["image"]["source"]["bytes"])
        for message in restored.messages
        for block in message["content"]
        for inner in block.get("toolResult", {}).get("content", [])
        if "image" in inner
    )
    return Figures(
        policy,
        len(sizes),
        sum(sizes),
        max(sizes),
        write_calls,
        restore_calls,
        write_seconds,
        restore_seconds,
        restored_image,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=5.0)
    args = parser.parse_args()
    image = os.urandom(int(args.megabytes * 1024 * 1024))
    with LocalMemoryServer() as server:
        control = server.client("bedrock-agentcore-control")
        memory_id = control.create_memory(name="bench", eventExpiryDuration=30)["memory"]["id"]
        rows = [
            measure(server, memory_id, policy, image, f"binary-{policy}") for policy in POLICIES
        ]
    print(f"A {len(image):,}-byte PNG in a tool result:\n")
    print(
        "| binary_policy | events | stored bytes | largest event | write calls | restore calls "
        "| restored image bytes | write s | restore s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row.policy} | {row.events} | {row.stored_bytes:,} | {row.largest_event_bytes:,} "
            f"| {row.write_calls} | {row.restore_calls} | {row.restored_image_bytes:,} "
            f"| {row.write_seconds:.2f} | {row.restore_seconds:.2f} |"
        )


if __name__ == "__main__":
    main()
