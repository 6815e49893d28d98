"""A Strands model that replays scripted replies: offline, deterministic, and labelled as such.

Used by the demo (which says so when it runs) and by the tests, so both exercise a real
``strands.Agent`` event loop, tool calls included, without any model service.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strands.models.model import Model
from strands.types.content import Messages
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
