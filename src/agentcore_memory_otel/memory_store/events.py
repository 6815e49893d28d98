"""Conversation messages to CreateEvent requests, planned once and resent unchanged until stored.

Strands' extraction coordinator hands the store each batch of new messages with their sequence
numbers, and hands the same messages again (with any newer ones) when a save failed. So:

* Only user and assistant messages with text are sent: text blocks joined, roles ``USER`` and
  ``ASSISTANT``. A text longer than the API's 100,000 characters is split over several items.
* Consecutive messages share an event until ``max_turns_per_event`` messages, 100 items or the
  event size cap, or until their metadata differs (metadata belongs to the whole event).
* Each event's ``clientToken`` is ``strands-{run}-{first}-{last}`` (its sequence numbers and a
  run id unique to the agent run) and its ``eventTimestamp`` is fixed when it is planned. A
  planned event is kept until acknowledged, and a retried batch resends the very same request,
  so the service deduplicates one stored before a failure. Acknowledged sequence numbers are
  remembered and skipped, so a retried batch never writes them twice.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from strands.types.content import Message

from ..wire import limits
from ..wire.clock import MonotonicClock
from ..wire.content_policy import ContentPolicy
from ..wire.json_text import cut_text, item_size, plain_text
from ..wire.metadata import Metadata, check_entry
from ..wire.pending import EVENT_PAYLOAD_MAX_BYTES
from ..wire.planned import PlannedEvent
from ..wire.trace_stamp import TraceStamp
from .config import MetadataProvider

_ROLES = {"user": "USER", "assistant": "ASSISTANT"}


def message_text(message: Message) -> str:
    """The message's non-blank text blocks, trimmed and joined by newlines.

    Lone surrogates (a file name from ``os.listdir``) become U+FFFD: the API refuses them.
    """
    parts = [block["text"].strip() for block in message.get("content", []) if "text" in block]
    return plain_text("\n".join(part for part in parts if part))


def payload_items(message: Message) -> list[dict[str, Any]]:
    """The conversational payload items for ``message`` (none if it has no role or text)."""
    role = _ROLES.get(message.get("role", ""))
    text = message_text(message)
    if role is None or not text:
        return []
    return [
        {"conversational": {"role": role, "content": {"text": piece}}}
        for piece in cut_text(text, limits.TEXT_MAX_CHARS)
    ]


def to_event_metadata(raw: Mapping[str, Any] | None) -> Metadata:
    """A metadata provider's answer in wire form, each key and value checked.

    Raises:
        ValueError: A value is not a finite scalar, or a key or value breaks an API limit.
    """
    metadata: Metadata = {}
    for key, value in (raw or {}).items():
        if isinstance(value, str):
            text = value
        elif isinstance(value, (bool, int, float)) and json.dumps(value) not in (
            "NaN",
            "Infinity",
            "-Infinity",
        ):
            text = json.dumps(value)
        else:
            raise ValueError(
                f"metadata_provider: metadata value for {key!r} must be a string, a finite "
                f"number or a boolean, got {value!r}"
            )
        check_entry(key, text, source="metadata_provider")
        metadata[key] = {"stringValue": text}
    return metadata


@dataclass
class _Turn:
    sequence_number: int | None
    items: list[dict[str, Any]]
    size: int
    metadata: Metadata


class EventPlanner:
    """Plans and remembers one store's CreateEvent requests.

    Args:
        target: ``memoryId``, ``actorId`` and ``sessionId`` of every event.
        max_turns_per_event: Messages per event at most.
        metadata_provider: Per-message metadata, or ``None``.
        trace_keys: Metadata keys for the trace stamp, or ``None`` not to stamp.
        extraction_mode: CreateEvent's ``extractionMode``, or ``None``.
        policy: The content filter applied to each message's text before it is planned.
    """

    def __init__(
        self,
        *,
        target: dict[str, str],
        max_turns_per_event: int,
        metadata_provider: MetadataProvider | None,
        trace_keys: tuple[str, str] | None,
        extraction_mode: str | None,
        policy: ContentPolicy | None = None,
    ) -> None:
        self._target = target
        self._max_turns = max_turns_per_event
        self._metadata_provider = metadata_provider
        self._trace_keys = trace_keys
        self._extraction_mode = extraction_mode
        self._policy = policy or ContentPolicy()
        self._clock = MonotonicClock()
        self.new_run()

    def new_run(self) -> None:
        """Start a new agent run: sequence numbers start again, so forget the old ones."""
        self._run = uuid.uuid4().hex
        self._planned: dict[tuple[int, ...], PlannedEvent] = {}
        self._acknowledged: set[int] = set()

    def plan(
        self,
        messages: Sequence[Message],
        sequence_numbers: Sequence[int] | None,
        stamp: TraceStamp | None,
    ) -> list[PlannedEvent]:
        """The events to send for ``messages``, oldest first; new ones are remembered as planned.

        Raises:
            ValueError: Metadata breaks an API limit (checked before anything is sent).
        """
        numbered = sequence_numbers is not None and len(sequence_numbers) == len(messages)
        turns: list[_Turn] = []
        for index, message in enumerate(messages):
            number = sequence_numbers[index] if numbered and sequence_numbers else None
            if number is not None and number in self._acknowledged:
                continue
            items = payload_items(self._policy.message(message))
            if not items:
                continue
            raw = self._metadata_provider(message) if self._metadata_provider else None
            metadata = to_event_metadata(raw)
            self._check_key_count(metadata)
            size = sum(item_size(item) for item in items)
            turns.append(_Turn(number, items, size, metadata))
        # Events planned before whose messages are all here again are resent as they were.
        numbers = {t.sequence_number for t in turns if t.sequence_number is not None}
        resent = {key: event for key, event in self._planned.items() if set(key) <= numbers}
        covered = {number for key in resent for number in key}
        planned: list[tuple[float, PlannedEvent]] = [
            (key[0], event) for key, event in resent.items()
        ]
        group: list[_Turn] = []
        for turn in turns:
            if turn.sequence_number in covered:
                # A new event never spans a resent one, so the stored order stays the same.
                if group:
                    planned.append(self._event(group, stamp))
                group = []
                continue
            if group and not self._fits(group, turn):
                planned.append(self._event(group, stamp))
                group = []
            group.append(turn)
        if group:
            planned.append(self._event(group, stamp))
        return [event for _, event in sorted(planned, key=lambda pair: pair[0])]

    def acknowledge(self, event: PlannedEvent) -> None:
        """``event`` is stored: never send it, or its messages, again in this run."""
        numbers = self._numbers(event)
        if numbers is not None:
            self._planned.pop(numbers, None)
            self._acknowledged.update(numbers)

    def _fits(self, group: list[_Turn], turn: _Turn) -> bool:
        items = sum(len(t.items) for t in group) + len(turn.items)
        size = sum(t.size for t in group) + turn.size
        return (
            len(group) < self._max_turns
            and items <= limits.PAYLOAD_MAX_ITEMS
            and size <= EVENT_PAYLOAD_MAX_BYTES
            and turn.metadata == group[-1].metadata
            and (turn.sequence_number is None) == (group[-1].sequence_number is None)
        )

    def _event(self, group: list[_Turn], stamp: TraceStamp | None) -> tuple[float, PlannedEvent]:
        """A new event for ``group``, with the position it takes among the batch's events."""
        numbers = tuple(t.sequence_number for t in group if t.sequence_number is not None)
        key = numbers if len(numbers) == len(group) else None
        payload = [item for t in group for item in t.items]
        metadata = dict(group[0].metadata)
        if stamp is not None and self._trace_keys is not None:
            metadata.update(stamp.metadata(*self._trace_keys))
        request: dict[str, Any] = {
            **self._target,
            "eventTimestamp": self._clock.next_ms() / 1000,
            "payload": payload,
            "clientToken": (
                f"strands-{self._run}-{key[0]}-{key[-1]}" if key else str(uuid.uuid4())
            ),
        }
        if metadata:
            request["metadata"] = metadata
        if self._extraction_mode is not None:
            request["extractionMode"] = self._extraction_mode
        event = PlannedEvent(
            request=request,
            agent_id=None,
            message_count=len(group),
            records=(),
            payload_bytes=sum(t.size for t in group),
            links=(),
        )
        if key is not None:
            self._planned[key] = event
        # Unnumbered messages keep their place after the numbered ones they came with.
        return (key[0] if key else float("inf")), event

    def _numbers(self, event: PlannedEvent) -> tuple[int, ...] | None:
        return next((k for k, v in self._planned.items() if v is event), None)

    def _check_key_count(self, metadata: Metadata) -> None:
        reserved = 2 if self._trace_keys else 0
        if len(metadata) + reserved > limits.METADATA_MAX_KEYS:
            raise ValueError(
                f"metadata_provider: {len(metadata)} keys {sorted(metadata)} plus the {reserved} "
                f"of the trace stamp exceed the limit of {limits.METADATA_MAX_KEYS} keys per event"
            )
