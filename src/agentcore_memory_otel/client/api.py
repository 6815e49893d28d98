"""The AgentCore Memory calls the session manager and the memory store make, in one place.

Every call goes through ``MemoryApi.call``, so telemetry can wrap exactly one function to see
each request and response.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..wire.planned import PlannedEvent

RecordFilter = Callable[[dict[str, Any]], bool]
"""Tells, for one returned record summary, whether the caller put it to use."""


class MemoryApi:
    """A thin, typed front for the boto3 ``bedrock-agentcore`` client."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(
        self,
        operation: str,
        request: dict[str, Any],
        *,
        event: PlannedEvent | None = None,
        used: RecordFilter | None = None,
    ) -> dict[str, Any]:
        """Perform ``operation`` (e.g. ``"CreateEvent"``) with ``request``; return the response.

        ``event`` describes a planned CreateEvent (batch size, records) for telemetry; ``used``
        tells which returned records the caller puts to use (telemetry names them).
        """
        method = getattr(self.client, _snake(operation))
        response: dict[str, Any] = method(**request)
        return response

    def create_event(self, event: PlannedEvent) -> dict[str, Any]:
        """CreateEvent for a planned event."""
        return self.call("CreateEvent", event.request, event=event)

    def list_events(self, request: dict[str, Any]) -> dict[str, Any]:
        """ListEvents (one page)."""
        return self.call("ListEvents", request)

    def get_event(self, request: dict[str, Any]) -> dict[str, Any]:
        """GetEvent."""
        return self.call("GetEvent", request)

    def delete_event(self, request: dict[str, Any]) -> dict[str, Any]:
        """DeleteEvent."""
        return self.call("DeleteEvent", request)

    def retrieve_memory_records(
        self, request: dict[str, Any], used: RecordFilter | None = None
    ) -> dict[str, Any]:
        """RetrieveMemoryRecords (first page); ``used`` selects the records put to use."""
        return self.call("RetrieveMemoryRecords", request, used=used)

    def batch_create_memory_records(self, request: dict[str, Any]) -> dict[str, Any]:
        """BatchCreateMemoryRecords."""
        return self.call("BatchCreateMemoryRecords", request)


@functools.cache  # a handful of operation names, converted on every call otherwise
def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
