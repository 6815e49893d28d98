"""The snippets of docs/data-control.md's "Erase" and "Export and import" run as written.

The import command is run against a second memory of the local server standing in for AWS
(the block's point: only the endpoint changes).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import RETRIES, make_agent

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-control.md"
ROOT = Path(__file__).resolve().parents[2]
ACTOR = "user-42"


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _blocks(title: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _section(title), re.DOTALL)


def _block(title: str, language: str, needle: str) -> str:
    (found,) = [b for b in _blocks(title, language) if needle in b]
    return found


def test_every_block_of_these_sections_is_run_here() -> None:
    assert _blocks("Erase", "python") == [_block("Erase", "python", "dry_run=True")]
    assert _blocks("Erase", "bash") == [_block("Erase", "bash", "--dry-run")]
    section = "Export and import"
    assert _blocks(section, "python") == [_block(section, "python", "import_events(")]
    assert _blocks(section, "bash") == [_block(section, "bash", "agentcore-memory-otel import")]
    both = _section("Erase") + _section(section)
    assert re.findall(r"```(\w+)\n", both) == ["python", "bash", "python", "bash"]
    assert both.count("```") == 8  # no block without a language


def _memory(server: LocalMemoryServer, name: str) -> str:
    control = server.client("bedrock-agentcore-control")
    memory = control.create_memory(
        name=name,
        eventExpiryDuration=30,
        memoryStrategies=[{"semanticMemoryStrategy": {"name": "facts"}}],
    )["memory"]
    return str(memory["id"])


def _event(client: Any, memory_id: str, session: str, text: str, **extra: Any) -> str:
    answer = client.create_event(
        memoryId=memory_id,
        actorId=ACTOR,
        sessionId=session,
        eventTimestamp=time.time(),
        payload=[{"conversational": {"role": "USER", "content": {"text": text}}}],
        **extra,
    )
    time.sleep(0.002)  # distinct milliseconds
    return str(answer["event"]["eventId"])


def _store(server: LocalMemoryServer, memory_id: str, trip_events: int) -> None:
    """Session ``trip`` (``trip_events - 1`` events and one on a branch) and ``home`` (one)."""
    client = server.client(config=RETRIES)
    first = _event(client, memory_id, "trip", "to Lisbon")
    for i in range(trip_events - 2):
        _event(client, memory_id, "trip", f"day {i}")
    _event(client, memory_id, "trip", "or Porto?", branch={"name": "alt", "rootEventId": first})
    _event(client, memory_id, "home", "hello")
    assert server.backend.extraction.wait_idle(20)
    client.batch_create_memory_records(
        memoryId=memory_id,
        records=[
            {
                "requestIdentifier": "r0",
                "namespaces": [f"/strategies/{_strategy(server, memory_id)}/actors/{ACTOR}/"],
                "content": {"text": "likes Lisbon"},
                "timestamp": time.time(),
            }
        ],
    )


def _strategy(server: LocalMemoryServer, memory_id: str) -> str:
    memory = server.client("bedrock-agentcore-control").get_memory(memoryId=memory_id)
    return str(memory["memory"]["strategies"][0]["strategyId"])


def _journal_rows(
    server: LocalMemoryServer, memory_id: str, journal: Path
) -> AgentCoreMemorySessionManager:
    """A turn stored but answered with errors: its messages stay in the journal."""
    manager = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id,
            actor_id=ACTOR,
            session_id="draft",
            journal_path=journal,
            create_event_rate=None,
        ),
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
    )
    agent = make_agent(manager, ["ok"])
    server.faults.fail_next("CreateEvent", 100, status=403)
    with contextlib.suppress(Exception):
        agent("remember my address")
    server.faults.reset()
    return manager  # to close once the test is done (its buffered message is sent then)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_erase_snippet(
    server: LocalMemoryServer, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    memory_id = _memory(server, "docs_erase")
    _store(server, memory_id, trip_events=3)
    crashed = _journal_rows(server, memory_id, in_tmp / "journal.db")
    snippet = _block("Erase", "python", "dry_run=True")
    namespace: dict[str, Any] = {"memory_id": memory_id, "endpoint": server.endpoint_url}
    exec(compile(snippet, str(DOC), "exec"), namespace)
    printed = capsys.readouterr().out
    assert printed.startswith("4 event(s) in 2 session(s) on 3 branch(es), 1 record(s), ")
    assert re.search(r", [1-9][0-9]* journal row\(s\)$", printed.strip())
    assert namespace["report"].complete
    crashed.close()


def _run_bash(block: str, cwd: Path, env: dict[str, str], port: int) -> list[str]:
    """Each line of the block, the command run as ``python -m``, the doc's port replaced."""
    outputs: list[str] = []
    for line in block.strip().splitlines():
        line = line.replace("http://127.0.0.1:8765", f"http://127.0.0.1:{port}")
        line = line.replace("agentcore-memory-otel ", f"{sys.executable} -m agentcore_memory_otel ")
        done = subprocess.run(
            ["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout + done.stderr)
    return outputs


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, "PYTHONPATH": str(ROOT / "src"), **values}


def test_the_erase_commands(server: LocalMemoryServer, in_tmp: Path) -> None:
    memory_id = _memory(server, "docs_erase_cli")
    _store(server, memory_id, trip_events=3)
    crashed = _journal_rows(server, memory_id, in_tmp / "journal.db")
    env = _env(MEMORY_ID=memory_id, AWS_ENDPOINT_URL_BEDROCK_AGENTCORE=server.endpoint_url)
    port = int(server.endpoint_url.rsplit(":", 1)[1])
    dry, done = _run_bash(_block("Erase", "bash", "--dry-run"), in_tmp, env, port)
    assert dry.startswith("would erase: 4 event(s) in 2 session(s)")
    assert "verified: nothing remains" in done and "erase: events 4/4" in done
    crashed.close()


def test_the_export_and_import_snippets(
    server: LocalMemoryServer, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    memory_id, other = _memory(server, "docs_local"), _memory(server, "docs_aws")
    _store(server, memory_id, trip_events=6)
    snippet = _block("Export and import", "python", "import_events(")
    namespace = {"memory_id": memory_id, "other_memory_id": other, "endpoint": server.endpoint_url}
    exec(compile(snippet, str(DOC), "exec"), namespace)
    assert capsys.readouterr().out == "6 [('user-42', 'trip')]\n"

    aws = _memory(server, "docs_aws_cli")
    env = _env(
        LOCAL_MEMORY_ID=memory_id,
        AWS_MEMORY_ID=aws,
        AWS_ENDPOINT_URL_BEDROCK_AGENTCORE=server.endpoint_url,  # stands in for AWS
    )
    port = int(server.endpoint_url.rsplit(":", 1)[1])
    block = _block("Export and import", "bash", "agentcore-memory-otel import")
    exported, imported = _run_bash(block, in_tmp, env, port)
    assert "exported 6 event(s) of 1 session(s) to trip.jsonl" in exported
    assert imported.startswith(f"imported 6 event(s) into {aws}: user-42/trip")
