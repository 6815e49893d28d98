"""How extraction reads a stored payload as conversation: the text as stored, or a caller's reader.

The server knows no format stored inside conversational text. A ``ConversationReader``
injected by the caller (``LocalMemoryServer(conversation_reader=...)``) may read one; this
package's own, for the Strands message JSON its session manager stores, lives outside the
server (``wire.conversation_reader``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Protocol

from .extractors import Message

logger = logging.getLogger(__name__)

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class ConversationReader(Protocol):
    """Reads one stored conversational item for extraction: the injected format knowledge.

    Given the item's stored ``role`` and ``text`` (and its ``event_id``, for log messages),
    returns the role and text to extract from, or None to leave the item out. The server's
    default, ``stored_text``, reads the text as stored, as the service does; a caller that
    knows a format stored inside the text (this package's Strands message JSON:
    ``wire.conversation_reader.read_strands_message``) hands the server its own reader.
    One that raises is logged and the item is read as stored.
    """

    def __call__(self, role: str, text: str, /, *, event_id: str) -> tuple[str, str] | None:
        """The role and text to extract from, or None to skip the item."""
        ...


def stored_text(role: str, text: str, *, event_id: str) -> tuple[str, str] | None:
    """The default ``ConversationReader``: the item's role and text exactly as stored."""
    return role, text


class ReadingStopped(Exception):
    """``read_payload`` was asked to stop before an item (the server is stopping)."""


def read_payload(
    payload: Any,
    event_id: str,
    reader: ConversationReader,
    stopping: Callable[[], bool] = lambda: False,
) -> list[Message]:
    """The messages of a stored payload: conversational items through the reader, then ``json``.

    A reader that raises (anything, ``SystemExit`` included), or answers anything but None or a
    ``(role, text)`` pair of strings, is logged with the event's id, and the item is read as
    stored. Lone surrogates a reader
    answers (no stored text holds one) become U+FFFD. Items of any other shape
    (hostile or foreign stored data) are left out. ``stopping`` is asked before each
    conversational item: a reader may be slow, and a stopping server must not wait for it.

    Raises:
        ReadingStopped: ``stopping`` answered True; nothing else is raised.
    """
    stored = payload if isinstance(payload, list) else []
    items = [item for item in stored if isinstance(item, dict)]
    messages: list[Message] = []
    for item in items:
        turn = item.get("conversational")
        content = turn.get("content") if isinstance(turn, dict) else None
        text = content.get("text") if isinstance(content, dict) else None
        if isinstance(turn, dict) and isinstance(text, str):
            if stopping():
                raise ReadingStopped(event_id)
            read = _read(reader, str(turn.get("role", "OTHER")), text, event_id)
            if read is not None and read[1]:
                messages.append(Message(*read))
    for item in items:
        body = item.get("json")
        content = body.get("content") if isinstance(body, dict) else None
        if isinstance(content, str):
            messages.append(Message("OTHER", content))
        elif isinstance(content, dict) and isinstance(content.get("text"), str):
            messages.append(Message(str(content.get("role", "OTHER")).upper(), content["text"]))
    return messages


def _read(
    reader: ConversationReader, role: str, text: str, event_id: str
) -> tuple[str, str] | None:
    """One item through the reader; the item as stored when the reader fails."""
    try:
        read = reader(role, text, event_id=event_id)
        if read is None:
            return None
        if not (
            isinstance(read, tuple)
            and len(read) == 2
            and isinstance(read[0], str)
            and isinstance(read[1], str)
        ):
            raise TypeError(f"a reader returns None or (role, text), got {read!r:.80}")
        # A reader may decode escapes stored text cannot hold (a Strands message's file name
        # read from disk): a lone surrogate would fail every job of the session in SQLite.
        return _LONE_SURROGATE.sub("\ufffd", read[0]), _LONE_SURROGATE.sub("\ufffd", read[1])
    # A caller's reader; its failure must not lose the text. BaseException too: it runs in the
    # extraction worker (never the main thread, where a real Ctrl-C lands), and a SystemExit or
    # a hand-raised KeyboardInterrupt ended that worker, leaving every later job PENDING.
    except BaseException as exc:
        logger.warning(
            "conversation reader failed on event %s (%s: %s); extracting the text as stored",
            event_id,
            type(exc).__name__,
            exc,
        )
        return role, text
