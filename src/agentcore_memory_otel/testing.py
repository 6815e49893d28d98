"""Strands models that replay scripted replies: offline, deterministic, and labelled as such.

Used by the demo (which says so when it runs) and by the tests, so both exercise a real
``strands.Agent`` event loop, tool calls included, without any model service;
``ScriptedBidiModel`` does the same for a ``BidiAgent`` (streaming voice), and
``GuardrailModel`` also redacts the user's latest message, as a Bedrock guardrail does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Sequence,
)
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strands.bidi.models import BidiModel, ConnectionTimeoutError
from strands.bidi.types.content import BidiContentDelta, BidiMessage
from strands.bidi.types.events import (
    BidiOutputEvent,
    BidiResponseStartEvent,
    BidiResponseStopEvent,
    BidiTextDeltaEvent,
    BidiTextStartEvent,
    BidiTextStopEvent,
)
from strands.models.model import Model
from strands.types.content import Messages, TextBlock
from strands.types.streaming import StreamEvent
from strands.types.tools import ToolSpec

T = TypeVar("T")


@dataclass(frozen=True)
class ToolCall:
    """A reply that asks the agent to run tool ``name`` with ``input``."""

    name: str
    input: dict[str, Any] = field(default_factory=dict)


Reply = str | ToolCall | Sequence[str | ToolCall]
"""One model turn: text, a tool call, or several of those in one assistant message."""


class ScriptedModel(Model):
    """Answers each model call with the next scripted reply.

    Args:
        script: The replies in order, or a function of the conversation so far that returns
            the reply (for replies that depend on what the user said).
    """

    _ids = itertools.count(1)

    def __init__(self, script: Iterable[Reply] | Callable[[Messages], Reply]) -> None:
        self._respond: Callable[[Messages], Reply]
        if callable(script):
            self._respond = script
        else:
            replies = iter(list(script))

            def next_reply(_: Messages) -> Reply:
                try:
                    return next(replies)
                except StopIteration:
                    raise RuntimeError("ScriptedModel ran out of scripted replies") from None

            self._respond = next_reply
        self.calls = 0
        self._config: dict[str, Any] = {"model_id": "scripted"}

    def update_config(self, **model_config: Any) -> None:
        """Update the (informational) configuration."""
        self._config.update(model_config)

    def get_config(self) -> dict[str, Any]:
        """The configuration; ``model_id`` is ``scripted``."""
        return self._config

    def structured_output(
        self,
        output_model: type[T],
        prompt: Messages,
        system_prompt: str | None = None,
        **kwargs: Any,
    ) -> AsyncGenerator[dict[str, T | Any], None]:
        """Not supported: scripted replies are plain text and tool calls."""
        raise NotImplementedError("ScriptedModel does not produce structured output")

    async def stream(
        self,
        messages: Messages,
        tool_specs: list[ToolSpec] | None = None,
        system_prompt: str | None = None,
        **kwargs: Any,
    ) -> AsyncIterable[StreamEvent]:
        """Stream the next reply as Bedrock-style stream events."""
        self.calls += 1
        reply = self._respond(messages)
        parts: Sequence[str | ToolCall] = [reply] if isinstance(reply, (str, ToolCall)) else reply
        yield {"messageStart": {"role": "assistant"}}
        for part in parts:
            if isinstance(part, ToolCall):
                tool_id = f"tooluse_{next(self._ids):06d}"
                yield {
                    "contentBlockStart": {
                        "start": {"toolUse": {"toolUseId": tool_id, "name": part.name}}
                    }
                }
                yield {
                    "contentBlockDelta": {"delta": {"toolUse": {"input": json.dumps(part.input)}}}
                }
            else:
                yield {"contentBlockStart": {"start": {}}}
                yield {"contentBlockDelta": {"delta": {"text": part}}}
            yield {"contentBlockStop": {}}
        uses_tools = any(isinstance(part, ToolCall) for part in parts)
        yield {"messageStop": {"stopReason": "tool_use" if uses_tools else "end_turn"}}
        yield {
            "metadata": {
                "usage": {"inputTokens": 0, "outputTokens": 0, "totalTokens": 0},
                "metrics": {"latencyMs": 0},
            }
        }


class GuardrailModel(ScriptedModel):
    """A ``ScriptedModel`` whose guardrail redacts the user's latest message.

    Before a reply it streams Bedrock's ``redactContent`` signal, so the ``Agent`` replaces
    the latest user message's content and calls its session manager's
    ``redact_latest_message``.

    Args:
        script: As for ``ScriptedModel``.
        redact_with: The replacement text, or a function of the conversation so far that
            returns it (``None``: no redaction on this call).
    """

    def __init__(
        self,
        script: Iterable[Reply] | Callable[[Messages], Reply],
        *,
        redact_with: str | Callable[[Messages], str | None],
    ) -> None:
        super().__init__(script)
        self._redact_with = redact_with

    async def stream(
        self,
        messages: Messages,
        tool_specs: list[ToolSpec] | None = None,
        system_prompt: str | None = None,
        **kwargs: Any,
    ) -> AsyncIterable[StreamEvent]:
        """Stream the redaction signal when due, then the next scripted reply."""
        replacement = (
            self._redact_with(messages) if callable(self._redact_with) else self._redact_with
        )
        if replacement is not None:
            yield {"redactContent": {"redactUserContentMessage": replacement}}
        async for event in super().stream(messages, tool_specs, system_prompt, **kwargs):
            yield event


class ScriptedBidiModel(BidiModel):
    """A bidirectional (streaming voice) model that answers each user message with a script.

    Each complete user message sent gets the next scripted reply, streamed as a response of
    text events (start, one delta per word, stop), as a speech model streams its transcript.
    ``drop_connection()`` makes the connection time out, so the agent restarts it.

    Args:
        replies: The replies, in order.
    """

    def __init__(self, replies: Iterable[str]) -> None:
        self._replies = iter(list(replies))
        self._queue: asyncio.Queue[BidiOutputEvent | Exception | None] = asyncio.Queue()
        self._turns = itertools.count(1)
        self.starts = 0
        self.histories: list[Messages] = []  # the history given to each start()
        self._config: dict[str, Any] = {"model_id": "scripted-bidi"}

    def update_config(self, **model_config: Any) -> None:
        """Update the (informational) configuration."""
        self._config.update(model_config)

    def get_config(self) -> dict[str, Any]:
        """The configuration; ``model_id`` is ``scripted-bidi``."""
        return self._config

    async def start(
        self,
        system_prompt: str | None = None,
        tools: list[ToolSpec] | None = None,
        messages: Messages | None = None,
        **kwargs: Any,
    ) -> None:
        """Open a (pretend) connection, remembering the history it was given."""
        self._queue = asyncio.Queue()
        self.starts += 1
        self.histories.append(json.loads(json.dumps(messages or [])))

    async def stop(self) -> None:
        """Close the connection: the current ``receive()`` ends."""
        self._queue.put_nowait(None)

    async def receive(self) -> AsyncIterator[BidiOutputEvent]:
        """Stream the events of this connection until it is closed or times out."""
        queue = self._queue
        while True:
            event = await queue.get()
            if event is None:
                return
            if isinstance(event, Exception):
                raise event
            yield event

    async def send(self, content: BidiMessage | BidiContentDelta) -> None:
        """Answer a user text message with the next reply; ignore audio and tool results."""
        if not isinstance(content, BidiMessage) or not any(
            isinstance(block, TextBlock) for block in content.content
        ):
            return
        try:
            reply = next(self._replies)
        except StopIteration:
            raise RuntimeError("ScriptedBidiModel ran out of scripted replies") from None
        turn = next(self._turns)
        response_id, content_id = f"response-{turn}", f"text-{turn}"
        events: list[BidiOutputEvent] = [
            BidiResponseStartEvent(response_id),
            BidiTextStartEvent(content_id),
        ]
        words = reply.split(" ")
        events += [
            BidiTextDeltaEvent(word if i == 0 else f" {word}", content_id)
            for i, word in enumerate(words)
        ]
        events += [BidiTextStopEvent(content_id), BidiResponseStopEvent(response_id)]
        for event in events:
            self._queue.put_nowait(event)

    def drop_connection(self) -> None:
        """Make the current connection time out (the agent then restarts it)."""
        self._queue.put_nowait(ConnectionTimeoutError("scripted connection timeout"))
