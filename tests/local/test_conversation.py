"""How extraction reads a stored payload: as stored by default, through a reader if injected.

``read_payload`` runs on the extraction worker over whatever the database holds, so hostile or
malformed stored data and a misbehaving reader must leave it standing.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from strands.types.session import SessionMessage

from agentcore_memory_otel.local.conversation import read_payload, stored_text
from agentcore_memory_otel.local.extractors import Message
from agentcore_memory_otel.wire.conversation_reader import read_strands_message
from agentcore_memory_otel.wire.encoding import encode_message

from .helpers import text


def _stored(role: str, content: list[dict[str, Any]]) -> str:
    item = encode_message(SessionMessage({"role": role, "content": content}, 0), "agent")  # type: ignore[typeddict-item]
    return str(item["conversational"]["content"]["text"])


def test_by_default_every_conversational_item_is_read_as_stored() -> None:
    payload = [text("I like tea."), text('{"message": 1}', "ASSISTANT"), text("x", "TOOL")]
    assert read_payload(payload, "e1", stored_text) == [
        Message("USER", "I like tea."),
        Message("ASSISTANT", '{"message": 1}'),
        Message("TOOL", "x"),
    ]


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "text",
        {"conversational": {}},
        [None, 3, "x", []],
        [{"conversational": "hi"}],
        [{"conversational": {"role": "USER", "content": "not a dict"}}],
        [{"conversational": {"role": "USER", "content": {"text": 7}}}],
        [{"conversational": {"role": None, "content": {"text": ""}}}],
        [{"json": "not a dict"}, {"json": {"content": 5}}, {"json": None}],
        [{"blob": "[1, 2]"}],
    ],
)
def test_hostile_stored_payloads_read_as_nothing(payload: Any) -> None:
    assert read_payload(payload, "e1", stored_text) == []


def test_json_items_are_read_after_the_conversation() -> None:
    payload = [{"json": {"content": "raw"}}, text("hi"), {"json": {"content": {"text": "t"}}}]
    assert read_payload(payload, "e1", stored_text) == [
        Message("USER", "hi"),
        Message("OTHER", "raw"),
        Message("OTHER", "t"),
    ]


@pytest.mark.parametrize("answer", ["text", ("USER",), ("USER", 5), ["USER", "x"], 0])
def test_a_reader_answering_a_wrong_shape_is_logged_and_the_item_read_as_stored(
    answer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def reader(role: str, stored: str, *, event_id: str) -> Any:
        return answer

    with caplog.at_level(logging.WARNING, logger="agentcore_memory_otel.local"):
        assert read_payload([text("I like tea.")], "e9", reader) == [Message("USER", "I like tea.")]
    (record,) = caplog.records
    assert "e9" in record.getMessage() and "TypeError" in record.getMessage()


def test_a_reader_that_raises_on_one_item_loses_only_its_reading() -> None:
    def reader(role: str, stored: str, *, event_id: str) -> tuple[str, str] | None:
        if stored == "boom":
            raise RecursionError("deep")
        return role, stored.upper()

    payload = [text("a"), text("boom"), text("b")]
    assert read_payload(payload, "e1", reader) == [
        Message("USER", "A"),
        Message("USER", "boom"),
        Message("USER", "B"),
    ]


def test_lone_surrogates_a_reader_answers_become_replacement_characters() -> None:
    def reader(role: str, stored: str, *, event_id: str) -> tuple[str, str] | None:
        return "US\ud800ER", stored + "\udc80"

    assert read_payload([text("x")], "e1", reader) == [Message("US\ufffdER", "x\ufffd")]


def test_the_strands_reader_reads_this_package_s_messages() -> None:
    stored = _stored("user", [{"text": "I love green tea"}, {"text": "and coffee"}])
    assert read_strands_message("USER", stored, event_id="e") == (
        "USER",
        "I love green tea and coffee",
    )
    reply = _stored("assistant", [{"text": "Noted"}])
    assert read_strands_message("ASSISTANT", reply, event_id="e") == ("ASSISTANT", "Noted")


def test_the_strands_reader_skips_messages_without_text() -> None:
    tool = _stored(
        "user",
        [{"toolResult": {"toolUseId": "t1", "status": "success", "content": [{"text": "42"}]}}],
    )
    assert read_strands_message("TOOL", tool, event_id="e") is None


def test_the_strands_reader_reads_foreign_text_as_stored() -> None:
    assert read_strands_message("USER", "I like tea", event_id="e") == ("USER", "I like tea")


@pytest.mark.parametrize(
    "hostile",
    [
        '{"message": 5}',
        '{"message": {"role": "user", "content": "x"}, "message_id": 0}',
        "[" * 5000,
        json.dumps({"message": {"role": "user", "content": [{"text": "\udc80"}]}, "message_id": 0}),
        "\u0000",
    ],
)
def test_the_strands_reader_never_raises_on_hostile_text(hostile: str) -> None:
    read = read_strands_message("USER", hostile, event_id="e")
    assert read is None or (isinstance(read[0], str) and isinstance(read[1], str))
