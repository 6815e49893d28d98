"""Encoding: Strands messages and records as payload items (the formats ``codec`` describes)."""

from __future__ import annotations

import json
from typing import Any

from strands.types.content import Message
from strands.types.session import Session, SessionAgent, SessionMessage

from . import limits
from .codec import OriginTag
from .json_text import PayloadItem, text_length, to_json


def role_for(message: Message) -> str:
    """The conversational role a Strands message is stored with."""
    if message["role"] == "assistant":
        return "ASSISTANT"
    if any("toolResult" in block for block in message.get("content", [])):
        return "TOOL"
    return "USER"


def encode_message(
    session_message: SessionMessage, agent_id: str, origin: OriginTag | None = None
) -> PayloadItem:
    """Encode a message as a conversational item, or as a blob when it is too long."""
    text, role = message_json(session_message, agent_id, origin)
    if text_length(text) > limits.TEXT_MAX_CHARS:
        return {"blob": to_json([text, role])}
    return {"conversational": {"content": {"text": text}, "role": role}}


def message_json(
    session_message: SessionMessage, agent_id: str, origin: OriginTag | None
) -> tuple[str, str]:
    """A message's stored JSON text and its conversational role."""
    body = session_message.to_dict()
    body["agent_id"] = agent_id
    if origin is not None:
        body[OriginTag.MEMBER] = origin.to_json()
    text = to_json(body, compact=True)
    return text, role_for(session_message.message)


def encode_part(group: str, part: int, parts: int, role: str, text: str) -> PayloadItem:
    """Encode one part of a message cut across several events."""
    body = {"part": part, "parts": parts, "group": group, "role": role, "text": text}
    return {"blob": to_json(body)}


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
