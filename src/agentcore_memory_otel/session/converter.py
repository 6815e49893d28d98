"""Custom message converters, with the bedrock-agentcore SDK's ``MemoryConverter`` interface.

A converter (``converter=`` on the session manager) decides how messages look in AgentCore
Memory, e.g. in OpenAI's message format for other readers. It is honoured as the SDK honours
it: each message is stored as the converter's ``(text, role)`` pair (a conversational item, or
``{"blob": "[text, role]"}`` when ``exceeds_conversational_limit`` says so) and read back with
``events_to_messages``. Records (session, agent, Graph/Swarm state) keep this package's format,
which converters skip.

Like the SDK, converted messages carry no agent id or message index: they are restored in the
order they were written, and a session holds one agent's messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from strands.types.session import SessionMessage

from ..wire import shapes
from ..wire.codec import StoredMessage
from ..wire.json_text import PayloadItem, to_json
from ..wire.read_ahead import Scanned, scan_event

logger = logging.getLogger(__name__)


class MemoryConverter(Protocol):
    """Converts Strands messages to event payloads and back (the SDK's protocol).

    The SDK's converters (``AgentCoreMemoryConverter``, ``OpenAIConverseConverter``) satisfy
    it, as classes or instances.
    """

    @staticmethod
    def message_to_payload(session_message: SessionMessage) -> list[tuple[str, str]]:
        """The ``(text, role)`` pairs to store for a message; empty to store nothing."""
        ...

    @staticmethod
    def events_to_messages(events: list[dict[str, Any]]) -> list[SessionMessage]:
        """The messages held by ``events`` (given newest first), oldest first."""
        ...

    @staticmethod
    def exceeds_conversational_limit(message: tuple[str, str]) -> bool:
        """Whether a pair must be stored as a blob rather than a conversational item."""
        ...


_ROLES = frozenset({"USER", "ASSISTANT", "TOOL", "OTHER"})

MessageEncoder = Callable[[SessionMessage, str], PayloadItem | None]
"""Encodes a message of an agent as one payload item, or ``None`` to store nothing."""

EventDecoder = Callable[[dict[str, Any]], list[Scanned]]
"""Decodes the messages and records of one event (agent records deferred)."""


def converter_encoder(converter: MemoryConverter) -> MessageEncoder:
    """The message encoder that stores what ``converter`` makes of each message."""

    def encode(session_message: SessionMessage, agent_id: str) -> PayloadItem | None:
        pairs = converter.message_to_payload(session_message)
        if not pairs:
            return None
        if len(pairs) > 1:
            raise ValueError(
                f"converter {_name(converter)} returned {len(pairs)} payload pairs for one "
                "message; this session manager stores one item per message"
            )
        text, role = pairs[0]
        if role.upper() not in _ROLES:
            raise ValueError(
                f"converter {_name(converter)} returned role {role!r}; the API accepts "
                f"{', '.join(sorted(_ROLES))}"
            )
        if converter.exceeds_conversational_limit((text, role)):
            return {"blob": to_json([text, role])}
        return {"conversational": {"content": {"text": text}, "role": role.upper()}}

    return encode


def converter_decoder(converter: MemoryConverter) -> EventDecoder:
    """The event decoder that reads messages with ``converter`` and records as usual."""

    def decode(event: dict[str, Any]) -> list[Scanned]:
        records = [s for s in scan_event(event) if not isinstance(s, StoredMessage)]
        try:
            messages = converter.events_to_messages([event])
        except Exception as exc:  # an event the converter cannot read must not stop a restore
            logger.warning(
                "event_id=<%s> | converter %s could not read the event: %s",
                event.get("eventId"),
                _name(converter),
                exc,
            )
            messages = []
        event_id = str(event.get("eventId", ""))
        # Within an event, messages come before records, as the batcher places them.
        stored: list[Scanned] = [
            StoredMessage(m, None, None, event_id) for m in messages if _sound(m, event_id)
        ]
        return stored + records

    return decode


def _sound(message: Any, event_id: str) -> bool:
    """Whether a message a converter read can be restored (see ``shapes``); warns if not."""
    try:
        shapes.check_session_message(message)
    except (ValueError, AttributeError) as exc:
        logger.warning(
            "event_id=<%s> | skipping a message the restore cannot use: %s", event_id, exc
        )
        return False
    return True


def _name(converter: MemoryConverter) -> str:
    return getattr(converter, "__name__", type(converter).__name__)
