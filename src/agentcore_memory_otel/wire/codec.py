"""The event codec: Strands messages and state to AgentCore payload items, and back.

Payload items (one event may hold several, in this order: messages oldest first, then the
session record, then the agent record):

* **Message**: ``{"conversational": {"role": R, "content": {"text": T}}}`` where ``T`` is the
  JSON of Strands' ``SessionMessage.to_dict()`` (bytes base64-encoded) plus ``"agent_id"``
  and ``"writer"``: ``{"id": W, "base": B, "since": S}``, the session manager that wrote it
  (so two writers' messages never share an identity), the first message id it wrote for the
  agent, and the timestamp (ms) of the newest event it saw when it started (its horizon: a
  writer that started at the same time wrote after it). Its ``message_id`` is the message's
  index in the agent's conversation as its writer saw it. A rewrite (a redaction) of a
  message carries only ``{"id": W}``. ``R`` is
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

All JSON is written by ``to_json``: non-ASCII text as it is, surrogate code points escaped, so
every payload is valid UTF-8 and every string reads back as given. Decoding never raises on
content: what is not one of these formats, or holds values a restore cannot use (``shapes``),
is skipped with one warning per event naming its eventId.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from dataclasses import dataclass, fields
from typing import Any

from strands.types.content import Message
from strands.types.session import Session, SessionAgent, SessionMessage, decode_bytes_values

from . import limits, shapes

logger = logging.getLogger(__name__)

PayloadItem = dict[str, Any]


@dataclass(frozen=True)
class StoredMessage:
    """A message decoded from an event."""

    session_message: SessionMessage
    agent_id: str | None
    message_id: int | None
    event_id: str
    writer: OriginTag | None = None


@dataclass(frozen=True)
class OriginTag:
    """Which session manager stored a message (see the module docstring)."""

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


def role_for(message: Message) -> str:
    """The conversational role a Strands message is stored with."""
    if message["role"] == "assistant":
        return "ASSISTANT"
    if any("toolResult" in block for block in message.get("content", [])):
        return "TOOL"
    return "USER"


def text_length(text: str) -> int:
    """Length as the API counts characters (UTF-16 code units); a lone surrogate counts one."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


_SURROGATE = re.compile("[\ud800-\udfff]")
"""A surrogate code point: text holding one cannot be encoded as UTF-8."""


def to_json(value: Any, *, compact: bool = False) -> str:
    r"""``value`` as JSON text that is valid UTF-8, whatever strings it holds.

    Non-ASCII text stays as it is, except surrogate code points (a lone ``'\udcff'`` from
    ``os.listdir``, say), which no UTF-8 text can hold: they are written as JSON escapes
    (``\udcff``), which ``json.loads`` reads back as the same string. The one exception is a
    high surrogate followed by a low one, which JSON reads back as the single character the
    pair encodes.
    """
    separators = (",", ":") if compact else None
    text = json.dumps(value, ensure_ascii=False, separators=separators)
    # A surrogate can only stand inside a JSON string, where its escape means the same.
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def plain_text(text: str) -> str:
    """``text`` as plain (non-JSON) UTF-8 text can hold it: lone surrogates become U+FFFD.

    For text the API stores as it is (conversational text that is not this package's JSON),
    where no escape would read back. A high surrogate followed by a low one becomes the
    character the pair encodes.
    """
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def cut_text(text: str, limit: int) -> list[str]:
    """``text`` in consecutive pieces of at most ``limit`` characters as the API counts them.

    A character outside the Basic Multilingual Plane (an emoji) counts twice and is never cut
    in half; text without one is cut every ``limit`` characters.
    """
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + limit)
        while (over := text_length(text[start:end]) - limit) > 0:
            end -= max(1, over // 2)  # each character dropped takes one or two units off
        pieces.append(text[start:end])
        start = end
    return pieces


def encode_message(
    session_message: SessionMessage, agent_id: str, writer: OriginTag | None = None
) -> PayloadItem:
    """Encode a message as a conversational item, or as a blob when it is too long."""
    text, role = message_json(session_message, agent_id, writer)
    if text_length(text) > limits.TEXT_MAX_CHARS:
        return {"blob": to_json([text, role])}
    return {"conversational": {"content": {"text": text}, "role": role}}


def message_json(
    session_message: SessionMessage, agent_id: str, writer: OriginTag | None
) -> tuple[str, str]:
    """A message's stored JSON text and its conversational role."""
    body = session_message.to_dict()
    body["agent_id"] = agent_id
    if writer is not None:
        body["writer"] = writer.to_json()
    text = to_json(body, compact=True)
    return text, role_for(session_message.message)


def encode_part(group: str, part: int, parts: int, role: str, text: str) -> PayloadItem:
    """Encode one part of a message cut across several events."""
    body = {"part": part, "parts": parts, "group": group, "role": role, "text": text}
    return {"blob": to_json(body)}


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


def encode_agent(session_agent: SessionAgent) -> PayloadItem:
    """Encode an agent record (its ``next_message_id`` is added when the write is planned)."""
    return {"blob": to_json(session_agent.to_dict())}


def with_next_message_id(item: PayloadItem, next_message_id: int) -> PayloadItem:
    """An encoded agent record that also says which message id comes next."""
    body = json.loads(item["blob"])
    body["next_message_id"] = next_message_id
    return {"blob": to_json(body)}


def encode_session(session: Session) -> PayloadItem:
    """Encode a session record."""
    return {"blob": to_json(session.to_dict())}


def encode_multi_agent(multi_agent_id: str, state: dict[str, Any]) -> PayloadItem:
    """Encode a Graph's or Swarm's ``serialize_state()``."""
    body = {"multi_agent_id": multi_agent_id, "state": state}
    return {"blob": to_json(body)}


def item_size(item: PayloadItem | list[PayloadItem]) -> int:
    """Bytes an item (or a whole payload) adds to a CreateEvent request: its compact UTF-8 JSON.

    The client's checks and the local server's limit measure with this one function. Text may
    hold surrogate code points (conversational text is sent as given): each counts as its escape.
    """
    return len(to_json(item, compact=True).encode())


def content_digest(value: Any) -> str:
    """A SHA-256 of ``value`` as canonical JSON (sorted keys), to tell changed state from same."""
    canonical = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class DeferredAgent:
    """An agent record read only as far as its ``agent_id``, decoded when a restore uses it.

    A session holds one agent record per change of the agent's state (with a sliding window,
    nearly one per event), and a restore uses only the newest of each agent; the others are
    never decoded (and a malformed one among them is never reported).
    """

    agent_id: str
    item: PayloadItem
    event_id: str

    @functools.cached_property
    def decoded(self) -> StoredAgent | None:
        """The record, as ``decode_event`` decodes it; None (with its warning) if it is not one.

        Not one: it does not decode, or it is something else, or of another agent, than its
        first member said (only hostile data can be), so it is ignored rather than misread.
        Decoded once, so a second look neither pays nor warns again.
        """
        decoded = decode_event({"eventId": self.event_id, "payload": [self.item]})
        for stored in decoded:
            if isinstance(stored, StoredAgent) and stored.session_agent.agent_id == self.agent_id:
                return stored
        return None


Scanned = Stored | DeferredAgent
"""What a restore's scan keeps of an item (see ``scan_event``)."""


def decode_event(event: dict[str, Any]) -> list[Stored]:
    """Decode every item of an event that this package or the SDK wrote; skip the rest.

    Never raises on content: an item that is not one of the formats above, or holds values a
    restore could not use (see ``shapes``), is skipped, with one warning per event naming it.
    """
    decoded: list[Stored] = []
    for item in _decode_items(event, defer_agents=False):
        assert not isinstance(item, DeferredAgent)  # nothing is deferred when not asked
        decoded.append(item)
    return decoded


def scan_event(event: dict[str, Any]) -> list[Scanned]:
    """``decode_event``, except that agent records are deferred (see ``DeferredAgent``)."""
    return _decode_items(event, defer_agents=True)


def _decode_items(event: dict[str, Any], *, defer_agents: bool) -> list[Scanned]:
    event_id = str(event.get("eventId", ""))
    out: list[Scanned] = []
    skipped: list[str] = []
    payload = event.get("payload")
    for item in payload if isinstance(payload, list) else []:
        agent_id = _agent_id_ahead(item) if defer_agents else None
        if agent_id is not None:
            out.append(DeferredAgent(agent_id, item, event_id))
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


# An agent record's JSON opens with its agent_id, as both this package and the SDK write it
# (``SessionAgent.to_dict()``'s first member), whether spaced or compact.
_AGENT_RECORD_OPENING = re.compile(r'\{\s*"agent_id"\s*:\s*(?=")')
_JSON = json.JSONDecoder()


def _agent_id_ahead(item: Any) -> str | None:
    """The agent_id an agent-record blob opens with, read without decoding the rest."""
    blob = item.get("blob") if isinstance(item, dict) and "conversational" not in item else None
    if not isinstance(blob, str) or (opening := _AGENT_RECORD_OPENING.match(blob)) is None:
        return None
    try:
        agent_id, _ = _JSON.raw_decode(blob, opening.end())
    except ValueError:
        return None
    return agent_id if isinstance(agent_id, str) else None


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
    """(agent id, message id, writer id) of an item holding one of this package's messages."""
    try:
        decoded = _decode_item(item, "")
    except Exception:  # whatever does not decode holds none of this package's messages
        return None
    if not isinstance(decoded, StoredMessage) or decoded.agent_id is None:
        return None
    assert decoded.message_id is not None  # this package's messages always carry one
    return decoded.agent_id, decoded.message_id, decoded.writer.id if decoded.writer else None


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
            OriginTag.from_json(body.get("writer")),
        )
    strands_role = {"USER": "user", "ASSISTANT": "assistant"}.get(role.upper())
    if strands_role is None:
        return None
    plain: Message = {"role": strands_role, "content": [{"text": text}]}  # type: ignore[typeddict-item]
    return StoredMessage(SessionMessage(plain, 0), None, None, event_id)
