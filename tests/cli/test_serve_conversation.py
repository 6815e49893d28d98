"""``serve --conversation``: how the foreground server's extraction reads conversational text.

The server library reads text as stored, as the service does; the ``serve`` command hands it
the Strands message reader by default, since the session managers it serves store JSON.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from strands.types.session import SessionMessage

from agentcore_memory_otel.wire.encoding import encode_message
from agentcore_memory_otel.wire.loopback import LOCAL_CREDENTIALS
from tests.support import NO_RETRIES, free_port, wait_for_port

PREFERENCES = [
    {"userPreferenceMemoryStrategy": {"name": "p", "namespaceTemplates": ["/p/{actorId}"]}}
]


def _preferences_after_tea(endpoint: str) -> list[str]:
    """Store 'I love green tea' as a session manager does; the preference records made."""
    options: dict[str, Any] = {
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "config": NO_RETRIES,
        **LOCAL_CREDENTIALS,
    }
    control = boto3.client("bedrock-agentcore-control", **options)
    client = boto3.client("bedrock-agentcore", **options)
    memory = control.create_memory(name="m", eventExpiryDuration=30, memoryStrategies=PREFERENCES)
    memory_id = memory["memory"]["id"]
    said = SessionMessage({"role": "user", "content": [{"text": "I love green tea"}]}, 0)
    client.create_event(
        memoryId=memory_id,
        actorId="u1",
        sessionId="s1",
        eventTimestamp=time.time(),
        payload=[encode_message(said, "agent")],
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = client.list_memory_records(memoryId=memory_id, namespace="/p/u1")
        texts = [r["content"]["text"] for r in found["memoryRecordSummaries"]]
        if texts:
            return texts
        time.sleep(0.05)
    raise AssertionError("no preference record within 30 s")


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ([], lambda text: text == "The user loves green tea."),
        (["--conversation", "strands"], lambda text: text == "The user loves green tea."),
        (["--conversation", "stored"], lambda text: text.startswith('The user loves green tea"}')),
    ],
)
def test_serve_reads_strands_messages_unless_told_to_read_them_as_stored(
    tmp_path: Path, option: list[str], expected: Any
) -> None:
    port = free_port()
    command = [sys.executable, "-m", "agentcore_memory_otel", "serve", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--db", ":memory:", *option],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc)
        (preference,) = _preferences_after_tea(f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert expected(preference), preference
