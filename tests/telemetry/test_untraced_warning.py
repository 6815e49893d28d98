"""The tracing warning is about stamping: a manager with ``trace_metadata=False`` never logs it.

It logs once per process, so each case runs in a fresh one (no tracer provider set there).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

WARNING = "agentcore_memory_otel: trace stamping is on, but no OpenTelemetry tracer provider"
SCRIPT = """
import sys
from strands import Agent
from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel

with LocalMemoryServer() as server:
    control = server.client("bedrock-agentcore-control")
    memory = control.create_memory(name="m", eventExpiryDuration=30)["memory"]["id"]
    config = AgentCoreMemoryConfig(
        memory_id=memory, session_id="s", actor_id="a", trace_metadata=sys.argv[1] == "on"
    )
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as manager:
        Agent(model=ScriptedModel(["hi"]), session_manager=manager, callback_handler=None)("hello")
"""


@pytest.mark.parametrize("stamping", ["on", "off"])
def test_the_warning_is_logged_only_when_stamping_is_on(stamping: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, stamping], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(WARNING) == (1 if stamping == "on" else 0)
