"""Helpers shared by test folders: real Strands agents with scripted models, stored events."""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.config import Config
from opentelemetry import trace
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from strands import Agent, tool
from strands.agent.conversation_manager import NullConversationManager
from strands.memory import MemoryManager

from agentcore_memory_otel import AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

ACTOR = "user/42:alice"
# Fixed here so that AWS_MAX_ATTEMPTS or ~/.aws/config cannot change what the tests count.
RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 3})
SESSION = "session-1"
STORE_SESSION = "store-session"
"""The session memory-store tests write to."""
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@tool(context=True)
def remember(fact: str, tool_context: Any) -> str:
    """Store a fact in the agent state."""
    facts = tool_context.agent.state.get("facts") or []
    tool_context.agent.state.set("facts", [*facts, fact])
    return "noted"


ManagerFactory = Callable[..., AgentCoreMemorySessionManager]


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[Any], timeout: float = 20) -> None:
    """Return once ``proc`` listens on ``port``; fail if it exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited early"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listened on port {port} within {timeout} s")


def make_agent(manager: AgentCoreMemorySessionManager, script: Any = None, **kwargs: Any) -> Agent:
    """A real Strands agent with a scripted model (a list of replies, or a function) and tools."""
    kwargs.setdefault("tools", [add, remember])
    kwargs.setdefault("callback_handler", None)
    return Agent(model=ScriptedModel(script or []), session_manager=manager, **kwargs)


def no_trim() -> NullConversationManager:
    """A conversation manager that never removes messages."""
    return NullConversationManager()


def stored_events(
    server: LocalMemoryServer, memory_id: str, session: str = SESSION, actor: str = ACTOR
) -> list[dict[str, Any]]:
    """Every event of the session, oldest first (these reads count in ``server.stats``)."""
    client = server.client()
    events: list[dict[str, Any]] = []
    token = None
    while True:
        extra: dict[str, Any] = {"nextToken": token} if token else {}
        page = client.list_events(
            memoryId=memory_id, actorId=actor, sessionId=session, maxResults=100, **extra
        )
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    return list(reversed(events))


def calls(server: LocalMemoryServer) -> dict[str, int]:
    """Successful CreateEvent and ListEvents calls counted by the server since the last reset."""
    return {op: server.stats.count(op, outcome="success") for op in ("CreateEvent", "ListEvents")}


def seed_records(server: LocalMemoryServer, memory_id: str, namespace: str, *texts: str) -> None:
    """Store long-term records holding ``texts`` under ``namespace`` (BatchCreateMemoryRecords)."""
    server.client().batch_create_memory_records(
        memoryId=memory_id,
        records=[
            {
                "requestIdentifier": f"r{i}",
                "namespaces": [namespace],
                "content": {"text": text},
                "timestamp": time.time(),
            }
            for i, text in enumerate(texts)
        ],
    )


def metric_points(reader: InMemoryMetricReader, name: str) -> list[tuple[dict[str, Any], Any]]:
    """(attributes, value) of every data point of metric ``name``; histograms give the point."""
    data = reader.get_metrics_data()
    out: list[tuple[dict[str, Any], Any]] = []
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name != name:
                    continue
                for point in metric.data.data_points:
                    value = getattr(point, "value", point)
                    out.append((dict(point.attributes or {}), value))
    return out


def metric_total(reader: InMemoryMetricReader, name: str, **match: Any) -> float:
    """Sum of a counter's points whose attributes include ``match``."""
    return float(
        sum(
            value
            for attrs, value in metric_points(reader, name)
            if all(attrs.get(k) == v for k, v in match.items())
        )
    )


def make_store_agent(manager: MemoryManager, script: Any, **kwargs: Any) -> Agent:
    """A real Strands agent with a scripted model and the memory manager attached."""
    kwargs.setdefault("callback_handler", None)
    return Agent(model=ScriptedModel(script), memory_manager=manager, **kwargs)


def store_events(server: LocalMemoryServer, memory_id: str) -> list[dict[str, Any]]:
    """Every event of the store's session, oldest first."""
    return stored_events(server, memory_id, session=STORE_SESSION, actor=ACTOR)


def conversation(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(role, text) of every conversational item, in order."""
    return [
        (item["conversational"]["role"], item["conversational"]["content"]["text"])
        for event in events
        for item in event["payload"]
    ]


class FakeClock:
    """A monotonic clock that moves only when slept on or advanced: waits take no real time."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        self.now += seconds


EXPORTER = InMemorySpanExporter()
PROVIDER = TracerProvider()
PROVIDER.add_span_processor(SimpleSpanProcessor(EXPORTER))
"""The one SDK tracer provider the tests make global (Strands reads the global provider)."""


def install_global_provider() -> None:
    """Make ``PROVIDER`` the global tracer provider, once; fail if another SDK one got there."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(PROVIDER)
    assert trace.get_tracer_provider() is PROVIDER, "another SDK provider was made global"


def demo_arguments(tmp_path: Path, *args: str) -> list[str]:
    """The demo's command line without metrics, its database and JSON summary in ``tmp_path``."""
    return [
        "demo",
        "--metrics-port",
        "0",
        "--db",
        str(tmp_path / "demo.db"),
        "--json-summary",
        str(tmp_path / "summary.json"),
        *args,
    ]


def demo_process(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``agentcore-memory-otel demo`` in a new process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "agentcore_memory_otel", *demo_arguments(tmp_path, *args)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


def run_demo(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[str, dict[str, Any]]:
    """Run the demo in a new process; return its output and JSON summary."""
    completed = demo_process(tmp_path, *args, env=env)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout, json.loads((tmp_path / "summary.json").read_text())


def demo_here(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    """Run the demo's command in this process: its exit status, output and error output.

    Much faster than a new process; for runs that need no environment of their own (the
    OTLP exporter and the metrics endpoint are process-wide, so those runs use
    ``demo_process``). The demo reuses the tests' global tracer provider.
    """
    from agentcore_memory_otel.cli.main import main

    install_global_provider()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(demo_arguments(tmp_path, *args))
        except SystemExit as exit_:  # argparse refusing the command line
            status = int(exit_.code or 0)
    return status, out.getvalue(), err.getvalue()


def run_demo_here(tmp_path: Path, *args: str) -> tuple[str, dict[str, Any]]:
    """Run the demo in this process; return its output and JSON summary."""
    status, out, err = demo_here(tmp_path, *args)
    assert status == 0, err
    return out, json.loads((tmp_path / "summary.json").read_text())


def without_aws(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment with no AWS setting and no credentials anywhere, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OTEL_"))}
    env.update(
        HOME=str(tmp_path),
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.update(extra)
    return env
