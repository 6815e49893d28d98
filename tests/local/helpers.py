"""Small builders shared by the local-server tests."""

from __future__ import annotations

from typing import Any


def text(value: str, role: str = "USER") -> dict[str, Any]:
    """A conversational payload item."""
    return {"conversational": {"content": {"text": value}, "role": role}}


def meta(**values: str) -> dict[str, dict[str, str]]:
    """Event metadata from keyword arguments."""
    return {k: {"stringValue": v} for k, v in values.items()}


def put(
    client: Any,
    memory_id: str,
    ts: float,
    *,
    actor: str = "actor-1",
    session: str = "session-1",
    **kwargs: Any,
) -> dict[str, Any]:
    """CreateEvent with a text payload naming its timestamp; returns the event."""
    kwargs.setdefault("payload", [text(f"at {ts}")])
    event: dict[str, Any] = client.create_event(
        memoryId=memory_id, actorId=actor, sessionId=session, eventTimestamp=ts, **kwargs
    )["event"]
    return event
