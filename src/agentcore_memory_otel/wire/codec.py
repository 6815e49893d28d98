"""The event codec: Strands messages and state to AgentCore payload items, and back.

Payload items (one event may hold several, in this order: messages oldest first, then the
session record, then the agent record):

* **Message**: ``{"conversational": {"role": R, "content": {"text": T}}}`` where ``T`` is the
  JSON of Strands' ``SessionMessage.to_dict()`` (bytes base64-encoded) plus ``"agent_id"``
  and ``"writer"``: ``{"id": W, "base": B, "since": S}``, its origin (``OriginTag``): the
  session manager that stored it (so two managers' messages never share an identity), the
  first message id it stored for the agent, and the timestamp (ms) of the newest event it saw
  when it started (its horizon: a manager that started at the same time stored after it). The
  member keeps the name ``"writer"`` it has always had in stored data. Its ``message_id`` is
  the message's index in the agent's conversation as its origin saw it. A rewrite (a
  redaction) of a message carries only ``{"id": W}``. ``R`` is
  ``ASSISTANT`` for assistant messages, ``TOOL`` for user messages carrying tool results, and
  ``USER`` otherwise. A ``T`` over 100,000 characters is stored as
  ``{"blob": "[T, R]"}`` (a JSON string holding a two-item list) instead. A ``T`` too large
  for one event is cut into parts, one per event, each
  ``{"blob": J}`` where ``J`` is the JSON of ``{"part": i, "parts": n, "group": G,
  "role": R, "text": t}``;
  the restore joins the ``n`` parts of group ``G`` back into ``T``.
* **Agent record**: ``{"blob": "<JSON of SessionAgent.to_dict()>"}``, plus
  ``"next_message_id"``: the id the agent's next message will get, so a restore knows when it
  has read every message it needs.
* **Session record**: ``{"blob": "<JSON of Session.to_dict()>"}``.
* **Multi-agent record**: ``{"blob": "<JSON of {"multi_agent_id": ID, "state": S}>"}`` where
  ``S`` is the Graph's or Swarm's ``serialize_state()``.

These are the item shapes the bedrock-agentcore SDK's session manager writes, so one decoder
reads both. Its messages carry no ``agent_id`` and a meaningless ``message_id`` (always 0);
they decode with ``agent_id=None`` and ``message_id=None`` and are ordered by position.
Conversational text that is not such JSON (events written by other tools) decodes as a plain
text message of its role.

This module holds the decoded shapes and the decoding; ``encoding`` writes the items,
``read_ahead`` lets a restore's scan skip agent records it never uses, and ``json_text`` holds
the JSON and text rules both sides share (all JSON is written by ``to_json``, so every payload
is valid UTF-8). Decoding never raises on content: what is not one of these formats, or holds
values a restore cannot use (``shapes``), is skipped with one warning per event naming its
eventId.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, ClassVar, TypeVar

from strands.types.content import Message
from strands.types.session import Session, SessionAgent, SessionMessage, decode_bytes_values

from . import shapes
from .json_text import PayloadItem

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class StoredMessage:
    """A message decoded from an event."""

    session_message: SessionMessage
    agent_id: str | None
    message_id: int | None
    event_id: str
    origin: OriginTag | None = None


@dataclass(frozen=True)
class OriginTag:
    """A stored message's origin: the session manager that stored it (see the module docstring)."""

    MEMBER: ClassVar[str] = "writer"
    """The member of a stored message that holds its origin (its name in stored data)."""

    id: str
    base: int | None = None
    since_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``"writer"`` member of a stored message."""
        body: dict[str, Any] = {"id": self.id}
        if self.base is not None:
            body["base"] = self.base
        if self.since_ms is not None:
            body["since"] = self.since_ms
        return body

    @classmethod
    def from_json(cls, body: Any) -> OriginTag | None:
        """Read a ``"writer"`` member; None when absent or malformed."""
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            return None
        base, since = body.get("base"), body.get("since")
        return cls(
            body["id"],
            base if isinstance(base, int) else None,
            since if isinstance(since, int) else None,
        )


@dataclass(frozen=True)
class StoredPart:
    """One part of a message too large for one event."""

    group: str
    part: int
    parts: int
    role: str
    text: str
    event_id: str


@dataclass(frozen=True)
class StoredAgent:
    """An agent record decoded from an event (``next_message_id`` is None if not recorded)."""

    session_agent: SessionAgent
    event_id: str
    next_message_id: int | None = None


@dataclass(frozen=True)
class StoredSession:
    """A session record decoded from an event."""

    session: Session
    event_id: str


@dataclass(frozen=True)
class StoredMultiAgent:
    """A Graph's or Swarm's serialized state decoded from an event."""

    multi_agent_id: str
    state: dict[str, Any]
    event_id: str


Stored = StoredMessage | StoredAgent | StoredSession | StoredMultiAgent | StoredPart


def decode_event(event: dict[str, Any]) -> list[Stored]:
    """Decode every item of an event that this package or the SDK wrote; skip the rest.

    Never raises on content: an item that is not one of the formats above, or holds values a
    restore could not use (see ``shapes``), is skipped, with one warning per event naming it.
    """
    return decode_items(event, _nothing_ahead)


def _nothing_ahead(item: Any, event_id: str) -> None:
    return None


def decode_items(
    event: dict[str, Any], read_ahead: Callable[[Any, str], T | None]
) -> list[Stored | T]:
    """``decode_event``, except that an item ``read_ahead`` answers for is kept as its answer.

    ``read_ahead(item, event_id)`` looks at each item before it is decoded (see
    ``read_ahead.scan_event``); ``None`` lets the item be decoded as usual.
    """
    event_id = str(event.get("eventId", ""))
    out: list[Stored | T] = []
    skipped: list[str] = []
    payload = event.get("payload")
    for item in payload if isinstance(payload, list) else []:
        ahead = read_ahead(item, event_id)
        if ahead is not None:
            out.append(ahead)
            continue
        try:
            decoded = _decode_item(item, event_id)
        except Exception as exc:  # hostile data: deep nesting, wrong types, bad values
            skipped.append(f"{type(exc).__name__}: {exc}"[:200])
            continue
        if decoded is None:
            skipped.append("not a format this package or the SDK writes")
        else:
            out.append(decoded)
    if skipped:
        logger.warning(
            "event_id=<%s>, skipped_items=<%d> | skipping what does not decode: %s",
            event_id,
            len(skipped),
            "; ".join(skipped),
        )
    return out


def join_parts(parts: list[StoredPart]) -> StoredMessage | None:
    """The message whose parts these are (all of them, any order), or None if it won't decode."""
    ordered = sorted(parts, key=lambda p: p.part)
    text = "".join(p.text for p in ordered)
    try:
        return _decode_message(text, ordered[0].role, ordered[-1].event_id)
    except Exception as exc:  # hostile data, as in ``decode_event``
        logger.warning(
            "event_id=<%s> | skipping a message whose parts do not decode: %s",
            ordered[-1].event_id,
            f"{type(exc).__name__}: {exc}"[:200],
        )
        return None


# What Strands' ``from_dict`` reads: the dataclasses' constructor parameters. Its ``from_dict``
# looks them up with ``inspect.signature`` once per key of every record, which was three
# quarters of a long restore's time; these are looked up once.
_MESSAGE_FIELDS = tuple(f.name for f in fields(SessionMessage) if f.init)
_AGENT_FIELDS = tuple(f.name for f in fields(SessionAgent) if f.init)
_BYTES_MARK = "__bytes_encoded__"


def session_message_from_dict(body: dict[str, Any], text: Any = None) -> SessionMessage:
    """``SessionMessage.from_dict(body)`` without its per-key reflection; equal results.

    ``text`` is the JSON ``body`` was read from, if known: without the mark of an encoded
    bytes value in it (nor a unicode escape, which could spell one), nothing needs decoding.
    """
    return SessionMessage(**_parameters(body, _MESSAGE_FIELDS, text))


def session_agent_from_dict(body: dict[str, Any], text: Any = None) -> SessionAgent:
    """``SessionAgent.from_dict(body)`` without its per-key reflection; equal results."""
    return SessionAgent(**_parameters(body, _AGENT_FIELDS, text))


def _parameters(body: dict[str, Any], names: tuple[str, ...], text: Any) -> dict[str, Any]:
    """The members of ``body`` that are constructor parameters, bytes values decoded."""
    present = {name: body[name] for name in names if name in body}
    if isinstance(text, str) and _BYTES_MARK not in text and "\\u" not in text:
        return present
    return dict(decode_bytes_values(present))


def message_key(item: PayloadItem) -> tuple[str, int, str | None] | None:
    """(agent id, message id, origin id) of an item holding one of this package's messages."""
    try:
        decoded = _decode_item(item, "")
    except Exception:  # whatever does not decode holds none of this package's messages
        return None
    if not isinstance(decoded, StoredMessage) or decoded.agent_id is None:
        return None
    assert decoded.message_id is not None  # this package's messages always carry one
    return decoded.agent_id, decoded.message_id, decoded.origin.id if decoded.origin else None


def is_foreign_message(item: PayloadItem) -> bool:
    """Whether an item holds a message stored without ids (the SDK's format)."""
    try:
        decoded = _decode_item(item, "")
    except Exception:  # whatever does not decode holds no message
        return False
    return isinstance(decoded, StoredMessage) and decoded.message_id is None


def _decode_item(item: dict[str, Any], event_id: str) -> Stored | None:
    if "conversational" in item:
        conversational = item["conversational"]
        return _decode_message(conversational["content"]["text"], conversational["role"], event_id)
    if "blob" not in item:
        return None
    blob = item["blob"]
    if isinstance(blob, str):
        try:
            blob = json.loads(blob)
        except ValueError:
            return None
    if isinstance(blob, list) and len(blob) == 2 and all(isinstance(x, str) for x in blob):
        return _decode_message(blob[0], blob[1], event_id)
    if isinstance(blob, dict):
        if "group" in blob and "parts" in blob:
            return _decode_part(blob, event_id)
        if "agent_id" in blob and "conversation_manager_state" in blob:
            next_id = blob.get("next_message_id")
            session_agent = session_agent_from_dict(blob, item["blob"])
            shapes.check_agent(session_agent)
            return StoredAgent(
                session_agent,
                event_id,
                next_id if isinstance(next_id, int) else None,
            )
        if "session_id" in blob and "session_type" in blob:
            return StoredSession(Session.from_dict(blob), event_id)
        if isinstance(blob.get("multi_agent_id"), str) and isinstance(blob.get("state"), dict):
            return StoredMultiAgent(blob["multi_agent_id"], blob["state"], event_id)
    return None


def _decode_part(blob: dict[str, Any], event_id: str) -> StoredPart:
    part, parts = shapes.check_message_id(blob["part"]), shapes.check_message_id(blob["parts"])
    role, text = blob["role"], blob["text"]
    if not (isinstance(role, str) and isinstance(text, str) and part < parts):
        raise ValueError("a message part is malformed")
    return StoredPart(str(blob["group"]), part, parts, role, text, event_id)


def _decode_message(text: str, role: str, event_id: str) -> StoredMessage | None:
    if not isinstance(text, str) or not isinstance(role, str):
        raise ValueError("a conversational item's text or role is not a string")
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), dict):
        agent_id = body.get("agent_id")
        ours = isinstance(agent_id, str)
        session_message = session_message_from_dict(body, text)
        shapes.check_session_message(session_message)
        return StoredMessage(
            session_message,
            agent_id if ours else None,
            shapes.check_message_id(body.get("message_id")) if ours else None,
            event_id,
            OriginTag.from_json(body.get(OriginTag.MEMBER)),
        )
    strands_role = {"USER": "user", "ASSISTANT": "assistant"}.get(role.upper())
    if strands_role is None:
        return None
    plain: Message = {"role": strands_role, "content": [{"text": text}]}  # type: ignore[typeddict-item]
    return StoredMessage(SessionMessage(plain, 0), None, None, event_id)
