"""Text and JSON as the API holds and counts them: valid UTF-8, sizes, pieces and digests.

Every JSON this package stores is written by ``to_json``: non-ASCII text as it is, surrogate
code points escaped, so every payload is valid UTF-8 and every string reads back as given.
Lengths are counted as the API counts characters (UTF-16 code units) and sizes as the bytes
an item adds to a request.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

PayloadItem = dict[str, Any]

_SURROGATE = re.compile("[\ud800-\udfff]")
"""A surrogate code point: text holding one cannot be encoded as UTF-8."""


def text_length(text: str) -> int:
    """Length as the API counts characters (UTF-16 code units); a lone surrogate counts one."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


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


def item_size(item: PayloadItem | list[PayloadItem]) -> int:
    """Bytes an item (or a whole payload) adds to a CreateEvent request: its compact UTF-8 JSON.

    The client's checks measure with this one function (the local server has its own). Text
    may hold surrogate code points (conversational text is sent as given): each counts as its
    escape.
    """
    return len(to_json(item, compact=True).encode())


def content_digest(value: Any) -> str:
    """A SHA-256 of ``value`` as canonical JSON (sorted keys), to tell changed state from same."""
    canonical = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
