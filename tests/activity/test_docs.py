"""docs/correlation.md: the lineage, activity and feedback snippets run as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.cli.main import main
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import RETRIES, make_agent
from .test_loop import PREFERENCES

CORRELATION = Path(__file__).parents[2] / "docs" / "correlation.md"


def _blocks(language: str) -> list[str]:
    text = CORRELATION.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


@pytest.fixture
def taught(
    server: LocalMemoryServer,
    control: Any,
    spans: InMemorySpanExporter,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    """One agent call whose record the local server extracted; boto3 finds the local server."""
    for variable, value in {
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE": server.endpoint_url,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }.items():
        monkeypatch.setenv(variable, value)
    memory_id = control.create_memory(
        name="docs", eventExpiryDuration=30, memoryStrategies=PREFERENCES
    )["memory"]["id"]
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id, actor_id="user-7", session_id="docs-1", create_event_rate=None
        ),
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
    )
    agent = make_agent(manager, ["Noted.", "Paris."])
    agent("I like green tea.")
    assert server.backend.extraction.wait_idle(10)
    (record,) = server.client().list_memory_records(
        memoryId=memory_id, namespace="/preferences/user-7"
    )["memoryRecordSummaries"]
    return {
        "memory_id": memory_id,
        "record_id": record["memoryRecordId"],
        "trace_id": manager.last_trace_id,
        "actor_id": "user-7",
        "session_id": "docs-1",
        "agent": agent,
        "manager": manager,
    }


def test_the_lineage_activity_and_feedback_snippets_run(
    taught: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = _blocks("python")[2:]
    assert len(blocks) == 3
    namespace = dict(taught)
    for block in blocks:
        exec(compile(block, str(CORRELATION), "exec"), namespace)
    out = capsys.readouterr().out
    trace_id, record_id = taught["trace_id"], taught["record_id"]
    assert f"taught by ('{trace_id}',) in session docs-1" in out
    assert out.count(f"taught {record_id} /preferences/user-7") == 2  # trace_records, activity
    assert "wrote " in out and "'ListEvents': 1" in out
    assert f"score this trace: {namespace['trace_id']}" in out
    assert namespace["trace_id"] != trace_id  # the feedback snippet's own call
    taught["manager"].close()


def test_the_command_lines_run(
    taught: dict[str, Any], capsys: pytest.CaptureFixture[str], server: LocalMemoryServer
) -> None:
    (block,) = [b for b in _blocks("bash") if "activity" in b]
    values = {
        "$TRACE_ID": taught["trace_id"],
        "$MEMORY_ID": taught["memory_id"],
        "$ACTOR_ID": taught["actor_id"],
        "$SESSION_ID": taught["session_id"],
        "$RECORD_ID": taught["record_id"],
    }
    commands = block.replace("\\\n", " ").strip().splitlines()
    assert len(commands) == 2
    outputs = []
    for command in commands:
        for name, value in values.items():
            command = command.replace(f'"{name}"', value)
        argv = shlex.split(command)
        assert argv[0] == "agentcore-memory-otel"
        assert main(argv[1:]) == 0
        outputs.append(capsys.readouterr().out)
    assert f"Records learned from its events: 1\n  {taught['record_id']}" in outputs[0]
    assert f"traces: {taught['trace_id']}" in outputs[1]
    taught["manager"].close()
