"""Entries: messages and records encoded, stamped and checked, ready for the batcher.

An entry is built once, when its hook fires: its payload item, size, metadata, timestamp and
trace stamp are fixed then, so a later flush (or a retry of it) sends exactly what the hook
saw. Every check (metadata keys and values, the key budget) runs while the entry is built, so
a hook that raises has changed nothing. A message too large for one event becomes several
entries, one part each, which the batcher sends in consecutive events.

``metadata_provider`` is the user's code running inside a hook: when it raises (or returns
metadata that breaks a limit) the entry is built without its keys, the error is logged naming
``metadata_provider`` and reported to ``on_provider_error``, so storage never diverges from the
agent's conversation.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any, assert_never

from strands.types.session import SessionMessage

from ...wire import limits
from ...wire.clock import MonotonicClock
from ...wire.codec import OriginTag
from ...wire.content_policy import ContentPolicy
from ...wire.encoding import encode_message, encode_part, message_json
from ...wire.json_text import PayloadItem, item_size, to_json
from ...wire.metadata import Metadata, check_key_budget, merge, normalise
from ...wire.pending import EVENT_PAYLOAD_MAX_BYTES, PendingMessage, PendingRecord, RecordKind
from ...wire.trace_stamp import TraceStamp, current_stamp

logger = logging.getLogger(__name__)


class EntryFactory:
    """Builds the entries of one session manager from its configuration.

    Args:
        clock: Source of strictly increasing message timestamps.
        default_metadata: Normalised metadata for every event.
        metadata_provider: Called for each entry; its keys sit above ``default_metadata``.
        stamp_traces: Whether entries carry the active span's ids.
        encode: A custom converter's message encoder (``None`` from it stores nothing);
            this package's format, with origin tags and parts, when ``None``.
        origin_id: This session manager's identity in stored messages (random by default).
        since_ms: The newest event timestamp the session had when this manager started.
        on_provider_error: Told each time ``metadata_provider`` fails.
        policy: The content filter and binary policy, applied to each message and record
            before anything else sees it (a custom converter included).
    """

    def __init__(
        self,
        *,
        clock: MonotonicClock,
        default_metadata: Metadata,
        metadata_provider: Callable[[], Mapping[str, Any]] | None,
        stamp_traces: bool,
        encode: Callable[[SessionMessage, str], PayloadItem | None] | None = None,
        origin_id: str = "",
        since_ms: int = 0,
        on_provider_error: Callable[[], None] | None = None,
        policy: ContentPolicy | None = None,
    ) -> None:
        self._clock = clock
        self._default_metadata = default_metadata
        self._metadata_provider = metadata_provider
        self._stamp_traces = stamp_traces
        self._encode = encode
        self.origin_id = origin_id or uuid.uuid4().hex[:12]
        self.since_ms = since_ms
        self._on_provider_error = on_provider_error
        self.policy = policy or ContentPolicy()

    def check_provider(self) -> None:
        """Call ``metadata_provider`` once, so a broken one fails at construction, by name.

        The key budget is checked too: with ``default_metadata`` and the keys the session
        manager sets itself, an event may carry at most ``METADATA_MAX_KEYS`` (15) keys, so a
        provider returning more than its share would lose its keys on every write.

        Raises:
            ValueError: The provider raised, or returned metadata that breaks a limit.
        """
        if self._metadata_provider is None:
            return
        try:
            provided = normalise(self._metadata_provider(), source="metadata_provider")
        except Exception as exc:
            raise ValueError(f"metadata_provider raised {type(exc).__name__}: {exc}") from exc
        try:
            check_key_budget(
                merge(self._default_metadata, provided), trace_keys=self.trace_key_count
            )
        except ValueError as exc:
            raise ValueError(
                f"metadata_provider returned {len(provided)} keys, more than fit the "
                f"{limits.METADATA_MAX_KEYS}-key limit of event metadata: {exc}"
            ) from exc

    @property
    def trace_key_count(self) -> int:
        """How many metadata keys the trace stamp takes in each event."""
        return 2 if self._stamp_traces else 0

    def message(
        self,
        session_message: SessionMessage,
        agent_id: str,
        per_call: Any = None,
        *,
        base: int | None = None,
        origin: str | None = None,
    ) -> tuple[PendingMessage, ...]:
        """Encode and check one message; nothing is changed if this raises.

        Args:
            session_message: The message and its id.
            agent_id: Its agent.
            per_call: Per-call metadata.
            base: The first id this manager gave the agent's messages.
            origin: For a rewrite of a message another manager stored, that manager's id.

        Returns:
            One entry, one per part when the message is larger than an event, or none when
            a custom converter stores nothing for it.

        Raises:
            ValueError: Metadata breaks a limit, or the content filter raised.
            TypeError: The content filter returned something other than a string.
        """
        metadata = self._metadata(per_call)
        session_message = self.policy.session_message(session_message)
        if self._encode is not None:
            items = self._converted(session_message, agent_id)
        else:
            items = self._encoded(session_message, agent_id, base, origin)
        stamp = self._stamp()
        return tuple(
            PendingMessage(
                agent_id,
                session_message.message_id,
                item,
                size,
                self._clock.next_ms(),
                metadata,
                stamp,
            )
            for item, size in items
        )

    def _encoded(
        self, session_message: SessionMessage, agent_id: str, base: int | None, origin: str | None
    ) -> list[tuple[PayloadItem, int]]:
        """A message in this package's format, with its size: one item, or one per part."""
        if origin is not None:
            tag = OriginTag(origin)
        elif base is None:
            tag = OriginTag(self.origin_id)  # a rewrite: its identity, not its place
        else:
            tag = OriginTag(self.origin_id, base, self.since_ms)
        item = encode_message(session_message, agent_id, tag)
        size = item_size(item)
        if size <= EVENT_PAYLOAD_MAX_BYTES:
            return [(item, size)]
        text, role = message_json(session_message, agent_id, tag)
        return [(part, item_size(part)) for part in self._parts(text, role)]

    def _converted(
        self, session_message: SessionMessage, agent_id: str
    ) -> list[tuple[PayloadItem, int]]:
        """A message in a custom converter's format: one item, or none, never cut in parts."""
        assert self._encode is not None
        item = self._encode(session_message, agent_id)
        if item is None:
            return []
        size = item_size(item)
        if size > EVENT_PAYLOAD_MAX_BYTES:
            raise ValueError(
                f"message {session_message.message_id} encodes to {size} bytes with the custom "
                f"converter; an event may hold at most {limits.EVENT_MAX_BYTES} bytes"
            )
        return [(item, size)]

    def _parts(self, text: str, role: str) -> list[PayloadItem]:
        """Cut ``text`` so that each part's item fits in one event."""
        group = uuid.uuid4().hex
        chunks: list[str] = []
        start = 0
        while start < len(text):
            length = len(text) - start
            while True:
                chunk = text[start : start + length]
                size = item_size(encode_part(group, 0, 0, role, chunk))
                if size <= EVENT_PAYLOAD_MAX_BYTES:
                    break
                # Shrink in proportion (escaping makes bytes per character vary), with room.
                length = max(1, int(length * EVENT_PAYLOAD_MAX_BYTES / size * 0.95))
            chunks.append(chunk)
            start += length
        return [
            encode_part(group, index, len(chunks), role, chunk)
            for index, chunk in enumerate(chunks)
        ]

    def record(
        self,
        kind: RecordKind,
        subject_id: str | None,
        item: PayloadItem,
        *,
        is_new: bool,
        next_message_id: int | None = None,
    ) -> PendingRecord:
        """Encode and check one record; nothing is changed if this raises."""
        item = self._filtered_record(kind, item)
        return PendingRecord(
            kind,
            subject_id,
            item,
            item_size(item),
            self._metadata(None),
            self._stamp(),
            is_new,
            next_message_id,
        )

    def _filtered_record(self, kind: RecordKind, item: PayloadItem) -> PayloadItem:
        """A record's item with its content through the policy (the session record has none)."""
        if not self.policy.active:
            return item
        match kind:
            case RecordKind.SESSION:
                return item
            case RecordKind.AGENT:
                body = self.policy.agent_record(json.loads(item["blob"]))
            case RecordKind.MULTI_AGENT:
                body = json.loads(item["blob"])
                body["state"] = self.policy.multi_agent_record(body["state"])
            case _:
                assert_never(kind)
        return {"blob": to_json(body)}

    def _metadata(self, per_call: Any) -> Metadata:
        metadata = merge(
            self._default_metadata,
            self._provided(),
            normalise(per_call, source="metadata"),
        )
        check_key_budget(metadata, trace_keys=self.trace_key_count)
        return metadata

    def _provided(self) -> Metadata:
        """``metadata_provider()``'s keys, or none when it fails (logged and counted)."""
        if self._metadata_provider is None:
            return {}
        try:
            provided = normalise(self._metadata_provider(), source="metadata_provider")
            check_key_budget(
                merge(self._default_metadata, provided), trace_keys=self.trace_key_count
            )
        except Exception:
            logger.exception(
                "metadata_provider failed; the entry is stored without its metadata keys"
            )
            if self._on_provider_error is not None:
                self._on_provider_error()
            return {}
        return provided

    def _stamp(self) -> TraceStamp | None:
        return current_stamp() if self._stamp_traces else None
