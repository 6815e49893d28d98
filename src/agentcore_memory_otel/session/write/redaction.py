"""Redaction reaching storage: the event that holds a redacted message's original is deleted.

A redaction stores a rewrite of the message (see ``session_manager.redact_latest_message``).
Once that rewrite is acknowledged, every event holding the original is deleted, so no read
(restore, ListEvents, ``find_events``, the console) returns the original content. An event
that also holds other items (earlier messages, records) is first written again without the
redacted message, at the original's timestamp and with its metadata, so those items keep
their place; only then is the original deleted.

A ``Deletion`` is planned in full (the remainder's request, clientToken included) before
anything is sent, and journaled like planned events, so a crash at any step replays it
exactly: the remainder is deduplicated by its clientToken, and deleting an event that is
already gone counts as done.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ...wire.branches import event_branch, event_root
from ...wire.codec import is_foreign_message, message_key
from ...wire.json_text import PayloadItem
from ...wire.planned import PlannedEvent

if TYPE_CHECKING:
    from ...telemetry import InstrumentedMemoryApi

logger = logging.getLogger(__name__)

_KEPT = ("memoryId", "actorId", "sessionId", "eventTimestamp", "metadata")
"""What a remainder keeps of its original's request (its timestamp is set apart when read)."""


@dataclass
class Deletion:
    """An acknowledged event to delete, and its other items to write again first."""

    event_id: str
    remainder: dict[str, Any] | None
    """The CreateEvent request for the event's other items, or ``None`` if it had none."""
    journal_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The journal's form."""
        return {"event_id": self.event_id, "remainder": self.remainder}

    @classmethod
    def from_json(cls, body: dict[str, Any], journal_id: int) -> Deletion:
        """Read the journal's form."""
        return cls(str(body["event_id"]), body.get("remainder"), journal_id)


def deletion_of_planned(event: PlannedEvent, message_ids: set[int]) -> Deletion | None:
    """The deletion of an acknowledged event this manager stored, dropping ``message_ids``."""
    if event.event_id is None:
        return None
    payload = event.request["payload"]
    kept = [
        item
        for item, message_id in zip(payload, event.item_message_ids, strict=True)
        if message_id is None or message_id not in message_ids
    ]
    return Deletion(event.event_id, _remainder(event.request, kept))


def deletion_of_stored(
    event: dict[str, Any], is_original: Callable[[PayloadItem], bool]
) -> Deletion | None:
    """The deletion of an event read back (GetEvent), dropping the items ``is_original`` picks.

    Returns ``None`` when the event holds no such item (nothing to delete).
    """
    payload: list[PayloadItem] = event.get("payload") or []
    kept = [item for item in payload if not is_original(item)]
    if len(kept) == len(payload):
        return None
    timestamp = event["eventTimestamp"]
    seconds = timestamp.timestamp() if isinstance(timestamp, datetime) else float(timestamp)
    request: dict[str, Any] = {key: event[key] for key in _KEPT if key in event}
    request["eventTimestamp"] = seconds
    return Deletion(str(event["eventId"]), _remainder(request, kept))


def holds_message(agent_id: str, message_id: int, origin_id: str | None) -> Callable[..., bool]:
    """A test for payload items holding that message as stored by ``origin_id``."""

    def test(item: PayloadItem) -> bool:
        key = message_key(item)
        return key is not None and key[:2] == (agent_id, message_id) and key[2] == origin_id

    return test


def holds_latest_foreign(event: dict[str, Any]) -> Callable[[PayloadItem], bool]:
    """A test for the event's item holding the latest message stored without ids (the SDK's).

    Those carry no agent or message id, so the latest is found by place: within an event the
    last item is the newest, and the latest message is newer than every other.
    """
    payload: list[PayloadItem] = event.get("payload") or []
    latest = next((item for item in reversed(payload) if is_foreign_message(item)), None)
    return lambda item: latest is not None and item is latest


def delete_original(api: InstrumentedMemoryApi, request: dict[str, Any]) -> None:
    """DeleteEvent for a redacted original; raises only what a retry may overcome.

    An event already gone counts as deleted (a replay after a crash). Without permission to
    delete, a retry can never succeed and must not fail every later write: the original
    stays, and an error says so.
    """
    try:
        api.delete_event(request)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "AccessDeniedException":
            logger.error(
                "event_id=<%s> | the original of a redacted message could not be deleted and "
                "stays stored: allow bedrock-agentcore:DeleteEvent (%s)",
                request["eventId"],
                exc,
            )
        elif code != "ResourceNotFoundException":
            raise


def _remainder(request: dict[str, Any], kept: Sequence[PayloadItem]) -> dict[str, Any] | None:
    if not kept:
        return None
    remainder: dict[str, Any] = {key: request[key] for key in _KEPT if key in request}
    root = event_root(request)
    if root is not None:  # the rest goes back on the branch it was on (main names no root)
        remainder["branch"] = {"name": event_branch(request), "rootEventId": root}
    remainder["payload"] = list(kept)
    remainder["clientToken"] = str(uuid.uuid4())
    return remainder


def remainder_event(request: dict[str, Any]) -> PlannedEvent:
    """A redacted original's other items as an event to send (no new messages or records)."""
    return PlannedEvent(request, None, 0, (), 0, ())


class NewestMessageEvents:
    """Per agent, the acknowledged events holding its newest message (each copy's event).

    A redaction of the latest message deletes these; an older message is no longer the
    latest, and its events are not kept.
    """

    def __init__(self) -> None:
        self._newest: dict[str, tuple[int, list[PlannedEvent]]] = {}

    def note(self, event: PlannedEvent) -> None:
        """Remember an acknowledged event if it holds its agent's newest message."""
        ids = [i for i in event.item_message_ids if i is not None]
        if event.agent_id is None or not ids or event.event_id is None:
            return
        top = max(ids)
        newest, holders = self._newest.get(event.agent_id, (-1, []))
        if top > newest:
            self._newest[event.agent_id] = (top, [event])
        elif top == newest:
            holders.append(event)

    def holding(self, agent_id: str, message_id: int) -> list[PlannedEvent]:
        """The acknowledged events holding ``message_id`` if it is the agent's newest."""
        newest, holders = self._newest.get(agent_id, (-1, []))
        return list(holders) if newest == message_id else []
