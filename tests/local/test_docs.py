"""The snippets of docs/local-server.md run as written (the serve block on a free port)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from strands.types.session import SessionMessage

from agentcore_memory_otel.wire.encoding import encode_message

from ..support import free_port, wait_for_port

DOC = Path(__file__).resolve().parents[2] / "docs" / "local-server.md"
TEXT = DOC.read_text()
PYTHON = re.findall(r"```python\n(.*?)```", TEXT, re.DOTALL)
BASH = re.findall(r"```bash\n(.*?)```", TEXT, re.DOTALL)
DOC_PORT = "8765"


def block(needle: str, blocks: list[str] = PYTHON) -> str:
    """The one block that contains ``needle``."""
    (found,) = [b for b in blocks if needle in b]
    return found


def test_every_block_is_run_here() -> None:
    """A new snippet needs a test below: each one is picked by what it contains."""
    picked = {
        block("server.backend.extraction.wait_idle()"),
        block("server.stats.snapshot()"),
        block('boto3.client("bedrock-agentcore-control")'),
        block("ModelExtractor(BedrockModel())"),
        block("conversation_reader=read_strands_message"),
    }
    assert picked == set(PYTHON)
    assert [block("agentcore-memory-otel serve", BASH)] == BASH


def test_the_guide_example_extracts_and_retrieves(capsys: pytest.CaptureFixture[str]) -> None:
    snippet = block("server.backend.extraction.wait_idle()")
    exec(compile(snippet, str(DOC), "exec"), {})
    assert capsys.readouterr().out.strip() == "The user likes sushi with tuna. 1.0"


def test_the_in_process_snippet_runs(capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(block("server.stats.snapshot()"), str(DOC), "exec"), {})
    endpoint, _ = capsys.readouterr().out.split(" ", 1)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", endpoint)


def test_the_model_extractor_snippet_builds_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    namespace: dict[str, Any] = {}
    exec(compile(block("ModelExtractor(BedrockModel())"), str(DOC), "exec"), namespace)
    server = namespace["server"]
    try:
        assert type(server.backend.extraction.extractor).__name__ == "ModelExtractor"
    finally:
        server.stop()


def test_the_conversation_reader_snippet_reads_session_manager_json() -> None:
    namespace: dict[str, Any] = {}
    exec(compile(block("conversation_reader=read_strands_message"), str(DOC), "exec"), namespace)
    message = SessionMessage({"role": "user", "content": [{"text": "I love green tea"}]}, 0)
    with namespace["server"] as server:
        control = server.client("bedrock-agentcore-control")
        memory_id = control.create_memory(
            name="doc",
            eventExpiryDuration=7,
            memoryStrategies=[
                {"userPreferenceMemoryStrategy": {"name": "p", "namespaceTemplates": ["/p"]}}
            ],
        )["memory"]["id"]
        client = server.client()
        client.create_event(
            memoryId=memory_id,
            actorId="u1",
            sessionId="s1",
            eventTimestamp=1,
            payload=[encode_message(message, "agent")],
        )
        assert server.backend.extraction.wait_idle(10)
        records = client.list_memory_records(memoryId=memory_id, namespace="/p")
        texts = [r["content"]["text"] for r in records["memoryRecordSummaries"]]
    assert texts == ["The user loves green tea."]


def _environment(commands: list[str], port: int) -> dict[str, str]:
    """The block's ``export`` lines applied to this environment, its port replaced."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    for line in commands:
        words = shlex.split(line, comments=True)
        if words and words[0] == "export":
            for word in words[1:]:
                name, value = word.split("=", 1)
                env[name] = value.replace(DOC_PORT, str(port))
    return env


def test_the_serve_block_and_the_boto3_snippet_run(tmp_path: Path) -> None:
    commands = block("agentcore-memory-otel serve", BASH).splitlines()
    serve = shlex.split(commands[0], comments=True)
    assert serve == ["agentcore-memory-otel", "serve"]
    port = free_port()
    env = _environment(commands[1:], port)
    assert env["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE"] == f"http://127.0.0.1:{port}"
    # The documented command, on a free port (its default, 8765, may be taken here).
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentcore_memory_otel", *serve[1:], "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc)
        script = tmp_path / "snippet.py"
        script.write_text(block('boto3.client("bedrock-agentcore-control")'))
        completed = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env=env,
        )
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert completed.returncode == 0, completed.stderr
    assert "'actorId': 'user/42'" in completed.stdout
    assert "'text': 'Hello'" in completed.stdout
    assert (tmp_path / "agentcore-memory.db").exists()  # the default state file
