"""The writer: buffers encoded messages and records, plans CreateEvent calls, and sends them.

Planning rules, applied when a flush starts:

* Consecutive messages of the same agent and the same trace go into one event, in order;
  an event never mixes agents or traces. A new event starts at 100 payload items, at 10 MB,
  when merged metadata would pass 15 keys, or when a message gives a metadata key another
  value than the event's earlier messages (so an event's metadata holds for all its messages).
* The session record rides in the first event; an agent record rides in the last event that
  holds that agent's messages. A multi-agent (Graph or Swarm) record has no messages of its own:
  it rides in the newest event holding messages of its trace, if any. A record with no message
  to ride on gets an event of its own.
* Each event's ``eventTimestamp`` is its newest message's timestamp (state-only events take
  the clock's next tick), and its ``clientToken`` is fixed when it is planned.

A planned event stays planned until the service acknowledges it. If a call fails, the flush
raises ``FlushError`` and the unsent events keep their payloads, timestamps and clientTokens,
so the next flush sends the very same requests and the service deduplicates any that had
been stored before the failure. Nothing acknowledged is sent twice; nothing unacknowledged is
dropped.

A redacted message's original is deleted once everything pending, its rewrite included, is
acknowledged: at the end of the flush that stored the rewrite (see ``redaction``).
"""

from __future__ import annotations

import contextlib
import functools
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, TypeVar, assert_never

from opentelemetry.trace import SpanContext
from strands.types.exceptions import SessionException

from ...client.forks import reinit_locks
from ...wire import limits
from ...wire.branches import BranchView
from ...wire.clock import MonotonicClock
from ...wire.encoding import with_next_message_id
from ...wire.json_text import PayloadItem
from ...wire.metadata import AGENT_ID_KEY, STATE_TYPE_KEY, Metadata, merge, user_key_budget
from ...wire.pending import (
    EVENT_PAYLOAD_MAX_BYTES,
    PendingMessage,
    PendingRecord,
    RecordKey,
    RecordKind,
)
from ...wire.planned import PlannedEvent
from ...wire.trace_stamp import TraceStamp
from .journal import Journal
from .redaction import Deletion, deletion_of_planned

T = TypeVar("T")


class StorageError(SessionException):
    """A call to AgentCore Memory (or the local journal) failed under a Strands session call.

    Strands' own session repositories raise ``SessionException`` for storage failures; this
    is one, with the failure that caused it as ``cause`` (and as ``__cause__``).
    """

    def __init__(self, message: str, cause: BaseException) -> None:
        super().__init__(message)
        self.cause = cause
        self.__cause__ = cause

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt from its message and cause, so it crosses a process boundary (pickle)."""
        return (type(self), (str(self), self.cause))


class FlushError(StorageError, RuntimeError):
    """A flush could not store everything; what is unsent stays pending for the next flush.

    A ``RuntimeError`` too, as it was before it became a ``SessionException``, so code that
    catches either keeps working.
    """

    def __init__(self, pending_messages: int, cause: BaseException) -> None:
        super().__init__(
            f"AgentCore Memory write failed ({type(cause).__name__}: {cause}); "
            f"{pending_messages} message(s) stay buffered and the next flush retries them "
            "with the same clientToken, so nothing is lost or stored twice",
            cause,
        )
        self.pending_messages = pending_messages

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt from its count and cause, so it crosses a process boundary (pickle)."""
        return (type(self), (self.pending_messages, self.cause))


@dataclass
class _Draft:
    agent_id: str | None
    trace_id: str | None
    messages: list[PendingMessage] = field(default_factory=list)
    records: list[PendingRecord] = field(default_factory=list)
    size: int = 0
    user_metadata: Metadata = field(default_factory=dict)

    def has_room(self, size: int, metadata: Metadata, trace_keys: int) -> bool:
        items = len(self.messages) + len(self.records) + 1
        keys = len(merge(self.user_metadata, metadata))
        return (
            items <= limits.PAYLOAD_MAX_ITEMS
            and self.size + size <= EVENT_PAYLOAD_MAX_BYTES
            and keys <= user_key_budget(trace_keys=trace_keys)
        )

    def agrees_with(self, metadata: Metadata) -> bool:
        """Whether ``metadata`` gives no key a value different from the draft's messages."""
        return all(self.user_metadata.get(key, value) == value for key, value in metadata.items())

    def add(self, entry: PendingMessage | PendingRecord) -> None:
        self.size += entry.size
        if isinstance(entry, PendingMessage):
            self.messages.append(entry)
            self.user_metadata = merge(self.user_metadata, entry.metadata)
        else:
            # A record riding along must not override its messages' metadata.
            self.records.append(entry)
            self.user_metadata = merge(entry.metadata, self.user_metadata)

    @property
    def stamp(self) -> TraceStamp | None:
        """The newest message's stamp; a record's only for events without messages."""
        for entries in (self.messages, self.records):
            stamps = [e.stamp for e in entries if e.stamp is not None]
            if stamps:
                return stamps[-1]
        return None


class EventBatcher:
    """Buffers and writes one session's events; thread-safe.

    Args:
        memory_id, actor_id, session_id: Where events go.
        batch_size: Buffered messages that make ``buffer_full()`` true.
        clock: Source of strictly increasing timestamps.
        send: Performs one planned CreateEvent and returns the response.
        trace_keys: Metadata keys for the trace stamp, or ``None`` not to stamp.
        on_superseded: Told of a buffered record replaced before it was written.
        on_written: Told of each event once the service acknowledged it.
        planning_lock: Held while buffered entries are planned (the session manager's lock).
        journal: Where entries stay until acknowledged, if anywhere.
        delete: Performs one DeleteEvent (a redacted original); ``None``: never delete.
        branch: The branch every event goes on (``None`` or ``main``: no ``branch`` member).
    """

    def __init__(
        self,
        *,
        memory_id: str,
        actor_id: str,
        session_id: str,
        batch_size: int,
        clock: MonotonicClock,
        send: Callable[[PlannedEvent], dict[str, Any]],
        trace_keys: tuple[str, str] | None,
        on_superseded: Callable[[PendingRecord], None] | None = None,
        on_written: Callable[[PlannedEvent], None] | None = None,
        planning_lock: AbstractContextManager[Any] | None = None,
        journal: Journal | None = None,
        delete: Callable[[dict[str, Any]], object] | None = None,
        branch: BranchView | None = None,
    ) -> None:
        self._target = {"memoryId": memory_id, "actorId": actor_id, "sessionId": session_id}
        self._branch = branch
        self.batch_size = batch_size
        self._clock = clock
        self._send = send
        self._trace_keys = trace_keys
        self._on_superseded = on_superseded
        self._on_written = on_written
        self._planning_lock = planning_lock or contextlib.nullcontext()
        self._journal = journal
        self._lock = threading.RLock()
        # Reentrant: a close() from a signal handler may interrupt a flush on the same thread.
        self._flush_lock = threading.RLock()
        self._messages: list[PendingMessage] = []
        self._records: dict[RecordKey, PendingRecord] = {}
        self._plan: list[PlannedEvent] = []
        self._delete = delete
        self._deletions: list[Deletion] = []  # wait for every rewrite to be acknowledged
        # Per agent: the newest message id acknowledged, and the events holding it.
        self._latest: dict[str, tuple[int, list[PlannedEvent]]] = {}
        # Acknowledged events the journal has not recorded as such (it failed): row id, deletion.
        # Until then they count as pending: a crash now would send them again (deduplicated).
        self._unrecorded: list[tuple[PlannedEvent, Deletion | None]] = []

    @property
    def trace_key_count(self) -> int:
        """How many metadata keys the trace stamp takes."""
        return 2 if self._trace_keys else 0

    def add_message(self, message: Sequence[PendingMessage]) -> None:
        """Buffer a message (its entries: one, or one per part of a large message)."""
        with self._lock:
            if self._journal is not None:
                self._journal.add_messages(message)
            self._messages.extend(message)

    def replace_message(self, message: Sequence[PendingMessage]) -> bool:
        """Swap a buffered, not yet planned message for ``message`` (same agent and id).

        Returns False when that message is already planned or written.
        """
        identity = (message[0].agent_id, message[0].message_id)
        with self._lock:
            indices = [
                index
                for index, buffered in enumerate(self._messages)
                if (buffered.agent_id, buffered.message_id) == identity
            ]
            if not indices:
                return False
            kept = [m for i, m in enumerate(self._messages) if i not in indices]
            kept[indices[0] : indices[0]] = message
            if self._journal is not None:
                self._journal.replace_message(message)
            self._messages = kept
        return True

    def redact(self, rewrite: Sequence[PendingMessage]) -> None:
        """Store ``rewrite`` in place of a message this writer stored, and delete the original.

        A buffered original is replaced and never stored. An original in flight or already
        acknowledged has its event deleted once the rewrite is acknowledged.
        """
        agent_id, message_id = rewrite[0].agent_id, rewrite[0].message_id
        with self._lock:
            if self.replace_message(rewrite):
                return
            self.add_message(rewrite)
            for event in self._plan:
                if event.agent_id == agent_id and message_id in event.item_message_ids:
                    event.redacted.add(message_id)
                    if self._journal is not None and event.journal_id is not None:
                        self._journal.redact_planned(event.journal_id, message_id)
            newest, holders = self._latest.get(agent_id, (-1, []))
            if newest == message_id:
                for holder in holders:
                    self.add_deletion(deletion_of_planned(holder, {message_id}))

    def add_deletion(self, deletion: Deletion | None) -> None:
        """Delete an acknowledged event once everything buffered now is acknowledged."""
        if deletion is None or self._delete is None:
            return
        with self._lock:
            if any(d.event_id == deletion.event_id for d in self._deletions):
                return
            if self._journal is not None:
                deletion.journal_id = self._journal.add_deletion(deletion)
            self._deletions.append(deletion)

    def set_record(self, record: PendingRecord) -> None:
        """Buffer a record, replacing an unplanned older one with the same key."""
        with self._lock:
            if self._journal is not None:
                self._journal.set_record(record)
            replaced = self._records.get(record.key)
            self._records[record.key] = record
        if replaced is not None and self._on_superseded is not None:
            self._on_superseded(replaced)

    def buffer_full(self) -> bool:
        """Whether buffered messages reached ``batch_size``."""
        with self._lock:
            return len(self._messages) >= self.batch_size

    def pending_message_count(self) -> int:
        """Messages not yet acknowledged by the service (buffered or planned)."""
        with self._lock:
            return (
                len(self._messages)
                + sum(e.message_count for e in self._plan)
                + sum(e.message_count for e, _ in self._unrecorded)
            )

    def pending_record_count(self, kind: RecordKind) -> int:
        """Records of ``kind`` not yet acknowledged (buffered or planned)."""
        with self._lock:
            buffered = sum(r.kind is kind for r in self._records.values())
            return buffered + sum(r.kind is kind for e in self._plan for r in e.records)

    def is_empty(self) -> bool:
        """Whether nothing at all (message, record or planned event) waits to be written."""
        with self._lock:
            return not (self._messages or self._records or self._plan or self._unrecorded)

    def after_fork_in_child(self) -> None:
        """In a forked child: fresh locks and an empty buffer.

        What was pending when the process forked belongs to the parent, which sends it; the
        child sends only what it adds itself, so nothing is stored twice.
        """
        reinit_locks(self._lock, self._flush_lock)
        self._messages, self._records, self._plan = [], {}, []
        self._deletions, self._unrecorded = [], []
        if self._journal is not None:
            self._journal.after_fork_in_child()

    def has_pending_messages(self) -> bool:
        """Whether a message (buffered or planned) waits to be written."""
        with self._lock:
            return bool(self._messages or self._plan or self._unrecorded)

    def flush(self) -> list[PlannedEvent]:
        """Write everything pending; return the events written, in order.

        Raises:
            FlushError: A call failed, or the journal could not record a step (locked, full
                disk); ``cause`` holds the error. Unsent events stay planned (or buffered)
                for the next flush.
        """
        written: list[PlannedEvent] = []
        if self._unrecorded:
            with self._flush_lock:
                self._record_acknowledgements()
        while True:
            # Planning takes the session manager's lock, sending only the flush lock: a hook
            # that holds the former may wait for the latter, never the other way round.
            with self._planning_lock, self._lock:
                if not self._plan:
                    self._plan = self._failing_as_flush_error(self._take_plan)
                if not self._plan:
                    # Every rewrite is acknowledged: the originals can go.
                    deletions = list(self._deletions)
                    if not deletions:
                        return written
                else:
                    deletions = []
                    event = self._plan[0]
            if deletions:
                self._run_deletions(deletions)
                continue
            unrecorded: FlushError | None = None
            with self._flush_lock:
                with self._lock:
                    if not self._plan or self._plan[0] is not event:
                        continue  # another flush sent it meanwhile
                try:
                    response = self._send(event)
                except Exception as exc:
                    raise FlushError(self.pending_message_count(), exc) from exc
                event.event_id = response.get("event", {}).get("eventId")
                # One step under the buffer lock: a redaction sees the event either in flight
                # (and is in ``redacted`` here) or acknowledged (and finds it as the latest).
                with self._lock:
                    if not self._plan or self._plan[0] is not event:
                        continue  # a nested flush (a signal handler's close) acknowledged it
                    redacted = (
                        deletion_of_planned(event, event.redacted)
                        if event.redacted and self._delete is not None
                        else None
                    )
                    self._plan.pop(0)
                    self._note_latest(event)
                    if redacted is not None:
                        self._deletions.append(redacted)
                # The journal's synced delete runs outside the buffer lock, which every hook
                # takes: hooks never wait on this disk write (the flush lock orders it, and
                # deletions only run under it). One that fails (locked, full disk) is kept and
                # retried by the next flush, before anything else: the event is not sent again.
                if self._journal is not None and event.journal_id is not None:
                    self._unrecorded.append((event, redacted))
                    try:
                        self._record_acknowledgements()
                    except FlushError as exc:
                        unrecorded = exc
            written.append(event)
            if self._on_written is not None:
                self._on_written(event)  # stored, whatever the journal could record
            if unrecorded is not None:
                raise unrecorded

    def _note_latest(self, event: PlannedEvent) -> None:
        """Remember the acknowledged events holding each agent's newest message."""
        ids = [i for i in event.item_message_ids if i is not None]
        if event.agent_id is None or not ids or event.event_id is None:
            return
        top = max(ids)
        newest, holders = self._latest.get(event.agent_id, (-1, []))
        if top > newest:
            self._latest[event.agent_id] = (top, [event])
        elif top == newest:
            holders.append(event)

    def _run_deletions(self, deletions: list[Deletion]) -> None:
        """Write each original's other items again, then delete the original.

        Raises:
            FlushError: A call failed; the deletions not done stay for the next flush.
        """
        assert self._delete is not None
        with self._flush_lock:
            for deletion in deletions:
                try:
                    if deletion.remainder is not None:
                        self._send(_remainder_event(deletion.remainder))
                    self._delete(
                        {**self._target, "eventId": deletion.event_id},
                    )
                except Exception as exc:
                    raise FlushError(self.pending_message_count(), exc) from exc
                if self._journal is not None and deletion.journal_id is not None:
                    self._journal.deleted(deletion.journal_id)
                with self._lock:
                    self._deletions.remove(deletion)

    def _failing_as_flush_error(self, step: Callable[[], T]) -> T:
        """``step()``, its failure raised as ``FlushError`` (the buffer is left as it was)."""
        try:
            return step()
        except Exception as exc:
            raise FlushError(self.pending_message_count(), exc) from exc

    def _record_acknowledgements(self) -> None:
        """Record in the journal the acknowledgements it could not record yet, in order.

        Called under the flush lock. Raises ``FlushError`` (the rest kept) if the journal fails.
        """
        assert self._journal is not None
        while self._unrecorded:
            event, redacted = self._unrecorded[0]
            assert event.journal_id is not None
            self._failing_as_flush_error(
                functools.partial(self._journal.acknowledged, event.journal_id, redacted)
            )
            with self._lock:
                self._unrecorded.pop(0)

    def _take_plan(self) -> list[PlannedEvent]:
        """Plan every buffered entry; the buffer is emptied only once the plan exists."""
        plan = self._build_plan(self._messages, self._records)
        if self._journal is not None and plan:
            for event, row_id in zip(plan, self._journal.plan(plan), strict=True):
                event.journal_id = row_id
        self._messages, self._records = [], {}
        return plan

    def load_journal(self) -> int:
        """Queue what the journal holds for this session, ahead of anything new.

        Returns the number of messages queued.
        """
        if self._journal is None:
            return 0
        events, messages, records, deletions = self._journal.load()
        with self._lock:
            self._deletions.extend(deletions)
            self._plan = events + self._plan
            self._messages = messages + self._messages
            for record in records:
                self._records.setdefault(record.key, record)
        return sum(e.message_count for e in events) + len(messages)

    def _build_plan(
        self, messages: list[PendingMessage], records: dict[RecordKey, PendingRecord]
    ) -> list[PlannedEvent]:
        drafts: list[_Draft] = []
        trace_keys = self.trace_key_count
        for message in messages:
            trace_id = message.stamp.trace_id if message.stamp else None
            last = drafts[-1] if drafts else None
            if (
                last is None
                or last.agent_id != message.agent_id
                or last.trace_id != trace_id
                or not last.has_room(message.size, message.metadata, trace_keys)
                or not last.agrees_with(message.metadata)
            ):
                last = _Draft(message.agent_id, trace_id)
                drafts.append(last)
            last.add(message)
        # Records ride on a message event of their agent when there is room (the newest such
        # event first); otherwise they share one state event per agent. The session record
        # goes first so that it is never newer than the first message.
        ordered = sorted(records.values(), key=lambda r: r.kind.precedence)
        agent_ids = [r.subject_id for r in ordered if r.kind is RecordKind.AGENT]
        for record in ordered:
            owner = self._owner(record, drafts, agent_ids)
            fits = [
                d
                for d in drafts
                if d.agent_id == owner and d.has_room(record.size, record.metadata, trace_keys)
            ]
            if fits:
                target = fits[0] if record.kind is RecordKind.SESSION else fits[-1]
            else:
                target = _Draft(owner, None)
                drafts.append(target)
            target.add(record)
        # An agent record says which message id comes next: every message of its agent with a
        # smaller id is in the record's event or an older one, which lets a restore stop early.
        next_ids: dict[str, int] = {}
        for message in messages:
            next_ids[message.agent_id] = max(
                next_ids.get(message.agent_id, 0), message.message_id + 1
            )
        return [self._plan_event(draft, next_ids) for draft in drafts]

    @staticmethod
    def _owner(
        record: PendingRecord, drafts: list[_Draft], agent_ids: list[str | None]
    ) -> str | None:
        """The agent whose events a record rides with (the session's: the first agent's).

        ``None`` means the record's own state event, without an ``agentId``.
        """
        match record.kind:
            case RecordKind.AGENT:
                return record.subject_id
            case RecordKind.SESSION:
                return next((d.agent_id for d in drafts), next(iter(agent_ids), None))
            case RecordKind.MULTI_AGENT:
                trace_id = record.stamp.trace_id if record.stamp else None
                riding = [d for d in drafts if d.messages and d.trace_id == trace_id]
                return riding[-1].agent_id if riding else None
            case _:
                assert_never(record.kind)

    def _plan_event(self, draft: _Draft, next_ids: dict[str, int]) -> PlannedEvent:
        internal: Metadata = {}
        if draft.agent_id is not None:
            internal[AGENT_ID_KEY] = {"stringValue": draft.agent_id}
        if draft.records:
            kind = max((r.kind for r in draft.records), key=lambda k: k.precedence)
            internal[STATE_TYPE_KEY] = {"stringValue": kind.state_type}
        stamp = draft.stamp
        trace_layer = (
            stamp.metadata(*self._trace_keys) if stamp is not None and self._trace_keys else {}
        )
        metadata = merge(trace_layer, draft.user_metadata, internal)
        timestamp_ms = (
            max(m.timestamp_ms for m in draft.messages) if draft.messages else self._clock.next_ms()
        )
        request: dict[str, Any] = {
            **self._target,
            "eventTimestamp": timestamp_ms / 1000,
            "payload": [m.item for m in draft.messages]
            + [_final_item(r, next_ids) for r in draft.records],
            "clientToken": str(uuid.uuid4()),
        }
        if metadata:
            request["metadata"] = metadata
        on_branch = self._branch.create_event_branch() if self._branch is not None else None
        if on_branch is not None:
            request["branch"] = on_branch
        entries: list[PendingMessage | PendingRecord] = [*draft.messages, *draft.records]
        links = _unique(e.stamp.span_context for e in entries if e.stamp)
        return PlannedEvent(
            request,
            draft.agent_id,
            len(draft.messages),
            tuple(draft.records),
            draft.size,
            links,
            tuple(m.added_at for m in draft.messages),
            item_message_ids=tuple(m.message_id for m in draft.messages)
            + (None,) * len(draft.records),
        )


def _remainder_event(request: dict[str, Any]) -> PlannedEvent:
    """A redacted original's other items as an event to send (no new messages or records)."""
    return PlannedEvent(request, None, 0, (), 0, ())


def _final_item(record: PendingRecord, next_ids: dict[str, int]) -> PayloadItem:
    if record.subject_id is None or record.next_message_id is None:
        return record.item
    planned = next_ids.get(record.subject_id, 0)
    return with_next_message_id(record.item, max(planned, record.next_message_id))


def _unique(contexts: Iterable[SpanContext]) -> tuple[SpanContext, ...]:
    """Span contexts without repeats, in first-seen order (SpanContext is not hashable)."""
    seen: dict[tuple[int, int], SpanContext] = {}
    for context in contexts:
        seen.setdefault((context.trace_id, context.span_id), context)
    return tuple(seen.values())
