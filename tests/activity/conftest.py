"""Fixtures for trace-activity tests: the telemetry tests' global SDK provider and managers."""

from __future__ import annotations

from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from ..support import seed_records
from ..telemetry.conftest import reader, spans, traced_manager

__all__ = ["reader", "spans", "traced_manager"]

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
OTHER = "0" * 31 + "1"
STRATEGIES = [
    {
        "userPreferenceMemoryStrategy": {
            "name": "prefs",
            "namespaceTemplates": ["/preferences/{actorId}"],
        }
    }
]


@pytest.fixture
def story(server: LocalMemoryServer, control: Any) -> dict[str, str]:
    """A memory where trace ``TRACE`` read one seeded record and taught one by extraction."""
    memory_id = control.create_memory(
        name="cli_activity", eventExpiryDuration=30, memoryStrategies=STRATEGIES
    )["memory"]["id"]
    client = server.client()
    seed_records(server, memory_id, "/facts/ada", "Ada drinks tea")
    (seeded,) = client.list_memory_records(memoryId=memory_id, namespace="/facts/ada")[
        "memoryRecordSummaries"
    ]
    made = {}
    for second, (text, trace_id, extra) in enumerate(
        (
            ("I like Oslo.", TRACE, {}),
            ("Noted.", TRACE, {"memoryReads": {"stringValue": f"{seeded['memoryRecordId']}=0.75"}}),
            ("Other trace", OTHER, {}),
        )
    ):
        made[text] = client.create_event(
            memoryId=memory_id,
            actorId="ada",
            sessionId="s1",
            eventTimestamp=1_700_000_000 + second,
            payload=[{"conversational": {"content": {"text": text}, "role": "USER"}}],
            metadata={
                "traceId": {"stringValue": trace_id},
                "spanId": {"stringValue": "ab" * 8},
                **extra,
            },
        )["event"]["eventId"]
    assert server.backend.extraction.wait_idle(10)
    (taught,) = client.list_memory_records(memoryId=memory_id, namespace="/preferences/ada")[
        "memoryRecordSummaries"
    ]
    return {
        "memory": memory_id,
        "seeded": seeded["memoryRecordId"],
        "taught": taught["memoryRecordId"],
        "source": made["I like Oslo."],
        "reply": made["Noted."],
    }
