"""A stored message's origin keeps its stored member name, and the split codec reads as one.

Issue 23 renamed the Python side (``OriginTag``, ``StoredMessage.origin``); the stored JSON
member stays ``"writer"``, so data written before reads back, and data written now reads in
older versions.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from strands.types.session import SessionAgent, SessionMessage

from agentcore_memory_otel.session.write.redaction import NewestMessageEvents
from agentcore_memory_otel.wire.codec import (
    OriginTag,
    StoredAgent,
    StoredMessage,
    decode_event,
    decode_items,
    message_key,
)
from agentcore_memory_otel.wire.encoding import encode_agent, encode_message
from agentcore_memory_otel.wire.planned import PlannedEvent
from agentcore_memory_otel.wire.read_ahead import DeferredAgent, scan_event

MESSAGE = SessionMessage({"role": "user", "content": [{"text": "hi"}]}, 3)


def _text(item: dict[str, Any]) -> str:
    return str(item["conversational"]["content"]["text"])


def test_the_origin_is_stored_under_the_member_writer() -> None:
    item = encode_message(MESSAGE, "agent", OriginTag("m1", base=0, since_ms=17))
    body = json.loads(_text(item))
    assert body["writer"] == {"id": "m1", "base": 0, "since": 17}
    assert "origin" not in body
    (decoded,) = decode_event({"eventId": "e", "payload": [item]})
    assert isinstance(decoded, StoredMessage)
    assert decoded.origin == OriginTag("m1", 0, 17)
    assert message_key(item) == ("agent", 3, "m1")


def test_a_message_stored_by_an_older_version_reads_its_origin() -> None:
    """The JSON as versions before the rename wrote it, byte for byte."""
    text = json.dumps(
        {**MESSAGE.to_dict(), "agent_id": "a", "writer": {"id": "old", "base": 2, "since": 5}},
        separators=(",", ":"),
    )
    item = {"conversational": {"content": {"text": text}, "role": "USER"}}
    event = {"eventId": "e", "payload": [item]}
    (decoded,) = decode_event(event)
    assert isinstance(decoded, StoredMessage)
    assert decoded.origin == OriginTag("old", 2, 5)


@pytest.mark.parametrize(
    "member",
    [None, "w", 5, [], {"id": 5}, {"base": 1}, {"id": "\ud800", "base": "x", "since": 1.5}],
    ids=["null", "string", "number", "list", "id-not-string", "no-id", "hostile-values"],
)
def test_a_malformed_origin_member_reads_as_no_origin_or_drops_bad_parts(member: Any) -> None:
    body = {**MESSAGE.to_dict(), "agent_id": "a", "writer": member}
    event = {"eventId": "e", "payload": [{"blob": json.dumps([json.dumps(body), "USER"])}]}
    (decoded,) = decode_event(event)
    assert isinstance(decoded, StoredMessage)
    if isinstance(member, dict) and isinstance(member.get("id"), str):
        assert decoded.origin == OriginTag(member["id"])  # wrong-typed base and since dropped
    else:
        assert decoded.origin is None


def test_scan_defers_agent_records_and_decodes_the_rest_like_decode_event() -> None:
    agent = encode_agent(SessionAgent("a1", {}, {"removed_message_count": 0}))
    message = encode_message(MESSAGE, "a1", OriginTag("m"))
    event = {"eventId": "e", "payload": [message, agent]}
    scanned = scan_event(event)
    decoded = decode_event(event)
    assert scanned[0] == decoded[0]
    assert isinstance(scanned[1], DeferredAgent) and scanned[1].agent_id == "a1"
    assert scanned[1].decoded == decoded[1]
    assert isinstance(decoded[1], StoredAgent)


def test_decode_items_keeps_what_read_ahead_answers_and_warns_once_for_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    event = {"eventId": "e9", "payload": [{"blob": "x"}, {"other": 1}, {"blob": "[1"}, "no"]}
    with caplog.at_level(logging.WARNING):
        kept = decode_items(event, lambda item, _: "seen" if item == {"other": 1} else None)
    assert kept == ["seen"]
    warnings = [r for r in caplog.records if "e9" in r.getMessage()]
    assert len(warnings) == 1 and "skipped_items=<3>" in warnings[0].getMessage()


def _acknowledged(agent_id: str | None, ids: tuple[int | None, ...], event_id: str) -> PlannedEvent:
    event = PlannedEvent({}, agent_id, len(ids), (), 0, (), item_message_ids=ids)
    event.event_id = event_id
    return event


def test_newest_message_events_keep_only_the_newest_messages_events() -> None:
    latest = NewestMessageEvents()
    first, copy = _acknowledged("a", (0, 1), "e1"), _acknowledged("a", (1,), "e2")
    latest.note(first)
    latest.note(copy)  # a second copy of message 1 (a resend): both events hold it
    latest.note(_acknowledged("b", (4,), "e3"))
    latest.note(_acknowledged(None, (9,), "e4"))  # no agent: a state event
    latest.note(_acknowledged("a", (None,), "e5"))  # records only
    unsent = PlannedEvent({}, "a", 1, (), 0, (), item_message_ids=(7,))
    latest.note(unsent)  # never acknowledged (no event id): ignored
    assert latest.holding("a", 1) == [first, copy]
    assert latest.holding("a", 0) == []  # not the newest
    assert latest.holding("c", 1) == []
    latest.note(_acknowledged("a", (2,), "e6"))
    assert latest.holding("a", 1) == []
    assert [e.event_id for e in latest.holding("a", 2)] == ["e6"]
    latest.holding("a", 2).clear()  # a copy: the caller cannot empty the record
    assert len(latest.holding("a", 2)) == 1


@pytest.mark.parametrize("origin_id", ["\udcff", "𝄞-ü", "", "a\u2028b", '"quoted" \\'])
def test_origin_ids_of_any_text_read_back_and_key_the_message(origin_id: str) -> None:
    item = encode_message(MESSAGE, "agent", OriginTag(origin_id, base=1))
    _text(item).encode()  # valid UTF-8 whatever the id holds
    (decoded,) = decode_event({"eventId": "e", "payload": [item]})
    assert isinstance(decoded, StoredMessage)
    assert decoded.origin == OriginTag(origin_id, 1)
    assert message_key(item) == ("agent", 3, origin_id)
