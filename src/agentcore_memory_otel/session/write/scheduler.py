"""When one session manager's writes are sent: write mode, pacing, journal, timer, exit flush.

The session manager decides *what* to store (entries, under its lock); this module decides
*when* it is sent:

* ``sync``: a hook that fills the buffer (``batch_size``) flushes it before returning, so the
  message is stored before the turn goes on.
* ``background``: hooks only buffer and wake the sender thread (``BackgroundSender``);
  ``flush()`` waits for it.

In both modes CreateEvent calls are paced (``create_event_rate``), and with a journal every
entry is in it before the hook returns. The flush timer, the exit flush and the flush on
SIGTERM hold this object's parts, never the session manager, so an unclosed manager is still
collected and its pending writes flushed then (``auto_flush``).

Lifecycle (``WriteState``; docs/write-modes.md has the table): ``close()`` may be called any
number of times, from any thread, and from a signal handler; ``flush()``/``close()`` on a
closed scheduler with nothing pending return at once; a message added after ``close()``
reopens it (in background mode a new sender thread starts) and is stored like any other. A
process that forks gets, in the child, fresh locks, an empty buffer (what was pending belongs
to the parent, which sends it) and a sender thread started on the child's first write.

Telemetry: this module reports facts to a ``WriteTelemetry`` observer and never touches an
instrument itself.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
import weakref
from collections.abc import Iterator, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, assert_never

from ...client.forks import reinit_locks
from ...telemetry import names
from ...wire.branches import BranchView
from ...wire.clock import MonotonicClock
from ...wire.pending import PendingMessage, PendingRecord
from ...wire.planned import PlannedEvent
from ..config import AgentCoreMemoryConfig, WriteMode
from ..shutdown import exit_cleanly_on_sigterm
from .auto_flush import flush_quietly, start_flush_timer
from .batcher import EventBatcher
from .journal import Journal
from .pacing import Pacer
from .redaction import Deletion, delete_original
from .sender import BackgroundSender

if TYPE_CHECKING:
    from ...telemetry import InstrumentedMemoryApi, WriteTelemetry

logger = logging.getLogger(__name__)

_schedulers: weakref.WeakSet[WriteScheduler] = weakref.WeakSet()


class WriteState(Enum):
    """Where a write scheduler is in its life (see docs/write-modes.md for the transitions)."""

    OPEN = "open"
    """Accepting and sending messages."""
    FAILED = "failed"
    """The latest write failed: flush() and close() retry at once (background: ending the
    sender's backoff) and raise if that retry fails; the next write that succeeds (background:
    the sender thread retries with backoff) makes it open again."""
    CLOSING = "closing"
    """A close() is flushing; messages added meanwhile are still accepted and sent."""
    CLOSED = "closed"
    """Closed with nothing pending; flush() and close() return at once. A message added now
    reopens the scheduler."""


class WriteScheduler:
    """Buffers, paces, journals and sends one session's entries.

    Args:
        config: The session manager's configuration.
        api: The instrumented API (sends, and traces each call).
        telemetry: Where the scheduler reports its facts (failures, waits, lag, replays).
        clock: The session manager's timestamp source.
        lock: The session manager's lock: held while entries are planned, so that a message
            is never planned without the record its hook changed.
        trace_keys: Metadata keys of the trace stamp, or ``None``.
        branch: The branch every event goes on (its root is learnt before the first write).
    """

    def __init__(
        self,
        config: AgentCoreMemoryConfig,
        api: InstrumentedMemoryApi,
        telemetry: WriteTelemetry,
        clock: MonotonicClock,
        lock: threading.RLock,
        trace_keys: tuple[str, str] | None,
        branch: BranchView | None = None,
    ) -> None:
        self.mode = WriteMode(config.write_mode)
        self._config = config
        self._api = api
        self._telemetry = telemetry
        self._lock = lock
        self._closed = False  # close() finished and nothing was added since
        self._closing = 0  # close() calls in progress
        self._closing_lock = threading.RLock()  # reentrant: a signal handler may close too
        self._sync_error: BaseException | None = None  # sync mode: the latest flush's failure
        # Per thread: how deep it is in this scheduler's operations, so that a close() from a
        # signal handler that interrupted one of them is deferred instead of deadlocking.
        self._inside = threading.local()
        self._deferred_close = False
        self._memory_id = config.memory_id
        self._pacer = Pacer(config.create_event_rate)
        self.journal = _open_journal(config)
        self.batcher = EventBatcher(
            memory_id=config.memory_id,
            actor_id=config.actor_id,
            session_id=config.session_id,
            batch_size=config.batch_size,
            clock=clock,
            send=self._pacer.paced(api.create_event),
            on_superseded=telemetry.superseded,
            on_written=self._written,
            trace_keys=trace_keys,
            planning_lock=lock,
            journal=self.journal,
            delete=functools.partial(delete_original, api),
            branch=branch,
        )
        telemetry.watch_pending(self.batcher.pending_message_count)
        self._sender = self._background_sender() if self.mode is WriteMode.BACKGROUND else None
        self._timer_stop = threading.Event()
        if config.flush_interval_seconds:
            start_flush_timer(
                self,
                config.flush_interval_seconds,
                self._timer_stop,
                name=f"agentcore-memory-flush-{config.session_id}",
            )
        exit_cleanly_on_sigterm()
        _schedulers.add(self)

    def _background_sender(self) -> BackgroundSender:
        """The sender thread of background mode (one per session manager)."""
        telemetry = self._telemetry
        return BackgroundSender(
            self.batcher,
            pacer=self._pacer,
            max_pending=self._config.max_pending_messages,
            # The thread's name predates the word "sender"; tools that look for it keep it.
            name=f"agentcore-memory-writer-{self._config.session_id}",
            on_failure=lambda _: telemetry.write_failed(names.FAILURE_WRITE),
            on_wait=telemetry.hook_waited,
        )

    def replay_journal(self) -> int:
        """Re-send what the journal holds unacknowledged for this session; return events sent.

        Planned events go again with their original clientTokens (the service deduplicates
        any it stored before the crash); entries never planned are planned and sent now.
        """
        if self.journal is None:
            return 0
        count = self.batcher.load_journal()
        if count:
            self._telemetry.journal_replayed(count)
            logger.info(
                "session_id=<%s> | replaying %d journaled message(s)",
                self._config.session_id,
                count,
            )
        return len(self.batcher.flush())

    def finalizer(self, owner: object) -> weakref.finalize[Any, Any]:
        """Flush (quietly) when ``owner`` is collected or the interpreter exits."""
        return weakref.finalize(
            owner, flush_quietly, self.batcher, self._sender, self._timer_stop, self._memory_id
        )

    # --- called by the session manager's hooks -----------------------------------------------

    def wait_for_room(self) -> None:
        """Background mode: wait while the buffer is full. Call without holding the lock."""
        if self._sender is not None:
            with self._entered():
                self._sender.wait_for_room()

    def add_message(self, message: Sequence[PendingMessage]) -> None:
        """Buffer a message's entries (the caller holds the lock); reopens a closed scheduler."""
        with self._entered():
            self.batcher.add_message(message)
            self._closed = False
            if self._sender is not None:
                self._sender.added()

    def replace_message(self, message: Sequence[PendingMessage]) -> bool:
        """Swap a buffered message for its rewrite; False when it is already planned."""
        with self._entered():
            return self.batcher.replace_message(message)

    def redact(self, rewrite: Sequence[PendingMessage], originals: Sequence[Deletion]) -> None:
        """Store a redacted message's rewrite; its stored originals go once it is acknowledged.

        ``originals`` are events another manager stored it in; the batcher finds this one's.
        """
        with self._entered():
            self.batcher.redact(rewrite)
            for deletion in originals:
                self.batcher.add_deletion(deletion)
            self._closed = False
            if self._sender is not None:
                self._sender.added()

    def set_record(self, record: PendingRecord) -> None:
        """Buffer a record (replacing an unplanned one with the same key)."""
        with self._entered():
            self.batcher.set_record(record)
            self._closed = False

    def message_added(self) -> None:
        """After a hook buffered messages: sync mode flushes a full buffer."""
        match self.mode:
            case WriteMode.SYNC:
                if self.batcher.buffer_full():
                    with self._entered():
                        self._flush_sync()
            case WriteMode.BACKGROUND:
                pass  # the sender was woken by add_message
            case _:
                assert_never(self.mode)

    def send_soon(self) -> None:
        """Send everything buffered now (sync) or soon (background), records included."""
        with self._entered():
            match self.mode:
                case WriteMode.SYNC:
                    self._flush_sync()
                case WriteMode.BACKGROUND:
                    assert self._sender is not None
                    self._sender.request()
                case _:
                    assert_never(self.mode)

    def pending_message_count(self) -> int:
        """Messages not yet acknowledged."""
        return self.batcher.pending_message_count()

    @property
    def state(self) -> WriteState:
        """Where this scheduler is in its life."""
        if self._closing:
            return WriteState.CLOSING
        failure = self._sender.failed if self._sender is not None else self._sync_error
        if failure is not None:
            return WriteState.FAILED
        if self._closed and self.batcher.is_empty():
            return WriteState.CLOSED
        return WriteState.OPEN

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything added so far is acknowledged (at once if nothing is pending).

        Raises:
            FlushError: A write failed (or, in background mode, ``timeout`` passed).
        """
        with self._entered():
            if self._sender is not None:
                self._sender.flush(timeout)
                return
            with self._lock:
                self._flush_sync()

    def close(self, timeout: float | None = None) -> None:
        """Flush, then stop the timer and the background thread; idempotent and thread-safe.

        A close() from a signal handler that interrupted this scheduler's own work on the same
        thread is deferred until that work returns (flushing inline could deadlock on the
        locks the interrupted code holds).

        Raises:
            FlushError: A write failed or ``timeout`` passed; close() may be called again.
        """
        if getattr(self._inside, "depth", 0) or self._holds_session_lock():
            # A signal handler interrupted this thread inside the scheduler, or inside a hook
            # holding the session lock that the sender thread needs to plan: flushing here
            # would wait for ever. The close runs when the interrupted operation returns.
            self._deferred_close = True
            return
        if self._closed and self.batcher.is_empty():
            return
        with self._closing_lock:
            self._closing += 1
        try:
            self.flush(timeout)
            self._timer_stop.set()
            if self._sender is not None:
                self._sender.stop()
            # A message added after the flush reopened the scheduler: its hook woke a new
            # thread (or the exit flush sends it), so it is not closed.
            self._closed = self.batcher.is_empty()
        finally:
            with self._closing_lock:
                self._closing -= 1

    def _holds_session_lock(self) -> bool:
        is_owned: Any = getattr(self._lock, "_is_owned", None)
        return bool(is_owned()) if is_owned is not None else False

    @contextlib.contextmanager
    def _entered(self) -> Iterator[None]:
        depth = getattr(self._inside, "depth", 0)
        self._inside.depth = depth + 1
        try:
            yield
        finally:
            self._inside.depth = depth
            if depth == 0 and self._deferred_close and not self._holds_session_lock():
                self._run_deferred_close()

    def _run_deferred_close(self) -> None:
        self._deferred_close = False
        try:
            self.close()
        except Exception:
            logger.exception(
                "memory_id=<%s> | the close() a signal handler asked for failed", self._memory_id
            )

    def _flush_sync(self) -> None:
        try:
            self.batcher.flush()
        except BaseException as exc:
            self._sync_error = exc
            raise
        self._sync_error = None

    def _written(self, event: PlannedEvent) -> None:
        self._telemetry.acknowledged(event.added_at, self.mode.value)
        if self._sender is not None:
            self._sender.written()

    def _after_fork_in_child(self) -> None:
        """In a forked child: fresh locks and an empty buffer; the next write starts a thread."""
        reinit_locks(self._lock, self._pacer.lock, self._closing_lock)
        self.batcher.after_fork_in_child()
        self._inside = threading.local()
        self._deferred_close = False
        self._closing = 0
        # Pooled HTTP connections are shared with the parent: the child opens its own.
        with contextlib.suppress(Exception):
            self._api.client._endpoint.http_session.close()


def _after_fork_in_child() -> None:
    for scheduler in list(_schedulers):
        scheduler._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _open_journal(config: AgentCoreMemoryConfig) -> Journal | None:
    """The session's journal, when the configuration names one."""
    if config.journal_path is None:
        return None
    return Journal(
        config.journal_path,
        config.memory_id,
        config.actor_id,
        config.session_id,
        branch=config.branch,
    )
