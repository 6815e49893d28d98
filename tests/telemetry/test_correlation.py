"""AWS's trace ids lead to the events: ids made by ADOT's X-Ray id generator, in X-Ray form."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from opentelemetry.propagators.aws import AwsXRayPropagator
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.sdk.trace import TracerProvider

from agentcore_memory_otel import find_events
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ToolCall
from agentcore_memory_otel.wire.trace_stamp import normalize_trace_id

from ..support import make_agent, stored_events


def test_an_xray_trace_id_finds_the_events_of_its_trace(
    traced_manager: Any, server: LocalMemoryServer, memory_id: str
) -> None:
    # The application's request span comes from a provider with ADOT's id generator; the
    # agent's spans, and so the stamps, join its trace.
    xray_provider = TracerProvider(id_generator=AwsXRayIdGenerator())
    manager = traced_manager(session_id="chat-9", actor_id="ada")
    agent = make_agent(manager, [ToolCall("add", {"a": 2, "b": 2}), "4", "welcome"])
    carrier: dict[str, str] = {}
    with xray_provider.get_tracer("app").start_as_current_span("request"):
        agent("2+2?")
        AwsXRayPropagator().inject(carrier)  # the X-Amzn-Trace-Id header X-Ray shows
    agent("thanks")  # another trace, in the same session
    root = dict(part.split("=") for part in carrier["X-Amzn-Trace-Id"].split(";"))["Root"]
    assert abs(int(root.split("-")[1], 16) - time.time()) < 600  # X-Ray ids start with the time

    found = find_events(root, memory_id=memory_id, client=server.client())
    w3c = root[2:10] + root[11:]
    assert len(found) == 4  # user, toolUse, toolResult, assistant of the first turn only
    assert {e.trace_id for e in found} == {w3c}
    stamped = [
        e["eventId"]
        for e in stored_events(server, memory_id, session="chat-9", actor="ada")
        if e["metadata"]["traceId"]["stringValue"] == w3c
    ]
    assert [e.event_id for e in found] == stamped

    # The command line takes the X-Ray form as it is.
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "agentcore_memory_otel",
            "events",
            "--trace-id",
            root,
            "--memory-id",
            memory_id,
            "--actor-id",
            "ada",
            "--session-id",
            "chat-9",
            "--endpoint-url",
            server.endpoint_url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The command answers with the id as it is stored: the W3C form of the X-Ray id.
    assert f"4 event(s) for trace {normalize_trace_id(root)}" in out
