"""The content policy: what of a message or record may leave the process.

Applied by ``EntryFactory`` to every message and record before it is encoded, so before a
custom converter sees it, before the journal holds it and before any request is built. Two
parts, both optional:

* ``content_filter``: the user's ``str -> str`` callable, applied to every string of content:
  text blocks, tool inputs (every string value, at any depth), tool results (text and JSON),
  reasoning text, and the values of state records (the agent's state, the conversation
  manager's state, a Graph's or Swarm's task, results and shared context). Strings Strands
  reads as identifiers are left alone (tool names and ids, formats, statuses, node ids,
  message roles, signatures), and so are dictionary keys: changing them would break a restore.
* ``binary_policy``: what becomes of image, document and video blocks carrying bytes
  (``BinaryPolicy``). Blocks referring to S3 locations carry no bytes and are kept. A
  document's name is content under every policy: the filter sees it.

The agent in this process keeps what it had; only what is stored changes. A restore returns
the stored (filtered) content.
"""

from __future__ import annotations

import base64
import binascii
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, ParamSpec, TypeVar, assert_never, cast

from strands.types.content import Message
from strands.types.session import SessionMessage

ContentFilter = Callable[[str], str]
"""Returns its argument with what must not be stored replaced (and unchanged otherwise)."""


class BinaryPolicy(str, Enum):
    """What is stored of an image, document or video block that carries bytes."""

    KEEP = "keep"
    """The block as it is (a message larger than an event is stored in parts)."""
    PLACEHOLDER = "placeholder"
    """A text block naming the block's type, name, format and size in bytes."""
    DROP = "drop"
    """Nothing; a content list left empty holds one placeholder so Converse accepts it."""


BINARY_BLOCKS = ("image", "document", "video")
"""Content block types that may carry bytes."""

IDENTIFIER_KEYS = frozenset(
    {
        "__name__",
        "toolUseId",
        "name",
        "status",
        "format",
        "signature",
        "role",
        "type",
        "id",
        "node_id",
        "stop_reason",
        "stopReason",
        "agent_id",
        "session_id",
        "multi_agent_id",
        "created_at",
        "updated_at",
        "completed_nodes",
        "failed_nodes",
        "interrupted_nodes",
        "next_nodes_to_execute",
        "execution_order",
        "node_history",
        "handoff_node",
    }
)
"""Keys whose values Strands reads as identifiers or enumerations: never filtered."""

_BYTES_MARK = "__bytes_encoded__"  # Strands' JSON form of a bytes value


def placeholder_text(block_type: str, body: dict[str, Any]) -> str:
    """The text standing in for a binary block, e.g. ``[image: png, 5242880 bytes]``."""
    details = []
    name = body.get("name")
    if isinstance(name, str) and name:
        details.append(f"name={name}")
    fmt = body.get("format")
    if isinstance(fmt, str) and fmt:
        details.append(fmt)
    size = _byte_size(body.get("source"))
    if size is not None:
        details.append(f"{size} bytes")
    return f"[{block_type}: {', '.join(details)}]" if details else f"[{block_type}]"


def carries_bytes(body: Any) -> bool:
    """Whether a binary block's body holds its content (not a reference to an S3 location)."""
    return (
        isinstance(body, dict)
        and isinstance(body.get("source"), dict)
        and ("bytes" in body["source"])
    )


def _byte_size(source: Any) -> int | None:
    """Bytes carried by a block's ``source``, raw or in Strands' base64 JSON form."""
    if not isinstance(source, dict):
        return None
    data = source.get("bytes")
    if isinstance(data, (bytes, bytearray)):
        return len(data)
    if isinstance(data, dict) and data.get(_BYTES_MARK) and isinstance(data.get("data"), str):
        try:
            return len(base64.b64decode(data["data"], validate=True))
        except (binascii.Error, ValueError):
            return None
    return None


_T = TypeVar("_T")
_P = ParamSpec("_P")


def _depth_checked(method: Callable[_P, _T]) -> Callable[_P, _T]:
    """``method`` with a value nested past Python's recursion limit reported by name."""

    @functools.wraps(method)
    def checked(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return method(*args, **kwargs)
        except RecursionError:
            raise ValueError(
                "content_filter/binary_policy: a value is nested too deep to filter "
                f"(more than about {sys.getrecursionlimit()} levels); nothing was stored"
            ) from None

    return checked


@dataclass(frozen=True)
class ContentPolicy:
    """One manager's (or store's) content filter and binary policy."""

    content_filter: ContentFilter | None = None
    binary: BinaryPolicy = BinaryPolicy.KEEP

    @property
    def active(self) -> bool:
        """Whether anything is changed at all (when not, entries skip the policy)."""
        return self.content_filter is not None or self.binary is not BinaryPolicy.KEEP

    def text(self, text: str) -> str:
        """``text`` through the filter.

        Raises:
            ValueError: The filter raised (nothing is stored then: the policy fails closed).
            TypeError: The filter returned something other than a string.
        """
        if self.content_filter is None:
            return text
        try:
            out = self.content_filter(text)
        except Exception as exc:
            raise ValueError(
                f"content_filter raised {type(exc).__name__} on a {len(text)}-character text; "
                "nothing was stored"
            ) from exc
        if not isinstance(out, str):
            raise TypeError(
                f"content_filter must return a str, got {type(out).__name__} "
                f"for a {len(text)}-character text"
            )
        return out

    @_depth_checked
    def value(self, value: Any) -> Any:
        """A filtered copy of a JSON-like value of the user's (every string is content)."""
        return self._value(value, user_owned=True)

    @_depth_checked
    def session_message(self, session_message: SessionMessage) -> SessionMessage:
        """A copy of ``session_message`` with its message (and redaction) filtered."""
        if not self.active:
            return session_message
        redact = session_message.redact_message
        return replace(
            session_message,
            message=self.message(session_message.message),
            redact_message=self.message(redact) if redact is not None else None,
        )

    @_depth_checked
    def message(self, message: Message) -> Message:
        """A filtered copy of a Strands message (members besides its content too)."""
        out: dict[str, Any] = {}
        for key, value in message.items():
            if key == "content" and isinstance(value, list):
                out[key] = self._blocks(value)
            elif key == "role" and value in _ROLES:
                out[key] = value  # any other "role" is a state value shaped like a message
            else:
                out[key] = self._value(value, user_owned=False)
        return cast(Message, out)

    @_depth_checked
    def agent_record(self, body: dict[str, Any]) -> dict[str, Any]:
        """A filtered copy of ``SessionAgent.to_dict()``: its state, window and internal state."""
        out = dict(body)
        if "state" in out:
            out["state"] = self._value(out["state"], user_owned=True)
        for key in ("conversation_manager_state", "_internal_state"):
            if key in out:
                out[key] = self._value(out[key], user_owned=False)
        return out

    @_depth_checked
    def multi_agent_record(self, state: dict[str, Any]) -> dict[str, Any]:
        """A filtered copy of a Graph's or Swarm's ``serialize_state()``."""
        out = cast(dict[str, Any], self._value(state, user_owned=False))
        context = state.get("context")
        if isinstance(context, dict) and "shared_context" in context:
            # The swarm's shared context is the user's: every value is content.
            out["context"]["shared_context"] = self._value(
                context["shared_context"], user_owned=True
            )
        return out

    # --- the walk ------------------------------------------------------------------------

    def _blocks(self, blocks: list[Any]) -> list[Any]:
        """Filtered content blocks; never empty when ``blocks`` was not."""
        out: list[Any] = []
        for block in blocks:
            kept = self._block(block)
            if kept is not None:
                out.append(kept)
        if blocks and not out:
            # Converse refuses a message (or a tool result) without content.
            out.append({"text": self._dropped_text(blocks)})
        return out

    def _dropped_text(self, blocks: list[Any]) -> str:
        names = [next(iter(b)) for b in blocks if isinstance(b, dict) and b]
        return f"[{', '.join(names) or 'content'} dropped]"

    def _block(self, block: Any) -> Any:
        """One filtered content block, or ``None`` when it goes (binary policy, blank text)."""
        if not isinstance(block, dict):
            return block
        for block_type in BINARY_BLOCKS:
            if block_type in block and isinstance(block[block_type], dict):
                return self._binary(block_type, block)
        out = dict(block)
        if isinstance(out.get("text"), str):
            out["text"] = self.text(out["text"])
            if not out["text"].strip() and block["text"].strip():
                return None  # the filter removed it all: Converse refuses a blank text block
        if isinstance(out.get("toolUse"), dict):
            tool_use = dict(out["toolUse"])
            if "input" in tool_use:
                tool_use["input"] = self._value(tool_use["input"], user_owned=True)
            out["toolUse"] = tool_use
        if isinstance(out.get("toolResult"), dict):
            result = dict(out["toolResult"])
            if isinstance(result.get("content"), list):
                result["content"] = self._blocks(result["content"])
            out["toolResult"] = result
        if "json" in out:
            out["json"] = self._value(out["json"], user_owned=True)
        for key in ("reasoningContent", "guardContent", "citationsContent"):
            if key in out:
                out[key] = self._value(out[key], user_owned=False)
        return out

    def _binary(self, block_type: str, block: dict[str, Any]) -> dict[str, Any] | None:
        body = block[block_type]
        if not carries_bytes(body):
            return self._named(block_type, block)  # a reference (an S3 location): no bytes
        match self.binary:
            case BinaryPolicy.KEEP:
                return self._named(block_type, block)
            case BinaryPolicy.PLACEHOLDER:
                return {"text": self.text(placeholder_text(block_type, body))}
            case BinaryPolicy.DROP:
                return None
            case _:
                assert_never(self.binary)

    def _named(self, block_type: str, block: dict[str, Any]) -> dict[str, Any]:
        """``block`` with its body's ``name`` (a document's file name, the user's) filtered."""
        body = block[block_type]
        if not isinstance(body.get("name"), str):
            return block
        return {**block, block_type: {**body, "name": self.text(body["name"])}}

    def _value(self, value: Any, *, user_owned: bool) -> Any:
        """A filtered copy of a JSON-like value.

        ``user_owned``: every string is content (the user's state, a tool's input); else
        strings under ``IDENTIFIER_KEYS`` are kept. Messages and content blocks found inside
        are filtered as such; bytes values are kept as they are.
        """
        if isinstance(value, str):
            return self.text(value)
        # Loops, not comprehensions: one frame per level of nesting, as json's encoder.
        if isinstance(value, list):
            if not user_owned and value and all(_is_block(item) for item in value):
                return self._blocks(value)  # a Graph's task: a dropped block leaves no None
            items = []
            for item in value:
                items.append(self._value(item, user_owned=user_owned))
            return items
        if not isinstance(value, dict):
            return value
        if value.get(_BYTES_MARK) is True:
            return value
        if isinstance(value.get("role"), str) and isinstance(value.get("content"), list):
            return self.message(cast(Message, value))
        if not user_owned and _is_block(value):
            return self._block(value)
        out = {}
        for key, item in value.items():
            kept = not user_owned and key in IDENTIFIER_KEYS
            out[key] = item if kept else self._value(item, user_owned=user_owned)
        return out


_ROLES = frozenset({"user", "assistant"})
"""Strands' message roles: a ``role`` holding anything else is content, filtered."""

_BLOCK_TYPES = frozenset(
    {
        "text",
        "toolUse",
        "toolResult",
        "image",
        "document",
        "video",
        "reasoningContent",
        "json",
    }
)


def _is_block(value: Any) -> bool:
    """Whether ``value`` is a content block: a one-member dict named by a block type."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _BLOCK_TYPES
