"""Which trace produced each message: for feedback (a score posted on the right trace).

The session manager notes, for every message it is told about, the trace id of the span active
at that moment (the agent's own span when Strands added the message). Messages are found by
identity, so the dict the agent holds (``agent.messages[i]`` or ``result.message``) is the key.
A message is known while its agent still holds it: once an agent's entries outgrow twice its
history (plus some slack), those of messages it no longer holds are forgotten, as the message
numbering forgets them (``session/agents.py``), so a long-running manager keeps nothing per
message beyond the conversation window.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Sequence
from typing import Final

from strands.types.content import Message

from ..wire.trace_stamp import current_stamp

FORGET_SLACK: Final = 32
"""Entries an agent may have beyond twice its history before the dropped ones are forgotten."""


class MessageTraces:
    """Trace ids of the messages a session manager saw, and of the latest assistant reply."""

    def __init__(self) -> None:
        # No lock: each OrderedDict call is atomic under the GIL (two agents noting at once
        # may at worst forget one entry early), and a lock held by another thread at a fork
        # would stay held for ever in the child.
        self._by_agent: dict[str, OrderedDict[int, tuple[Message, str]]] = {}
        self.last_trace_id: str | None = None

    def note(self, message: Message, agent_id: str, held: Sequence[Message]) -> None:
        """Remember the active trace as ``message``'s (nothing when no span is active).

        ``held`` is the agent's history: the messages still worth knowing.
        """
        stamp = current_stamp(for_stamping=False)  # with trace_metadata off too
        if stamp is None:
            return
        entries = self._by_agent.setdefault(agent_id, OrderedDict())
        # The message is held as well, so its id() is not reused while it is a key.
        entries[id(message)] = (message, stamp.trace_id)
        if len(entries) > 2 * len(held) + FORGET_SLACK:
            keep = {id(m) for m in held} | {id(message)}
            for key in [key for key in list(entries) if key not in keep]:
                with contextlib.suppress(KeyError):  # another thread may forget it first
                    del entries[key]
        if message.get("role") == "assistant":
            self.last_trace_id = stamp.trace_id

    def trace_id_of(self, message: Message) -> str | None:
        """The trace id (32 hex) that produced ``message``, or ``None`` if unknown."""
        for entries in list(self._by_agent.values()):
            held = entries.get(id(message))
            if held is not None and held[0] is message:
                return held[1]
        return None
