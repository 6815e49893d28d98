"""Helpers for branch tests: turns run in traces of their own, and raw reads of a session."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.trace import TracerProvider
from strands import Agent

from agentcore_memory_otel.local import LocalMemoryServer

from ..support import ACTOR, SESSION

TRACER = TracerProvider().get_tracer("branch-tests")


def traced_turn(agent: Agent, prompt: str) -> str:
    """Run one turn of ``agent`` in a trace of its own; return the trace id (32 hex digits)."""
    with TRACER.start_as_current_span("request") as span:
        agent(prompt)
        return format(span.get_span_context().trace_id, "032x")


def raw_events(
    server: LocalMemoryServer,
    memory_id: str,
    *,
    branch: str | None = None,
    session: str = SESSION,
    actor: str = ACTOR,
) -> list[dict[str, Any]]:
    """ListEvents as the service returns it, every page, newest first (unfiltered by default)."""
    client = server.client()
    request: dict[str, Any] = {
        "memoryId": memory_id,
        "actorId": actor,
        "sessionId": session,
        "maxResults": 100,
    }
    if branch is not None:
        request["filter"] = {"branch": {"name": branch, "includeParentBranches": True}}
    events: list[dict[str, Any]] = []
    while True:
        page = client.list_events(**request)
        events += page["events"]
        if not page.get("nextToken"):
            return events
        request["nextToken"] = page["nextToken"]


def texts(agent: Agent) -> list[tuple[str, str]]:
    """The agent's conversation as (role, text of its text blocks)."""
    return [
        (m["role"], " ".join(b["text"] for b in m["content"] if "text" in b))
        for m in agent.messages
    ]
