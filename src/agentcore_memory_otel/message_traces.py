"""Which trace produced each message: for feedback (a score posted on the right trace).

The session manager notes, for every message it is told about, the trace id of the span active
at that moment (the agent's own span when Strands added the message). Messages are found by
identity, so the dict the agent holds (``agent.messages[i]`` or ``result.message``) is the key;
the newest ``MAX_MESSAGES`` are kept, so a long-running manager does not grow.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from typing import Final

from strands.types.content import Message

from .trace_stamp import current_stamp

MAX_MESSAGES: Final = 10_000


class MessageTraces:
    """Trace ids of the messages a session manager saw, and of the latest assistant reply."""

    def __init__(self) -> None:
        # No lock: each OrderedDict call is atomic under the GIL (two agents noting at once
        # may at worst evict one extra entry), and a lock held by another thread at a fork
        # would stay held for ever in the child.
        self._by_message: OrderedDict[int, tuple[Message, str]] = OrderedDict()
        self.last_trace_id: str | None = None

    def note(self, message: Message) -> None:
        """Remember the active trace as ``message``'s (nothing when no span is active)."""
        stamp = current_stamp()
        if stamp is None:
            return
        # The message is held as well, so its id() is not reused while it is a key.
        self._by_message[id(message)] = (message, stamp.trace_id)
        with contextlib.suppress(KeyError):  # another thread may evict between the calls
            self._by_message.move_to_end(id(message))
            while len(self._by_message) > MAX_MESSAGES:
                self._by_message.popitem(last=False)
        if message.get("role") == "assistant":
            self.last_trace_id = stamp.trace_id

    def trace_id_of(self, message: Message) -> str | None:
        """The trace id (32 hex) that produced ``message``, or ``None`` if unknown."""
        held = self._by_message.get(id(message))
        return held[1] if held is not None and held[0] is message else None
