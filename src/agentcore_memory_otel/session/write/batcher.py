"""The batcher: buffers encoded messages and records, plans CreateEvent calls, and sends them.

A flush plans everything buffered into events (``packing`` holds the rules: which entries
share an event, where records ride, timestamps and clientTokens), then sends them in order.

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
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from strands.types.exceptions import SessionException

from ...client.forks import reinit_locks
from ...wire.branches import BranchView
from ...wire.clock import MonotonicClock
from ...wire.pending import (
    PendingMessage,
    PendingRecord,
    RecordKey,
    RecordKind,
)
from ...wire.planned import PlannedEvent
from .journal import Journal
from .packing import EventPacker
from .redaction import Deletion, NewestMessageEvents, deletion_of_planned, remainder_event

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
        self._packer = EventPacker(
            target=self._target, clock=clock, trace_keys=trace_keys, branch=branch
        )
        self.batch_size = batch_size
        self._send = send
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
        self._latest = NewestMessageEvents()  # what a redaction of the latest deletes
        # Acknowledged events the journal has not recorded as such (it failed): row id, deletion.
        # Until then they count as pending: a crash now would send them again (deduplicated).
        self._unrecorded: list[tuple[PlannedEvent, Deletion | None]] = []

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
        """Store ``rewrite`` in place of a message this manager stored; delete the original.

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
            for holder in self._latest.holding(agent_id, message_id):
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
                event = self._plan[0] if self._plan else None
                # Once every rewrite is acknowledged, the originals can go.
                deletions = list(self._deletions) if event is None else []
            if event is None:
                if not deletions:
                    return written
                self._run_deletions(deletions)
                continue
            sent, unrecorded = self._send_first(event)
            if not sent:
                continue
            written.append(event)
            if self._on_written is not None:
                self._on_written(event)  # stored, whatever the journal could record
            if unrecorded is not None:
                raise unrecorded

    def _send_first(self, event: PlannedEvent) -> tuple[bool, FlushError | None]:
        """Send ``event``, the first planned, and note it acknowledged.

        Returns whether this call sent it (not when another flush did meanwhile) and, if the
        journal could not record the acknowledgment, the error to raise once it is counted.

        Raises:
            FlushError: The call failed; the event stays first in the plan.
        """
        with self._flush_lock:
            with self._lock:
                if not self._plan or self._plan[0] is not event:
                    return False, None  # another flush sent it meanwhile
            try:
                response = self._send(event)
            except Exception as exc:
                raise FlushError(self.pending_message_count(), exc) from exc
            event.event_id = response.get("event", {}).get("eventId")
            # One step under the buffer lock: a redaction sees the event either in flight
            # (and is in ``redacted`` here) or acknowledged (and finds it as the latest).
            with self._lock:
                if not self._plan or self._plan[0] is not event:
                    return False, None  # a nested flush (a signal handler's close) acknowledged it
                redacted = (
                    deletion_of_planned(event, event.redacted)
                    if event.redacted and self._delete is not None
                    else None
                )
                self._plan.pop(0)
                self._latest.note(event)
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
                    return True, exc
            return True, None

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
                        self._send(remainder_event(deletion.remainder))
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
        plan = self._packer.plan(self._messages, self._records)
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
