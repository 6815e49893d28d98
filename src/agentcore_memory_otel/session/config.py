"""Configuration: ``AgentCoreMemoryConfig`` and ``RetrievalConfig``.

Field names and meanings match the bedrock-agentcore SDK's Strands integration, so switching is
an import change. Ids are checked against the API's patterns when the config is built, and a
field that does not exist is an error that suggests the closest valid name (the SDK ignores it).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..wire import limits
from ..wire.metadata import normalise

_TEXT_RULES: dict[str, limits.TextRule] = {
    "memory_id": limits.MEMORY_ID,
    "session_id": limits.SESSION_ID,
    "actor_id": limits.ACTOR_ID,
    "context_tag": limits.TextRule(re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*"), max_length=64),
    "trace_id_key": limits.METADATA_KEY,
    "span_id_key": limits.METADATA_KEY,
    "branch": limits.BRANCH_NAME,
}
"""The string fields of ``AgentCoreMemoryConfig`` checked as the API (or the tag) requires."""

MetadataInput = Mapping[str, "str | Mapping[str, str]"]
"""Event metadata as users give it: plain strings or ``{"stringValue": ...}``."""


class PersistenceMode(str, Enum):
    """What the session manager writes to AgentCore Memory."""

    FULL = "FULL"
    """Messages, agent state and session state."""
    NONE = "NONE"
    """Nothing: the agent runs with retrieval only, and its conversation is not stored."""


class WriteMode(str, Enum):
    """When the session manager's writes happen relative to the agent's turn."""

    SYNC = "sync"
    """Each hook returns once its write is acknowledged (or buffered, with ``batch_size``)."""
    BACKGROUND = "background"
    """Hooks only buffer; one sender thread per manager sends, in order, and retries."""


def _reject_unknown(model: type[BaseModel], data: Any) -> Any:
    """Raise for keys that are not fields of ``model``, naming the closest field if any."""
    if not isinstance(data, Mapping):
        return data
    known = list(model.model_fields)
    for name in data:
        if name in known:
            continue
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f"; did you mean {close[0]}?" if close else f"; valid fields: {', '.join(known)}"
        raise ValueError(f"{model.__name__} has no field {name!r}{hint}")
    return data


class _StrictModel(BaseModel):
    """Refuses unknown fields with a suggestion rather than silently dropping them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _known_fields_only(cls, data: Any) -> Any:
        return _reject_unknown(cls, data)


class RetrievalConfig(_StrictModel):
    """Long-term memory retrieval for one namespace.

    Attributes:
        top_k: Records to ask for (1-1000). The API returns at most 100 per query, so values
            above 100 are capped at 100.
        relevance_score: Records scoring below this (0-1) are not injected.
        strategy_id: Substituted for ``{memoryStrategyId}`` in the namespace and used to scope
            the search.
        initialization_query: The query for this namespace's first retrieval of the session
            manager (the conversation's first user message in this process), in place of the
            user's words: e.g. "the user's preferences" to load them up front. Later messages
            search with their own text.
    """

    top_k: int = Field(default=10, ge=1, le=1000)
    relevance_score: float = Field(default=0.2, ge=0.0, le=1.0)
    strategy_id: str | None = None
    initialization_query: str | None = Field(default=None, min_length=1)


class AgentCoreMemoryConfig(_StrictModel):
    """Where and how a Strands agent's session is stored in AgentCore Memory.

    Attributes:
        memory_id: The memory resource (bare id or ARN).
        session_id: The AgentCore session, and the Strands session id.
        actor_id: The actor every event is stored under.
        retrieval_config: Namespace (may use ``{actorId}``, ``{sessionId}``,
            ``{memoryStrategyId}``) to retrieval settings; enables long-term memory injection.
        batch_size: Messages buffered before a CreateEvent (1 writes each message at once).
        flush_interval_seconds: Also flush buffered messages this often, from a timer thread.
        context_tag: Tag wrapping retrieved long-term memory in the user message.
        filter_restored_tool_context: Drop toolUse/toolResult blocks from restored history.
        default_metadata: Metadata added to every event (lowest precedence).
        metadata_provider: Called at each write for metadata; ranks above ``default_metadata``.
        persistence_mode: ``FULL`` stores everything; ``NONE`` makes no writes.
        trace_metadata: Stamp the active span's traceId/spanId into each event's metadata.
        trace_id_key: Metadata key for the W3C trace id.
        span_id_key: Metadata key for the W3C span id.
        async_mode: Accepted for the SDK's configurations; see docs/strands-support.md.
        sdk_readable: Write a new session's record in an event of its own at construction
            (one more CreateEvent per new session), as the SDK does, so that the SDK's session
            manager can open sessions started here (docs/migration.md).
        session_trace_attributes: Put ``session.id`` (the session id) and ``user.id`` (the
            actor id) on the agent's trace attributes, unless already set there.
        write_mode: ``"sync"`` (default) or ``"background"``; see docs/write-modes.md.
        max_pending_messages: Background mode: unacknowledged messages a hook may leave
            behind before it waits for the sender thread (nothing is ever dropped).
        journal_path: A local SQLite file that holds every message and record from its hook
            until AgentCore acknowledges it, and is replayed by the next manager.
        create_event_rate: CreateEvent calls per second this manager makes at most for its
            actor and session (the service quota is 5); ``None`` turns pacing off.
        content_filter: Called with every string of content (text, tool inputs and results,
            state values) before it is encoded, journaled or sent; returns what is stored,
            e.g. ``agentcore_memory_otel.redact_common``. See docs/data-control.md.
        binary_policy: What is stored of image, document and video blocks carrying bytes:
            ``"keep"`` (default), ``"placeholder"`` (a text block naming type, name, format
            and size) or ``"drop"``. See docs/data-control.md.
        branch: The AgentCore branch of the session the manager restores and writes:
            ``"main"`` (the default, exactly a session without branches), or a branch made by
            ``fork_session`` / ``agentcore-memory-otel fork`` (or the SDK's
            ``fork_conversation``); see docs/branches.md.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)  # frozen and strict, as its base

    memory_id: str
    session_id: str
    actor_id: str
    retrieval_config: dict[str, RetrievalConfig] | None = None
    batch_size: int = Field(default=1, ge=1, le=limits.PAYLOAD_MAX_ITEMS)
    flush_interval_seconds: float | None = Field(default=None, gt=0)
    context_tag: str = "user_context"
    filter_restored_tool_context: bool = False
    default_metadata: dict[str, Any] | None = None
    metadata_provider: Callable[[], MetadataInput] | None = None
    persistence_mode: PersistenceMode = PersistenceMode.FULL
    trace_metadata: bool = True
    trace_id_key: str = "traceId"
    span_id_key: str = "spanId"
    async_mode: bool = False
    sdk_readable: bool = False
    session_trace_attributes: bool = True
    # A Literal, not WriteMode: type checkers then accept the strings users write.
    write_mode: Literal["sync", "background"] = "sync"
    max_pending_messages: int = Field(default=1000, ge=1)
    journal_path: Path | None = None
    create_event_rate: float | None = Field(default=limits.CREATE_EVENT_TPS, gt=0)
    content_filter: Callable[[str], str] | None = None
    # A Literal, not BinaryPolicy, as write_mode: type checkers accept the strings users write.
    binary_policy: Literal["keep", "placeholder", "drop"] = "keep"
    branch: str = "main"

    @field_validator(*_TEXT_RULES)
    @classmethod
    def _text(cls, value: str, info: ValidationInfo) -> str:
        assert info.field_name is not None
        return _TEXT_RULES[info.field_name].check(value, info.field_name)

    @field_validator("default_metadata")
    @classmethod
    def _default_metadata(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        normalise(value, source="default_metadata")
        return value
