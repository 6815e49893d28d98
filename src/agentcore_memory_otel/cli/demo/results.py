"""What the demo is asked to do, what it produced, and how it fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...client.boto import DEFAULT_REGION
from . import longterm

ACTOR_ID = "demo-user"

Print = Callable[[str], None]
"""Where the demo's lines go (``print``, or a list's ``append`` in tests)."""


@dataclass
class DemoOptions:
    """What the ``demo`` command was asked to do."""

    batch_size: int = 1
    latency_ms: float = 0.0
    model: str = "scripted"
    endpoint_url: str | None = None
    aws: bool = False
    memory_id: str | None = None
    db: str = "agentcore-memory-demo.db"
    metrics_port: int = 9464
    hold_seconds: float = 0.0
    region: str = DEFAULT_REGION
    json_summary: str | None = None


@dataclass
class DemoResult:
    """What the run produced (the tests read it)."""

    memory_id: str
    session_id: str
    actor_id: str
    endpoint_url: str | None
    trace_ids: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    calls: dict[str, float] = field(default_factory=dict)
    restored_messages: int = 0
    restore_list_calls: int = 0
    server_calls: dict[str, dict[str, int]] = field(default_factory=dict)
    invocations: int = 0
    extracted: list[longterm.Extracted] = field(default_factory=list)
    extraction_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready data."""
        return {
            "memoryId": self.memory_id,
            "sessionId": self.session_id,
            "actorId": self.actor_id,
            "endpointUrl": self.endpoint_url,
            "traceIds": self.trace_ids,
            "events": [
                {
                    "eventId": e["eventId"],
                    "metadata": {k: v.get("stringValue") for k, v in e.get("metadata", {}).items()},
                }
                for e in self.events
            ],
            "calls": self.calls,
            "restoredMessages": self.restored_messages,
            "restoreListEventsCalls": self.restore_list_calls,
            "serverCalls": self.server_calls,
            "invocations": self.invocations,
            "extractedRecords": [r.to_dict() for r in self.extracted],
            "extractionSeconds": self.extraction_seconds,
        }


class DemoError(Exception):
    """A problem the demo explains in one line instead of a traceback."""
