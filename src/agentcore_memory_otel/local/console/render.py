"""Stored events as the console shows them: decoded messages and state records, plain JSON.

Everything here is data; the page turns it into DOM text nodes, so nothing needs escaping at
this point and nothing is ever trusted as markup.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, assert_never

from ...wire.blocks import describe_block
from ...wire.codec import (
    Stored,
    StoredAgent,
    StoredMessage,
    StoredMultiAgent,
    StoredPart,
    StoredSession,
    decode_event,
)
from ...wire.trace_stamp import DEFAULT_SPAN_ID_KEY, DEFAULT_TRACE_ID_KEY


def timestamp(seconds: float) -> dict[str, str]:
    """An API timestamp (epoch seconds) as ISO 8601 and as a short UTC display string.

    A stored time no date can hold (kept by a server before timestamps were checked) is shown
    as its number, so that the page, and the Delete button for that event, still load.
    """
    try:
        moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return {"iso": "", "display": f"{seconds} s since the epoch (out of range)"}
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
    """One payload item, decoded with the package's codec, or shown raw when it does not decode.

    Every kind this package or the SDK stores has a view: messages, agent and session records,
    Graph and Swarm state, and the parts of a message cut across events. An item that decodes
    to something malformed (hostile or damaged data) is shown raw, never a failed page.
    """
    try:
        decoded = decode_event({"eventId": event_id, "payload": [item]})
        if decoded:
            return _stored_view(decoded[0])
    except (ValueError, TypeError, KeyError, AttributeError):
        pass
    return {"kind": "raw", "json": json.dumps(item, indent=2, ensure_ascii=False, default=str)}


def _stored_view(stored: Stored) -> dict[str, Any]:
    if isinstance(stored, StoredMessage):
        message = stored.session_message.message
        blocks = [_block_view(dict(block)) for block in message.get("content", [])]
        return {
            "kind": "message",
            "role": str(message["role"]),
            "agentId": stored.agent_id,
            "messageId": stored.message_id,
            "blocks": blocks,
        }
    if isinstance(stored, StoredAgent):
        agent = stored.session_agent
        return {
            "kind": "agentRecord",
            "label": "agent state",
            "agentId": agent.agent_id,
            "nextMessageId": stored.next_message_id,
            "summary": f"agent {agent.agent_id}: state with {len(agent.state)} key(s)",
            "json": _pretty(agent.to_dict()),
        }
    if isinstance(stored, StoredSession):
        session = stored.session
        return {
            "kind": "sessionRecord",
            "label": "session state",
            "sessionId": session.session_id,
            "summary": f"session {session.session_id} ({session.session_type})",
            "json": _pretty(session.to_dict()),
        }
    if isinstance(stored, StoredMultiAgent):
        state = stored.state
        kind = str(state.get("type") or "multi-agent")
        done = state.get("completed_nodes") or []
        return {
            "kind": "multiAgentRecord",
            "label": f"{kind} state",
            "summary": (
                f"{kind} {stored.multi_agent_id}: {state.get('status', 'unknown status')},"
                f" {len(done) if isinstance(done, list) else 0} node(s) completed"
            ),
            "json": _pretty(state),
        }
    if isinstance(stored, StoredPart):
        return {
            "kind": "part",
            "label": "message part",
            "summary": (
                f"part {stored.part + 1} of {stored.parts} of a {stored.role} message"
                f" (group {stored.group})"
            ),
            "text": stored.text,
        }
    assert_never(stored)


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


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
