"""Import files as they reach a user: edited on Windows, holding text the API counts its own way."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from agentcore_memory_otel.data_control import export_events, import_events
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import RETRIES
from .conftest import NO_PACING


def _payloads(client: Any, memory_id: str, session: str) -> list[Any]:
    page = client.list_events(
        memoryId=memory_id, actorId="eve", sessionId=session, includePayloads=True
    )
    return [event["payload"] for event in page["events"]]


def test_an_event_the_service_stored_imports_though_its_escaped_json_is_over_10_mb(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    # 1.8 million "é": 3.6 MB as the service counts (UTF-8), 10.8 MB as \\u00e9 escapes.
    client = server.client(config=RETRIES)
    payload = [{"blob": {"text": "\u00e9" * 1_800_000}}]
    client.create_event(
        memoryId=memory_id,
        actorId="eve",
        sessionId="wide",
        eventTimestamp=time.time(),
        payload=payload,
    )
    path = tmp_path / "wide.jsonl"
    export_events(memory_id, "eve", "wide", output=path, client=client, rate_limits=NO_PACING)
    assert path.stat().st_size > 10 * 1024 * 1024
    report = import_events(
        path, memory_id=memory_id, session_id="wide2", client=client, rate_limits=NO_PACING
    )
    assert report.events == 1 and report.calls == {"CreateEvent": 1}
    assert _payloads(client, memory_id, "wide2") == [payload]

