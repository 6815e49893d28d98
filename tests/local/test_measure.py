"""The server's own size and digest, checked against counts made by hand, not by the client.

The client checks its requests with its own size function before it sends them; the server
measures with ``local/measure.py``. These tests hold the server's measure to byte counts
written out here, and then check the two computations agree, so a bug in either shows.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from agentcore_memory_otel.local.measure import digest, serialised_bytes
from agentcore_memory_otel.wire import limits
from agentcore_memory_otel.wire.json_text import item_size

T0 = 1_735_689_600.0

# [{"blob":"<text>"}] around the text: 2 + 9 + 2 bytes of JSON.
BLOB_OVERHEAD = len('[{"blob":""}]')


@pytest.mark.parametrize(
    ("text", "text_bytes"),
    [
        ("abc", 3),
        ("é", 2),  # U+00E9: two UTF-8 bytes
        ("€", 3),  # U+20AC: three
        ("😀", 4),  # U+1F600: four
        ("\udcff", 6),  # a lone surrogate: its JSON escape, six bytes
        ("\ud83d\ude00", 12),  # two surrogates in a Python str: two escapes
        ('"', 2),  # a quote is escaped: \"
        ("\n", 2),  # so is a newline: \n
        ("\x01", 6),  # and a control character: \u0001
    ],
)
def test_the_server_counts_text_as_its_utf8_json(text: str, text_bytes: int) -> None:
    assert serialised_bytes([{"blob": text}]) == BLOB_OVERHEAD + text_bytes


@pytest.mark.parametrize(
    "payload",
    [
        [{"blob": "x"}],
        [{"conversational": {"content": {"text": "héllo \udcff 😀"}, "role": "USER"}}],
        [{"blob": {"nested": [1, 2.5, None, True, "\u2028"]}}, {"blob": "b"}],
    ],
)
def test_the_client_and_the_server_measure_alike(payload: list[dict[str, Any]]) -> None:
    # Two independent computations of one definition: a bug in either breaks this.
    assert item_size(payload) == serialised_bytes(payload)


def test_the_digest_is_canonical_json_sha256() -> None:
    expected = hashlib.sha256(b'{"a":1,"b":["x","\\u00e9"]}').hexdigest()
    assert digest({"b": ["x", "é"], "a": 1}) == expected
    assert digest({"a": 1, "b": ["x", "é"]}) == expected
    assert digest({"a": 1, "b": ["x", "e"]}) != expected
    assert digest({"a": "1", "b": ["x", "é"]}) != expected


def test_the_digest_takes_lone_surrogates() -> None:
    assert digest(["\udcff"]) == hashlib.sha256(b'["\\udcff"]').hexdigest()


def _create(client: Any, memory_id: str, payload: list[dict[str, Any]]) -> Any:
    return client.create_event(
        memoryId=memory_id,
        actorId="actor-1",
        sessionId="session-1",
        eventTimestamp=T0,
        payload=payload,
    )


def test_an_event_of_exactly_the_limit_is_stored_and_one_byte_more_is_not(
    client: Any, memory_id: str
) -> None:
    # The limit counted by hand: the blob's text is ASCII, one byte per character.
    at_limit = limits.EVENT_MAX_BYTES - BLOB_OVERHEAD
    assert _create(client, memory_id, [{"blob": "x" * at_limit}])["event"]["eventId"]
    with pytest.raises(client.exceptions.ValidationException) as caught:
        _create(client, memory_id, [{"blob": "x" * (at_limit + 1)}])
    assert caught.value.response["fieldList"] == [
        {"name": "payload", "message": f"Event must be at most {limits.EVENT_MAX_BYTES} bytes"}
    ]
