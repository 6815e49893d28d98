"""A real tracing round trip: the demo exports to Arize Phoenix over OTLP/HTTP, and the spans
Phoenix stored join exactly to the memory events ``find_events`` returns for the same trace.
Phoenix groups the demo's traces under one session whose id is the AgentCore session id.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from agentcore_memory_otel import find_events
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import free_port, run_demo

pytestmark = pytest.mark.slow


def phoenix_get(base: str, path: str, **query: Any) -> Any:
    url = f"{base}/v1/{path}?{urllib.parse.urlencode(query)}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())["data"]


def phoenix_spans(base: str, trace_id: str) -> list[dict[str, Any]]:
    spans: list[dict[str, Any]] = phoenix_get(
        base, "projects/default/spans", trace_id=trace_id, limit=1000
    )
    return spans


def test_phoenix_spans_join_to_memory_events(tmp_path: Path) -> None:
    phoenix = os.environ.get("PHOENIX_BIN")
    if not phoenix or not Path(phoenix).exists():
        pytest.skip("needs Arize Phoenix: set PHOENIX_BIN (scripts/test.sh installs it)")
    port = free_port()
    env = {
        **os.environ,
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(free_port()),
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_WORKING_DIR": str(tmp_path / "phoenix"),
        "PHOENIX_TELEMETRY_ENABLED": "false",
        "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false",
        "PHOENIX_ALLOWED_SANDBOX_PROVIDERS": "NONE",
    }
    server = subprocess.Popen(
        [phoenix, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, "phoenix serve exited"
                assert time.monotonic() < deadline, "Phoenix did not start"
                time.sleep(1)
        db = tmp_path / "demo.db"
        _, data = run_demo(tmp_path, env={**os.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": base})
        trace_id = data["traceIds"][1]  # the turn with a tool call

        with LocalMemoryServer(db) as memory:
            events = find_events(
                trace_id,
                memory_id=data["memoryId"],
                actor_id=data["actorId"],
                client=memory.client(),
            )
        # Phoenix ingests asynchronously: wait until the trace's spans named by events are in.
        deadline = time.monotonic() + 30
        while True:
            spans = phoenix_spans(base, trace_id)
            creates = [s for s in spans if s["name"] == "create_memory"]
            stored = {s["context"]["span_id"] for s in spans}
            if len(creates) == 4 and all(e.span_id in stored for e in events):
                break
            if time.monotonic() > deadline:
                break
            time.sleep(1)
        assert {s["context"]["trace_id"] for s in spans} == {trace_id}
        assert len(creates) == 4  # user, toolUse, toolResult, assistant
        event_ids = {e.event_id for e in events}
        span_ids = {s["context"]["span_id"] for s in spans}
        # Each memory span names an event of this trace, and each event names a span of it.
        assert {s["attributes"]["gen_ai.memory.record.id"] for s in creates} == event_ids
        assert all(e.span_id in span_ids for e in events)
        assert all(e.trace_id == trace_id for e in events)
        memory_parents = {s["parent_id"] for s in creates}
        assert memory_parents <= span_ids  # nested under Strands' spans of the same trace

        # Phoenix's sessions: every turn's trace, under the AgentCore session id.
        deadline = time.monotonic() + 30
        while True:
            try:
                session = phoenix_get(base, f"sessions/{data['sessionId']}")
            except urllib.error.HTTPError:  # 404 until its first span is in
                session = {"traces": []}
            grouped = {t["trace_id"] for t in session["traces"]}
            if set(data["traceIds"]) <= grouped or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert set(data["traceIds"]) <= grouped
        (listed,) = phoenix_get(base, "projects/default/sessions")
        assert listed["session_id"] == data["sessionId"]
        # From a trace to its events in two steps: read session and actor off the trace ...
        (invoke,) = [s for s in spans if s["name"].startswith("invoke_agent")]
        assert invoke["attributes"]["session.id"] == data["sessionId"]
        assert invoke["attributes"]["user.id"] == data["actorId"]
        assert {s["attributes"]["gen_ai.conversation.id"] for s in creates} == {data["sessionId"]}
        # ... then ask AgentCore Memory; the trace id alone finds the same events.
        with LocalMemoryServer(db) as memory:
            alone = find_events(trace_id, memory_id=data["memoryId"], client=memory.client())
        assert [e.event_id for e in alone] == [e.event_id for e in events]
    finally:
        server.terminate()
        server.wait(30)
