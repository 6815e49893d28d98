"""Stored events as the console shows them: decoded messages and state records, plain JSON.

Everything here is data; the page turns it into DOM text nodes, so nothing needs escaping at
this point and nothing is ever trusted as markup.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from ...app.display import describe_block
from ...persistence.codec import StoredAgent, StoredMessage, StoredSession, decode_event
from ...trace_stamp import DEFAULT_SPAN_ID_KEY, DEFAULT_TRACE_ID_KEY


def timestamp(seconds: float) -> dict[str, str]:
    """An API timestamp (epoch seconds) as ISO 8601 and as a short UTC display string."""
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return {
        "iso": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "display": moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d} UTC",
    }


def event_view(event: dict[str, Any]) -> dict[str, Any]:
    """One stored event (the API's ``Event`` shape, payload included) for the console."""
    metadata = {key: _metadata_value(value) for key, value in (event.get("metadata") or {}).items()}
    return {
        "eventId": event["eventId"],
        "actorId": event["actorId"],
        "sessionId": event["sessionId"],
        "time": timestamp(event["eventTimestamp"]),
        "branch": event.get("branch", {}),
        "traceId": metadata.get(DEFAULT_TRACE_ID_KEY),
        "spanId": metadata.get(DEFAULT_SPAN_ID_KEY),
        "metadata": [{"key": k, "value": metadata[k]} for k in sorted(metadata, key=_key_order)],
        "items": [_item_view(event["eventId"], item) for item in event.get("payload") or []],
    }


def _key_order(key: str) -> tuple[int, str]:
    """The trace stamp's keys first, then the rest by name."""
    stamp = (DEFAULT_TRACE_ID_KEY, DEFAULT_SPAN_ID_KEY)
    return (stamp.index(key) if key in stamp else len(stamp), key)


def _metadata_value(value: Any) -> str:
    """The text of a ``MetadataValue`` union (only ``stringValue`` exists today)."""
    if isinstance(value, dict) and len(value) == 1:
        return str(next(iter(value.values())))
    return json.dumps(value)


def _item_view(event_id: str, item: dict[str, Any]) -> dict[str, Any]:
    """One payload item, decoded with the package's codec, or shown raw when it does not decode."""
    decoded = decode_event({"eventId": event_id, "payload": [item]})
    if not decoded:
        return {"kind": "raw", "json": json.dumps(item, indent=2, ensure_ascii=False)}
    stored = decoded[0]
    if isinstance(stored, StoredMessage):
        message = stored.session_message.message
        blocks = [_block_view(dict(block)) for block in message.get("content", [])]
        return {
            "kind": "message",
            "role": message["role"],
            "agentId": stored.agent_id,
            "messageId": stored.message_id,
            "blocks": blocks,
        }
    if isinstance(stored, StoredAgent):
        agent = stored.session_agent
        return {
            "kind": "agentRecord",
            "agentId": agent.agent_id,
            "nextMessageId": stored.next_message_id,
            "summary": f"agent {agent.agent_id}: state with {len(agent.state)} key(s)",
            "json": json.dumps(agent.to_dict(), indent=2, ensure_ascii=False, default=str),
        }
    if isinstance(stored, StoredSession):
        session = stored.session
        return {
            "kind": "sessionRecord",
            "sessionId": session.session_id,
            "summary": f"session {session.session_id} ({session.session_type})",
            "json": json.dumps(session.to_dict(), indent=2, ensure_ascii=False, default=str),
        }
    raise AssertionError(f"unexpected decoded item {stored!r}")  # pragma: no cover


def _block_view(block: dict[str, Any]) -> dict[str, Any]:
    """A Strands content block: full text for text, name and input for tools, else a summary."""
    if "text" in block:
        return {"type": "text", "text": str(block["text"])}
    if "toolUse" in block:
        use = block["toolUse"]
        return {
            "type": "toolUse",
            "name": str(use.get("name")),
            "toolUseId": str(use.get("toolUseId", "")),
            "input": json.dumps(use.get("input"), indent=2, ensure_ascii=False),
        }
    if "toolResult" in block:
        result = block["toolResult"]
        return {
            "type": "toolResult",
            "toolUseId": str(result.get("toolUseId", "")),
            "status": str(result.get("status", "")),
            "content": [_result_text(part) for part in result.get("content", [])],
        }
    return {"type": "other", "summary": describe_block(block)}


def _result_text(part: dict[str, Any]) -> str:
    if "text" in part:
        return str(part["text"])
    if "json" in part:
        return json.dumps(part["json"], indent=2, ensure_ascii=False)
    return describe_block(part)
