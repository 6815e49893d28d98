"""Decoding stored records without Strands' per-key reflection gives exactly what it gives.

``codec.session_message_from_dict`` / ``session_agent_from_dict`` replace
``SessionMessage.from_dict`` / ``SessionAgent.from_dict`` on the restore path (those call
``inspect.signature`` once per key). Every case here is decoded both ways and compared whole.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from strands.types.session import SessionAgent, SessionMessage

from agentcore_memory_otel.wire.codec import (
    StoredAgent,
    StoredMessage,
    decode_event,
    session_agent_from_dict,
    session_message_from_dict,
)
from agentcore_memory_otel.wire.encoding import encode_agent, encode_message

IMAGE: Any = {"image": {"format": "png", "source": {"bytes": b"\x89PNG\x00\xff"}}}

LONE_SURROGATE: Any = {"role": "user", "content": [{"text": "lone \ud800 surrogate"}]}
MESSAGES: list[Any] = [
    {"role": "user", "content": [{"text": "hello"}]},
    {"role": "user", "content": [{"text": 'naïve café ☕ 𝄞 \u2028 "quoted" \\ back'}]},
    LONE_SURROGATE,
    {"role": "user", "content": [{"text": "looks like a mark: __bytes_encoded__"}]},
    {"role": "user", "content": [{"text": "see this"}, IMAGE]},
    {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "f", "input": {}}}]},
    {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [IMAGE]}}]},
]


def _outcome(decode: Any, text: str) -> Any:
    """What decoding gives: the record, or the type of the error raised."""
    try:
        return decode(json.loads(text))
    except Exception as exc:  # a malformed encoded value fails both ways alike
        return type(exc)


def _both(text: str) -> tuple[Any, Any]:
    ours = _outcome(lambda body: session_message_from_dict(body, text), text)
    return ours, _outcome(SessionMessage.from_dict, text)


@pytest.mark.parametrize("message", MESSAGES)
@pytest.mark.parametrize("ascii_only", [False, True], ids=["utf8", "escaped"])
def test_messages_decode_as_strands_decodes_them(message: Any, ascii_only: bool) -> None:
    stored = SessionMessage(message, 7, redact_message=MESSAGES[0] if ascii_only else None)
    body = {**stored.to_dict(), "agent_id": "a", "writer": {"id": "w"}}
    text = json.dumps(body, ensure_ascii=ascii_only)
    ours, theirs = _both(text)
    assert ours == theirs
    assert ours.message == stored.message  # bytes came back as bytes
    if message is LONE_SURROGATE:
        return  # not storable (the write path rejects it); decoding it is what is compared
    item = encode_message(stored, "agent")
    (decoded,) = decode_event({"eventId": "e", "payload": [item]})
    assert isinstance(decoded, StoredMessage)
    assert decoded.session_message == SessionMessage.from_dict(stored.to_dict())


def test_agent_records_decode_as_strands_decodes_them() -> None:
    record = SessionAgent(
        "agent-1",
        # Agent state must be JSON (AgentState refuses bytes, and the restore skips a record
        # whose state is not); bytes may sit in the internal model state.
        state={"colour": "grün", "nested": [{"k": "v"}], "n": 1},
        conversation_manager_state={"removed_message_count": 4, "__name__": "Sliding"},
        _internal_state={
            "interrupt_state": {"interrupts": {}, "context": {}, "activated": False},
            "model_state": {"blob": b"\x00\x01", "nested": [{"k": b"v"}]},
        },
    )
    (decoded,) = decode_event({"eventId": "e", "payload": [encode_agent(record)]})
    assert isinstance(decoded, StoredAgent)
    assert decoded.session_agent == SessionAgent.from_dict(record.to_dict()) == record
    plain = SessionAgent("agent-2", {"a": "b"}, {})
    text = json.dumps(plain.to_dict())
    assert session_agent_from_dict(json.loads(text), text) == plain


def test_escaped_marks_and_hand_written_bytes_still_decode() -> None:
    # A key spelt with unicode escapes is still the mark: the fast path must not skip it.
    text = (
        '{"message": {"role": "user", "content": [{"\\u005f_bytes_encoded__": true,'
        ' "data": "AAE="}]}, "message_id": 1, "created_at": "c", "updated_at": "u"}'
    )
    ours, theirs = _both(text)
    assert ours == theirs
    assert ours.message["content"][0] == b"\x00\x01"


def test_missing_required_fields_fail_alike() -> None:
    for cls, decode in (
        (SessionMessage, session_message_from_dict),
        (SessionAgent, session_agent_from_dict),
    ):
        with pytest.raises(TypeError):
            cls.from_dict({"agent_id": "a"})
        with pytest.raises(TypeError):
            decode({"agent_id": "a"}, "{}")


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(7 if depth < 3 else 4)
    if kind == 0:
        return rng.choice(["x", "é", "__bytes_encoded__", "\\u0041", "", "data"])
    if kind == 1:
        return rng.choice([0, -1, 2**40, 1.5, True, None])
    if kind == 2:
        return {"__bytes_encoded__": True, "data": "AAEC"}
    if kind == 3:
        return {"__bytes_encoded__": rng.choice([False, 1, "true"]), "data": "AAEC"}
    if kind == 4:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(3))]
    keys = ["a", "data", "__bytes_encoded__", "ü", "message"]
    return {rng.choice(keys): _random_value(rng, depth + 1) for _ in range(rng.randrange(4))}


def test_random_bodies_decode_as_strands_decodes_them() -> None:
    rng = random.Random(24)
    for _ in range(500):
        body = {
            "message": {"role": "user", "content": [_random_value(rng)]},
            "message_id": rng.randrange(10),
            "redact_message": rng.choice([None, {"role": "user", "content": []}]),
            "created_at": "c",
            "updated_at": "u",
            "extra": _random_value(rng),
        }
        for ascii_only in (False, True):
            text = json.dumps(body, ensure_ascii=ascii_only)
            ours, theirs = _both(text)
            assert ours == theirs, text
        agent_body = {
            "agent_id": "a",
            "state": _random_value(rng),
            "conversation_manager_state": {},
            "created_at": "c",
            "updated_at": "u",
        }
        text = json.dumps(agent_body)
        ours = _outcome(lambda body, text=text: session_agent_from_dict(body, text), text)
        assert ours == _outcome(SessionAgent.from_dict, text), text
